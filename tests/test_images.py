"""The image module: widths, no upscaling, EXIF rotation, metadata stripped, WebP, bad files."""
from __future__ import annotations

import pytest
from PIL import Image

from sitegen.config import ImageSettings
from sitegen.images import ImageProblem, Job, image_digest, make_variants, plan_widths
from tests.imagekit import photo, save_jpeg

SETTINGS = ImageSettings(widths=[480, 800, 1200, 1600], quality=80)


def variants_of(path, tmp_path, settings=SETTINGS):
    out = tmp_path / "out"
    out.mkdir(parents=True, exist_ok=True)
    return make_variants(Job(str(path), image_digest(path.read_bytes(), settings)), settings, out), out


def test_widths_are_the_settings_the_image_reaches_and_its_own():
    assert plan_widths(2000, [480, 800, 1200, 1600]) == [480, 800, 1200, 1600]
    assert plan_widths(1000, [480, 800, 1200, 1600]) == [480, 800, 1000]
    assert plan_widths(300, [480, 800]) == [300]
    assert plan_widths(800, [800, 480]) == [480, 800]


def test_each_width_is_written_as_webp_and_the_original_format(tmp_path):
    info, out = variants_of(save_jpeg(photo(2000, 1333, 1), tmp_path / "a.jpg"), tmp_path)
    assert [(v.width, v.height) for v in info.variants] == [(480, 320), (800, 533), (1200, 800), (1600, 1066)]
    for v in info.variants:
        with Image.open(out / v.path.split("/")[-1]) as jpeg, Image.open(out / v.webp.split("/")[-1]) as webp:
            assert (jpeg.format, jpeg.size) == ("JPEG", (v.width, v.height))
            assert (webp.format, webp.size) == ("WEBP", (v.width, v.height))
        assert v.path.startswith(f"img/{info.digest}-{v.width}.")


def test_webp_is_smaller_than_the_original(tmp_path):
    source = save_jpeg(photo(1600, 1067, 2), tmp_path / "a.jpg", quality=90)
    info, out = variants_of(source, tmp_path)
    widest = info.variants[-1]
    assert widest.width == 1600
    assert (out / widest.webp.split("/")[-1]).stat().st_size < source.stat().st_size


def test_a_small_image_is_never_upscaled(tmp_path):
    info, _ = variants_of(save_jpeg(photo(300, 200, 3), tmp_path / "a.jpg"), tmp_path)
    assert [(v.width, v.height) for v in info.variants] == [(300, 200)]


def test_exif_orientation_is_applied_and_gps_stripped(tmp_path):
    sideways = photo(900, 1200, 4).transpose(Image.Transpose.ROTATE_90)
    source = save_jpeg(sideways, tmp_path / "p.jpg", orientation=6, gps=True)
    with Image.open(source) as original:
        assert original.size == (1200, 900) and original.getexif().get_ifd(0x8825)
    info, out = variants_of(source, tmp_path)
    assert (info.variants[-1].width, info.variants[-1].height) == (900, 1200)
    for v in info.variants:
        for name in (v.path, v.webp):
            with Image.open(out / name.split("/")[-1]) as published:
                exif = published.getexif()
                assert 0x0112 not in exif and not exif.get_ifd(0x8825)
                assert "exif" not in published.info and "xmp" not in published.info


def test_png_stays_png_with_its_transparency(tmp_path):
    image = Image.new("RGBA", (900, 600), (10, 20, 30, 0))
    image.paste((200, 40, 40, 255), (100, 100, 500, 400))
    image.save(tmp_path / "a.png")
    info, out = variants_of(tmp_path / "a.png", tmp_path)
    with Image.open(out / info.variants[0].path.split("/")[-1]) as small:
        assert small.format == "PNG" and small.mode == "RGBA"


def test_the_same_input_gives_the_same_bytes(tmp_path):
    source = save_jpeg(photo(1300, 900, 5), tmp_path / "a.jpg")
    first, out1 = variants_of(source, tmp_path / "one")
    again, out2 = variants_of(source, tmp_path / "two")
    assert first == again
    assert {p.name: p.read_bytes() for p in out1.iterdir()} == {p.name: p.read_bytes() for p in out2.iterdir()}


def test_the_digest_covers_the_settings():
    data = b"same bytes"
    assert image_digest(data, SETTINGS) != image_digest(data, ImageSettings(widths=[480], quality=80))
    assert image_digest(data, SETTINGS) != image_digest(data, ImageSettings(quality=70))


@pytest.mark.parametrize(("content", "problem"), [(b"not an image at all", "not a JPEG, PNG or WebP image"),
                                                  (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "broken or truncated")])
def test_a_broken_file_is_a_problem_not_a_crash(tmp_path, content, problem):
    (tmp_path / "bad.jpg").write_bytes(content)
    with pytest.raises(ImageProblem, match=problem):
        variants_of(tmp_path / "bad.jpg", tmp_path)


def test_a_truncated_file_is_a_problem(tmp_path):
    whole = save_jpeg(photo(1000, 700, 6), tmp_path / "whole.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImageProblem, match="broken or truncated"):
        variants_of(tmp_path / "cut.jpg", tmp_path)


@pytest.mark.parametrize("limit", [600 * 400 - 1, (600 * 400) // 2 - 1])
def test_a_decompression_bomb_is_a_problem(tmp_path, monkeypatch, limit):
    """Over Pillow's pixel limit (a warning) and over twice it (its DecompressionBombError)."""
    source = save_jpeg(photo(600, 400, 7), tmp_path / "bomb.jpg")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
    with pytest.raises(ImageProblem, match="too many pixels"):
        variants_of(source, tmp_path)
