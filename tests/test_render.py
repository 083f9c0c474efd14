"""sitegen.render: template closure digests, fragment caching and JSON safe inside <script>."""
from __future__ import annotations

import itertools
import json
import re

import jinja2
import pytest
from markupsafe import Markup, escape

from sitegen.config import SiteConfig
from sitegen.files import THEME
from sitegen.reader import parse_article
from sitegen.render import (
    make_environment,
    render_page,
    template_digests,
    template_graph,
    templates_mentioning,
    to_json_script,
)
from sitegen.routes import plan_pages
from sitegen.views import Views
from tests import modelkit

TEMPLATES = {
    "base.html": "<html>{% block main %}{% endblock %}</html>",
    "macros.html": "{% macro m() %}m{% endmacro %}",
    "page.html": "{% extends 'base.html' %}{% from 'macros.html' import m %}{% block main %}{{ m() }}{% endblock %}",
    "child.html": "{% extends 'page.html' %}",
    "inc.html": "{% include 'part.html' %}",
    "part.html": "part",
    "imp.html": "{% import 'macros.html' as mm %}{{ mm.m() }}",
    "solo.xml": "<solo/>",
}


def digests(templates: dict[str, str]) -> dict[str, str]:
    return template_digests(template_graph(jinja2.Environment(loader=jinja2.DictLoader(templates))))


def changed_by(name: str, source: str, templates: dict[str, str] = TEMPLATES) -> set[str]:
    before = digests(templates)
    after = digests({**templates, name: source})
    assert before.keys() == after.keys()
    return {n for n in before if before[n] != after[n]}


def test_every_template_gets_a_digest():
    result = digests(TEMPLATES)
    assert set(result) == set(TEMPLATES)
    assert len(set(result.values())) == len(TEMPLATES)


def test_digests_are_deterministic():
    assert digests(TEMPLATES) == digests(dict(reversed(TEMPLATES.items())))


def test_extended_template_change_reaches_every_descendant():
    assert changed_by("base.html", "<html>X{% block main %}{% endblock %}</html>") == {
        "base.html", "page.html", "child.html"}


def test_imported_macro_change_reaches_importers_and_their_children():
    assert changed_by("macros.html", "{% macro m() %}M{% endmacro %}") == {
        "macros.html", "page.html", "child.html", "imp.html"}


def test_included_template_change_reaches_includers():
    assert changed_by("part.html", "PART") == {"part.html", "inc.html"}


def test_leaf_change_touches_only_itself():
    assert changed_by("child.html", "{% extends 'page.html' %}{% block main %}c{% endblock %}") == {"child.html"}
    assert changed_by("solo.xml", "<solo>2</solo>") == {"solo.xml"}


def test_dynamic_reference_depends_on_every_template():
    templates = {**TEMPLATES, "dyn.html": "{% include name %}"}
    assert changed_by("solo.xml", "<solo>2</solo>", templates) == {"solo.xml", "dyn.html"}
    assert changed_by("part.html", "PART", templates) == {"part.html", "inc.html", "dyn.html"}


def test_reference_cycle_terminates():
    templates = {"a.html": "{% include 'b.html' %}", "b.html": "{% include 'a.html' %}", "c.html": "c"}
    assert changed_by("a.html", "{% include 'b.html' %}!", templates) == {"a.html", "b.html"}


def test_missing_reference_gives_a_template_error_or_a_digest():
    templates = {"a.html": "{% extends 'missing.html' %}", "b.html": "b"}
    try:
        result = digests(templates)
    except jinja2.TemplateError as exc:
        assert "missing.html" in str(exc)
    else:
        assert set(result) == {"a.html", "b.html"}


def test_syntax_error_is_raised():
    with pytest.raises(jinja2.TemplateSyntaxError):
        digests({"bad.html": "{% if %}"})


def test_site_template_overrides_the_theme(tmp_path):
    theme_only = template_digests(template_graph(make_environment(tmp_path)))
    assert {"base.html", "article.html", "macros.html", "atom.xml"} <= set(theme_only)
    (tmp_path / "templates").mkdir()
    theme_macros = (THEME / "templates" / "macros.html").read_text(encoding="utf-8")
    (tmp_path / "templates" / "macros.html").write_text(theme_macros + "\n{# local change #}\n", encoding="utf-8")
    overridden = template_digests(template_graph(make_environment(tmp_path)))
    changed = {n for n in theme_only if theme_only[n] != overridden[n]}
    assert "macros.html" in changed and "article.html" in changed and "list.html" in changed
    assert "atom.xml" not in changed and "robots.txt" not in changed and "alias.html" not in changed


def test_environment_is_strict_and_escapes(tmp_path):
    env = make_environment(tmp_path)
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    assert env.from_string("{{ range(2) | list }} {{ namespace(a=1).a }}").render() == "[0, 1] 1"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ nope }}").render()


def test_output_escaping_matches_markupsafe(tmp_path):
    env = make_environment(tmp_path)
    assert "environment.escape_output(" in env.compile("{{ x }}", raw=True)
    values = ["<a href='x'>&amp;\"</a>", Markup("<b>kept</b>"), 42, None, 1.5, ["<li>"], ""]
    for value in values:
        assert env.from_string("{{ x }}").render(x=value) == str(escape(value))
    assert env.from_string("{% set y %}<{{ x }}>{% endset %}{{ y }}").render(x="<&>") == "<&lt;&amp;&gt;>"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ a.missing }}").render(a={})


# --- {% cache %} ----------------------------------------------------------------------------------------------


