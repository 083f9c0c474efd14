"""The phases of one build, in the order the session runs them: read, select, model, images, rank, plan,
render, publish, index. Each takes what it needs and returns a value; the parsing, ranking and template libraries
load only here, after the no-change check."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.config import SiteConfig
from sitegen.errors import BuildFailed, RenderWarning, SiteError, display_path, left_out
from sitegen.files import ARTICLE_SUFFIXES, THEME, list_files
from sitegen.model import Article, Page, Site
from sitegen.output import Manifest, folder_times, save_manifest
from sitegen.progress import Progress
from sitegen.search import SearchJob, SearchOutcome, search_job
from sitegen.shortcut import Inputs, Listing, State, published_range
from sitegen.store import ArticleStore

if TYPE_CHECKING:
    import jinja2

    from sitegen.deps import PageKeys
    from sitegen.output import Staging
    from sitegen.views import Views

RENDER_CHUNK = 400


class Clock:
    """Seconds spent in each named phase; a phase entered again adds up, and phases may nest."""

    def __init__(self, phases: dict[str, float] | None = None):
        self.phases = dict(phases or {})

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - start


@dataclass(frozen=True, slots=True)
class Check:
    """What the no-change check saw: the inputs as they are and what the last build left in the output."""

    now: datetime
    """The build's clock."""
    inputs: Inputs | None
    """Every input folder's files as just stat'ed (None with --no-cache)."""
    manifest: Path
    """Where this output folder's manifest is kept."""
    previous: Manifest
    """What the last build published into the output folder."""
    present: set[str]
    """The previous build's pages still in the output folder."""
    folders: dict[str, int]
    """mtime_ns of the folders holding those pages."""


@dataclass(frozen=True, slots=True)
class Context:
    """What every phase of one build may read, made once when the build starts."""

    source: Path
    output: Path
    config: SiteConfig
    stamp: str
    """Engine and configuration digest: a different stamp invalidates every cached result."""
    drafts: bool
    future: bool
    skip_invalid: bool
    jobs: int
    """Worker processes."""
    store: ArticleStore
    clock: Clock
    progress: Progress | None
    seen: Check

    @property
    def now(self) -> datetime:
        return self.seen.now


@dataclass(frozen=True, slots=True)
class Read:
    """Every article that parsed and every file copied as is."""

    articles: dict[str, Article]
    assets: dict[str, str]
    """Output path → absolute source of each copied file."""
    parsed: int
    """Files parsed this time (the rest came from the store)."""
    warnings: list[SiteError]


@dataclass(frozen=True, slots=True)
class Selection:
    """The articles a build publishes under its options and clock."""

    listed: dict[str, Article]
    """Drafts left out unless asked for."""
    published: dict[str, Article]
    """Of those, the ones due and not expired."""


@dataclass(frozen=True, slots=True)
class Model:
    """The site and every page it needs, with related lists still to rank."""

    site: Site
    pages: list[Page]
    """Article pages first (in site order, without related lists), then every other page."""
    warnings: list[SiteError]


@dataclass(frozen=True, slots=True)
class Templates:
    """The site's templates, compiled once per build."""

    env: jinja2.Environment
    digests: dict[str, str]
    """Template name → digest of everything it extends, includes or imports."""
    showing_length: frozenset[str]
    """Templates whose output mentions an article's length."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Which pages to render: list pages now, article pages once their related lists are ranked."""

    articles: list[Page]
    """Article pages in site order, without related lists."""
    lists: list[Page]
    lists_todo: list[Page]
    """List pages whose key changed or whose file is missing."""
    keys: dict[str, str]
    """Output path → page key of the list pages (article pages' keys need their related lists)."""
    page_keys: PageKeys
    """Keys the article pages with and without their related lists."""
    templates: Templates


@dataclass(frozen=True, slots=True)
class Rendered:
    """Pages rendered into the staging folder."""

    site: Site
    """The model with its related lists."""
    keys: dict[str, str]
    """Output path → key of every page of the site."""
    written: list[Page]
    """Pages rendered this time."""
    warnings: list[SiteError]
    """Problems that did not stop a page (a shortcode shown as text)."""


@dataclass(frozen=True, slots=True)
class Published:
    changed: int
    """Files whose bytes changed."""
    removed: int
    """Stale files deleted."""
    search: SearchJob
    """Bringing the search index up to date with the pages published."""


def read(ctx: Context) -> Read:
    """Parse what the store has not seen, list the files copied as is; errors stop the build unless
    --skip-invalid makes them warnings."""
    from sitegen.sources import read_sources

    listings = ctx.seen.inputs.listings if ctx.seen.inputs else {}
    with ctx.clock("read"):
        sources = read_sources(ctx.source / "content", ctx.config, ctx.store, ctx.jobs, ctx.progress,
                               listings.get(ctx.source / "content"))
    assets, asset_errors = _assets(ctx.source, listings)
    if (sources.errors or asset_errors) and not ctx.skip_invalid:
        raise BuildFailed(sources.errors + asset_errors)
    return Read(sources.articles, assets, sources.parsed, left_out(sources.errors) + sources.warnings + asset_errors)


