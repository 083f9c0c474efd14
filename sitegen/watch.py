"""`sitegen watch`: rebuild when content, templates, static files or site.toml change.

Bursts of file events are debounced into one build, and only one build runs at a time. The build session
first writes a saved article's own page (its preview), also while a build runs; the incremental build that
follows brings every other page (lists, related lists, feeds) up to date, so the output always ends equal to
a clean build."""
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
from sitegen.session import CACHE_DIR, BuildOptions, BuildResult, BuildSession

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
        # The search index follows on its own thread: a save must not wait for it.
        self.session = BuildSession(replace(options, shortcut=False, defer_search=True))
        self.source = self.session.source
        self.output = self.session.output
        self.report = report
        self.on_built = on_built or (lambda result: None)
        self.on_failed = on_failed or (lambda text: None)
        self.on_written = on_written or (lambda: None)
        self._pending: set[Path] = set()
        self._unpreviewed: set[Path] = set()
        """Saved articles whose page no preview has written yet (all of them are in `_pending` too)."""
        self._building = False
        self._events = 0  # every relevant event, repeats included: a quiet period is one without any
        self._wake = threading.Condition()
        self._stopping = False
        self._observer = Observer()
        self._handler = _Handler(self)
        self._watched: set[str] = set()
        self._thread = threading.Thread(target=self._loop, name="sitegen-build", daemon=True)
        self._previewer = threading.Thread(target=self._preview_loop, name="sitegen-preview", daemon=True)
        self.indexer = Indexer(self.session.update_search, report)

    def start(self) -> None:
        """Build once (which also watches the input folders), then watch site.toml and new folders too."""
        self.rebuild(set())
        self._observer.schedule(self._handler, str(self.source), recursive=False)  # site.toml, new folders
        self._observer.start()
        self._thread.start()
        self._previewer.start()

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
            self._wake.notify_all()
        self._observer.stop()  # also closes the inotify instance of an observer that never started
        if self._observer.ident is not None:
            self._observer.join()
        for thread in (self._thread, self._previewer):
            if thread.is_alive():
                thread.join()
        self.indexer.stop()

    def notice(self, path: Path) -> None:
        """Called from watchdog's thread for every event path."""
        if self.relevant(path):
            with self._wake:
                self._pending.add(path)
                if path.is_relative_to(self.source / "content"):
                    self._unpreviewed.add(path)
                self._events += 1
                self._wake.notify_all()

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
                self._settle()
                changes, self._pending = self._pending, set()
                saved, self._unpreviewed = self._unpreviewed, set()
                self._building = True
            try:
                self.rebuild(changes, saved)
            finally:
                with self._wake:
                    self._building = False

    def _preview_loop(self) -> None:
        """While a build runs, a saved article's page goes to disk at once; its change stays pending, so
        another build follows."""
        while True:
            with self._wake:
                while not (self._building and self._unpreviewed) and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                self._settle()
                saved, self._unpreviewed = self._unpreviewed, set()
            start = time.perf_counter()
            if self.session.preview(saved):
                self.on_written()
                self.report(f"{_describe(saved, self.source)}: edited page on disk in "
                            f"{(time.perf_counter() - start) * 1000:.0f} ms, during a build")

    def _settle(self) -> None:
        """Wait, holding the condition, until events pause (or the burst has lasted too long)."""
        started = time.monotonic()
        while not self._stopping:
            count = self._events
            self._wake.wait(QUIET_SECONDS)
            if self._events == count or time.monotonic() - started > MAX_WAIT_SECONDS:
                return

    def rebuild(self, changes: set[Path], saved: set[Path] | None = None) -> BuildResult | None:
        """One build, after writing the pages of the `saved` articles (default: every change) that no preview
        wrote yet; prints one line, or the errors (and keeps watching)."""
        start = time.perf_counter()
        self._watch_folders()
        first = self.session.preview(changes if saved is None else saved)
        first_ms = (time.perf_counter() - start) * 1000
        if first:
            self.on_written()
        try:
            result = self.session.build()
        except BuildFailed as failed:
            text = "\n".join(str(e) for e in failed.errors)
            self.report(f"{_describe(changes, self.source)}: build failed, last good site kept\n{text}")
            self.on_failed(text)
            return None
        ms = (time.perf_counter() - start) * 1000
        lead = f" (edited page on disk in {first_ms:.0f} ms)" if first else ""
        self.report(f"{_describe(changes, self.source)}: {result.changed + first} pages written, "
                    f"{result.removed} removed in {ms:.0f} ms{lead}")
        for warning in result.warnings:
            self.report(warning.labelled("warning"))
        self.on_built(result)
        if result.search_pending:
            self.indexer.submit()
        return result


class Indexer:
    """Runs `update` on its own thread whenever submitted, one run at a time; submissions made meanwhile are
    one more run. `update` returns a line to report, or None."""

    def __init__(self, update: Callable[[], str | None], report: Callable[[str], None]):
        self.update = update
        self.report = report
        self._due = False
        self._busy = False
        self._stopping = False
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self) -> None:
        with self._wake:
            self._due = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="sitegen-search", daemon=True)
                self._thread.start()
            self._wake.notify_all()

    def wait(self) -> None:
        """Until every submitted run has ended."""
        with self._wake:
            while self._due or self._busy:
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
                while not self._due and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                self._due, self._busy = False, True
            line = self.update()
            if line:
                self.report(line)
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
