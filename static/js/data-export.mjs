// Download my data: while a copy is being prepared, ask now and then whether it is ready, and
// say so in the page's live region (role="status"). Without this, reloading the page does it.
const region = document.getElementById("data-export-status");

if (region && region.dataset.statusUrl) {
  const messages = {
    ready: "Your data is ready.",
    failed: "Your data could not be prepared.",
  };
  let delay = 2000;

  const announce = (state) => {
    const paragraph = document.createElement("p");
    paragraph.className = "govuk-body";
    paragraph.append(`${messages[state]} `);
    const link = document.createElement("a");
    link.className = "govuk-link";
    link.href = region.dataset.pageUrl;
    link.textContent = state === "ready" ? "Show the download" : "Try again";
    paragraph.append(link);
    region.replaceChildren(paragraph);
  };

  const check = async () => {
    try {
      const response = await fetch(region.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const { state } = await response.json();
        if (state in messages) {
          announce(state);
          return;
        }
      }
    } catch {
      // Offline for a moment: try again later. Reloading the page works too.
    }
    delay = Math.min(delay * 1.5, 15000);
    window.setTimeout(check, delay);
  };

  window.setTimeout(check, delay);
}
