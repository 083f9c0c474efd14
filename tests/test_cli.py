"""sitegen.cli: argument parsing, and the exit codes and messages of build, clean, check and new."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sitegen import __version__
from sitegen.cli import main, parse_args
from sitegen.session import CACHE_DIR
from tests.sitekit import snapshot, write_site

CONFIG = 'search = false\nbase_url = "https://example.org/"\n'
NOW = datetime(2024, 3, 31, 12, 0, tzinfo=UTC)
BAD_DATE = "---\ntitle: Bad\ndate: soon\n---\nx\n"
BAD_DATE_MESSAGE = ("content/2020/bad.md:3: 'date': cannot read the date 'soon'; write it as 2020-10-23, "
                    "2020-10-23 03:55 or 2020-10-23T03:55:00+01:00")
PHASES = ["check", "read", "model", "images", "plan", "rank", "render", "publish", "index"]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The sitekit fixture archive (4 published articles, a draft, a future one), search off."""
    return write_site(tmp_path / "site", config=CONFIG)


def build(root: Path, out: Path, *extra: str) -> int:
    return main(["build", "--source", str(root), "--output", str(out), *extra])


# --- parsing -----------------------------------------------------------------------------------------------


def test_build_is_the_default_command():
    args = parse_args(["--source", "s", "-q"])
    assert (args.command, args.source, args.output, args.quiet, args.jobs) == (
        "build", Path("s"), None, True, 0)
    assert (parse_args([]).command, parse_args([]).source) == ("build", Path("."))


def test_build_reads_every_option():
    args = parse_args(["build", "--source", "s", "--output", "o", "--base-url", "https://x.org/", "--drafts",
                       "--future", "--skip-invalid", "--no-cache", "-j", "3", "--profile"])
    assert (args.source, args.output, args.base_url, args.jobs) == (Path("s"), Path("o"), "https://x.org/", 3)
    assert args.drafts and args.future and args.skip_invalid and args.no_cache and args.profile
    assert not args.quiet


def test_serve_and_new_options():
    serve = parse_args(["serve", "--port", "0"])
    assert (serve.command, serve.host, serve.port) == ("serve", "127.0.0.1", 0)
    new = parse_args(["new", "A headline", "--slug", "s", "--date", "2020-10-23"])
    assert (new.command, new.title, new.slug, new.date, new.source) == (
        "new", "A headline", "s", "2020-10-23", Path("."))


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["build", "--help"], ["check", "-h"]])
def test_help_exits_zero_with_usage(capsys, argv):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("usage: sitegen")


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert (done.value.code, capsys.readouterr().out) == (0, f"sitegen {__version__}\n")


@pytest.mark.parametrize(("argv", "message"), [
    (["--bogus"], "sitegen: error: unrecognized arguments: --bogus"),
    (["frobnicate"], "sitegen: error: unrecognized arguments: frobnicate"),
    (["new"], "sitegen new: error: the following arguments are required: title"),
    (["build", "--jobs", "x"], "sitegen build: error: argument --jobs/-j: invalid int value: 'x'"),
    (["clean", "--output", "o"], "sitegen: error: unrecognized arguments: --output o"),
])
def test_wrong_command_line_exits_2(capsys, argv, message):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: sitegen") and err.splitlines()[-1] == message


# --- build -------------------------------------------------------------------------------------------------


def test_build_prints_one_summary_line_and_writes_the_site(site, tmp_path, capsys):
    out = tmp_path / "out"
    assert build(site, out) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    summary = (r"built 4 articles \(6 parsed\), (\d+) pages \(\1 rendered, \1 changed, 0 removed\), "
               rf"0 warning\(s\) in \d+\.\d\d s → {re.escape(str(out))}\n")
    assert re.fullmatch(summary, captured.out), captured.out
    for rel in ("index.html", "feed.xml", "2020/10/kerry-urges/index.html", "tags/syria/index.html"):
        assert (out / rel).is_file(), rel
    assert not (out / "2021/01/draft/index.html").exists()
    assert not (out / "pagefind").exists()


def test_unchanged_rebuild_reports_nothing_rendered(site, tmp_path, capsys):
    build(site, tmp_path / "out")
    pages = re.search(r", (\d+) pages", capsys.readouterr().out).group(1)
    assert build(site, tmp_path / "out") == 0
    assert capsys.readouterr().out.startswith(
        f"built 4 articles (0 parsed), {pages} pages (0 rendered, 0 changed, 0 removed), 0 warning(s) in ")


