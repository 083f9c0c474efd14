"""sitegen.render: template closure digests and JSON safe inside <script>."""
from __future__ import annotations

import json

import jinja2
import pytest

from sitegen.files import THEME
from sitegen.render import make_environment, template_digests, templates_mentioning, to_json_script

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
    return template_digests(jinja2.Environment(loader=jinja2.DictLoader(templates)))


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
    theme_only = template_digests(make_environment(tmp_path))
    assert {"base.html", "article.html", "macros.html", "atom.xml"} <= set(theme_only)
    (tmp_path / "templates").mkdir()
    theme_macros = (THEME / "templates" / "macros.html").read_text(encoding="utf-8")
    (tmp_path / "templates" / "macros.html").write_text(theme_macros + "\n{# local change #}\n", encoding="utf-8")
    overridden = template_digests(make_environment(tmp_path))
    changed = {n for n in theme_only if theme_only[n] != overridden[n]}
    assert "macros.html" in changed and "article.html" in changed and "list.html" in changed
    assert "atom.xml" not in changed and "robots.txt" not in changed and "alias.html" not in changed


def test_environment_is_strict_and_escapes(tmp_path):
    env = make_environment(tmp_path)
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ nope }}").render()


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
    assert templates_mentioning(env, ("word_count", "reading_time")) == {"inc.html", "part.html"}
    assert templates_mentioning(env, ("block main",)) == {"base.html", "page.html", "child.html"}
