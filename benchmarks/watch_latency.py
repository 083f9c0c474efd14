#!/usr/bin/env python3
"""Time from saving an article to its changed page being complete on disk, under `sitegen watch`.

usage: python benchmarks/watch_latency.py SITE_DIR [--edits 20] [--output DIR] [--every SECONDS]

Starts `build.py watch` on SITE_DIR as a real subprocess, waits for its first build, then appends a
numbered sentence to articles spread over the archive, one save at a time. For each save it polls the
article's output page (every millisecond) until the page holds the sentence, and records the time from
the write to that moment; it then waits for the watcher's one-line report of the whole rebuild before the
next save, as a writer saving every few seconds would. Prints the median and the 90th percentile of both
(page on disk, whole rebuild). With `--every S` the saves come at a writer's pace instead, one every S
seconds whatever the watcher is doing, so most arrive while a rebuild runs; then only save → page on disk
is reported. Edited files are restored, bytes and mtime. Make a site with
`benchmarks/bench.py N --keep` (it leaves WORK/site) or `../shared/tools/gen_corpus.py`.
"""
from __future__ import annotations

import argparse
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from sitegen.config import load_config
from sitegen.reader import Parsed, parse_article
from sitegen.routes import article_url, file_path

TIMEOUT = 120.0


def page_of(site: Path, article: Path) -> str:
    """The output file of an article, relative to the output folder."""
    config = load_config(site)
    parsed = parse_article(article.read_bytes(), article.relative_to(site / "content").as_posix(), config)
    if not isinstance(parsed, Parsed):
        raise SystemExit(f"cannot parse {article}: {parsed}")
    url = article_url(parsed.article, config.permalinks)
    return file_path(url[len(config.base_path):] if url.startswith(config.base_path) else url.lstrip("/"))


def lines_of(proc: subprocess.Popen) -> queue.Queue[str]:
    """The watcher's output lines, read on a thread."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def wait_for(lines: queue.Queue[str], needle: str) -> str:
    deadline = time.monotonic() + TIMEOUT
    while True:
        line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        if needle in line:
            return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--every", type=float, default=0.0, help="seconds between saves, not waiting for builds")
    args = parser.parse_args()
    site = args.site.resolve()
    output = (args.output or site / "output").resolve()
    articles = sorted((site / "content").rglob("*.md"))
    chosen = [articles[(i * 7919) % len(articles)] for i in range(args.edits)]
    saved = {p: (p.read_bytes(), p.stat().st_atime_ns, p.stat().st_mtime_ns) for p in chosen}
    python = REPO / ".venv" / "bin" / "python"
    cmd = [str(python if python.exists() else sys.executable), "build.py", "watch", "--source", str(site),
           "--output", str(output)]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = lines_of(proc)
    to_page, to_build = [], []
    try:
        first = time.perf_counter()
        wait_for(lines, "watching ")
        print(f"initial build {time.perf_counter() - first:.1f} s; {len(articles)} articles", file=sys.stderr)
        for number, article in enumerate(chosen):
            page = output / page_of(site, article)
            marker = f"Watch latency sentence {number}."
            text = saved[article][0].decode().rstrip("\n") + f"\n\n{marker}\n"
            start = time.perf_counter()
            article.write_text(text, encoding="utf-8")
            while True:
                try:
                    if marker in page.read_text(encoding="utf-8"):
                        break
                except OSError:
                    pass
                if time.perf_counter() - start > TIMEOUT:
                    raise SystemExit(f"{page} never showed the edit")
                time.sleep(0.001)
            to_page.append((time.perf_counter() - start) * 1000)
            if args.every:
                print(f"{article.name}: page {to_page[-1]:.0f} ms", file=sys.stderr)
                time.sleep(max(0.0, start + args.every - time.perf_counter()))
                continue
            report = wait_for(lines, "pages written")
            to_build.append((time.perf_counter() - start) * 1000)
            print(f"{article.name}: page {to_page[-1]:.0f} ms; {report}", file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait(10)
        for path, (data, atime, mtime) in saved.items():
            path.write_bytes(data)
            os.utime(path, ns=(atime, mtime))

    def p90(values: list[float]) -> float:
        return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]

    print(f"| measure | median | p90 |\n| --- | --- | --- |\n"
          f"| save → page on disk | {statistics.median(to_page):.0f} ms | {p90(to_page):.0f} ms |")
    if to_build:
        print(f"| save → rebuild done | {statistics.median(to_build):.0f} ms | {p90(to_build):.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
