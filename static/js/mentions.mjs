// "@" suggestions in the post box: members of the set whose handle starts with what follows
// the "@". Without this file people type the handle shown on the set's People page.
//
// A <textarea> may not take the combobox role, so it keeps its own (textbox) and points at
// the list with aria-controls and aria-activedescendant, the listbox pattern of ARIA 1.2's
// combobox; a polite live region says how many suggestions there are.

const TOKEN = /(?:^|[^\p{L}\p{N}_@.])@([\p{L}\p{N}_.-]*)$/u;
let counter = 0;

function enhance(box) {
  const source = box.dataset.mentionSource;
  const id = `mention-list-${++counter}`;
  const list = document.createElement("ul");
  list.id = id;
  list.className = "forum-mentions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "People to mention");
  list.hidden = true;
  const status = document.createElement("div");
  status.className = "govuk-visually-hidden";
  status.setAttribute("role", "status");
  box.after(list, status);
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", id);

  let members = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  function tokenBeforeCaret() {
    if (box.selectionStart !== box.selectionEnd) return null;
    const match = TOKEN.exec(box.value.slice(0, box.selectionStart));
    return match ? match[1] : null;
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    members = [];
    active = -1;
    box.removeAttribute("aria-activedescendant");
  }

  function show(found) {
    members = found;
    active = -1;
    list.replaceChildren(...found.map((member, index) => {
      const option = document.createElement("li");
      option.id = `${id}-${index}`;
      option.className = "forum-mentions__option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = `@${member.handle} – ${member.name}` +
        (member.organisation ? `, ${member.organisation}` : "");
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => choose(index));
      return option;
    }));
    list.hidden = found.length === 0;
    box.removeAttribute("aria-activedescendant");
    status.textContent = found.length === 0 ? "No one in this set matches." :
      `${found.length} ${found.length === 1 ? "person matches" : "people match"}: ` +
      "use the up and down arrows, then Enter to choose.";
  }

  function highlight(index) {
    active = (index + members.length) % members.length;
    [...list.children].forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === active));
      option.classList.toggle("forum-mentions__option--active", i === active);
    });
    box.setAttribute("aria-activedescendant", `${id}-${active}`);
    list.children[active].scrollIntoView({ block: "nearest" });
  }

  function choose(index) {
    const member = members[index];
    const caret = box.selectionStart;
    const before = box.value.slice(0, caret).replace(/@[\p{L}\p{N}_.-]*$/u, `@${member.handle} `);
    box.value = before + box.value.slice(caret);
    box.setSelectionRange(before.length, before.length);
    close();
    status.textContent = `@${member.handle} added.`;
    box.focus();
  }

  async function suggest(prefix) {
    const ask = ++asked;
    try {
      const response = await fetch(`${source}?q=${encodeURIComponent(prefix)}`, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!response.ok || ask !== asked) return;
      const data = await response.json();
      if (ask === asked && tokenBeforeCaret() !== null) show(data.members || []);
    } catch {
      close();  // offline or refused: typing goes on as without this script
    }
  }

  box.addEventListener("input", () => {
    const prefix = tokenBeforeCaret();
    clearTimeout(timer);
    if (!prefix) {
      close();
      return;
    }
    timer = setTimeout(() => suggest(prefix), 150);
  });
  box.addEventListener("keydown", (event) => {
    if (list.hidden || members.length === 0) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  box.addEventListener("blur", () => setTimeout(close, 100));
}

export function initMentions(root = document) {
  root.querySelectorAll("textarea[data-mention-source]").forEach(enhance);
}
