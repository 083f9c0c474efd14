"""Images in built sites: every `<img>` sized as its file, srcset entries on disk, the lead image first,
body images lazy, bad images a warning, and a rebuild with no image change doing no image work."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image

import sitegen.images
from tests.imagekit import photo, save_jpeg
from tests.sitekit import build_site, write_site

STORY = """\
    ---
    title: Ferry returns
    date: 2020-10-23T10:00:00+00:00
    image: ferry.jpg
    image_alt: The ferry at the quay
    image_caption: The ferry on Monday
    image_credit: "Photo: A. Writer"
    ---
    The ferry is back.

    ![The quay at dawn](quay.png "Dawn")

    {{< figure src="/photos/harbour.jpg" caption="The *harbour*" credit="Photo: B" >}}

    ![Remote](https://example.org/remote.jpg)

    ![Broken](broken.jpg)
    """


class Tags(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "source"):
            self.found.append((tag, {k: v or "" for k, v in attrs}))


def make_site(root: Path, config: str = "") -> Path:
    """Photos at half the sizes a newsroom uses, with widths to match (the suite stays quick)."""
    widths = "" if "[images]" in config else "[images]\nwidths = [240, 400, 600, 800]\n"
    write_site(root, {"2020/ferry.md": STORY}, config + widths)
    save_jpeg(photo(1000, 667, 1), root / "content/2020/ferry.jpg")
    image = photo(450, 300, 2).convert("RGBA")
    image.save(root / "content/2020/quay.png")
    save_jpeg(photo(650, 433, 3), root / "static/photos/harbour.jpg")
    (root / "content/2020/broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    return root


def file_of(output: Path, url: str, base: str = "/") -> Path:
    path = unquote(urlsplit(url).path)
    assert path.startswith(base), url
    return output / path[len(base):]


def images_of(output: Path, rel: str) -> list[tuple[str, dict[str, str]]]:
    return Tags((output / rel).read_text(encoding="utf-8")).found


@pytest.mark.parametrize("base", ["/", "/archive/"])
def test_every_local_img_is_sized_as_its_files_and_its_srcset_exists(tmp_path, base):
    root = make_site(tmp_path / "site", f'base_url = "https://news.example.org{base}"\n')
    result = build_site(root, jobs=1)
    output = root / "output"
    found = images_of(output, "2020/10/ferry/index.html")
    imgs = [a for tag, a in found if tag == "img"]
    assert len(imgs) == 5
    for tag, attrs in found:
        for entry in attrs.get("srcset", "").split(","):
            if entry.strip():
                url, width = entry.split()
                with Image.open(file_of(output, url, base)) as variant:
                    assert variant.width == int(width[:-1])
                    assert variant.format == ("WEBP" if tag == "source" else variant.format)
    for attrs in imgs:
        if attrs["src"].startswith("https://") or "broken" in attrs["src"]:
            continue
        with Image.open(file_of(output, attrs["src"], base)) as shown:
            assert (str(shown.width), str(shown.height)) == (attrs["width"], attrs["height"])
    lead, quay, harbour, remote, broken = imgs
    assert lead["fetchpriority"] == "high" and "loading" not in lead and lead["alt"] == "The ferry at the quay"
    assert (lead["width"], lead["height"]) == ("800", "534")
    for body in (quay, harbour):
        assert (body["loading"], body["decoding"]) == ("lazy", "async")
    assert quay["alt"] == "The quay at dawn" and quay["title"] == "Dawn" and quay["src"].endswith(".png")
    assert harbour["alt"] == "The harbour"
    assert remote["src"] == "https://example.org/remote.jpg" and "srcset" not in remote
    assert broken["src"] == f"{base}2020/broken.jpg" and "srcset" not in broken
    assert [(w.path, w.message) for w in result.warnings] == [
        ("content/2020/broken.jpg", ("image not resized: broken or truncated (Truncated File Read); replace the "
                                     "file; pages show it as it is"))]
    html = (output / "2020/10/ferry/index.html").read_text(encoding="utf-8")
    assert "The ferry on Monday" in html and "Photo: A. Writer" in html and "Photo: B" in html


def test_webp_copies_are_smaller_than_the_originals(tmp_path):
    root = make_site(tmp_path / "site")
    build_site(root, jobs=1)
    webps = sorted((root / "output/img").glob("*.webp"))
    assert webps
    largest = max(webps, key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert largest.stat().st_size < (root / "content/2020/ferry.jpg").stat().st_size


def test_a_rebuild_without_image_changes_does_no_image_work(tmp_path, monkeypatch):
    encoded: list[Path] = []
    real = sitegen.images.encode
    monkeypatch.setattr(sitegen.images, "encode", lambda image, path, *a: (encoded.append(path), real(image, path, *a)))
    root = make_site(tmp_path / "site")
    build_site(root, jobs=1)
    assert len(encoded) == 2 * (4 + 3 + 4)  # ferry 240-800, quay 240-450, harbour 240-650; two formats
    story = root / "content/2020/ferry.md"
    story.write_text(story.read_text() + "\nAn update.\n")
    encoded.clear()
    result = build_site(root, jobs=1)
    assert encoded == [] and result.written and "images" in result.phases
    save_jpeg(photo(1000, 667, 9), root / "content/2020/ferry.jpg")  # a new photo under the same name
    result = build_site(root, jobs=1)
    assert len(encoded) == 8
    assert "2020/10/ferry/index.html" in result.rendered


def test_unchanged_images_keep_their_names_and_an_image_change_renames_them(tmp_path):
    root = make_site(tmp_path / "site")
    build_site(root, jobs=1)
    before = {p.name for p in (root / "output/img").iterdir()}
    build_site(root, output=tmp_path / "clean", use_cache=False, jobs=1)
    assert {p.name for p in (tmp_path / "clean/img").iterdir()} == before
    save_jpeg(photo(450, 300, 5), root / "static/photos/harbour.jpg")
    build_site(root, jobs=1)
    after = {p.name for p in (root / "output/img").iterdir()}
    assert len(before - after) == 8 and len(after - before) == 6  # 650 px wide → 450 px wide: 3 widths


def test_image_settings_are_checked(tmp_path):
    from sitegen.errors import BuildFailed

    root = make_site(tmp_path / "site", "[images]\nwidths = [0, 800]\nquality = 101\n")
    with pytest.raises(BuildFailed) as failed:
        build_site(root, jobs=1)
    assert [e.message for e in failed.value.errors] == [
        "'images.widths' must be a list of whole pixel widths from 16 to 8192, e.g. [480, 800, 1200, 1600]",
        "'images.quality' must be from 1 to 100"]


def test_the_widths_come_from_site_toml(tmp_path):
    root = make_site(tmp_path / "site", "[images]\nwidths = [320, 640]\nquality = 60\n")
    build_site(root, jobs=1)
    lead = images_of(root / "output", "2020/10/ferry/index.html")
    srcset = next(a["srcset"] for tag, a in lead if tag == "img")
    assert [e.split()[1] for e in srcset.split(", ")] == ["320w", "640w"]
