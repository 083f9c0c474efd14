"""sitegen.progress: the bar stays away from quick builds and shows each phase's count on long ones."""
from __future__ import annotations

import io

from rich.console import Console

from sitegen.progress import ProgressBar


def terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=80), out


def test_nothing_is_drawn_before_the_delay():
    console, out = terminal()
    with ProgressBar(delay=3600, console=console) as bar:
        bar("parse", 5, 10)
    assert out.getvalue() == ""


def test_each_phase_gets_a_bar_with_its_count():
    console, out = terminal()
    with ProgressBar(delay=0, console=console) as bar:
        bar("parse", 3, 4)
        bar("render", 7, 20)
    text = out.getvalue()
    assert "parse" in text and "3/4" in text and "render" in text and "7/20" in text
