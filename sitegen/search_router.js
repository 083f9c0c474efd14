// sitegen's search index is one Pagefind bundle per shard (a year, or a run of months), listed newest first
// in shards.json beside this file. Pagefind's UI loads this module as its `pagefind.js`: it searches every
// shard and merges the answers. By relevance, results are ordered by score, as Pagefind's own mergeIndex
// does; sorted by date, each shard's results keep their order and the shards follow each other, since their
// dates do not overlap (Pagefind's mergeIndex would interleave them by position within each shard).
const here = new URL(".", import.meta.url);
let settings = {};
let shards = null;
let shardFilters = null;  // every shard's filter values and counts, once loaded
let filtersReady = false;

function instances() {
  shards ??= (async () => {
    const names = (await (await fetch(new URL("shards.json", here))).json()).shards;
    if (!names.length) {
      shardFilters = Promise.resolve([]);
      return [];
    }
    // Each shard through its own copy of Pagefind's module: instances made by one module share its WebAssembly
    // memory, and two indexes loaded into it answer with each other's chunks (in its web worker, they trap).
    const list = await Promise.all(names.map(async (name) => {
      const { createInstance } = await import(new URL(`${name}/pagefind.js`, here).href);
      return createInstance({ basePath: new URL(`${name}/`, here).pathname, noWorker: true });
    }));
    await Promise.all(list.map((shard) => shard.options(settings)));
    // A shard counts filter values in its answers only once it has loaded all its filters, which takes longer
    // than a first search: until every shard has, answers carry no filter counts, and the UI keeps showing
    // the totals from filters() rather than the values of only the shards that happened to be ready.
    shardFilters = Promise.all(list.map((shard) => shard.filters()));
    shardFilters.then(() => { filtersReady = true; });
    return list;
  })();
  return shards;
}

function mergeFilters(all) {
  const merged = {};
  for (const filters of all) {
    for (const [name, values] of Object.entries(filters ?? {})) {
      merged[name] ??= {};
      for (const [value, count] of Object.entries(values)) merged[name][value] = (merged[name][value] ?? 0) + count;
    }
  }
  return merged;
}

export async function options(given) {
  settings = { ...settings, ...given };
  if (shards) await Promise.all((await shards).map((shard) => shard.options(given)));
}

export async function init() {
  await instances();
}

export async function mergeIndex() {
  throw new Error("sitegen's search already merges every shard of the index");
}

export async function filters() {
  await instances();
  return mergeFilters(await shardFilters);
}

export async function preload(term, given = {}) {
  await Promise.all((await instances()).map((shard) => shard.preload(term, given)));
}

export async function search(term, given = {}) {
  const counted = filtersReady;  // answers computed with every shard's filters loaded
  const answers = await Promise.all((await instances()).map((shard) => shard.search(term, given)));
  const found = answers.filter(Boolean);
  const [key, direction] = Object.entries(given.sort ?? {})[0] ?? [];
  let results;
  if (key === "date") {
    const runs = found.map((answer) => answer.results);  // each already in order, shards newest first
    results = (direction === "asc" ? runs.reverse() : runs).flat();
  } else {
    results = found.flatMap((answer) => answer.results).sort((a, b) => b.score - a.score);
  }
  return {
    results,
    unfilteredResultCount: found.reduce((sum, answer) => sum + answer.unfilteredResultCount, 0),
    filters: counted ? mergeFilters(found.map((answer) => answer.filters)) : {},
    totalFilters: counted ? mergeFilters(found.map((answer) => answer.totalFilters)) : {},
    timings: found.map((answer) => answer.timings),
  };
}

let searchNumber = 0;

export async function debouncedSearch(term, given, wait = 300) {
  const mine = ++searchNumber;
  await new Promise((resolve) => setTimeout(resolve, wait));
  return mine === searchNumber ? search(term, given) : null;
}

export async function destroy() {
  if (shards) await Promise.all((await shards).map((shard) => shard.destroy()));
  shards = shardFilters = null;
  filtersReady = false;
}
