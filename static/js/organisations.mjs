// Type-ahead for choosing an organisation, with GOV.UK's accessible-autocomplete (vendored in
// static/accessible-autocomplete/ from the npm package of that name; see its README there).
//
// Progressive enhancement only. Without JavaScript (or if this fails) the page keeps what the
// server sent: people type their organisation in a text input whose <datalist> offers the
// network's list (any name can still be typed, and "not listed" asks an admin to add it), and
// an admin merging records picks from a plain <select>. The library is loaded only on pages
// that have such a field.
//
// Fields opt in with the data-organisation-picker attribute:
// - on an <input list="...">, the input is replaced by the library's combobox with the same
//   id and name, suggesting the datalist's names; what is typed is still sent as typed;
// - on a <select>, the library's enhanceSelectElement: the select stays in the form (hidden)
//   and is set to the option chosen.

const LIBRARY = new URL("../accessible-autocomplete/accessible-autocomplete.min.js",
                        import.meta.url);
const STYLES = new URL("../accessible-autocomplete/accessible-autocomplete.min.css",
                       import.meta.url);
const MAX_SUGGESTIONS = 20;

function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

// Names starting with what was typed first, then names containing it, in list order.
function suggest(names) {
  const folded = names.map((name) => [name, fold(name)]);
  return (query, populate) => {
    const wanted = fold(query);
    if (!wanted) {
      populate([]);
      return;
    }
    const starting = [];
    const containing = [];
    for (const [name, key] of folded) {
      if (key.startsWith(wanted)) starting.push(name);
      else if (key.includes(wanted)) containing.push(name);
    }
    populate(starting.concat(containing).slice(0, MAX_SUGGESTIONS));
  };
}

// The library sets aria-describedby to its own instructions and removes it once someone
// types; the field's GOV.UK hint and error message must stay described throughout.
function keepDescribedBy(input, ids) {
  const ours = (ids || "").split(/\s+/).filter(Boolean);
  if (!ours.length) return;
  const apply = () => {
    const current = (input.getAttribute("aria-describedby") || "").split(/\s+/)
      .filter(Boolean);
    const wanted = [...new Set(ours.concat(current))];
    if (wanted.join(" ") !== current.join(" ")) {
      input.setAttribute("aria-describedby", wanted.join(" "));
    }
  };
  apply();
  new MutationObserver(apply).observe(input, {attributes: true,
                                              attributeFilter: ["aria-describedby"]});
}

function widthClasses(element) {
  return [...element.classList].filter((name) => name.startsWith("govuk-!-width-"));
}

function enhanceInput(accessibleAutocomplete, input) {
  const names = input.list ? [...input.list.options].map((option) => option.value) : [];
  const describedBy = input.getAttribute("aria-describedby");
  const purpose = input.getAttribute("autocomplete");
  const hasError = input.classList.contains("govuk-input--error");
  const wrapper = document.createElement("div");
  wrapper.classList.add("forum-organisation-picker", ...widthClasses(input));
  input.before(wrapper);
  const {id, name, value} = input;
  input.remove();  // before the library makes its own input with the same id
  accessibleAutocomplete({
    element: wrapper,
    id,
    name,
    defaultValue: value,
    source: suggest(names),
    minLength: 2,
    confirmOnBlur: false,   // what was typed is kept: the list need not have it
    showNoOptionsFound: false,
    inputClasses: hasError ? "govuk-input--error" : null,
    tStatusNoResults: () => "No organisations on the list match: what you typed will be kept",
  });
  const created = wrapper.querySelector("input[role='combobox']");
  if (!created) return;
  // Keep the field's purpose (WCAG 1.3.5), as the plain input had it.
  if (purpose) created.setAttribute("autocomplete", purpose);
  keepDescribedBy(created, describedBy);
}

function enhanceSelect(accessibleAutocomplete, select) {
  const describedBy = select.getAttribute("aria-describedby");
  const id = select.id;
  accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: "",
    showAllValues: true,
    minLength: 0,
  });
  const created = document.getElementById(id);
  if (created && created !== select) keepDescribedBy(created, describedBy);
}

function loadStyles() {
  if (document.querySelector("link[data-organisation-picker-styles]")) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = STYLES.href;
  link.dataset.organisationPickerStyles = "";
  document.head.append(link);
}

export async function initOrganisationPickers() {
  const inputs = [...document.querySelectorAll("input[data-organisation-picker]")];
  const selects = [...document.querySelectorAll("select[data-organisation-picker]")];
  if (!inputs.length && !selects.length) return;
  loadStyles();
  await import(LIBRARY.href);  // a UMD file: it sets self.accessibleAutocomplete
  const accessibleAutocomplete = self.accessibleAutocomplete;
  if (typeof accessibleAutocomplete !== "function") return;
  inputs.forEach((input) => enhanceInput(accessibleAutocomplete, input));
  selects.forEach((select) => enhanceSelect(accessibleAutocomplete, select));
}
