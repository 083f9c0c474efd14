"""The build session: one site's builds, run as named phases, and previews of saved articles between them."""
from __future__ import annotations

import fcntl
import gc
import hashlib
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen import phases
from sitegen.config import SiteConfig, load_config
from sitegen.deps import engine_digest
from sitegen.errors import BuildFailed, SiteError
from sitegen.migrate import misplaced_posts
from sitegen.model import Site
from sitegen.output import Manifest, load_manifest, present_files
from sitegen.phases import Check, Clock, Context
from sitegen.progress import Progress
from sitegen.search import SearchJob, SearchOutcome
from sitegen.search import is_current as search_is_current
from sitegen.shortcut import read_inputs, unchanged
from sitegen.store import ArticleStore, CacheError, discard
from sitegen.workers import default_jobs

if TYPE_CHECKING:
    from sitegen.preview import Preview

CACHE_DIR = ".sitegen-cache"


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
    """Return at once when no input changed since the last build."""
    defer_search: bool = False
    """Leave the search index to `BuildSession.update_search` (the watcher runs it on its own thread)."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did."""

    articles: int
    """Articles published."""
    pages: int
    """Files in the site."""
    written: int = 0
    """Pages rendered this time."""
    rendered: tuple[str, ...] = ()
    """Their output paths."""
    changed: int = 0
    """Files whose bytes changed."""
    removed: int = 0
    parsed: int = 0
    """Content files parsed this time (the rest came from the cache)."""
    warnings: list[SiteError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds per phase."""
    shortcut: bool = False
    """Nothing had changed: the build stopped after the no-change check."""
    search: SearchOutcome | None = None
    """What the search step did (None when deferred, or nothing had changed)."""
    search_pending: bool = False
    """With `defer_search`: the search index is still to be brought up to date."""


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site once; raise BuildFailed (with every error) leaving the output folder untouched."""
    return BuildSession(options, progress).build()


class BuildSession:
    """Builds one site, as often as asked: each build runs the phases in order, and leaves what a preview of
    a saved article needs until the next one."""

    def __init__(self, options: BuildOptions, progress: Progress | None = None):
        self.options = options
        self.progress = progress
        self.source, self.output = options.source.resolve(), options.output.resolve()
        self._preview: Preview | None = None
        self._search: SearchJob | None = None
        self._previewed: set[str] = set()
        """Pages a preview wrote since the last build that published: the next build renders them again, as
        a preview shows the previous build's model (its related lists, neighbours) and may land after a
        build's own copy."""
        self._lock = threading.Lock()

    def build(self) -> BuildResult:
        """The no-change check, then every phase; a cache found damaged midway is discarded and the build
        starts over."""
        config, notices = self._configure()
        stamp = f"{engine_digest()}:{config.digest()}"
        clock = Clock()
        with _build_lock(self.source / CACHE_DIR):
            with clock("check"):
                with self._lock:
                    previewed = set(self._previewed)
                seen = self._check(config, stamp, previewed)
                if self.options.shortcut and not previewed and self._unchanged(seen, config):
                    state = seen.previous.state
                    assert state is not None
                    return BuildResult(state.articles, state.pages, warnings=list(state.warnings), notices=notices,
                                       phases=clock.phases, shortcut=True)
            with _without_gc():
                try:
                    result = self._phases(config, stamp, seen, clock, notices)
                except (CacheError, sqlite3.DatabaseError) as exc:
                    if isinstance(exc, sqlite3.OperationalError) or not self.options.use_cache:
                        raise  # locked, full or unwritable: not a damaged file
                    damaged = _store_path(self.source / CACHE_DIR)
                    discard(damaged)
                    notice = f"cache {damaged} was unreadable ({exc}); rebuilt it"
                    result = self._phases(config, stamp, seen, Clock({"check": clock.phases["check"]}),
                                          [*notices, notice])
        with self._lock:
            self._previewed -= previewed
        return result

    def _phases(self, config: SiteConfig, stamp: str, seen: Check, clock: Clock, notices: list[str]) -> BuildResult:
        """Read, select, model, images, rank, plan, render, publish, index."""
        options = self.options
        with ExitStack() as stack:
            store, opened = stack.enter_context(_article_store(self.source, stamp, options.use_cache))
            ctx = Context(self.source, self.output, config, stamp, options.drafts, options.future,
                          options.skip_invalid, options.jobs or default_jobs(), store, clock, self.progress, seen)
            read = phases.read(ctx)
            chosen = phases.select(ctx, read.articles)
            built = phases.model(ctx, chosen.published, read.assets)
            built = phases.images(ctx, built)
            ranking = stack.enter_context(phases.rank(ctx, built.site))
            todo = phases.plan(ctx, built)
            with phases.staging(ctx) as staged:
                done = phases.render(ctx, built, todo, ranking, staged)
                warnings = read.warnings + built.warnings + done.warnings
                published = phases.publish(ctx, done, staged, chosen, warnings)
            searched = None if options.defer_search else phases.index(ctx, published.search)
        notices = [*notices, *(n for n in (opened, searched.notice if searched else None) if n)]
        if options.defer_search:
            with self._lock:
                self._search = published.search
        self._keep_for_preview(done.site, todo)
        return BuildResult(len(done.site.articles), len(done.keys), len(done.written),
                           tuple(p.path for p in done.written), published.changed, published.removed, read.parsed,
                           warnings, notices, clock.phases, search=searched, search_pending=options.defer_search)

    def preview(self, paths: Iterable[Path]) -> int:
        """Write the pages of the saved articles at `paths` now, from the last build's model, under the same
        publishing rules; return how many were written. Safe to call while a build runs."""
        preview = self._preview
        if preview is None:
            return 0
        now = self.options.now or current_time()
        written = {page for page in (preview.write(path, now) for path in paths) if page}
        with self._lock:
            self._previewed |= written
        return len(written)

    def update_search(self) -> str | None:
        """Bring the search index up to date with the newest deferred build; a line saying what happened,
        or None when there was nothing to do."""
        with self._lock:
            job, self._search = self._search, None
        if job is None:
            return None
        start = time.perf_counter()
        outcome = job.run()
        if outcome.notice:
            return f"notice: {outcome.notice}"
        if not outcome.indexed and not outcome.removed:
            return None
        return (f"search index updated ({len(outcome.indexed)} shards indexed, {len(outcome.removed)} removed) in "
                f"{(time.perf_counter() - start) * 1000:.0f} ms")

    def _configure(self) -> tuple[SiteConfig, list[str]]:
        """The site's configuration, after checking the folders; notices about it."""
        source, output = self.source, self.output
        if not source.is_dir():
            raise BuildFailed([SiteError(str(self.options.source), "no such site folder; pass --source with the "
                                         "folder that holds content/ and site.toml")])
        if source == output or source.is_relative_to(output) or (source / "content").resolve().is_relative_to(output):
            raise BuildFailed([SiteError(str(self.options.output), "the output folder contains the site's "
                                         "sources; choose another --output")])
        misplaced = misplaced_posts(source)
        if misplaced:
            raise BuildFailed([misplaced])
        config = load_config(source, self.options.base_url)
        notices = [] if config.base_path == "/" else [
            (f"base_url {config.base_url!r} is under a subpath, so robots.txt is written to "
            f"{config.base_path}robots.txt, where crawlers do not look; serve it (or copy it) at the host's root")]
        if config.origin:
            return config, notices
        return config, [*notices, (f"base_url {config.base_url!r} has no host, so canonical URLs, sitemap.xml and robots.txt "
                        "carry paths only and feed ids are URNs; set base_url = \"https://host/path/\" in site.toml "
                        "or pass --base-url")]

    def _check(self, config: SiteConfig, stamp: str, previewed: set[str]) -> Check:
        """The inputs as they are now, and the previous build's record of this output, where pages written by
        a preview count as not rendered by it."""
        options = self.options
        started_ns = time.time_ns()
        manifest = self.source / CACHE_DIR / f"manifest-{hashlib.sha256(str(self.output).encode()).hexdigest()[:16]}.json"
        previous = load_manifest(manifest, stamp) if self.output.exists() and options.use_cache else Manifest()
        if previewed:
            stale = dict.fromkeys(previewed & previous.pages.keys(), "")
            previous = replace(previous, pages={**previous.pages, **stale})
        key = f"{stamp}\0{options.drafts}\0{options.future}\0{options.skip_invalid}"
        inputs = read_inputs(key, phases.input_roots(self.source), started_ns) if options.use_cache else None
        present, folders = present_files(self.output, previous)
        return Check(options.now or current_time(), inputs, manifest, previous, present, folders)

    def _unchanged(self, seen: Check, config: SiteConfig) -> bool:
        """No input, option or clock range changed, every page is in place and so is the search index."""
        previous = seen.previous
        return unchanged(previous.state, seen.inputs, seen.now) and seen.present >= previous.pages.keys() and \
            search_is_current(self.output, config.search, previous.pages, seen.manifest.with_suffix(".search"))

    def _keep_for_preview(self, site: Site, todo: phases.Plan) -> None:
        from sitegen.preview import Preview

        self._preview = Preview(site, todo.templates.env, dict(zip(site.order, todo.articles)),
                                self.source / "content", self.output, self.options.drafts, self.options.future)


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


@contextmanager
def _article_store(source: Path, stamp: str, persistent: bool) -> Iterator[tuple[ArticleStore, str | None]]:
    """The site's cache, or a throwaway one for --no-cache; with the notice opening it gave, if any."""
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


def current_time() -> datetime:
    """The build's clock: SOURCE_DATE_EPOCH when set, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
