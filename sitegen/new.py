"""`sitegen new "Headline"`: a new article file, named as the archive names them, with its frontmatter."""
from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import yaml

from sitegen.config import load_config
from sitegen.dates import parse_date
from sitegen.errors import BuildFailed, SiteError
from sitegen.slugs import slugify

BODY_PLACEHOLDER = "Write the story here. The first paragraph is what lists show unless `summary` says otherwise."
"""The new file's body: `check` warns while it is still there."""


def article_text(title: str, date: datetime, identity: str) -> str:
    """The new file's text (pure): quoted title, date with its offset, an `id` for its short link, a draft
    (left out of builds until the writer removes `draft: true`), empty tags, author and summary, and a
    placeholder body."""
    head = yaml.safe_dump({"title": title}, allow_unicode=True, width=1 << 30)
    return (f"---\n{head}date: {date.isoformat(timespec='seconds')}\nid: {identity}\ndraft: true\ntags: []\n"
            f"author: \"\"\nsummary: \"\"\n---\n\n{BODY_PLACEHOLDER}\n")


def article_path(date: datetime, slug: str) -> str:
    """`YYYY/YYYY-MM-DD-slug.md` under content/, the layout of the example archive."""
    return f"{date.year:04d}/{date.date().isoformat()}-{slug}.md"


def create_article(source: Path, title: str, slug: str | None, date: str | None, now: datetime) -> Path:
    """Write the file and return its path; BuildFailed when the headline, slug or date is unusable or the
    file exists already."""
    if not source.is_dir():
        raise BuildFailed([SiteError(str(source), "no such site folder")])
    config = load_config(source)
    title = " ".join(title.split())
    if not title:
        raise BuildFailed([SiteError("new", "the headline is empty")])
    try:
        moment = parse_date(date, config.zone) if date else now.astimezone(config.zone)
    except (ValueError, TypeError) as exc:
        raise BuildFailed([SiteError("--date", str(exc))]) from None
    name = slugify(slug if slug is not None else title)
    if not name:
        raise BuildFailed([SiteError("new", f"cannot make a file name from {slug or title!r}; "
                                            "give one with --slug")])
    path = source / "content" / article_path(moment, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(article_text(title, moment, str(uuid.uuid4())))
    except FileExistsError:
        raise BuildFailed([SiteError(str(path), "already exists; not overwritten (choose another --slug)")]) from None
    return path