def small_site(count: int = 4):
    """Articles sharing a tag and an author, two per list page: each shows on several list pages."""
    config = SiteConfig(per_page=2, base_url="https://example.org/archive/")
    articles = []
    for n in range(count):
        text = f"title: Story {n} <&>\ndate: 2020-10-{n + 10} 10:00\ntags: [Syria, T{n}]\nauthor: Ana"
        articles.append(parse_article(f"---\n{text}\n---\nBody {n}.\n".encode(), f"2020/s{n}.md", config).article)
    return modelkit.make_site(articles, config)


def list_pages(site):
    return [p for p in plan_pages(site)[0] if p.template in ("index.html", "tag.html", "author.html", "year.html",
                                                                  "month.html")]


def render_all(pages, env, make_views):
    return {p.path: render_page(p, make_views(), env).decode() for p in pages}


def counting_environment(site_dir, item):
    """The environment of a site whose macros.html lists articles with `item`, where tick() counts renders."""
    (site_dir / "templates").mkdir(exist_ok=True)
    (site_dir / "templates" / "macros.html").write_text(
        (THEME / "templates" / "macros.html").read_text(encoding="utf-8").split("{% macro article_list")[0]
        + "{% macro article_list(articles) %}{% for a in articles %}" + item + "{% endfor %}{% endmacro %}\n"
        + "{% macro pagination(pager) %}{% endmacro %}", encoding="utf-8")
    env = make_environment(site_dir)
    env.globals["tick"] = itertools.count().__next__
    return env


def test_cached_fragment_renders_once_per_key_for_one_views(tmp_path):
    site = small_site()
    env = counting_environment(tmp_path, "{% cache a.id %}<i>{{ a.id }}:{{ tick() }}</i>{% endcache %}")
    views = Views(site, lambda _: "")
    shown = re.findall(r"<i>(.*?)</i>", "".join(render_all(list_pages(site), env, lambda: views).values()))
    assert len(shown) > len(set(shown)) == len(site.articles)  # each article on several pages, rendered once
    again = re.findall(r"<i>(.*?)</i>", "".join(render_all(list_pages(site), env, lambda: Views(site, str)).values()))
    assert not set(again) & set(shown)  # other views (the next build's model) render afresh


def test_cache_tag_renders_every_time_outside_render_page(tmp_path):
    env = make_environment(tmp_path)
    env.globals["tick"] = itertools.count().__next__
    template = env.from_string("{% for k in 'aab' %}{% cache k %}{{ k }}{{ tick() }} {% endcache %}{% endfor %}")
    assert template.render() == "a0 a1 b2 "


def test_site_override_of_a_cached_template_never_sees_the_theme_fragments(tmp_path):
    site = small_site()
    views = Views(site, lambda _: "")
    pages = list_pages(site)
    theme = render_all(pages, make_environment(tmp_path / "plain"), lambda: views)
    overridden = render_all(pages, counting_environment(tmp_path, "{% cache a.id %}<i>{{ a.title }}</i>{% endcache %}"),
                            lambda: views)
    def listed(html: str) -> str:  # the front page's lead story is index.html's own, not the macro's
        return re.sub(r'<article class="lead-story">.*?</article>', "", html, flags=re.DOTALL)

    assert all("<i>" not in html and "<h2>" in listed(html) for html in theme.values())
    assert all("<i>" in html and "<h2>" not in listed(html) for html in overridden.values())


def test_theme_pages_are_the_same_with_fragments_shared_or_not(tmp_path):
    site = small_site(7)
    pages = [p for p in plan_pages(site)[0] if p.kind != "asset"]
    env = make_environment(tmp_path)
    views = Views(site, lambda _: "<p>Body.</p>")
    assert render_all(pages, env, lambda: views) == render_all(pages, env, lambda: Views(site, lambda _: "<p>Body.</p>"))


def test_unhashable_cache_key_is_a_template_error(tmp_path):
    site = small_site(1)
    env = counting_environment(tmp_path, "{% cache a.extra %}{{ a.id }}{% endcache %}")
    with pytest.raises(jinja2.TemplateRuntimeError, match="cannot be hashed"):
        render_all(list_pages(site), env, lambda: Views(site, str))


# --- to_json_script -----------------------------------------------------------------------------------------


def test_json_script_cannot_close_the_script_element():
    text = str(to_json_script({"headline": "</script><script>alert(1)</script>"}))
    assert "</script" not in text.lower()
    assert "<" not in text and ">" not in text
    assert json.loads(text) == {"headline": "</script><script>alert(1)</script>"}


def test_json_script_escapes_ampersands_and_line_separators():
    value = {"a": "Tom & Jerry", "b": "line\u2028sep\u2029para", "c": "<!--"}
    text = str(to_json_script(value))
    assert "&" not in text and "\u2028" not in text and "\u2029" not in text and "<!--" not in text
    assert json.loads(text) == value


def test_json_script_is_markup_and_sorted():
    result = to_json_script({"b": 1, "a": "é"})
    assert hasattr(result, "__html__")
    assert str(result) == '{"a": "é", "b": 1}'


def test_jsonld_filter_in_a_template(tmp_path):
    env = make_environment(tmp_path)
    html = env.from_string('<script type="application/ld+json">{{ data | jsonld }}</script>').render(
        data={"name": "</script>"})
    assert html == '<script type="application/ld+json">{"name": "\\u003c/script\\u003e"}</script>'


def test_templates_mentioning_a_name_include_those_that_extend_import_or_include_it():
    env = jinja2.Environment(loader=jinja2.DictLoader({**TEMPLATES, "part.html": "{{ a.reading_time }}"}))
    assert templates_mentioning(template_graph(env), ("word_count", "reading_time")) == {"inc.html", "part.html"}
    assert templates_mentioning(template_graph(env), ("block main",)) == {"base.html", "page.html", "child.html"}
