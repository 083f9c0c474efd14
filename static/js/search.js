// The search page: Pagefind's default UI, searching at once for ?q= (the header's search box submits it).
window.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("search");
  const ui = new PagefindUI({
    element: "#search",
    bundlePath: box.dataset.bundle,
    baseUrl: box.dataset.base,
    showSubResults: true,
    showImages: false,
    autofocus: true,
  });
  // Pagefind labels its box with a title only; the page's visible heading names it for assistive technology.
  box.querySelector(".pagefind-ui__search-input")?.setAttribute("aria-labelledby", "search-heading");
  const query = new URLSearchParams(location.search).get("q");
  if (query) ui.triggerSearch(query);
});