def select(ctx: Context, articles: dict[str, Article]) -> Selection:
    """Drafts, future and expired articles out, as the options and the clock say."""
    listed = {i: a for i, a in articles.items() if ctx.drafts or not a.draft}
    return Selection(listed, {i: a for i, a in listed.items() if is_published(a, ctx.now, ctx.drafts, ctx.future)})


def is_published(article: Article, now: datetime, drafts: bool, future: bool) -> bool:
    """The publishing rule, for builds and previews alike."""
    return (drafts or not article.draft) and (future or article.meta.date <= now) and \
        (article.expires is None or article.expires > now)


def model(ctx: Context, published: dict[str, Article], assets: dict[str, str]) -> Model:
    """The site and its pages. With --skip-invalid, articles whose pages cannot be written (a bad path, a
    clash) are left out with a warning; otherwise such a clash stops the build."""
    from sitegen.assemble import assemble
    from sitegen.routes import plan_pages, unplaceable_articles

    with ctx.clock("model"):
        site, problems = assemble(ctx.config, published, assets)
        pages, collisions = plan_pages(site)
        unplaceable = unplaceable_articles(pages) if ctx.skip_invalid else set()
        dropped: list[SiteError] = []
        if unplaceable:
            dropped = left_out(collisions)
            site, problems = assemble(ctx.config, {i: a for i, a in published.items() if i not in unplaceable},
                                      assets)
            pages, collisions = plan_pages(site)
        if collisions:
            raise BuildFailed(collisions)
    return Model(site, pages, dropped + problems)


def images(ctx: Context, built: Model) -> Model:
    """Resize the local images articles show (lead and body) in workers, reusing the cached variants of
    unchanged images; the model gains them (`Site.images`, pages copying them) and a warning per image
    that could not be read."""
    from sitegen.image_cache import resize_images

    with ctx.clock("images"):
        site, pages, warnings = resize_images(built.site, ctx.config.images, ctx.store.path.parent / "images",
                                              ctx.jobs, ctx.source, ctx.progress)
    return Model(site, built.pages + pages, built.warnings + warnings)


@contextmanager
def rank(ctx: Context, site: Site) -> Iterator[Iterator[dict[str, tuple[str, ...]]]]:
    """Start ranking the related lists on another core; the lists are the iterator's one item."""
    from sitegen.workers import started

    with started(partial(_rank, site, ctx.store), [None], 1 if ctx.jobs > 1 else 0, 1) as ranked:
        yield ranked


def _rank(site: Site, store: ArticleStore, _chunk: Sequence[None]) -> dict[str, tuple[str, ...]]:
    """The site's related lists, as a task for `workers.started` (a forked worker inherits the site)."""
    from sitegen.assemble import related_lists

    return related_lists(site, store)


def plan(ctx: Context, built: Model) -> Plan:
    """Compile the templates, key every list page and pick the ones to render."""
    from sitegen.deps import PageKeys, dirty_pages

    with ctx.clock("plan"):
        templates = load_templates(ctx.source)
        articles = [p for p in built.pages if p.kind == "article"]
        lists = [p for p in built.pages if p.kind != "article"]
        page_keys = PageKeys(built.site, templates.digests, templates.showing_length)
        keys = page_keys(lists)
        lists_todo = dirty_pages(lists, keys, ctx.seen.previous.pages, ctx.seen.present.__contains__)
        for name in sorted({p.template for p in built.pages if p.template}):
            templates.env.get_template(name)  # compile once, before workers fork
    return Plan(articles, lists, lists_todo, keys, page_keys, templates)


def load_templates(source: Path) -> Templates:
    """The Jinja environment and its template graph; a syntax error stops the build."""
    import jinja2

    from sitegen.render import make_environment, template_digests, template_graph, templates_mentioning

    env = make_environment(source)
    try:
        graph = template_graph(env)
    except jinja2.TemplateSyntaxError as exc:
        raise BuildFailed([template_error(exc, source)]) from None
    return Templates(env, template_digests(graph), templates_mentioning(graph, ("word_count", "reading_time")))


@contextmanager
def staging(ctx: Context) -> Iterator[Staging]:
    """A staging folder beside the output, discarded when the build stops before publishing it."""
    from sitegen.output import Staging

    staged = Staging(ctx.output)
    try:
        yield staged
    except BaseException as exc:
        staged.discard()
        if isinstance(exc, OSError):
            raise BuildFailed([_os_error(exc, ctx.output, "left as it was")]) from None
        raise