def test_quiet_build_prints_nothing_and_writes_to_the_sources_output_folder(site, capsys):
    assert main(["build", "--source", str(site), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert (site / "output/index.html").is_file()


def test_profile_prints_each_phase_then_the_summary(site, tmp_path, capsys):
    assert build(site, tmp_path / "out", "--profile") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [re.fullmatch(r"phase (\w+) \d+\.\d{3}", line).group(1) for line in lines[:-3]] == PHASES
    assert re.fullmatch(r"search 0 shards indexed, 0 removed, Pagefind peak RSS 0 KiB", lines[-3])
    assert re.fullmatch(r"peak RSS self \d+ KiB", lines[-2])
    assert lines[-1].startswith("built 4 articles ")


def test_drafts_and_base_url_reach_the_build(site, tmp_path, capsys):
    out = tmp_path / "out"
    assert build(site, out, "--drafts", "--base-url", "https://example.net/news/") == 0
    assert capsys.readouterr().out.startswith("built 5 articles ")
    assert (out / "2021/01/draft/index.html").is_file()
    assert "<id>https://example.net/news/feed.xml</id>" in (out / "feed.xml").read_text(encoding="utf-8")


def test_base_url_without_host_gives_a_notice_on_stderr(site, tmp_path, capsys):
    assert build(site, tmp_path / "out", "--base-url", "/news/", "-q") == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[0].startswith("notice: base_url '/news/' is under a subpath, so robots.txt")
    assert captured.err.splitlines()[1].startswith("notice: base_url '/news/' has no host, so canonical URLs")


def test_broken_article_fails_the_build_and_leaves_the_output_as_it_was(site, tmp_path, capsys):
    out = tmp_path / "out"
    assert build(site, out, "-q") == 0
    before = snapshot(out)
    (site / "content/2020/bad.md").write_text(BAD_DATE, encoding="utf-8")
    assert build(site, out) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [f"error: {BAD_DATE_MESSAGE}",
                                         f"build failed: 1 error(s); {out} left as it was"]
    assert snapshot(out) == before


def test_every_error_is_printed(site, tmp_path, capsys):
    (site / "content/2020/bad.md").write_text(BAD_DATE, encoding="utf-8")
    (site / "content/2020/empty.md").write_text("", encoding="utf-8")
    assert build(site, tmp_path / "out") == 1
    first, second, summary = capsys.readouterr().err.splitlines()
    assert first == f"error: {BAD_DATE_MESSAGE}"
    assert second.startswith("error: content/2020/empty.md: the file is empty; ")
    assert summary == f"build failed: 2 error(s); {tmp_path / 'out'} left as it was"
    assert not (tmp_path / "out").exists()


def test_build_of_a_missing_site_folder_is_an_error(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["build", "--source", str(missing), "-q"]) == 1
    assert capsys.readouterr().err.startswith("error: ")
    assert not missing.exists()


# --- clean, check, new -------------------------------------------------------------------------------------


def test_clean_removes_the_cache_and_nothing_else(site, capsys):
    (site / CACHE_DIR / "sub").mkdir(parents=True)
    (site / CACHE_DIR / "sub/articles.sqlite").write_bytes(b"x")
    (site / "output").mkdir()
    assert main(["clean", "--source", str(site)]) == 0
    assert capsys.readouterr().out == f"removed {site / CACHE_DIR}\n"
    assert not (site / CACHE_DIR).exists()
    assert sorted(p.name for p in site.iterdir()) == ["content", "output", "site.toml"]


def test_clean_without_a_cache_succeeds(tmp_path, capsys):
    assert main(["clean", "--source", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"removed {tmp_path / CACHE_DIR}\n"


def test_check_of_a_clean_site_exits_0_and_writes_nothing(tmp_path, capsys):
    root = write_site(tmp_path, {"2020/a.md": "---\ntitle: A\ndate: 2020-01-02\n---\nText.\n"}, config=CONFIG)
    assert main(["check", "--source", str(root)]) == 0
    assert capsys.readouterr().out == "checked 1 articles: 0 error(s), 0 warning(s)\n"
    assert sorted(p.name for p in root.iterdir()) == ["content", "site.toml"]


def test_check_of_a_broken_site_exits_1_with_path_line_error_lines(tmp_path, capsys):
    root = write_site(tmp_path, {"2020/a.md": "---\ntitle: A\ndate: 2020-01-02\n---\nText.\n",
                                 "2020/bad.md": BAD_DATE}, config=CONFIG)
    assert main(["check", "--source", str(root)]) == 1
    path, line, message = BAD_DATE_MESSAGE.split(":", 2)
    assert capsys.readouterr().out.splitlines() == [f"{path}:{line}: error:{message}",
                                                   "checked 2 articles: 1 error(s), 0 warning(s)"]


def test_check_without_content_folder_is_an_error(tmp_path, capsys):
    assert main(["check", "--source", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'content'}: error: no content/ folder: nothing to check",
        "checked 0 articles: 1 error(s), 0 warning(s)"]


def test_new_prints_the_dated_path_and_then_refuses_to_overwrite(tmp_path, capsys):
    assert main(["new", "A Headline", "--source", str(tmp_path)]) == 0
    path = tmp_path / "content/2024/2024-03-31-a-headline.md"
    assert capsys.readouterr().out == f"{path}\n"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: A Headline\ndate: 2024-03-31T12:00:00+00:00\n")
    assert main(["new", "A Headline", "--source", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(f"error: {path}: already exists")


def test_build_warns_about_the_key_typos_check_reports_in_the_same_format(tmp_path, capsys):
    root = write_site(tmp_path / "s", {"typo.md": "---\ntitle: T\ndate: 2020-01-02\ntag: x\nautor: Ana\n---\nText.\n"})
    assert main(["build", "--source", str(root), "--quiet"]) == 0
    built = [line for line in capsys.readouterr().err.splitlines() if "unknown key" in line]
    assert main(["check", "--source", str(root)]) == 1
    checked = [line for line in capsys.readouterr().out.splitlines() if "unknown key" in line]
    assert built == [
        "content/typo.md:4: warning: unknown key 'tag': did you mean 'tags'? (as written it is only passed to templates)",
        ("content/typo.md:5: warning: unknown key 'autor': did you mean 'author'? (as written it is only passed to "
         "templates)")]
    assert checked == [line.replace(": warning: ", ": error: ") for line in built]
