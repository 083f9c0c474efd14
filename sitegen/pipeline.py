"""The one orchestrator: read → model → plan → render what changed → publish."""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import jinja2

from sitegen.config import SiteConfig, load_config
from sitegen.deps import dirty_pages, engine_digest, page_keys
from sitegen.errors import BuildFailed, SiteError, display_path
from sitegen.model import Article, Page, Site
from sitegen.output import Staging, existing_files, load_manifest, save_manifest
from sitegen.reader import find_sources, read_article
from sitegen.related import RelatedDoc, compute_related
from sitegen.render import THEME, make_environment, render_page, template_digests
from sitegen.routes import article_url, plan_pages
from sitegen.slugs import slugify
from sitegen.taxonomy import authors_of, months_of, newest_first, tags_of, years_of
from sitegen.views import Views

IGNORED_PREFIXES = (".", "#", "~")
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".bak")


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What the command line asked for."""

    source: Path
    output: Path
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    skip_invalid: bool = False
    now: datetime | None = None
    """The build's clock; None means SOURCE_DATE_EPOCH, else the current time."""


@dataclass(slots=True)
class BuildResult:
    """What a build did."""

    articles: int = 0
    pages: int = 0
    written: int = 0
    changed: int = 0
    removed: int = 0
    warnings: list[SiteError] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)


def build(options: BuildOptions) -> BuildResult:
    """Build the site; raise BuildFailed (with every error) leaving the output folder untouched."""
    result = BuildResult()
    clock = _Clock(result.phases)
    source, output = options.source.resolve(), options.output.resolve()
    if source == output or source.is_relative_to(output) or (source / "content").resolve().is_relative_to(output):
        raise BuildFailed([SiteError(str(options.output), "the output folder contains the site's sources; "
                                     "choose another --output")])
    config = load_config(source, options.base_url)
    with clock("read"):
        articles, errors = _read_all(source, config)
    if errors and not options.skip_invalid:
        raise BuildFailed(errors)
    result.warnings += errors
    now = options.now or _now()
    published = {i: a for i, a in articles.items()
                 if (options.drafts or not a.draft) and (options.future or a.date <= now)}
    with clock("model"):
        site, problems = _make_site(config, published, _assets(source))
    result.warnings += problems
    env = make_environment(source)
    with clock("plan"):
        try:
            templates = template_digests(env)
        except jinja2.TemplateSyntaxError as exc:
            raise BuildFailed([_template_error(exc, source)]) from None
        pages, collisions = plan_pages(site)
        if collisions:
            raise BuildFailed(collisions)
        keys = page_keys(pages, site, templates)
        manifest = _manifest_path(source, output)
        stamp = f"{engine_digest()}:{config.digest()}"
        previous = load_manifest(manifest, stamp) if output.exists() else {}
        present = existing_files(output) if output.exists() else set()
        todo = dirty_pages(pages, keys, previous, present.__contains__)
        stale = (set(previous) if previous else present) - set(keys)
    with clock("render"):
        staging = Staging(output)
        try:
            errors = _render_into(staging, todo, Views(site), env, source)
        except BaseException:
            staging.discard()
            raise
        if errors:
            staging.discard()
            raise BuildFailed(errors)
    with clock("publish"):
        result.changed, result.removed = staging.publish([p.path for p in todo], stale)
        save_manifest(manifest, stamp, keys)
    result.articles, result.pages, result.written = len(site.articles), len(pages), len(todo)
    return result


def _read_all(source: Path, config: SiteConfig) -> tuple[dict[str, Article], list[SiteError]]:
    content = source / "content"
    articles: dict[str, Article] = {}
    errors: list[SiteError] = []
    for path in find_sources(content):
        article_id = path.relative_to(content).as_posix()
        parsed = read_article(path, article_id, config)
        if isinstance(parsed, Article):
            articles[article_id] = parsed
        else:
            errors += [SiteError(f"content/{e.path}", e.message, e.line) for e in parsed]
    return articles, errors


def _make_site(config: SiteConfig, articles: dict[str, Article], assets: dict[str, str]) -> tuple[Site, list[SiteError]]:
    """The model: order, URLs, groups and related lists. Also returns warnings about dangling references."""
    order = newest_first(articles.values())
    urls = {i: article_url(articles[i], config.permalinks) for i in order}
    warnings = []
    by_slug: dict[str, str] = {}
    for i in reversed(order):
        by_slug[articles[i].slug] = i
    docs = []
    for i in order:
        a = articles[i]
        pins = []
        for pin in a.related_pins:
            target = pin if pin in articles else by_slug.get(pin.removesuffix(".md").rsplit("/", 1)[-1])
            if target is None or target == i:
                warnings.append(SiteError(f"content/{i}", f"related article {pin!r} not found; use a slug or a path "
                                          "under content/"))
            elif target not in pins:
                pins.append(target)
        for link in a.body.links:
            if link not in articles:
                warnings.append(SiteError(f"content/{i}", f"link to {link!r} points to no published article",
                                          a.body_line))
        docs.append(RelatedDoc(id=i, url=urls[i], timestamp=a.date.timestamp(),
                               tags=tuple(sorted({slugify(t) for t in a.tags})), terms=a.terms, pinned=tuple(pins),
                               enabled=a.related_enabled))
    related = compute_related(docs, config.related)
    site = Site(config=config, articles=articles, order=order, urls=urls, tags=tags_of(articles, order),
                authors=authors_of(articles, order), years=years_of(articles, order),
                months=months_of(articles, order), related=related, assets=assets)
    return site, warnings


def _assets(source: Path) -> dict[str, str]:
    """Output path → absolute source of every file copied as is: theme static files, the site's static/
    folder (which overrides the theme's) and files beside articles in content/."""
    assets: dict[str, str] = {}
    for root, skip_md in ((THEME / "static", False), (source / "static", False), (source / "content", True)):
        if not root.is_dir():
            continue
        base = root.resolve()
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if (not path.is_file() or (skip_md and path.suffix == ".md") or not path.resolve().is_relative_to(base)
                    or any(part.startswith(IGNORED_PREFIXES) for part in rel.split("/"))
                    or rel.endswith(IGNORED_SUFFIXES)):
                continue
            assets[rel] = str(path)
    return assets


def _render_into(staging: Staging, pages: list[Page], views: Views, env: jinja2.Environment,
                 source: Path) -> list[SiteError]:
    errors = []
    for page in pages:
        try:
            staging.write(page.path, render_page(page, views, env))
        except jinja2.TemplateError as exc:
            errors.append(_template_error(exc, source, page))
    return errors


def _template_error(exc: jinja2.TemplateError, source: Path, page: Page | None = None) -> SiteError:
    """A template problem as `templates/name:line: message`."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".html") or tb.tb_frame.f_code.co_filename.endswith(".xml"):
            filename, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    where = display_path(Path(filename), source) if filename else "templates"
    context = f" (rendering {page.path})" if page else ""
    return SiteError(where, f"template error: {exc.message or exc}{context}", line)


def _manifest_path(source: Path, output: Path) -> Path:
    name = hashlib.sha256(str(output).encode()).hexdigest()[:16]
    return source / ".sitegen-cache" / f"manifest-{name}.json"


def _now() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)


class _Clock:
    """Times the build's phases into a dict."""

    def __init__(self, phases: dict[str, float]):
        self.phases = phases

    def __call__(self, name: str) -> "_Clock":
        self.name = name
        return self

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self.phases[self.name] = self.phases.get(self.name, 0.0) + time.perf_counter() - self.start
