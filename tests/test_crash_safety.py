"""Never lose the site: a build killed at any moment, a full disk, or two builds at once leave the last good
output/ in place, and the next build ends equal to a clean one."""
from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.errors import BuildFailed
from sitegen.output import Staging
from sitegen.session import CACHE_DIR
from tests.sitekit import build_site, snapshot, write_site

REPO = Path(__file__).resolve().parent.parent
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
TAGS = ["Syria", "Budget", "Elections", "Health", "Climate", "Courts", "Transport", "Schools"]


def archive(count: int) -> dict[str, str]:
    """`count` small articles over a few years, with overlapping tags and a few authors."""
    files = {}
    for n in range(count):
        year, month, day = 2015 + n % 8, 1 + n % 12, 1 + n % 28
        tags = ", ".join(TAGS[(n + k) % len(TAGS)] for k in range(1 + n % 3))
        files[f"{year}/{year}-{month:02d}-{day:02d}-story-{n}.md"] = (
            f"---\ntitle: Story number {n}\ndate: {year}-{month:02d}-{day:02d} 10:{n % 60:02d}\ntags: {tags}\n"
            f"author: Writer {n % 5}\n---\n" + f"Paragraph {n} about {TAGS[n % 8].lower()} and the council.\n\n" * 8)
    return files


def build_process(root: Path) -> subprocess.Popen:
    """`python build.py --source root` as its own process group (so its workers die with it)."""
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), "--source", str(root), "--quiet"],
                            env={**os.environ, **EPOCH}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def edit(root: Path) -> None:
    """A change that rewrites every page (the site title), removes one article and adds another."""
    (root / "site.toml").write_text('title = "Renamed wire"\n', encoding="utf-8")
    (root / "content/2015/2015-01-01-story-0.md").unlink()
    (root / "content/2022/2022-05-05-new.md").write_text("---\ntitle: New\ndate: 2022-05-05\n---\nNew.\n",
                                                         encoding="utf-8")


def manifest_of(root: Path) -> Path:
    output = str((root / "output").resolve())
    return root / CACHE_DIR / f"manifest-{hashlib.sha256(output.encode()).hexdigest()[:16]}.json"


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if ".staging-" in p.name)


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> tuple[Path, dict[str, bytes], dict[str, bytes], float]:
    """A built archive and its output S0; S1, a clean build after `edit`; and how long `build.py` takes to
    bring the archive from S0 to S1 (which must also give S1)."""
    base = tmp_path_factory.mktemp("kill")
    root = write_site(base / "site", archive(150), config='title = "Wire"\n')
    assert build_process(root).wait() == 0
    timed = base / "timed"
    shutil.copytree(root, timed, symlinks=True)
    edit(timed)
    start = time.perf_counter()
    assert build_process(timed).wait() == 0
    took = time.perf_counter() - start
    clean = base / "clean"
    shutil.copytree(timed / "content", clean / "content")
    shutil.copy(timed / "site.toml", clean / "site.toml")
    os.environ.update(EPOCH)
    try:
        build_site(clean, use_cache=False)
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH")
    assert snapshot(timed / "output") == snapshot(clean / "output")
    return root, snapshot(root / "output"), snapshot(clean / "output"), took


@pytest.mark.parametrize("fraction", [0.2, 0.4, 0.6, 0.8, 0.97])
def test_killed_build_leaves_the_last_good_site(tmp_path, sites, fraction, monkeypatch):
    original, old, new, took = sites
    root = tmp_path / "site"
    shutil.copytree(original, root, symlinks=True)
    (manifest,) = (root / CACHE_DIR).glob("manifest-*.json")
    manifest = manifest.rename(manifest_of(root))  # it is named after the output folder's path
    before = manifest.read_bytes()
    edit(root)
    process = build_process(root)
    time.sleep(took * fraction)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    now = snapshot(root / "output")
    if not manifest.exists():  # killed while moving files into place: each file whole, old or new
        assert set(now) <= set(old) | set(new)
        assert all(data in (old.get(rel), new.get(rel)) for rel, data in now.items())
    elif manifest.read_bytes() == before:  # killed before publishing began
        assert now == old
    else:  # published before the kill
        assert now == new
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH["SOURCE_DATE_EPOCH"])
    build_site(root)
    assert snapshot(root / "output") == new
    assert leftovers(root) == []


def test_staging_folders_of_killed_builds_are_removed(tmp_path):
    root = write_site(tmp_path, archive(3))
    for pid in (1, 99999):
        (tmp_path / f".output.staging-{pid}/2020").mkdir(parents=True)
    build_site(root)
    assert leftovers(tmp_path) == []


def test_full_disk_while_rendering_leaves_output_untouched(tmp_path, monkeypatch, capsys):
    root = write_site(tmp_path, archive(20))
    build_site(root)
    before = snapshot(root / "output")
    (root / "content/2015/2015-01-01-story-0.md").write_text("---\ntitle: Changed\ndate: 2015-01-01\n---\nx\n",
                                                             encoding="utf-8")

    def full(self, rel, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.root / rel))

    monkeypatch.setattr(Staging, "write", full)
    assert main(["build", "--source", str(root), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    staged = str(tmp_path / f".output.staging-{os.getpid()}")
    assert err.splitlines()[0].startswith(f"error: {staged}/")
    assert err.splitlines()[0].endswith(f": No space left on device; the build stopped and {root / 'output'} was "
                                        "left as it was")
    assert snapshot(root / "output") == before
    assert leftovers(tmp_path) == []
    monkeypatch.undo()
    build_site(root)
    assert b"Changed" in (root / "output/2015/01/story-0/index.html").read_bytes()


def test_full_disk_while_publishing_is_completed_by_the_next_build(tmp_path, monkeypatch):
    root = write_site(tmp_path, archive(20))
    build_site(root)
    (root / "site.toml").write_text('title = "Renamed"\n', encoding="utf-8")
    calls = []
    real = os.replace

    def replace_until_full(src, dst):
        calls.append(dst)
        if len(calls) > 5:
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace_until_full)
    with pytest.raises(BuildFailed) as failed:
        build_site(root, jobs=1)
    (error,) = failed.value.errors
    assert error.message == (f"No space left on device; the build stopped and {root / 'output'} was partly "
                             "updated; the next build completes it")
    monkeypatch.undo()
    build_site(root)
    clean = tmp_path / "clean"
    shutil.copytree(root / "content", clean / "content")
    shutil.copy(root / "site.toml", clean / "site.toml")
    build_site(clean, use_cache=False)
    assert snapshot(root / "output") == snapshot(clean / "output")


def test_second_build_while_one_runs_is_refused(tmp_path, capsys):
    root = write_site(tmp_path, archive(3))
    build_site(root)
    before = snapshot(root / "output")
    with open(root / CACHE_DIR / "lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(["build", "--source", str(root)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (f"error: {root.resolve() / CACHE_DIR / 'lock'}: another sitegen build of this "
                                   "site is running; wait for it to finish")
    assert snapshot(root / "output") == before


def test_lock_of_a_killed_build_does_not_block(tmp_path):
    root = write_site(tmp_path, archive(3))
    (root / CACHE_DIR).mkdir()
    holder = subprocess.Popen([sys.executable, "-c", ("import fcntl, sys, time\n"
                               f"h = open({str(root / CACHE_DIR / 'lock')!r}, 'w')\n"
                               "fcntl.flock(h, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(600)\n")],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    with pytest.raises(BuildFailed):
        build_site(root)
    holder.kill()
    holder.wait()
    holder.stdout.close()
    assert build_site(root).articles == 3
