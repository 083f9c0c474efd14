"""`sitegen watch`: rebuild when content, templates, static files or site.toml change.

Bursts of file events are debounced into one build, and only one build runs at a time. An edited
article's own page is rendered and written first, from the model of the previous build; the
incremental build that follows brings every other page (lists, related lists, feeds) up to date, so
the output always ends equal to a clean build."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from sitegen.config import CONFIG_FILE
from sitegen.errors import BuildFailed
from sitegen.files import IGNORED_PREFIXES, IGNORED_SUFFIXES
from sitegen.output import replace_file
from sitegen.pipeline import CACHE_DIR, BuildOptions, BuildResult, build
from sitegen.reader import Parsed, parse_article
from sitegen.render import render_page
from sitegen.routes import article_url, with_related
from sitegen.search import SearchJob
from sitegen.views import Views

WATCHED = ("content", "templates", "static")
QUIET_SECONDS = 0.03
"""How long events must pause before a build starts: an editor's save-as-rename is one change."""
MAX_WAIT_SECONDS = 1.0
"""A longer burst (a checkout of many files) still builds after this long."""


class Watcher:
    """Collects relevant file events and runs one build at a time on its own thread."""

    def __init__(self, options: BuildOptions, report: Callable[[str], None] = print,
                 on_built: Callable[[BuildResult], None] | None = None,
                 on_failed: Callable[[str], None] | None = None,
                 on_written: Callable[[], None] | None = None):
        """on_built: after each good build; on_failed: with the error text; on_written: when edited
        pages went to disk ahead of their build (a preview reloads then, and again when the build ends)."""
        # Every build keeps its model for the next edit; the search index follows on its own thread, since
        # Pagefind reindexes the whole site (seconds at 10,000 articles) and a save must not wait for that.
        self.options = replace(options, shortcut=False, defer_search=True)
        self.source = options.source.resolve()
        self.output = options.output.resolve()
        self.report = report
        self.on_built = on_built or (lambda result: None)
        self.on_failed = on_failed or (lambda text: None)
        self.on_written = on_written or (lambda: None)
        self.last: BuildResult | None = None
        self._pending: set[Path] = set()
        self._events = 0  # every relevant event, repeats included: a quiet period is one without any
        self._wake = threading.Condition()
        self._stopping = False
        self._observer = Observer()
        self._handler = _Handler(self)
        self._watched: set[str] = set()
        self._thread = threading.Thread(target=self._loop, name="sitegen-build", daemon=True)
        self.indexer = Indexer(report)

    def start(self) -> None:
        """Build once (which also watches the input folders), then watch site.toml and new folders too."""
        self.rebuild(set())
        self._observer.schedule(self._handler, str(self.source), recursive=False)  # site.toml, new folders
        self._observer.start()
        self._thread.start()

    def _watch_folders(self) -> None:
        """Watch each input folder that exists, recursively; never the output, cache or staging folders,
        whose churn would cost an inotify watch per folder and wake the watcher on every build."""
        for name in WATCHED:
            folder = self.source / name
            if name not in self._watched and folder.is_dir():
                self._observer.schedule(self._handler, str(folder), recursive=True)
                self._watched.add(name)

    def stop(self) -> None:
        """Stop watching and release the inotify watches, also when only `rebuild` was called (which
        schedules them)."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._observer.stop()  # also closes the inotify instance of an observer that never started
        if self._observer.ident is not None:
            self._observer.join()
        if self._thread.is_alive():
            self._thread.join()
        self.indexer.stop()

    def notice(self, path: Path) -> None:
        """Called from watchdog's thread for every event path."""
        if self.relevant(path):
            with self._wake:
                self._pending.add(path)
                self._events += 1
                self._wake.notify()

    def relevant(self, path: Path) -> bool:
        """Inputs of the site only: not the output, the cache, staging folders or editors' temporary files."""
        try:
            rel = path.relative_to(self.source)
        except ValueError:
            return False
        if path == self.output or self.output in path.parents or not rel.parts:
            return False
        name = path.name
        if name.startswith(IGNORED_PREFIXES) or name.endswith(IGNORED_SUFFIXES) or CACHE_DIR in rel.parts:
            return False
        return rel.parts[0] in WATCHED or rel.as_posix() == CONFIG_FILE

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                started = time.monotonic()
                while not self._stopping:
                    count = self._events
                    self._wake.wait(QUIET_SECONDS)
                    if self._events == count or time.monotonic() - started > MAX_WAIT_SECONDS:
                        break
                changes, self._pending = self._pending, set()
            self.rebuild(changes)

    def rebuild(self, changes: set[Path]) -> BuildResult | None:
        """One build; prints one line, or the errors (and keeps watching)."""
        start = time.perf_counter()
        self._watch_folders()
        first = self._edited_articles_first(changes)
        first_ms = (time.perf_counter() - start) * 1000
        if first:
            self.on_written()
        try:
            result = build(self.options)
        except BuildFailed as failed:
            text = "\n".join(str(e) for e in failed.errors)
            self.report(f"{_describe(changes, self.source)}: build failed, last good site kept\n{text}")
            self.on_failed(text)
            return None
        self.last = result
        ms = (time.perf_counter() - start) * 1000
        lead = f" (edited page on disk in {first_ms:.0f} ms)" if first else ""
        self.report(f"{_describe(changes, self.source)}: {result.changed + first} pages written, "
                    f"{result.removed} removed in {ms:.0f} ms{lead}")
        for warning in result.warnings:
            self.report(f"warning: {warning}")
        self.on_built(result)
        if result.search:
            self.indexer.submit(result.search)
        return result

    def _edited_articles_first(self, changes: set[Path]) -> int:
        """Render and write each edited article's own page from the previous model; 0 when not possible
        (first build, templates or configuration changed, a new URL, an invalid file)."""
        last = self.last
        content = self.source / "content"
        if last is None or last.site is None or last.env is None or not changes:
            return 0
        if any(content not in p.parents for p in changes):
            return 0
        site, written = last.site, 0
        for path in changes:
            article_id = path.relative_to(content).as_posix()
            old = site.articles.get(article_id)
            if old is None or not path.is_file():
                continue
            parsed = parse_article(path.read_bytes(), article_id, site.config)
            if not isinstance(parsed, Parsed) or parsed.article.draft != old.draft or \
                    article_url(parsed.article, site.config.permalinks) != site.urls[article_id]:
                continue
            edited = replace(site, articles={**site.articles, article_id: parsed.article})
            page = with_related(last.article_pages[article_id], site.related.get(article_id, ()))
            data = render_page(page, Views(edited, lambda _id, html=parsed.html: html), last.env)
            written += replace_file(self.output / page.path, data)
        return written


