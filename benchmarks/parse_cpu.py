"""CPU seconds per article of `reader.parse_article`, in-process:
`python benchmarks/parse_cpu.py CONTENT [--files N] [--repeat R] [--profile]`. Files are read first, so only
parsing is timed; each repeat parses them all again.

Run it with each code tree's interpreter (`PYTHONPATH` is no use with an editable install) and interleave the
runs: the machine is shared, CPU seconds vary less than wall seconds but still vary."""
from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import time
from pathlib import Path

from sitegen.config import SiteConfig
from sitegen.reader import Parsed, parse_article


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("content", type=Path)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the top functions by cumulative time")
    options = parser.parse_args()
    paths = sorted(options.content.rglob("*.md"))[: options.files]
    files = [(p.read_bytes(), p.relative_to(options.content).as_posix()) for p in paths]
    config = SiteConfig()
    for raw, article_id in files[:50]:  # warm up: imports, lru caches, compiled regexes
        parse_article(raw, article_id, config)
    if options.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [parse_article(raw, article_id, config) for raw, article_id in files])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        return
    gc.disable()  # as in a build (pipeline turns the cyclic GC off)
    per_article = []
    for _ in range(options.repeat):
        start = time.process_time()
        results = [parse_article(raw, article_id, config) for raw, article_id in files]
        per_article.append((time.process_time() - start) / len(files) * 1000)
        assert all(isinstance(r, Parsed) for r in results), "a file did not parse"
        del results
    print(f"{len(files)} files, ms CPU per article: median {statistics.median(per_article):.3f} "
          f"(runs {', '.join(f'{ms:.3f}' for ms in per_article)})")


if __name__ == "__main__":
    main()