def render(ctx: Context, built: Model, todo: Plan, ranking: Iterator[dict[str, tuple[str, ...]]],
           staged: Staging) -> Rendered:
    """Render the pages to do into `staged` on every core: list pages while the ranking finishes, article
    pages once it has; template errors stop the build."""
    from sitegen.deps import dirty_pages
    from sitegen.routes import with_related
    from sitegen.views import Views
    from sitegen.workers import started

    site = built.site
    views = Views(site, ctx.store.html)  # views show no related lists: one serves lists and articles
    helpers = max(ctx.jobs - 1, 1) if ctx.jobs > 1 and len(todo.lists_todo) > RENDER_CHUNK else 0
    if helpers:  # a big build: every worker would otherwise build the same article views
        for article_id in site.order:
            views.article(article_id)
    task = _page_renderer(staged, views, todo.templates.env, ctx.source)
    with started(task, todo.lists_todo, helpers, RENDER_CHUNK) as list_errors:
        with ctx.clock("plan"):
            article_keys = todo.page_keys(todo.articles)  # while the ranking runs
        with ctx.clock("rank"):
            related = next(ranking)
        site = replace(site, related=related)
        keys = dict(todo.keys)
        keys |= {p.path: todo.page_keys.with_related(p, article_keys[p.path], related.get(i, ()))
                 for p, i in zip(todo.articles, site.order)}
        articles_todo = [with_related(p, related.get(p.param("id"), ()))
                         for p in dirty_pages(todo.articles, keys, ctx.seen.previous.pages, ctx.seen.present.__contains__)]
        with ctx.clock("render"):
            errors = _render_all(task, articles_todo, list_errors, len(todo.lists_todo), ctx.jobs, ctx.progress)
    warnings = [e for e in errors if isinstance(e, RenderWarning)]
    if len(warnings) < len(errors):
        raise BuildFailed([e for e in errors if not isinstance(e, RenderWarning)])
    return Rendered(site, keys, articles_todo + todo.lists_todo, warnings)


def publish(ctx: Context, done: Rendered, staged: Staging, chosen: Selection, warnings: list[SiteError]
            ) -> Published:
    """Move the rendered pages into place, delete stale ones and record the new state in the manifest."""
    stale = (set(ctx.seen.previous.pages) if ctx.seen.previous.pages else ctx.seen.present) - set(done.keys)
    with ctx.clock("publish"):
        try:
            if done.written or stale:  # a publish cut short leaves no manifest: the next build checks every page
                ctx.seen.manifest.unlink(missing_ok=True)
            changed, removed = staged.publish([p.path for p in done.written], stale)
        except OSError as exc:
            staged.discard()
            raise BuildFailed([_os_error(exc, ctx.output, "partly updated; the next build completes it")]) from None
        save_manifest(ctx.seen.manifest, ctx.stamp, Manifest(done.keys, _state(ctx, chosen, len(done.keys), warnings),
                                                        folder_times(ctx.output, done.keys, ctx.seen.folders,
                                                                     [p.path for p in done.written] + sorted(stale))))
    return Published(changed, removed, search_job(ctx.output, done.site, ctx.store, done.keys,
                                                  ctx.seen.manifest.with_suffix(".search"), ctx.jobs))


def _state(ctx: Context, chosen: Selection, pages: int, warnings: list[SiteError]) -> State | None:
    """What the no-change check compares next time: the inputs, and the clock range in which the same
    articles count as published (up to the next one due or expiring)."""
    if ctx.seen.inputs is None:
        return None
    published = chosen.published.values()
    due = [] if ctx.future else [a.meta.date for a in chosen.listed.values() if a.meta.date > ctx.now]
    clock_range = published_range([] if ctx.future else [a.meta.date for a in published],
                                  due + [a.expires for a in published if a.expires])
    return State(ctx.seen.inputs.digest, ctx.seen.inputs.racy, clock_range, len(chosen.published), pages, tuple(warnings))


def index(ctx: Context, job: SearchJob) -> SearchOutcome:
    """Bring the search index up to date: the shards whose articles changed."""
    with ctx.clock("index"):
        return job.run()


def input_roots(source: Path) -> list[Path]:
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


def _page_renderer(staged: Staging, views: Views, env: jinja2.Environment, source: Path
                   ) -> Callable[[Sequence[Page]], list[SiteError]]:
    """A task rendering a chunk of pages into the staging folder, returning the template errors and the
    pages' warnings."""
    import jinja2

    from sitegen.render import render_page, take_warnings

    def render_chunk(chunk: Sequence[Page]) -> list[SiteError]:
        errors = []
        for page in chunk:
            try:
                staged.write(page.path, render_page(page, views, env))
            except jinja2.TemplateError as exc:
                errors.append(template_error(exc, source, page))
            errors += take_warnings()
        return errors

    return render_chunk


def _render_all(task: Callable[[Sequence[Page]], list[SiteError]], pages: list[Page],
                started_chunks: Iterator[list[SiteError]], started_pages: int, jobs: int,
                progress: Progress | None) -> list[SiteError]:
    """Render `pages` on every core, then collect the chunks started earlier; return the template errors."""
    from sitegen.workers import map_chunks

    total, done, errors = len(pages) + started_pages, 0, []
    for chunk_errors in map_chunks(task, pages, jobs, RENDER_CHUNK):
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


def template_error(exc: jinja2.TemplateError, source: Path, page: Page | None = None) -> SiteError:
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