class Indexer:
    """Runs the newest search job on its own thread, one at a time; a job still waiting is replaced."""

    def __init__(self, report: Callable[[str], None]):
        self.report = report
        self._job: SearchJob | None = None
        self._busy = False
        self._stopping = False
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, job: SearchJob) -> None:
        with self._wake:
            self._job = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="sitegen-search", daemon=True)
                self._thread.start()
            self._wake.notify_all()

    def wait(self) -> None:
        """Until every submitted job has run."""
        with self._wake:
            while self._job is not None or self._busy:
                self._wake.wait()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread:
            self._thread.join()

    def _loop(self) -> None:
        while True:
            with self._wake:
                while self._job is None and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                job, self._job, self._busy = self._job, None, True
            start = time.perf_counter()
            outcome = job.run()
            if outcome.notice:
                self.report(f"notice: {outcome.notice}")
            elif outcome.indexed:
                self.report(f"search index updated in {(time.perf_counter() - start) * 1000:.0f} ms")
            with self._wake:
                self._busy = False
                self._wake.notify_all()


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or (event.is_directory and event.event_type == "modified"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                self.watcher.notice(Path(raw if isinstance(raw, str) else raw.decode()))


def _describe(changes: set[Path], source: Path) -> str:
    if not changes:
        return "initial build"
    names = sorted(p.relative_to(source).as_posix() for p in changes)
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
