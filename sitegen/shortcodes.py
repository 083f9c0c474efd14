"""Shortcode calls in Markdown: Hugo's `{{< name args >}}` / `{{% name %}}…{{% /name %}}` and Zola's
`{{ name(k="v") }}` / `{% name(k="v") %}…{% end %}`, found by markdown-it rules (so code stays text) and
left in the body HTML as placeholders that pages expand with `templates/shortcodes/NAME.html`. Pure."""
from __future__ import annotations

import base64
import json
import re
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

OPEN, DATA_END, CLOSE = "\ue000", "\ue001", "\ue002"
"""Placeholder markers (private-use characters, removed from every source): OPEN data DATA_END inner CLOSE."""
MARKERS = {ord(OPEN): None, ord(DATA_END): None, ord(CLOSE): None}
PLACEHOLDER = re.compile(f"{OPEN}([^{DATA_END}{OPEN}{CLOSE}]*){DATA_END}([^{OPEN}{CLOSE}]*){CLOSE}")
"""An innermost call: nested calls are expanded from the inside out."""
URL_KEYS = frozenset({"src", "link", "href", "poster", "image", "url"})
"""Keyword arguments holding URLs: relative ones are resolved against the article's folder."""
_SCRIPT_URL = re.compile(r"^[\x00-\x20]*(javascript|vbscript|data):", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z_][\w./-]*")
_ESCAPED = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.DOTALL)
MAX_CALL = 2000
"""The longest call looked at: a `{{<` without its `>}}` costs at most this much scanning."""


class Call(NamedTuple):
    """One shortcode call as written."""

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    end: int
    """Offset just after the call."""
    closing: bool
    """`{{< /name >}}` or Zola's `{% end %}`."""
    form: str
    """`<`, `%` (Hugo), `zola` (`{{ name() }}`) or `zola%` (`{% name() %}`, which always has an end)."""
    self_closed: bool = False
    """`{{< name />}}`."""


def parse_call(src: str, pos: int) -> Call | None:
    """The call starting at `src[pos]`, or None when there is none (any other `{`)."""
    head = src[pos:pos + 3]
    if head in ("{{<", "{{%"):
        return _hugo_call(src, pos, head[2])
    if head.startswith("{{"):
        return _zola_call(src, pos, "{{", "}}", "zola")
    if head.startswith("{%"):
        end = re.compile(r"\{%-?\s*end\s*-?%\}").match(src, pos)
        if end:
            return Call("end", (), {}, end.end(), True, "zola%")
        return _zola_call(src, pos, "{%", "%}", "zola%")
    return None


def escaped_call(src: str, pos: int) -> re.Match | None:
    """Hugo's escaped form `{{</* name */>}}` at `pos`, shown as the call itself."""
    return _ESCAPED.match(src, pos, min(len(src), pos + MAX_CALL))


def unescape_calls(text: str) -> str:
    """Code showing `{{</* name */>}}` shows `{{< name >}}` (Hugo's documentation writes calls that way)."""
    return _ESCAPED.sub(r"{{\1\2\3}}", text) if "/*" in text else text


def _hugo_call(src: str, pos: int, kind: str) -> Call | None:
    i = _skip_space(src, pos + 3)
    closing = src.startswith("/", i)
    if closing:
        i = _skip_space(src, i + 1)
    name = _NAME.match(src, i)
    if not name:
        return None
    i = name.end()
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    stop = min(len(src), pos + MAX_CALL)
    closer = (">" if kind == "<" else "%") + "}}"
    while i < stop:
        j = _skip_space(src, i)
        if src.startswith(closer, j):
            return Call(name.group(0), tuple(args), kwargs, j + 3, closing, kind)
        if src.startswith("/" + closer, j):
            return Call(name.group(0), tuple(args), kwargs, j + 4, closing, kind, True)
        if j == i and args + list(kwargs):
            return None  # arguments must be separated by spaces
        key = re.compile(r"([A-Za-z_][\w-]*)=").match(src, j)
        value, i = _hugo_value(src, key.end() if key else j, closer)
        if i is None:
            return None
        if key:
            kwargs[key.group(1)] = value
        else:
            args.append(value)
    return None


