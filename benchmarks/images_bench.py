#!/usr/bin/env python3
"""Benchmark the image pipeline: an archive of N articles with a different 2000×1333 JPEG each.

usage: python benchmarks/images_bench.py N [--work DIR] [--jobs J]

Generates the archive into WORK/site (reused when WORK/stamp matches N; default WORK is
`<repo>/bench-work/images-N`; photos are drawn by `tests/imagekit.py`, deterministic per article), then
runs `build.py build --profile` three times: a cold build (no cache, no output), a no-change rebuild (the
no-change check stops it) and a rebuild after a one-article body edit, which runs every phase but must
do no image work: it reports the image phase's seconds and how many files of `.sitegen-cache/images/`
were written by it (0 expected). The edit is undone afterwards. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PHASE = re.compile(r"^phase (\S+) ([0-9.]+)\s*$", re.MULTILINE)


def generate(site: Path, count: int) -> None:
    from tests.imagekit import photo, save_jpeg

    (site / "site.toml").write_text('title = "Image bench"\nbase_url = "https://bench.example.org/"\nsearch = false\n')
    for i in range(count):
        folder = site / "content" / f"{2000 + i % 20}"
        save_jpeg(photo(2000, 1333, i, f"Photo {i}"), folder / f"photo-{i}.jpg", quality=85)
        (folder / f"story-{i}.md").write_text(
            f"---\ntitle: Story {i}\ndate: {2000 + i % 20}-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00Z\n"
            f"image: photo-{i}.jpg\nimage_alt: Photo {i}\n---\n" + "A sentence of the story. " * 80 + "\n")


def run(site: Path, jobs: int) -> tuple[float, dict[str, float], str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--source", str(site), "--output",
                           str(site.parent / "output"), "--profile", *(["--jobs", str(jobs)] if jobs else [])],
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    text = done.stdout + done.stderr
    summary = next((line for line in text.splitlines() if line.startswith("built ")), "")
    return wall, {m.group(1): float(m.group(2)) for m in PHASE.finditer(text)}, summary


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args()
    work = (args.work or REPO / "bench-work" / f"images-{args.n}").resolve()
    site, stamp = work / "site", work / "stamp"
    if not stamp.exists() or stamp.read_text() != str(args.n):
        shutil.rmtree(work, ignore_errors=True)
        site.mkdir(parents=True)
        started = time.perf_counter()
        generate(site, args.n)
        stamp.write_text(str(args.n))
        print(f"generated {args.n} photos in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
    shutil.rmtree(work / "output", ignore_errors=True)
    photos = sum(p.stat().st_size for p in site.rglob("*.jpg"))
    rows = [("cold build", *run(site, args.jobs))]
    rows.append(("no-change rebuild", *run(site, args.jobs)))
    story = site / "content" / "2000" / "story-0.md"
    original = story.read_bytes()
    before = time.time()
    try:
        story.write_bytes(original + b"\nAn added sentence.\n")
        rows.append(("one body edit", *run(site, args.jobs)))
    finally:
        story.write_bytes(original)
    written = sum(1 for p in (site / ".sitegen-cache" / "images").iterdir() if p.stat().st_mtime >= before)
    variants = len(list((work / "output" / "img").iterdir()))
    print(f"{args.n} articles, {args.n} photos 2000×1333 ({photos / 1e6:.0f} MB), {variants} variant files\n")
    print("| build | wall s | images phase s | render s | summary |\n| --- | --- | --- | --- | --- |")
    for name, wall, phases, summary in rows:
        print(f"| {name} | {wall:.1f} | {phases.get('images', 0):.2f} | {phases.get('render', 0):.2f} | {summary} |")
    print(f"\nimage cache files written by the body-edit rebuild: {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
