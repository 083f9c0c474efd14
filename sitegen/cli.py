"""Command line: `sitegen [build|watch|serve|clean|check|new] [options]`.

Exit codes: 0 done; 1 content, configuration or template errors; 2 wrong command line."""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import threading
import time
from contextlib import nullcontext
from pathlib import Path

from sitegen import __version__
from sitegen.config import load_config
from sitegen.errors import BuildFailed
from sitegen.progress import ProgressBar
from sitegen.session import CACHE_DIR, BuildOptions, BuildResult, build, current_time

COMMANDS = ("build", "watch", "serve", "clean", "check", "new")


def parse_args(argv: list[str]) -> argparse.Namespace:
    site = argparse.ArgumentParser(add_help=False)
    site.add_argument("--source", type=Path, default=Path("."), help="site folder (default: current folder)")
    site.add_argument("--output", type=Path, default=None, help="output folder (default: SOURCE/output)")
    site.add_argument("--base-url", default=None, help="override base_url, e.g. https://example.org/archive/")
    site.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    site.add_argument("--future", action="store_true", help="include articles dated in the future")
    site.add_argument("--skip-invalid", action="store_true", help="build without broken files, reporting them as warnings")
    site.add_argument("--no-cache", action="store_true", help="ignore .sitegen-cache/: parse and render everything")
    site.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (default: one per core)")
    site.add_argument("--quiet", "-q", action="store_true", help="print errors and warnings only")

    parser = argparse.ArgumentParser(prog="sitegen", description="Build a static site from an article archive.")
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    sub = parser.add_subparsers(dest="command")
    b = sub.add_parser("build", parents=[site], help="build content/ into output/ (the default command)")
    b.add_argument("--profile", action="store_true", help="print the time each build phase took")
    sub.add_parser("watch", parents=[site], help="build, then rebuild what changed whenever inputs change")
    s = sub.add_parser("serve", parents=[site], help="watch, and serve the site on loopback with live reload")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    c = sub.add_parser("clean", help="delete the build cache (.sitegen-cache/)")
    c.add_argument("--source", type=Path, default=Path("."), help="site folder (default: current folder)")
    k = sub.add_parser("check", help="lint content/ without building: key typos, odd dates, dead links, missing images")
    k.add_argument("--source", type=Path, default=Path("."), help="site folder (default: current folder)")
    n = sub.add_parser("new", help="create content/YYYY/YYYY-MM-DD-slug.md with its frontmatter filled in")
    n.add_argument("title", help="the headline")
    n.add_argument("--source", type=Path, default=Path("."), help="site folder (default: current folder)")
    n.add_argument("--slug", default=None, help="file and URL name (default: made from the headline)")
    n.add_argument("--date", default=None, help="publication date (default: now in the site's timezone)")
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help", "--version"):
        argv = ["build", *argv]
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "clean":
        shutil.rmtree(args.source / CACHE_DIR, ignore_errors=True)
        print(f"removed {args.source / CACHE_DIR}")
        return 0
    if args.command in ("watch", "serve"):
        return run_watch(args)
    if args.command == "check":
        return run_check(args)
    if args.command == "new":
        return run_new(args)
    return run_build(args)


def build_options(args: argparse.Namespace) -> BuildOptions:
    output = args.output if args.output is not None else args.source / "output"
    return BuildOptions(source=args.source, output=output, base_url=args.base_url, drafts=args.drafts,
                        future=args.future, skip_invalid=args.skip_invalid, jobs=args.jobs,
                        use_cache=not args.no_cache)


def run_build(args: argparse.Namespace) -> int:
    options = build_options(args)
    start = time.perf_counter()
    bar = ProgressBar() if sys.stderr.isatty() and not args.quiet else None
    try:
        with bar or nullcontext():
            result = build(options, bar)
    except BuildFailed as failed:
        for error in failed.errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"build failed: {len(failed.errors)} error(s); {options.output} left as it was", file=sys.stderr)
        return 1
    report(result)
    if args.profile:
        for phase, seconds in result.phases.items():
            print(f"phase {phase} {seconds:.3f}")
        if result.search:
            print(f"search {len(result.search.indexed)} shards indexed, {len(result.search.removed)} removed, "
                  f"Pagefind peak RSS {result.search.peak_rss_kib} KiB")
        print(f"peak RSS self {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} KiB")
    if not args.quiet:
        print(f"built {result.articles} articles ({result.parsed} parsed), {result.pages} pages "
              f"({result.written} rendered, {result.changed} changed, {result.removed} removed), "
              f"{len(result.warnings)} warning(s) in {time.perf_counter() - start:.2f} s → {options.output}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from sitegen.check import check_site

    found = check_site(args.source, current_time())
    for label, problems in (("error", found.errors), ("warning", found.warnings)):
        for problem in problems:
            print(problem.labelled(label))
    print(f"checked {found.files} articles: {len(found.errors)} error(s), {len(found.warnings)} warning(s)")
    return 1 if found.errors else 0


def run_new(args: argparse.Namespace) -> int:
    from sitegen.new import create_article

    try:
        path = create_article(args.source, args.title, args.slug, args.date, current_time())
    except BuildFailed as failed:
        print("\n".join(f"error: {e}" for e in failed.errors), file=sys.stderr)
        return 1
    print(path)
    return 0


def report(result: BuildResult) -> None:
    for notice in result.notices:
        print(f"notice: {notice}", file=sys.stderr)
    for warning in result.warnings:
        print(warning.labelled("warning"), file=sys.stderr)


def run_watch(args: argparse.Namespace) -> int:
    """Watch (and for `serve`, preview) until interrupted."""
    from sitegen.watch import Watcher  # watchdog's observer threads start only for these commands

    options = build_options(args)
    server = None
    if args.command == "serve":
        from sitegen.serve import PreviewServer
        try:
            config = load_config(options.source.resolve(), options.base_url)
        except BuildFailed as failed:
            print("\n".join(f"error: {e}" for e in failed.errors), file=sys.stderr)
            return 1
        server = PreviewServer(options.output.resolve(), config.base_path, args.host, args.port)
    watcher = Watcher(options, report=lambda line: print(line, flush=True),
                      on_built=(lambda result: server.reload()) if server else None,
                      on_failed=server.show_error if server else None,
                      on_written=server.reload if server else None)
    watcher.start()
    if server:
        server.start()
        print(f"serving {server.url} (Ctrl-C to stop)", flush=True)
    else:
        print(f"watching {options.source.resolve()} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        if server:
            server.stop()
    return 0
