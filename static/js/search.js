// The search page: Pagefind's default UI over every shard of the index (pagefind/pagefind.js merges them),
// searching at once for ?q= (the header's search box submits it); ?sort=newest lists newest first.
window.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("search");
  const order = document.getElementById("search-order");
  const params = new URLSearchParams(location.search);
  let ui = null;

  function start(query) {
    ui?.destroy();
    box.replaceChildren();
    ui = new PagefindUI({
      element: "#search",
      bundlePath: box.dataset.bundle,
      baseUrl: box.dataset.base,
      showSubResults: true,
      showImages: false,
      autofocus: true,
      sort: order.value === "newest" ? { date: "desc" } : null,
    });
    // Pagefind labels its box with a title only; the page's visible heading names it for assistive technology.
    box.querySelector(".pagefind-ui__search-input")?.setAttribute("aria-labelledby", "search-heading");
    if (query) ui.triggerSearch(query);
  }

  order.closest("p").hidden = false;  // without scripts the order cannot change
  order.value = params.get("sort") === "newest" ? "newest" : "relevance";
  order.addEventListener("change", () => {
    const query = box.querySelector(".pagefind-ui__search-input")?.value ?? "";
    const url = new URL(location.href);
    url.searchParams.set("q", query);
    if (order.value === "newest") url.searchParams.set("sort", "newest"); else url.searchParams.delete("sort");
    history.replaceState(null, "", url);
    start(query);
  });
  start(params.get("q"));
});
