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
      processResult: (result) => ({ ...result, excerpt: dropHeadline(result.excerpt, result.meta.title) }),
    });
    // Pagefind labels its box with a title only; the page's visible heading names it for assistive technology.
    box.querySelector(".pagefind-ui__search-input")?.setAttribute("aria-labelledby", "search-heading");
    if (query) ui.triggerSearch(query);
  }

  // The result's heading is the headline; an excerpt that starts with it starts after it.
  function dropHeadline(excerpt, title) {
    const t = document.createElement("template");
    t.innerHTML = excerpt;
    if (!title || !t.content.textContent.startsWith(title)) return excerpt;
    const walker = document.createTreeWalker(t.content, NodeFilter.SHOW_TEXT);
    let skip = title.length;
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const n = Math.min(skip, node.data.length);
      node.data = node.data.slice(n);
      skip -= n;
      if (skip === 0) {
        node.data = node.data.replace(/^[.\s]+/, "");
        if (node.data) break;
      }
    }
    return t.innerHTML;
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
