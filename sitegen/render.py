"""The Jinja environment and Page → bytes. Site templates override the default theme file by file."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jinja2
import jinja2.meta
from markupsafe import Markup

from sitegen.files import THEME
from sitegen.model import Page
from sitegen.views import Views


def make_environment(site_dir: Path) -> jinja2.Environment:
    """Autoescaping (HTML and XML), strict about undefined names, site templates before the theme's."""
    loader = jinja2.FileSystemLoader([str(site_dir / "templates"), str(THEME / "templates")])
    env = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, auto_reload=False)
    env.filters["jsonld"] = to_json_script
    return env


def to_json_script(value: object) -> Markup:
    """JSON safe inside `<script>`: `<`, `>` and `&` escaped so a string cannot close the element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_page(page: Page, views: Views, env: jinja2.Environment) -> bytes:
    """The bytes of one output file."""
    if page.kind == "asset":
        return Path(page.param("source")).read_bytes()
    return env.get_template(page.template).render(views.context(page)).encode("utf-8")


def template_digests(env: jinja2.Environment) -> dict[str, str]:
    """Digest of each template's closure (itself and everything it extends, includes or imports)."""
    sources, closures = _closures(env)
    every = "".join(hashlib.sha256(sources[n].encode()).hexdigest() for n in sorted(sources))
    digests = {}
    for name, members in closures.items():
        text = every if members == frozenset(sources) else "".join(sources[n] for n in sorted(members))
        digests[name] = hashlib.sha256(text.encode()).hexdigest()[:20]
    return digests


def templates_mentioning(env: jinja2.Environment, words: tuple[str, ...]) -> frozenset[str]:
    """Templates whose closure's source contains any of `words` (a conservative test of what they show)."""
    sources, closures = _closures(env)
    hits = {n for n, text in sources.items() if any(w in text for w in words)}
    return frozenset(name for name, members in closures.items() if members & hits)


def _closures(env: jinja2.Environment) -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """Each template's source, and the templates each one's output may come from."""
    names = sorted(env.list_templates())
    loaded = {name: env.loader.get_source(env, name) for name in names}
    sources = {name: source for name, (source, _, _) in loaded.items()}
    direct = {name: _referenced(env, sources[name]) for name in names}
    for name, refs in direct.items():
        for ref in sorted(refs or ()):
            if ref not in sources:
                line = next((n for n, text in enumerate(sources[name].splitlines(), 1) if ref in text), None)
                raise jinja2.TemplateSyntaxError(f"template '{ref}' does not exist", line or 1, name, loaded[name][1])

    def closure(name: str) -> frozenset[str]:
        seen, todo = {name}, [name]
        while todo:
            refs = direct.get(todo.pop(), frozenset())
            if refs is None:
                return frozenset(names)
            todo += [r for r in refs if r not in seen]
            seen |= refs
        return frozenset(seen)

    return sources, {name: closure(name) for name in names}


def _referenced(env: jinja2.Environment, source: str) -> frozenset[str] | None:
    """Templates a source names; None when one is chosen at run time (then it may depend on any)."""
    refs = list(jinja2.meta.find_referenced_templates(env.parse(source)))
    return None if any(r is None for r in refs) else frozenset(refs)
