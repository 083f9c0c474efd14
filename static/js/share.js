// The article's short link: without JavaScript it is a plain link; with it, a button copies it too.
window.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".copy-link[data-copy]")) {
    if (!navigator.clipboard) continue;
    const status = button.parentElement.querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        if (status) status.textContent = "Copied";
      } catch {
        if (status) status.textContent = "Copy failed: select the link instead";
      }
    });
  }
});
