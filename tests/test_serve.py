"""Preview server: files under the base path, the live-reload script in HTML only, events pushed to pages."""
from __future__ import annotations

import http.client
import threading
from pathlib import Path

import pytest

from sitegen.serve import EVENTS, PreviewServer, content_type, inject, locate, sse


@pytest.fixture
def site(tmp_path):
    out = tmp_path / "output"
    (out / "2020/10/story").mkdir(parents=True)
    (out / "index.html").write_text("<!doctype html><html><body><p>front</p></body></html>")
    (out / "2020/10/story/index.html").write_text("<html><body>story</body></html>")
    (out / "feed.xml").write_text("<feed/>")
    (out / "404.html").write_text("<html><body>missing</body></html>")
    (tmp_path / "secret.txt").write_text("outside")
    return out


def serve(out: Path, base: str = "/") -> PreviewServer:
    server = PreviewServer(out, base, port=0)
    server.start()
    return server


def get(server: PreviewServer, path: str, method: str = "GET") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request(method, path)
    return conn.getresponse()


def test_pages_get_the_reload_script_and_other_files_do_not(site):
    server = serve(site)
    try:
        page = get(server, "/")
        body = page.read()
        assert page.status == 200 and page.getheader("Content-Type") == "text/html; charset=utf-8"
        assert body.index(b"EventSource") < body.index(b"</body>")
        feed = get(server, "/feed.xml")
        assert feed.read() == b"<feed/>" and feed.getheader("Content-Type") == "application/xml; charset=utf-8"
    finally:
        server.stop()
    assert b"EventSource" not in (site / "index.html").read_bytes()  # the built site never carries it


def test_folders_redirect_to_their_slash_and_missing_files_get_the_404_page(site):
    server = serve(site)
    try:
        moved = get(server, "/2020/10/story")
        assert moved.status == 302 and moved.getheader("Location") == "/2020/10/story/"
        assert b"story" in get(server, "/2020/10/story/").read()
        missing = get(server, "/nowhere/")
        assert missing.status == 404 and b"missing" in missing.read()
        assert get(server, "/feed.xml", "HEAD").read() == b""
    finally:
        server.stop()


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "//etc/passwd",
                                  "/%5c..%5csecret.txt"])
def test_nothing_outside_the_output_folder_is_served(site, path):
    server = serve(site)
    try:
        response = get(server, path)
        assert response.status in (302, 404) and b"outside" not in response.read()
    finally:
        server.stop()


def test_a_symlink_out_of_the_output_folder_is_not_followed(site):
    (site / "link.txt").symlink_to(site.parent / "secret.txt")
    assert locate(site, "link.txt") is None
    assert locate(site, "feed.xml") == (site / "feed.xml").resolve()


def test_the_base_path_is_honoured(site):
    server = serve(site, "/archive/")
    try:
        assert server.url.endswith("/archive/")
        root = get(server, "/")
        assert root.status == 302 and root.getheader("Location") == "/archive/"
        assert b"front" in get(server, "/archive/").read()
        assert get(server, "/index.html").status == 404
        assert b'"/archive/__sitegen/events"' in get(server, "/archive/").read()
    finally:
        server.stop()


def read_events(server: PreviewServer, count: int, received: list[str], ready: threading.Event) -> None:
    response = get(server, server.base_path + EVENTS)
    ready.set()
    while len(received) < count:
        line = response.readline().decode()
        if line.startswith(("event:", "data:")):
            received.append(line.strip())


def test_open_pages_are_told_to_reload_and_see_a_standing_error(site):
    server = serve(site)
    received: list[str] = []
    try:
        server.show_error("content/a.md:2: unclosed frontmatter")
        ready = threading.Event()
        reader = threading.Thread(target=read_events, args=(server, 4, received, ready), daemon=True)
        reader.start()
        assert ready.wait(10)
        while len(received) < 2:  # the standing error arrives first, then the reload is sent
            reader.join(0.05)
        server.reload()
        reader.join(10)
    finally:
        server.stop()
    assert received == ["event: error", "data: content/a.md:2: unclosed frontmatter", "event: reload", "data: reload"]


def test_helpers():
    assert inject(b"<p>x</p></BODY>", b"<s>") == b"<p>x</p><s></BODY>"
    assert inject(b"<p>x</p>", b"<s>") == b"<p>x</p><s>"
    assert sse("error", "a\nb") == b"event: error\ndata: a\ndata: b\n\n"
    assert content_type(Path("a.png")) == "image/png"
    assert content_type(Path("a.svg")) == "image/svg+xml; charset=utf-8"


def test_error_overlay_wraps_scrolls_and_is_dark_on_light():
    from sitegen.serve import SCRIPT
    assert "white-space:pre-wrap" in SCRIPT and "overflow-wrap:anywhere" in SCRIPT and "overflow:auto" in SCRIPT
    assert "background:#fff;color:#1a1a1a" in SCRIPT
