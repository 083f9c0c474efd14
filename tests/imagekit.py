"""Deterministic test photos: gradients and shapes drawn with Pillow (the benchmark and the example archive's
photos are made with it too)."""
from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw


def photo(width: int, height: int, seed: int, label: str = "") -> Image.Image:
    """A photo-like RGB image: a sky-to-ground gradient, hills, a sun and boxes, different for each seed."""
    rng = random.Random(seed)
    top = tuple(rng.randrange(60, 200) for _ in range(3))
    bottom = tuple(rng.randrange(0, 120) for _ in range(3))
    column = Image.new("RGB", (1, 256))
    column.putdata([tuple(int(t + (b - t) * y / 255) for t, b in zip(top, bottom)) for y in range(256)])
    image = column.resize((width, height), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(image)
    r = min(width, height) // 8
    x, y = rng.randrange(r, width - r), rng.randrange(r, height // 2)
    draw.ellipse((x - r, y - r, x + r, y + r), fill=(250, 220, 120))
    for _ in range(3):
        base = rng.randrange(height // 2, height)
        points = [(0, height)] + [(i * width // 8, base - rng.randrange(0, height // 4)) for i in range(9)] + \
                 [(width, height)]
        draw.polygon(points, fill=tuple(rng.randrange(20, 140) for _ in range(3)))
    for _ in range(12):
        bx, by = rng.randrange(0, width), rng.randrange(height // 2, height)
        bw, bh = rng.randrange(width // 40 + 1, width // 10 + 2), rng.randrange(height // 30 + 1, height // 6 + 2)
        draw.rectangle((bx, by - bh, bx + bw, by), fill=tuple(rng.randrange(80, 255) for _ in range(3)))
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    image = Image.blend(image, noise, 0.08)
    if label:
        ImageDraw.Draw(image).text((width // 20, height // 20), label, fill=(255, 255, 255),
                                   font_size=max(12, height // 14))
    return image


def save_jpeg(image: Image.Image, path: Path, quality: int = 85, orientation: int | None = None,
              gps: bool = False) -> Path:
    """Save as JPEG, with an EXIF orientation tag and made-up GPS coordinates when asked."""
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (53.0, 32.0, 10.0), 3: "W", 4: (1.0, 15.0, 5.0)}
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=quality, exif=exif.tobytes() if (orientation or gps) else b"")
    return path
