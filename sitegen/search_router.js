// sitegen's search index is one Pagefind bundle per shard (a year, or a run of months), listed newest first
// in shards.json beside this file. Pagefind's UI loads this module as its `pagefind.js`, and it searches
// every shard. By relevance, it is one Pagefind with every shard merged (mergeIndex: one WebAssembly
// instance, results ordered by score). Sorted by date, mergeIndex would interleave the shards (it orders by
// each result's position within its own shard), so each shard is then searched on its own and, their dates
// not overlapping, the shards' results follow each other.
const here = new URL(".", import.meta.url);
const folder = (name) => new URL(`${name}/`, here).pathname;
let settings = {};
let names = null;
let merged = null;
let separate = null;
let allFilters = null;  // every shard's filter values and counts, once loaded
let filtersReady = false;

function shardNames() {
  names ??= fetch(new URL("shards.json", here)).then((response) => response.json()).then((data) => data.shards);
  return names;
}

function mergedIndex() {
  merged ??= (async () => {
    const [first, ...rest] = await shardNames();
    if (first === undefined) {
      allFilters = Promise.resolve({});
      return null;
    }
    const { createInstance } = await import(new URL(`${first}/pagefind.js`, here).href);
    const pagefind = createInstance({ basePath: folder(first) });
    await pagefind.options(settings);
    await Promise.all(rest.map((name) => pagefind.mergeIndex(folder(name), settings)));
    // A shard counts filter values in its answers only once it has loaded all its filters, which takes longer
    // than a first search: until every shard has, answers carry no filter counts, and the UI keeps showing
    // the totals from filters() rather than the values of only the shards that happened to be ready.
    allFilters = pagefind.filters();
    allFilters.then(() => { filtersReady = true; });
    return pagefind;
  })();
  return merged;
}

function separateIndexes() {
  // Each shard through its own copy of Pagefind's module: instances made by one module share its WebAssembly
  // memory, and two indexes loaded into it answer with each other's chunks.
  separate ??= shardNames().then((list) => Promise.all(list.map(async (name) => {
    const { createInstance } = await import(new URL(`${name}/pagefind.js`, here).href);
    const shard = createInstance({ basePath: folder(name), noWorker: true });
    await shard.options(settings);
    return shard;
  })));
  return separate;
}

export async function options(given) {
  settings = { ...settings, ...given };
  await (await mergedIndex())?.options(given);
}

export async function init() {
  await mergedIndex();
}

export async function mergeIndex() {
  throw new Error("sitegen's search already merges every shard of the index");
}

export async function filters() {
  await mergedIndex();
  return allFilters;
}

export async function preload(term, given = {}) {
  await (await mergedIndex())?.preload(term, given);
}

function byDate(given) {
  const [key, direction] = Object.entries(given.sort ?? {})[0] ?? [];
  return key === "date" ? direction : null;
}

export async function search(term, given = {}) {
  const counted = filtersReady;  // answers computed with every shard's filters loaded
  const pagefind = await mergedIndex();
  if (pagefind === null) return { results: [], unfilteredResultCount: 0, filters: {}, totalFilters: {}, timings: [] };
  const direction = byDate(given);
  let answer;
  if (direction === null) {
    answer = await pagefind.search(term, given);
  } else {
    const answers = (await Promise.all((await separateIndexes()).map((shard) => shard.search(term, given))));
    const runs = answers.map((one) => one.results);  // each in order; shards newest first
    answer = {
      ...(await pagefind.search(term, { ...given, sort: undefined })),  // the filter counts, merged
      results: (direction === "asc" ? runs.reverse() : runs).flat(),
    };
  }
  return counted ? answer : { ...answer, filters: {}, totalFilters: {} };
}

let searchNumber = 0;

export async function debouncedSearch(term, given, wait = 300) {
  const mine = ++searchNumber;
  await new Promise((resolve) => setTimeout(resolve, wait));
  return mine === searchNumber ? search(term, given) : null;
}

export async function destroy() {
  // The UI does not wait for this: a UI made next (another order) must find fresh state at once.
  const old = Promise.all([merged, separate]);
  merged = separate = allFilters = null;
  filtersReady = false;
  const [pagefind, shards] = await old;
  await Promise.all([pagefind?.destroy(), ...(shards ?? []).map((shard) => shard.destroy())]);
}
