"""Command line: `sitegen [build] [options]`; exit 0 on success, 1 on content errors, 2 on usage errors."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sitegen import __version__
from sitegen.errors import BuildFailed
from sitegen.pipeline import BuildOptions, build

COMMANDS = ("build",)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sitegen", description="Build a static site from an article archive.")
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    sub = parser.add_subparsers(dest="command")
    b = sub.add_parser("build", help="build content/ into output/ (the default command)")
    b.add_argument("--source", type=Path, default=Path("."), help="site folder (default: current folder)")
    b.add_argument("--output", type=Path, default=None, help="output folder (default: SOURCE/output)")
    b.add_argument("--base-url", default=None, help="override base_url, e.g. https://example.org/archive/")
    b.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    b.add_argument("--future", action="store_true", help="include articles dated in the future")
    b.add_argument("--skip-invalid", action="store_true", help="build without broken files, reporting them as warnings")
    b.add_argument("--no-cache", action="store_true", help="ignore .sitegen-cache/: parse and render everything")
    b.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (default: one per core)")
    b.add_argument("--profile", action="store_true", help="print the time each build phase took")
    b.add_argument("--quiet", "-q", action="store_true", help="print errors and warnings only")
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help", "--version"):
        argv = ["build", *argv]
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return run_build(args)


def run_build(args: argparse.Namespace) -> int:
    output = args.output if args.output is not None else args.source / "output"
    options = BuildOptions(source=args.source, output=output, base_url=args.base_url, drafts=args.drafts,
                           future=args.future, skip_invalid=args.skip_invalid, jobs=args.jobs,
                           use_cache=not args.no_cache)
    start = time.perf_counter()
    try:
        result = build(options)
    except BuildFailed as failed:
        for error in failed.errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"build failed: {len(failed.errors)} error(s); {output} left as it was", file=sys.stderr)
        return 1
    for notice in result.notices:
        print(f"notice: {notice}", file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.profile:
        for phase, seconds in result.phases.items():
            print(f"phase {phase} {seconds:.3f}")
    if not args.quiet:
        seconds = time.perf_counter() - start
        print(f"built {result.articles} articles ({result.parsed} parsed), {result.pages} pages ({result.written} rendered, "
              f"{result.changed} changed, {result.removed} removed), {len(result.warnings)} warning(s) "
              f"in {seconds:.2f} s → {output}")
    return 0
