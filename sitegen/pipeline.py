"""The one orchestrator: read → model → plan → render what changed → publish."""
from __future__ import annotations

import fcntl
import gc
import hashlib
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.config import SiteConfig, load_config
from sitegen.deps import engine_digest
from sitegen.errors import BuildFailed, SiteError, display_path
from sitegen.files import ARTICLE_SUFFIXES, THEME, list_files
from sitegen.migrate import misplaced_posts
from sitegen.model import Page, Site
from sitegen.output import Manifest, folder_times, load_manifest, present_files, save_manifest
from sitegen.progress import Progress
from sitegen.search import SearchJob, SearchOutcome, search_job
from sitegen.search import is_current as search_is_current
from sitegen.shortcut import Inputs, Listing, State, published_range, read_inputs, unchanged
from sitegen.store import ArticleStore, CacheError, discard
from sitegen.workers import default_jobs

if TYPE_CHECKING:
    import jinja2

    from sitegen.output import Staging
    from sitegen.views import Views

CACHE_DIR = ".sitegen-cache"
RENDER_CHUNK = 400


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What the command line asked for."""

    source: Path
    output: Path
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    skip_invalid: bool = False
    use_cache: bool = True
    """Reuse and update `.sitegen-cache/`; False parses and renders everything."""
    now: datetime | None = None
    """The build's clock; None means SOURCE_DATE_EPOCH, else the current time."""
    jobs: int = 0
    """Worker processes; 0 means one per core."""
    shortcut: bool = True
    """Return at once when no input changed since the last build (the result then has no model)."""
    defer_search: bool = False
    """Leave the search index to the caller: the result's `search` job brings it up to date."""


