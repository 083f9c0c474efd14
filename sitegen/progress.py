"""A progress bar on stderr for long builds: it appears only once a build has run for a while."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Self

Progress = Callable[[str, int, int], None]
"""Called as progress(phase, done, total) while a phase works through its items."""


class ProgressBar:
    """One rich bar per phase; nothing is drawn (or imported) before `delay` seconds have passed, so quick
    builds print only their summary. Transient: the bars vanish when the build ends."""

    def __init__(self, delay: float = 1.0, console: Any = None):
        self.delay = delay
        self.console = console
        """A rich Console; None means stderr."""
        self.started = time.monotonic()
        self._bar = None
        self._tasks: dict[str, int] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self._bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("{task.description:>7}"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), console=self.console or Console(stderr=True), transient=True)
            self._bar.start()
        if phase not in self._tasks:
            self._tasks[phase] = self._bar.add_task(phase, total=total)
        self._bar.update(self._tasks[phase], completed=done, total=total)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
