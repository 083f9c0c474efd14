// The search page: Pagefind's default UI, searching at once for ?q= (the header's search box submits it).
window.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("search");
  const params = new URLSearchParams(location.search);
  const order = document.getElementById("search-sort");
  const newest = params.get("sort") === "newest";
  const ui = new PagefindUI({
    sort: newest ? { date: "desc" } : undefined,
    element: "#search",
    bundlePath: box.dataset.bundle,
    baseUrl: box.dataset.base,
    showSubResults: true,
    showImages: false,
    autofocus: true,
  });
  // Pagefind labels its box with a title only; the page's visible heading names it for assistive technology.
  box.querySelector(".pagefind-ui__search-input")?.setAttribute("aria-labelledby", "search-heading");
  const query = params.get("q");
  if (query) ui.triggerSearch(query);
  // Another order: the same query again, sorted by the date each article page gives Pagefind.
  if (order) {
    order.value = newest ? "newest" : "";
    order.addEventListener("change", () => {
      const next = new URLSearchParams({ q: box.querySelector(".pagefind-ui__search-input")?.value ?? query ?? "" });
      if (order.value) next.set("sort", order.value);
      location.search = next.toString();
    });
  }
});