@dataclass(slots=True)
class BuildResult:
    """What a build did."""

    articles: int = 0
    pages: int = 0
    written: int = 0
    rendered: list[str] = field(default_factory=list)
    """Output paths rendered this time (`written` of them)."""
    changed: int = 0
    removed: int = 0
    parsed: int = 0
    warnings: list[SiteError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)
    site: Site | None = None
    """The model the build rendered (kept by the watcher to put an edited article on disk first)."""
    article_pages: dict[str, Page] = field(default_factory=dict)
    """Each article's page by article id, as planned before ranking: `routes.with_related` adds its list."""
    env: jinja2.Environment | None = None
    search: SearchJob | None = None
    """With `defer_search`, what is left to do for the search index."""
    searched: SearchOutcome | None = None
    """Without `defer_search`, what the search step did."""


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site; raise BuildFailed (with every error) leaving the output folder untouched.
    `progress` hears how far parsing and rendering have got."""
    result = BuildResult()
    clock = _Clock(result.phases)
    source, output = options.source.resolve(), options.output.resolve()
    if not source.is_dir():
        raise BuildFailed([SiteError(str(options.source), "no such site folder; pass --source with the folder "
                                     "that holds content/ and site.toml")])
    if source == output or source.is_relative_to(output) or (source / "content").resolve().is_relative_to(output):
        raise BuildFailed([SiteError(str(options.output), "the output folder contains the site's sources; "
                                     "choose another --output")])
    misplaced = misplaced_posts(source)
    if misplaced:
        raise BuildFailed([misplaced])
    config = load_config(source, options.base_url)
    if not config.origin:
        result.notices.append(f"base_url {config.base_url!r} has no host, so canonical URLs, sitemap.xml and "
                              "robots.txt carry paths only and feed ids are URNs; set base_url = "
                              "\"https://host/path/\" in site.toml or pass --base-url")
    stamp = f"{engine_digest()}:{config.digest()}"
    started_ns = time.time_ns()
    now = options.now or current_time()
    manifest = source / CACHE_DIR / f"manifest-{hashlib.sha256(str(output).encode()).hexdigest()[:16]}.json"
    with _build_lock(source / CACHE_DIR):
        with clock("check"):
            last = load_manifest(manifest, stamp) if output.exists() and options.use_cache else Manifest()
            key = f"{stamp}\0{options.drafts}\0{options.future}\0{options.skip_invalid}"
            inputs = read_inputs(key, _input_roots(source), started_ns) if options.use_cache else None
            present, folders = present_files(output, last)
            state = last.state
            if options.shortcut and unchanged(state, inputs, now) and present >= last.pages.keys() and \
                    search_is_current(output, config.search, last.pages, manifest.with_suffix(".search")):
                result.articles, result.pages, result.warnings = state.articles, state.pages, list(state.warnings)
                return result

        def attempt(into: BuildResult) -> BuildResult:
            _build_all(options, into, _Clock(into.phases), config, stamp, now, manifest, last.pages, present,
                       folders, inputs, progress)
            return into

        with _without_gc():
            before = list(result.notices)
            try:
                return attempt(result)
            except (CacheError, sqlite3.DatabaseError) as exc:
                if isinstance(exc, sqlite3.OperationalError) or not options.use_cache:
                    raise  # locked, full or unwritable: not a damaged file
                # A damage the first look missed (a page in the middle of the file): start over without it.
                damaged = _store_path(source / CACHE_DIR)
                discard(damaged)
                return attempt(BuildResult(notices=[*before, f"cache {damaged} was unreadable ({exc}); rebuilt it"],
                                           phases={"check": result.phases["check"]}))


@contextmanager
def _without_gc() -> Iterator[None]:
    """The model is a million small acyclic objects: the cyclic collector's full passes over them cost a
    fifth of an edit's rebuild and find nothing. Cycles made meanwhile are collected after the build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_all(options: BuildOptions, result: BuildResult, clock: _Clock, config: SiteConfig, stamp: str,
               now: datetime, manifest: Path, previous: dict[str, str], present: set[str], folders: dict[str, int],
               inputs: Inputs | None, progress: Progress | None) -> None:
    """Read, model, plan, render what changed and publish, recording the new state in the manifest."""
    # The parsing, ranking and rendering libraries load only here, when something may have changed.
    import jinja2

    from sitegen.assemble import assemble
    from sitegen.deps import PageKeys, dirty_pages
    from sitegen.output import Staging
    from sitegen.render import make_environment, template_digests, template_graph, templates_mentioning
    from sitegen.routes import plan_pages, unplaceable_articles, with_related
    from sitegen.sources import read_sources
    from sitegen.views import Views
    from sitegen.workers import started

    source, output = options.source.resolve(), options.output.resolve()
    jobs = options.jobs or default_jobs()
    with _article_store(source, stamp, options.use_cache) as (store, notice):
        if notice:
            result.notices.append(notice)
        with clock("read"):
            listing = inputs.listings.get(source / "content") if inputs else None
            sources = read_sources(source / "content", config, store, jobs, progress, listing)
        assets, asset_errors = _assets(source, inputs.listings if inputs else {})
        if (sources.errors or asset_errors) and not options.skip_invalid:
            raise BuildFailed(sources.errors + asset_errors)
        result.warnings += sources.errors + sources.warnings + asset_errors
        result.parsed = sources.parsed
        listed = {i: a for i, a in sources.articles.items() if options.drafts or not a.draft}
        published = {i: a for i, a in listed.items()
                     if (options.future or a.date <= now) and (a.expires is None or a.expires > now)}
        with clock("model"):
            site, problems = assemble(config, published, assets)
        # Related lists need only the model: another core ranks them while this one plans and keys pages.
        with started(partial(_rank, site, store), [None], 1 if jobs > 1 else 0, 1) as ranked:
            env = make_environment(source)
            with clock("plan"):
                try:
                    graph = template_graph(env)
                    templates = template_digests(graph)
                    showing_length = templates_mentioning(graph, ("word_count", "reading_time"))
                except jinja2.TemplateSyntaxError as exc:
                    raise BuildFailed([_template_error(exc, source)]) from None
                pages, collisions = plan_pages(site)
                unplaceable = unplaceable_articles(pages) if options.skip_invalid else set()
                if unplaceable:
                    result.warnings += collisions
                    site, problems = assemble(config, {i: a for i, a in published.items() if i not in unplaceable},
                                              assets)
                    pages, collisions = plan_pages(site)
                    ranked = map(partial(_rank, site, store), [[None]])
                if collisions:
                    raise BuildFailed(collisions)
                result.warnings += problems
                lists = [p for p in pages if p.kind != "article"]
                drafts = [p for p in pages if p.kind == "article"]  # in site.order, without related lists
                page_keys = PageKeys(site, templates, showing_length)
                keys = page_keys(lists)
                lists_todo = dirty_pages(lists, keys, previous, present.__contains__)
            for name in sorted({p.template for p in pages if p.template}):
                env.get_template(name)  # compile once, before workers fork
            staging = Staging(output)
            try:
                views = Views(site, store.html)  # views show no related lists: one serves lists and articles
                helpers = max(jobs - 1, 1) if jobs > 1 and len(lists_todo) > RENDER_CHUNK else 0
                if helpers:  # a big build: every worker would otherwise build the same article views
                    for article_id in site.order:
                        views.article(article_id)
                # List pages show no related lists: they render while the ranking finishes.
                render = _page_renderer(staging, views, env, source)
                with started(render, lists_todo, helpers, RENDER_CHUNK) as list_errors:
                    with clock("plan"):
                        draft_keys = page_keys(drafts)  # while the ranking runs; its lists then cost a few additions
                    with clock("related"):
                        related = next(ranked)
                        site = replace(site, related=related)
                        keys |= {p.path: page_keys.with_related(p, draft_keys[p.path], related.get(i, ()))
                                 for p, i in zip(drafts, site.order)}
                        todo = [with_related(p, related.get(p.param("id"), ()))
                                for p in dirty_pages(drafts, keys, previous, present.__contains__)]
                    with clock("render"):
                        errors = _render_all(render, todo, list_errors, len(lists_todo), jobs, progress)
            except BaseException as exc:
                staging.discard()
                if isinstance(exc, OSError):
                    raise BuildFailed([_os_error(exc, output, "left as it was")]) from None
                raise
            if errors:
                staging.discard()
                raise BuildFailed(errors)
        pages, todo = drafts + lists, todo + lists_todo
        stale = (set(previous) if previous else present) - set(keys)
        with clock("publish"):
            try:
                if todo or stale:  # a publish cut short leaves no manifest: the next build then checks every page
                    manifest.unlink(missing_ok=True)
                result.changed, result.removed = staging.publish([p.path for p in todo], stale)
            except OSError as exc:
                staging.discard()
                raise BuildFailed([_os_error(exc, output, "partly updated; the next build completes it")]) from None
            # The clock range in which the same articles count as published: up to the next one due or expiring.
            due = [] if options.future else [a.date for a in listed.values() if a.date > now]
            clock_range = published_range([] if options.future else [a.date for a in published.values()],
                                          due + [a.expires for a in published.values() if a.expires])
            state = State(inputs.digest, inputs.racy, clock_range, len(site.articles), len(pages),
                          tuple(result.warnings)) if inputs else None
            touched = [p.path for p in todo] + sorted(stale)
            save_manifest(manifest, stamp, Manifest(keys, state, folder_times(output, keys, folders, touched)))
        job = search_job(output, site, store, keys, manifest.with_suffix(".search"), jobs)
        if options.defer_search:
            result.search = job
        else:
            with clock("search"):
                searched = result.searched = job.run()
            result.notices += [searched.notice] if searched.notice else []
    result.articles, result.pages, result.written = len(site.articles), len(pages), len(todo)
    result.rendered = [p.path for p in todo]
    result.site, result.env = site, env
    result.article_pages = dict(zip(site.order, drafts))


