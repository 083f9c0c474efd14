"""A saved article's own page, rendered from the last build's model before the next build brings every other
page up to date."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import jinja2

from sitegen.model import Page, Site
from sitegen.output import replace_file
from sitegen.phases import is_published
from sitegen.reader import Parsed, parse_article
from sitegen.render import render_page
from sitegen.routes import article_url, with_related
from sitegen.views import Views


@dataclass(frozen=True, slots=True)
class Preview:
    """What one build leaves for previews. Nothing in it changes, so a preview may run while the next build
    does."""

    site: Site
    """The model the build rendered, with its related lists."""
    env: jinja2.Environment
    pages: dict[str, Page]
    """Each article's page by article id, without its related list."""
    content: Path
    output: Path
    drafts: bool
    future: bool

    def write(self, path: Path, now: datetime) -> str | None:
        """Render the page of the article saved at `path` and write it if its bytes changed; return its output
        path, or None when nothing was written: the bytes were the same, or the page cannot be known without a
        build (not an article of this build, no longer valid or published, or at another URL)."""
        site = self.site
        if self.content not in path.parents or not path.is_file():
            return None
        article_id = path.relative_to(self.content).as_posix()
        if article_id not in site.articles:
            return None
        parsed = parse_article(path.read_bytes(), article_id, site.config)
        if not isinstance(parsed, Parsed) or not is_published(parsed.article, now, self.drafts, self.future) or \
                article_url(parsed.article, site.config.permalinks) != site.urls[article_id]:
            return None
        edited = replace(site, articles={**site.articles, article_id: parsed.article})
        page = with_related(self.pages[article_id], site.related.get(article_id, ()))
        body: Callable[[str], str] = lambda _id: parsed.html
        written = replace_file(self.output / page.path, render_page(page, Views(edited, body), self.env))
        return page.path if written else None