def _hugo_value(src: str, i: int, closer: str) -> tuple[Any, int | None]:
    quote = src[i:i + 1]
    if quote in ('"', "`", "'"):
        end = i + 1
        while end < len(src) and src[end] != quote:
            end += 2 if src[end] == "\\" and quote == '"' else 1
        if end >= len(src):
            return None, None
        text = src[i + 1:end]
        return (re.sub(r"\\(.)", r"\1", text) if quote == '"' else text), end + 1
    match = re.compile(r"[^\s\"'`]+?(?=\s|/?" + re.escape(closer) + "|$)").match(src, i)
    if not match:
        return None, None
    text = match.group(0)
    return {"true": True, "false": False}.get(text, text), match.end()


def _zola_call(src: str, pos: int, opener: str, closer: str, form: str) -> Call | None:
    i = _skip_space(src, pos + 2)
    name = _NAME.match(src, i)
    if not name or "/" in name.group(0) or not src.startswith("(", name.end()):
        return None
    kwargs: dict[str, Any] = {}
    i = name.end() + 1
    stop = min(len(src), pos + MAX_CALL)
    while i < stop:
        i = _skip_space(src, i)
        if src.startswith(")", i):
            end = _skip_space(src, i + 1)
            if not src.startswith(closer, end):
                return None
            return Call(name.group(0), (), kwargs, end + 2, False, form)
        key = re.compile(r"([A-Za-z_]\w*)\s*=\s*").match(src, i)
        if not key:
            return None
        value, i = _zola_value(src, key.end())
        if i is None:
            return None
        kwargs[key.group(1)] = value
        i = _skip_space(src, i)
        if src.startswith(",", i):
            i += 1
    return None


_ZOLA_SCALAR = re.compile(r"""("(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`)|(-?\d+(?:\.\d+)?)|(true|false)""")


def _zola_value(src: str, i: int) -> tuple[Any, int | None]:
    if src.startswith("[", i):
        items, i = [], i + 1
        while True:
            i = _skip_space(src, i)
            if src.startswith("]", i):
                return items, i + 1
            value, i = _zola_value(src, i)
            if i is None:
                return None, None
            items.append(value)
            i = _skip_space(src, i)
            if src.startswith(",", i):
                i += 1
    match = _ZOLA_SCALAR.match(src, i)
    if not match:
        return None, None
    text, number, boolean = match.groups()
    if text is not None:
        return (json.loads(text) if text[0] == '"' else text[1:-1]), match.end()
    if number is not None:
        return (float(number) if "." in number else int(number)), match.end()
    return boolean == "true", match.end()


def _skip_space(src: str, i: int) -> int:
    while i < len(src) and src[i] in " \t\n":
        i += 1
    return i


def _closes(call: Call, opening: Call) -> bool:
    if opening.form == "zola%":
        return call.form == "zola%" and call.closing
    return call.closing and call.name == opening.name and call.form in "<%"


def _opens(call: Call, opening: Call) -> bool:
    if opening.form == "zola%":
        return call.form == "zola%" and not call.closing
    return not call.closing and call.name == opening.name and not call.self_closed and call.form in "<%"


def find_close(src: str, opening: Call, start: int, stop: int) -> tuple[int, int] | None:
    """(start, end) of the call closing `opening` in `src[start:stop]`, nested pairs of the same name skipped."""
    depth, i = 0, start
    while True:
        i = src.find("{", i, stop)
        if i < 0:
            return None
        call = parse_call(src, i)
        if call is None or call.end > stop:
            i += 1
            continue
        if _closes(call, opening):
            if depth == 0:
                return i, call.end
            depth -= 1
        elif _opens(call, opening):
            depth += 1
        i = call.end


def encode(call: Call, line: int, source: tuple[str, str], inner_raw: str | None) -> str:
    """The data part of a placeholder: base64 of JSON, which Markdown rendering and nh3 leave alone.
    `source` is the opening and closing calls as written (shown when the call cannot be expanded);
    `inner_raw` is None for a call without inner content."""
    data = {"name": call.name, "args": list(call.args), "kwargs": call.kwargs, "line": line,
            "inner_raw": inner_raw, "source": list(source)}
    return base64.b64encode(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).decode()


def decode(data: str) -> dict[str, Any]:
    return json.loads(base64.b64decode(data))


def lookup(key: str, *tables: dict[str, Any], default: Any = None) -> Any:
    """Hugo's `param`: the first table's value for `key` (`a.b` reaches into tables), else the next's."""
    for table in tables:
        value: Any = table
        for part in str(key).split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            return value
    return default


def strip_calls(html: str) -> str:
    """Body HTML with every call replaced by its inner content (summaries and lists show no shortcodes)."""
    if OPEN not in html:
        return html
    return re.sub(f"{OPEN}[^{DATA_END}]*{DATA_END}|{CLOSE}", "", html)