@contextmanager
def _article_store(source: Path, stamp: str, persistent: bool) -> Iterator[tuple[ArticleStore, str | None]]:
    """The site's cache, or a throwaway one for --no-cache."""
    folder = source / CACHE_DIR if persistent else Path(tempfile.mkdtemp(prefix="sitegen-"))
    store = ArticleStore(_store_path(folder), stamp)
    try:
        yield store, store.open()
    finally:
        store.close()
        if not persistent:
            shutil.rmtree(folder, ignore_errors=True)


def _store_path(folder: Path) -> Path:
    return folder / "articles.sqlite"


@contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    """One build per site at a time; a second one stops with a clear message instead of racing."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildFailed([SiteError(str(folder / "lock"), "another sitegen build of this site is running; "
                                         "wait for it to finish")]) from None
        yield


def _input_roots(source: Path) -> list[Path]:
    """Every folder whose files a build reads (site.toml is covered by the configuration's digest)."""
    return [source / "content", source / "static", source / "templates", THEME / "static", THEME / "templates"]


def _assets(source: Path, listings: dict[Path, Listing]) -> tuple[dict[str, str], list[SiteError]]:
    """Output path → absolute source of every file copied as is: theme static files, the site's static/
    folder (which overrides the theme's) and files beside articles in content/; and the files whose names
    cannot be output paths. `listings` holds the folders' files where the no-change check listed them."""
    from sitegen.routes import is_inside

    assets: dict[str, str] = {}
    errors = []
    for root, skip_md in ((THEME / "static", False), (source / "static", False), (source / "content", True)):
        listing = listings.get(root)
        for rel in list_files(root) if listing is None else (rel for rel, _, _ in listing):
            if skip_md and rel.endswith(ARTICLE_SUFFIXES):
                continue
            if is_inside(rel):
                assets[rel] = str(root / rel)
            else:
                errors.append(SiteError(display_path(root / rel, source), "the file name holds a backslash or "
                                        "control character, which cannot be copied to the site; rename it"))
    return assets, errors


def _rank(site: Site, store: ArticleStore, _chunk: Sequence[None]) -> dict[str, tuple[str, ...]]:
    """The site's related lists, as a task for `workers.started` (a forked worker inherits the site)."""
    from sitegen.assemble import related_lists

    return related_lists(site, store)


def _page_renderer(staging: Staging, views: Views, env: jinja2.Environment, source: Path
                   ) -> Callable[[Sequence[Page]], list[SiteError]]:
    """A task rendering a chunk of pages into the staging folder, returning the template errors."""
    import jinja2

    from sitegen.render import render_page

    def render_chunk(chunk: Sequence[Page]) -> list[SiteError]:
        errors = []
        for page in chunk:
            try:
                staging.write(page.path, render_page(page, views, env))
            except jinja2.TemplateError as exc:
                errors.append(_template_error(exc, source, page))
        return errors

    return render_chunk


def _render_all(render: Callable[[Sequence[Page]], list[SiteError]], pages: list[Page],
                started_chunks: Iterator[list[SiteError]], started_pages: int, jobs: int,
                progress: Progress | None) -> list[SiteError]:
    """Render `pages` on every core, then collect the chunks started earlier; return the template errors."""
    from sitegen.workers import map_chunks

    total, done, errors = len(pages) + started_pages, 0, []
    for chunk_errors in map_chunks(render, pages, jobs, RENDER_CHUNK):
        errors += chunk_errors
        done = min(done + RENDER_CHUNK, len(pages))
        if progress:
            progress("render", done, total)
    for chunk_errors in started_chunks:
        errors += chunk_errors
        done = min(done + RENDER_CHUNK, total)
        if progress:
            progress("render", done, total)
    return errors


def _template_error(exc: jinja2.TemplateError, source: Path, page: Page | None = None) -> SiteError:
    """A template problem as `templates/name:line: message`."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".html") or tb.tb_frame.f_code.co_filename.endswith(".xml"):
            filename, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    where = display_path(Path(filename), source) if filename else "templates"
    context = f" (rendering {page.path})" if page else ""
    return SiteError(where, f"template error: {exc.message or exc}{context}", line)


def _os_error(exc: OSError, output: Path, state: str) -> SiteError:
    """A failed read or write (a full disk, a vanished file) as a message naming the file."""
    return SiteError(str(exc.filename or output), f"{exc.strerror or exc}; the build stopped and {output} was {state}")


def current_time() -> datetime:
    """The build's clock: SOURCE_DATE_EPOCH when set, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)


class _Clock:
    """Times the build's phases into a dict."""

    def __init__(self, phases: dict[str, float]):
        self.phases = phases

    def __call__(self, name: str) -> _Clock:
        self.name = name
        return self

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self.phases[self.name] = self.phases.get(self.name, 0.0) + time.perf_counter() - self.start
