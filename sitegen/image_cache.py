"""The image phase's work: resize the local images articles show, in workers, reusing `.sitegen-cache/images/`.

The cache holds each image's variants under content-addressed names (`<digest>-<width>.<ext>`, the digest
of the file's bytes and the image settings), `<digest>.json` listing them (or `<digest>.error` saying why
there are none) and `index.json`: source path → (size, mtime, inode, digest), so an unchanged file is not
even read again."""
from __future__ import annotations

import json
import os
from dataclasses import replace
from functools import partial
from pathlib import Path

from sitegen.config import ImageSettings
from sitegen.errors import SiteError, display_path
from sitegen.images import (
    RESIZED,
    ImageProblem,
    Job,
    image_digest,
    info_from_json,
    info_to_json,
    make_variants,
)
from sitegen.model import ImageInfo, Page, Site
from sitegen.pictures import article_images
from sitegen.progress import Progress
from sitegen.workers import map_chunks

CHUNK = 2
"""Images per worker task: one image is ~0.1-1 s of work, so small chunks balance the cores."""


def resize_images(site: Site, settings: ImageSettings, folder: Path, jobs: int, source: Path,
                  progress: Progress | None = None) -> tuple[Site, list[Page], list[SiteError]]:
    """The site with the resized images (`Site.images`), the pages copying their variants into the output
    (`img/...`) and a warning for each image that could not be read (its pages show it as it is)."""
    shown = sorted({p for a in site.articles.values() for p in article_images(a)
                    if p in site.assets and os.path.splitext(p)[1].lower() in RESIZED})
    if not shown:
        return site, [], []
    folder.mkdir(parents=True, exist_ok=True)
    index = _load_index(folder / "index.json")
    old_index = dict(index)
    found: dict[str, ImageInfo | str] = {}
    todo: dict[str, Job] = {}
    digests: dict[str, str] = {}
    for path in shown:
        src = site.assets[path]
        try:
            digest = _digest(src, settings, index)
        except OSError as exc:
            found[path] = f"cannot be read ({exc.strerror or exc})"
            continue
        digests[path] = digest
        known = _cached(folder, digest)
        if known is not None:
            found[path] = known
        elif digest not in todo:
            todo[digest] = Job(src, digest)
    for done, results in enumerate(map_chunks(partial(_resize_chunk, settings, folder), list(todo.values()),
                                               jobs, CHUNK)):
        if progress:
            progress("images", min((done + 1) * CHUNK, len(todo)), len(todo))
        for digest, result in results:
            name = f"{digest}.json" if isinstance(result, ImageInfo) else f"{digest}.error"
            text = info_to_json(result) if isinstance(result, ImageInfo) else result
            _write_text(folder / name, text)
    for path, digest in digests.items():
        if path not in found:
            found[path] = _cached(folder, digest) or "could not be resized"
    if index != old_index:
        _write_text(folder / "index.json", json.dumps(index, sort_keys=True))
    infos = {p: r for p, r in found.items() if isinstance(r, ImageInfo)}
    warnings = [SiteError(display_path(Path(site.assets[p]), source), f"image not resized: {r}; pages show it "
                          "as it is") for p, r in sorted(found.items()) if isinstance(r, str)]
    variants = {v_path: str(folder / Path(v_path).name) for info in infos.values() for v in info.variants
                for v_path in (v.path, v.webp)}
    pages = [Page(path=out, url=out, template="", kind="asset", params=(("source", src),),
                  inputs=frozenset({("file", src)})) for out, src in sorted(variants.items())]
    return replace(site, images=infos, assets={**site.assets, **variants}), pages, warnings


def _resize_chunk(settings: ImageSettings, folder: Path, chunk: list) -> list[tuple[str, ImageInfo | str]]:
    """Make the variants of a chunk of jobs (in a worker): each digest with its info or the problem."""
    results: list[tuple[str, ImageInfo | str]] = []
    for job in chunk:
        try:
            results.append((job.digest, make_variants(job, settings, folder)))
        except ImageProblem as exc:
            results.append((job.digest, str(exc)))
    return results


def _digest(src: str, settings: ImageSettings, index: dict[str, list]) -> str:
    """The image's digest: from the index while the file's size, mtime and inode are as recorded."""
    st = os.stat(src)
    stat = [st.st_size, st.st_mtime_ns, st.st_ino]
    entry = index.get(src)
    if entry is not None and entry[:3] == stat:
        return entry[3]
    with open(src, "rb") as handle:
        digest = image_digest(handle.read(), settings)
    index[src] = [*stat, digest]
    return digest


def _cached(folder: Path, digest: str) -> ImageInfo | str | None:
    """What an earlier build made of the image `digest`: its info (when every variant is still there) or
    the problem it found; None when it must be made."""
    try:
        info = info_from_json((folder / f"{digest}.json").read_text())
    except FileNotFoundError:
        try:
            return (folder / f"{digest}.error").read_text()
        except FileNotFoundError:
            return None
    except (ValueError, KeyError, TypeError):
        return None
    if all((folder / Path(p).name).exists() for v in info.variants for p in (v.path, v.webp)):
        return info
    return None


def _load_index(path: Path) -> dict[str, list]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_text(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text)
    os.replace(temp, path)
