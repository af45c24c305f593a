// Quote the selected passage: with text of a post selected, its Quote link sends that
// passage along. The server quotes it only if it is part of the post's published text, and
// otherwise quotes the whole post, as without this script.

function selectedPassage(article) {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return "";
  const body = article.querySelector(".forum-post__body");
  const range = selection.getRangeAt(0);
  if (!body || !body.contains(range.commonAncestorContainer)) return "";
  return selection.toString().trim();
}

export function initQuotes(root = document) {
  root.querySelectorAll("a[data-quote-post]").forEach((link) => {
    const article = link.closest("article");
    if (!article) return;
    let kept = "";
    // Pressing the pointer on the link can clear the selection: keep it from just before.
    link.addEventListener("pointerdown", () => { kept = selectedPassage(article); });
    link.addEventListener("click", () => {
      const passage = selectedPassage(article) || kept;
      kept = "";
      const url = new URL(link.href, window.location.href);
      if (passage) url.searchParams.set("passage", passage.slice(0, 5000));
      else url.searchParams.delete("passage");
      link.href = url.toString();
    });
  });
}