def _unsafe_url(value: Any) -> bool:
    """A script URL, also with the tabs and line breaks browsers ignore inside it (`java\tscript:`)."""
    return isinstance(value, str) and bool(_SCRIPT_URL.match(re.sub(r"[\t\n\r]", "", value)))


class _Problem(NamedTuple):
    line: int
    """0-based line in the body."""
    message: str


def _problems(env: dict) -> list[_Problem]:
    return env.setdefault("shortcode_problems", [])


def _checked(call: Call, env: dict, line: int) -> Call:
    """`call` without script URLs in its arguments (a warning each), relative URLs resolved by
    `env["shortcode_url"]` (against the article's folder)."""
    resolve = env.get("shortcode_url")
    if resolve and any(k in URL_KEYS for k in call.kwargs):
        call = call._replace(kwargs={k: resolve(v) if k in URL_KEYS and isinstance(v, str) and not _unsafe_url(v)
                                     else v for k, v in call.kwargs.items()})
    bad = [k for k, v in call.kwargs.items() if _unsafe_url(v)] + [str(i) for i, v in enumerate(call.args)
                                                                    if _unsafe_url(v)]
    if not bad:
        return call
    _problems(env).append(_Problem(line, f"shortcode {call.name!r}: a javascript:, vbscript: or data: URL "
                                         f"({', '.join(bad)}) was dropped; use an http(s) URL or a path"))
    return call._replace(args=tuple("" if _unsafe_url(v) else v for v in call.args),
                         kwargs={k: ("" if _unsafe_url(v) else v) for k, v in call.kwargs.items()})


def _block_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A call that starts a line and ends one (alone, or a pair with everything between as blocks)."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    pos = state.bMarks[start_line] + state.tShift[start_line]
    src = state.src
    if not src.startswith("{", pos) or escaped_call(src, pos):
        return False
    call = parse_call(src, pos)
    if call is None or call.closing:
        return False
    last = _line_at(state, start_line, end_line, call.end)
    if last is None:
        return False
    alone = not src[call.end:state.eMarks[last]].strip()
    found = None
    if call.form != "zola" and not call.self_closed:
        found = find_close(src, call, call.end, state.eMarks[end_line - 1])
    if found is None and (not alone or call.form == "zola%"):
        return False
    close_line = last if found is None else _line_at(state, last, end_line, found[1])
    if close_line is None or (found is not None and src[found[1]:state.eMarks[close_line]].strip()):
        return False  # the closing call is inside a paragraph: the inline rule pairs them
    if silent:
        return True
    base = state.env.get("shortcode_base", 0)  # the first line of the pair being parsed, if any
    line = base + start_line
    call = _checked(call, state.env, line)
    state.line = close_line + 1
    if found is None:
        token = state.push("shortcode", "", 0)
        token.meta = {"data": encode(call, line, (src[pos:call.end], ""), None)}
        token.map, token.block = [start_line, last + 1], True
        return True
    inner = src[call.end:found[0]]
    token = state.push("shortcode_open", "", 1)
    token.meta = {"data": encode(call, line, (src[pos:call.end], src[found[0]:found[1]]), inner.strip("\n"))}
    token.map, token.block = [start_line, close_line + 1], True
    first = len(state.tokens)
    state.env["shortcode_base"] = base + last
    state.md.block.parse(inner, state.md, state.env, state.tokens)
    state.env["shortcode_base"] = base
    for child in state.tokens[first:]:
        child.level += state.level
        if child.map:
            child.map = [child.map[0] + last, child.map[1] + last]
    state.push("shortcode_close", "", -1).block = True
    return True


def _line_at(state: StateBlock, line: int, end_line: int, offset: int) -> int | None:
    """The line (from `line` on, before `end_line`) holding the character before `offset`."""
    while line < end_line and state.eMarks[line] < offset:
        line += 1
    return line if line < end_line else None


