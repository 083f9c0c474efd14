"""Property: after any sequence of creates, edits, renames, deletes, shortcode calls and shortcode-template
edits, each followed by the watcher's incremental rebuild, the output is byte-identical to a clean build of
the same content, and the search index holds the same shards with the same records."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.session import BuildOptions
from sitegen.watch import Watcher
from tests.imagekit import photo, save_jpeg
from tests.sitekit import build_site, search_records, snapshot

WORDS = ("Aleppo", "budget", "council", "corridor", "vote", "talks", "harbour", "strike", "ferry", "court")
TAGS = ("Syria", "syria", "Budget", "São Paulo", "C++", "Ferries", "Courts")

SHORTCODE_TEMPLATES = ('<b class="box">{{ args[0] }}</b>', '<i>{{ args | join(",") }}</i>{{ inner }}', None)
"""Versions of templates/shortcodes/box.html (None: no such template, so calls show as text)."""

PHOTOS = ("a.jpg", "b.jpg")
"""Photos beside the articles: lead images, and body images of every other body."""

titles = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
bodies = st.lists(st.sampled_from(WORDS), min_size=1, max_size=30).map(lambda w: " ".join(w) + ".")
dates = st.builds("2{:03d}-{:02d}-{:02d}T{:02d}:30:00{}".format, st.integers(15, 24), st.integers(1, 12),
                  st.integers(1, 28), st.integers(0, 23), st.sampled_from(("+00:00", "+03:00", "-05:00")))
tag_lists = st.lists(st.sampled_from(TAGS), max_size=3)
operations = st.one_of(
    st.tuples(st.just("create"), titles, dates, tag_lists, bodies),
    st.tuples(st.just("title"), st.integers(0, 99), titles),
    st.tuples(st.just("body"), st.integers(0, 99), bodies),
    st.tuples(st.just("date"), st.integers(0, 99), dates),
    st.tuples(st.just("tags"), st.integers(0, 99), tag_lists),
    st.tuples(st.just("rename"), st.integers(0, 99)),
    st.tuples(st.just("delete"), st.integers(0, 99)),
    st.tuples(st.just("call"), st.integers(0, 99), st.sampled_from(WORDS)),
    st.tuples(st.just("template"), st.sampled_from(SHORTCODE_TEMPLATES)),
    st.tuples(st.just("image"), st.integers(0, 99), st.sampled_from(PHOTOS + (None,))),
    st.tuples(st.just("photo"), st.sampled_from(PHOTOS), st.integers(0, 2)),
)


def article(fields: dict) -> str:
    tags = ", ".join(f'"{t}"' for t in fields["tags"])
    image = fields.get("image")
    lead = f"image: {image}\n" if image else ""
    body = f"\n\n![A photo]({image})\n" if image and len(fields["body"]) % 2 else ""
    return (f'---\ntitle: "{fields["title"]}"\ndate: {fields["date"]}\ntags: [{tags}]\n{lead}---\n'
            f'{fields["body"]}\n{body}')


class Archive:
    """The content folder as a dict of file name -> fields, mirrored to disk."""

    def __init__(self, root: Path):
        self.content = root / "content"
        self.content.mkdir(parents=True)
        self.files: dict[str, dict] = {}
        self.counter = 0

    def apply(self, op: tuple) -> set[Path]:
        """Do one operation; the paths it touched."""
        kind, *args = op
        if kind == "template":
            path = self.content.parent / "templates/shortcodes/box.html"
            if args[0] is None:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(args[0], encoding="utf-8")
            return {path}
        if kind == "photo":
            path = self.content / args[0]
            save_jpeg(photo(520 + 40 * args[1], 360, args[1]), path)
            return {path}
        if kind == "create":
            self.counter += 1
            name = f"story-{self.counter}.md"
            self.files[name] = dict(zip(("title", "date", "tags", "body"), args))
            return {self._write(name)}
        if not self.files:
            return set()
        name = sorted(self.files)[args[0] % len(self.files)]
        if kind == "delete":
            del self.files[name]
            (self.content / name).unlink()
            return {self.content / name}
        if kind == "rename":
            self.counter += 1
            new = f"story-{self.counter}.md"
            self.files[new] = self.files.pop(name)
            (self.content / name).rename(self.content / new)
            return {self.content / name, self.content / new}
        if kind == "call":
            self.files[name]["body"] += f'\n\n{{{{< box "{args[1]}" >}}}}\n'
        else:
            self.files[name][kind] = args[1]
        return {self._write(name)}

    def _write(self, name: str) -> Path:
        path = self.content / name
        path.write_text(article(self.files[name]), encoding="utf-8")
        return path


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations, min_size=1, max_size=6))
def test_incremental_rebuilds_equal_clean_builds(ops):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        archive = Archive(root)
        archive.apply(("create", "First story", "2020-01-01T10:00:00+00:00", ["Syria"], "A first body."))
        archive.apply(("photo", "a.jpg", 0))
        archive.apply(("image", 0, "a.jpg"))
        watcher = Watcher(BuildOptions(source=root, output=root / "output", jobs=1), report=lambda line: None)
        try:
            watcher.rebuild(set())
            for step, op in enumerate(ops):
                changed = archive.apply(op)
                assert watcher.rebuild({p.resolve() for p in changed}) is not None
                clean = Path(tmp) / f"clean-{step}"
                build_site(root, output=clean / "output", use_cache=False, jobs=1)
                assert snapshot(root / "output") == snapshot(clean / "output"), (step, op)
                watcher.indexer.wait()
                assert search_records(root / "output") == search_records(clean / "output"), (step, op)
        finally:
            watcher.stop()  # each watcher holds an inotify instance; a user may have only 128
