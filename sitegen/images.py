"""One local image → resized copies in its own format and in WebP, upright and without metadata (Pillow)."""
from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from PIL import __version__ as PILLOW_VERSION

from sitegen.config import ImageSettings
from sitegen.model import ImageInfo, Variant

RESIZED = frozenset({".jpg", ".jpeg", ".png", ".webp"})
"""Suffixes of the images the pipeline resizes; others (GIF, SVG) are copied as they are."""
_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
OUTPUT_FOLDER = "img"


class ImageProblem(Exception):
    """An image that cannot be read: broken, truncated, too large or not an image."""


@dataclass(frozen=True, slots=True)
class Job:
    """One image to make variants of."""

    source: str
    """Absolute path of the file."""
    digest: str
    """Of its bytes and the settings: names the variants."""


def settings_digest(settings: ImageSettings) -> str:
    """Changes with the widths, the quality and the encoder library."""
    return f"{sorted(set(settings.widths))}:{settings.quality}:{PILLOW_VERSION}"


def image_digest(data: bytes, settings: ImageSettings) -> str:
    """Names an image's variants: the same bytes under the same settings keep the same names."""
    return hashlib.sha256(settings_digest(settings).encode() + b"\0" + data).hexdigest()[:20]


def plan_widths(width: int, widths: list[int]) -> list[int]:
    """The widths to make of an image `width` pixels wide: those of the settings it reaches, and its own
    width when it is narrower than the widest setting; never wider than itself."""
    chosen = sorted({w for w in widths if w <= width})
    if width < max(widths) and width not in chosen:
        chosen.append(width)
    return chosen


def make_variants(job: Job, settings: ImageSettings, folder: Path) -> ImageInfo:
    """Write the variants of `job` into `folder` (named `<digest>-<width>.<ext>`); raise ImageProblem when
    the file is not a readable image. Each file is written to a temporary name and renamed, so a
    build stopped midway never leaves half a file under a final name."""
    image, ext = _open(job.source)
    variants = []
    for width in plan_widths(image.width, settings.widths):
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS,
                                                                   reducing_gap=3.0)
        name = f"{job.digest}-{width}"
        encode(resized, folder / f"{name}.{ext}", ext, settings.quality)
        encode(resized, folder / f"{name}.webp", "webp", settings.quality)
        variants.append(Variant(width, height, f"{OUTPUT_FOLDER}/{name}.{ext}", f"{OUTPUT_FOLDER}/{name}.webp"))
    return ImageInfo(job.digest, tuple(variants))


def _open(source: str) -> tuple[Image.Image, str]:
    """The image upright (EXIF orientation applied), fully decoded, with no metadata but its colour
    profile; and the suffix of its format."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                ext = _FORMATS.get(opened.format or "")
                if ext is None:
                    raise ImageProblem(f"a {opened.format} image is not resized; save it as JPEG, PNG or WebP")
                opened.load()
                image = ImageOps.exif_transpose(opened) or opened
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageProblem(f"too many pixels to resize safely ({exc}); make it smaller") from None
    except UnidentifiedImageError:
        raise ImageProblem("not a JPEG, PNG or WebP image Pillow can read; replace the file") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageProblem(f"broken or truncated ({exc}); replace the file") from None
    icc = image.info.get("icc_profile")
    image.info = {"icc_profile": icc} if icc else {}  # EXIF (with GPS), XMP and text chunks are not published
    if ext == "jpg" and image.mode != "RGB":
        image = image.convert("RGB")
    elif ext != "jpg" and image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info or image.mode in ("P", "PA") else "RGB")
    return image, ext


def encode(image: Image.Image, path: Path, ext: str, quality: int) -> None:
    """Encode with fixed settings and no metadata but the colour profile, so the same input gives the same
    bytes; one call per file (tests count them: a rebuild with no image change makes none)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    icc = image.info.get("icc_profile")
    extra = {"icc_profile": icc} if icc else {}
    if ext == "jpg":
        image.save(temp, "JPEG", quality=quality, optimize=True, progressive=True, **extra)
    elif ext == "png":
        image.save(temp, "PNG", optimize=True, **extra)
    else:
        image.save(temp, "WEBP", quality=quality, method=4, **extra)
    os.replace(temp, path)


def info_to_json(info: ImageInfo) -> str:
    return json.dumps({"digest": info.digest, "variants": [[v.width, v.height, v.path, v.webp] for v in info.variants]})


def info_from_json(text: str) -> ImageInfo:
    data = json.loads(text)
    return ImageInfo(data["digest"], tuple(Variant(w, h, p, x) for w, h, p, x in data["variants"]))