def _inline_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("{", pos):
        return False
    escaped = escaped_call(src, pos)
    if escaped:
        if not silent:
            state.push("text", "", 0).content = unescape_calls(escaped.group(0))
        state.pos = escaped.end()
        return True
    call = parse_call(src, pos)
    if call is None or call.end > state.posMax:
        return False
    line = _inline_line(state, pos)
    if call.closing:
        if not silent:
            what = "{% end %}" if call.form == "zola%" else f"closing {call.name!r}"
            _problems(state.env).append(_Problem(line, f"shortcode {what} has no opening call; shown as text"))
            state.push("text", "", 0).content = src[pos:call.end]
        state.pos = call.end
        return True
    found = None
    if call.form != "zola" and not call.self_closed:
        found = find_close(src, call, call.end, state.posMax)
        if found is None and (call.form == "zola%" or _closed_later(state, call)):
            if not silent:
                _problems(state.env).append(_Problem(line, f"shortcode {call.name!r} is not closed in the same "
                                                           "paragraph; shown as text"))
                state.push("text", "", 0).content = src[pos:call.end]
            state.pos = call.end
            return True
    if silent:
        state.pos = found[1] if found else call.end
        return True
    call = _checked(call, state.env, line)
    if found is None:
        state.push("shortcode", "", 0).meta = {"data": encode(call, line, (src[pos:call.end], ""), None)}
        state.pos = call.end
        return True
    state.push("shortcode_open", "", 1).meta = {
        "data": encode(call, line, (src[pos:call.end], src[found[0]:found[1]]), src[call.end:found[0]])}
    old_max = state.posMax
    state.pos, state.posMax = call.end, found[0]
    state.md.inline.tokenize(state)
    state.posMax = old_max
    state.push("shortcode_close", "", -1)
    state.pos = found[1]
    return True


def _closed_later(state: StateInline, call: Call) -> bool:
    """Whether a closing call for `call` comes later in the body (then this opening is an unclosed pair)."""
    body = state.env.get("shortcode_source", "")
    close = re.compile(r"\{\{[<%]\s*/\s*" + re.escape(call.name) + r"\s*[>%]\}\}")
    return bool(close.search(body))


def _inline_line(state: StateInline, pos: int) -> int:
    """0-based body line of `pos` in an inline token."""
    base = state.env.get("shortcode_line", 0)
    return base + state.src.count("\n", 0, pos)


def _render_open(self, tokens, idx, _options, _env) -> str:
    return f"{OPEN}{tokens[idx].meta['data']}{DATA_END}" + ("\n" if tokens[idx].block else "")


def _render_close(self, tokens, idx, _options, _env) -> str:
    return CLOSE + ("\n" if tokens[idx].block else "")


def _render_call(self, tokens, idx, _options, _env) -> str:
    return f"{OPEN}{tokens[idx].meta['data']}{DATA_END}{CLOSE}" + ("\n" if tokens[idx].block else "")


def _unescape_code(state: StateCore) -> None:
    """Code shows Hugo's escaped calls as calls, like Hugo."""
    if "/*" not in state.src:
        return
    for token in state.tokens:
        if token.type in ("fence", "code_block"):
            token.content = unescape_calls(token.content)
        for child in token.children or ():
            if child.type == "code_inline":
                child.content = unescape_calls(child.content)


def _inline_with_lines(state: StateCore) -> None:
    """markdown-it's inline pass, telling the inline rule each block's first line."""
    md = state.md
    for token in state.tokens:
        if token.type == "inline":
            state.env["shortcode_line"] = token.map[0] if token.map else 0
            token.children = []
            md.inline.parse(token.content, md, state.env, token.children)


def shortcodes_plugin(md: MarkdownIt) -> None:
    """Recognise calls outside code; they render as placeholders (see `PLACEHOLDER`)."""
    md.block.ruler.before("paragraph", "shortcode", _block_rule, {"alt": ["paragraph", "blockquote", "list"]})
    md.inline.ruler.after("backticks", "shortcode", _inline_rule)
    md.core.ruler.at("inline", _inline_with_lines)
    md.core.ruler.push("shortcode_code", _unescape_code)
    md.add_render_rule("shortcode", _render_call)
    md.add_render_rule("shortcode_open", _render_open)
    md.add_render_rule("shortcode_close", _render_close)


def called_names(html: str) -> tuple[str, ...]:
    """Names of the shortcodes body HTML calls, sorted."""
    if OPEN not in html:
        return ()
    return tuple(sorted({decode(m.group(1))["name"]
                         for m in re.finditer(f"{OPEN}([^{DATA_END}]*){DATA_END}", html)}))


def figure_sources(html: str) -> tuple[str, ...]:
    """The site-root `src` of every `figure` call in body HTML, in order."""
    found = []
    for m in re.finditer(f"{OPEN}([^{DATA_END}]*){DATA_END}", html):
        data = decode(m.group(1))
        src = data["kwargs"].get("src") or (data["args"][0] if data["name"] == "figure" and data["args"] else "")
        if data["name"] == "figure" and isinstance(src, str) and src.startswith("/") and not src.startswith("//"):
            found.append(src)
    return tuple(found)
