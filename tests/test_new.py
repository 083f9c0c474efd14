"""`sitegen new "Headline"`: file name, frontmatter that reads back exactly, no overwriting."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.config import SiteConfig
from sitegen.reader import Parsed, parse_article

NOW = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)


@pytest.fixture
def site(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    (tmp_path / "site.toml").write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("title", ['Mayor says: "No" — #1 & São <b>', "yes", "- [a] {b}: 'c' # d", "null", "123",
                                   "Line\u2028sep  and\ttabs", "'quoted'"])
def test_new_article_reads_back(site: Path, capsys, title):
    assert main(["new", title, "--source", str(site), "--slug", "story"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == site / "content/2024/2024-04-01-story.md"
    parsed = parse_article(path.read_bytes(), "2024/2024-04-01-story.md", SiteConfig(timezone="Europe/Berlin"))
    assert isinstance(parsed, Parsed), parsed
    article = parsed.article
    assert article.meta.title == " ".join(title.split())
    assert article.meta.date.isoformat() == "2024-04-01T01:30:00+02:00"
    assert (article.meta.tags, article.meta.authors, article.meta.slug) == ((), (), "story")


def test_slug_from_the_headline_and_explicit_date(site: Path, capsys):
    assert main(["new", "São Paulo & AT&T", "--source", str(site), "--date", "2020-10-23 03:55"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.relative_to(site).as_posix() == "content/2020/2020-10-23-sao-paulo-and-at-and-t.md"
    assert "date: 2020-10-23T03:55:00+02:00\n" in path.read_text(encoding="utf-8")


def test_refuses_to_overwrite(site: Path, capsys):
    assert main(["new", "Story", "--source", str(site)]) == 0
    path = Path(capsys.readouterr().out.strip())
    path.write_text("mine", encoding="utf-8")
    assert main(["new", "Story", "--source", str(site)]) == 1
    assert capsys.readouterr().err == f"error: {path}: already exists; not overwritten (choose another --slug)\n"
    assert path.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("args, message", [
    (["  "], "error: new: the headline is empty\n"),
    (["!!!"], "error: new: cannot make a file name from '!!!'; give one with --slug\n"),
    (["Story", "--date", "soon"], ("error: --date: cannot read the date 'soon'; write it as 2020-10-23, "
                                  "2020-10-23 03:55 or 2020-10-23T03:55:00+01:00\n")),
])
def test_unusable_input(site: Path, capsys, args, message):
    assert main(["new", *args, "--source", str(site)]) == 1
    assert capsys.readouterr().err == message
    assert not (site / "content").exists() or not any((site / "content").rglob("*.md"))


def test_missing_site_folder(tmp_path: Path, capsys):
    assert main(["new", "Story", "--source", str(tmp_path / "nowhere")]) == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'nowhere'}: no such site folder\n"
    assert not (tmp_path / "nowhere").exists()


def test_new_article_is_a_draft_with_an_id_and_a_placeholder_body_check_warns_about(site: Path, capsys):
    assert main(["new", "Harbour story", "--source", str(site)]) == 0
    path = Path(capsys.readouterr().out.strip())
    parsed = parse_article(path.read_bytes(), "2024/2024-04-01-harbour-story.md", SiteConfig(timezone="Europe/Berlin"))
    assert isinstance(parsed, Parsed), parsed
    assert parsed.article.draft is True and len(parsed.article.meta.identity) == 36
    assert "Write the story here." in parsed.html
    assert main(["check", "--source", str(site)]) == 0
    out = capsys.readouterr().out
    assert "2024-04-01-harbour-story.md:11: warning: the body is still the placeholder" in out, out
    assert main(["new", "Another", "--source", str(site)]) == 0
    other = Path(capsys.readouterr().out.strip()).read_text(encoding="utf-8")
    assert other.split("id: ")[1][:36] != path.read_text(encoding="utf-8").split("id: ")[1][:36]
