"""Local preview for `sitegen serve`: serve the output folder on loopback and push live reloads to open pages."""
from __future__ import annotations

import json
import mimetypes
import queue
import re
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

EVENTS = "__sitegen/events"
HEARTBEAT = 15.0  # seconds; also how soon a vanished client is noticed
# The system's mime tables differ between machines (.xml as text/xml, .js as text/plain on some Windows hosts).
TYPES = {".html": "text/html", ".htm": "text/html", ".xml": "application/xml", ".css": "text/css",
         ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml"}
TEXTUAL = {"application/xml", "application/json", "application/javascript"}

# EventSource fires its own "error" on connection trouble; only a server event carries string data.
SCRIPT = """<script>(() => {
  const events = new EventSource(%s);
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("error", (e) => {
    if (typeof e.data !== "string") return;
    let box = document.getElementById("sitegen-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "sitegen-error";
      box.title = "Click to dismiss";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;max-height:80vh;overflow:auto;"
        + "box-sizing:border-box;margin:0;padding:1em 1.25em;background:#fff;color:#1a1a1a;"
        + "border-bottom:4px solid #c00;box-shadow:0 2px 12px rgba(0,0,0,.4);cursor:pointer";
      box.onclick = () => box.remove();
      const text = document.createElement("pre");
      // Wrapped, not one line running off-screen; the site's own pre styles must not apply.
      text.style.cssText = "margin:0;padding:0;background:none;border:0;color:inherit;white-space:pre-wrap;"
        + "overflow-wrap:anywhere;font:15px/1.5 ui-monospace,Menlo,Consolas,monospace";
      box.append(text);
      (document.body || document.documentElement).append(box);
    }
    box.firstChild.textContent = e.data;
  });
})();</script>"""


def content_type(path: Path) -> str:
    """The Content-Type for a file, with a charset for text."""
    kind = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    textual = kind.startswith("text/") or kind in TEXTUAL or kind.endswith(("+xml", "+json"))
    return f"{kind}; charset=utf-8" if textual else kind


def locate(output: Path, rel: str) -> Path | None:
    """The real path of decoded URL path `rel` under `output`, or None when it would leave the folder."""
    parts = [p for p in rel.split("/") if p not in ("", ".")]  # empty parts would make "/etc" absolute
    if any(p == ".." or "\\" in p or "\0" in p for p in parts):
        return None
    root = output.resolve()
    try:
        real = root.joinpath(*parts).resolve()  # follows symlinks, so the check below sees where they lead
    except (OSError, RuntimeError):  # symlink loops
        return None
    return real if real.is_relative_to(root) else None


def inject(page: bytes, script: bytes) -> bytes:
    """`page` with `script` placed before its last `</body>`, or at the end when there is none."""
    at = page.lower().rfind(b"</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


def sse(event: str, text: str) -> bytes:
    """One Server-Sent Event; data must be non-empty or browsers drop the event."""
    lines = re.split(r"\r\n|\r|\n", text or event)
    return (f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n").encode()


class PreviewServer:
    """Serves an output folder on loopback with live reload pushed to open pages (Server-Sent Events)."""

    def __init__(self, output: Path, base_path: str = "/", host: str = "127.0.0.1", port: int = 8000):
        self.output = Path(output)
        self.base_path = f"/{base_path.strip('/')}/" if base_path.strip("/") else "/"
        self.host, self.port = host, port
        self.script = (SCRIPT % json.dumps(self.base_path + EVENTS).replace("<", "\\u003c")).encode()
        self._lock = threading.Lock()
        self._clients: set[queue.Queue[bytes | None]] = set()
        self._error: str | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{quote(self.base_path)}"

    def start(self) -> None:
        """Bind and serve in a daemon thread; the socket is listening when this returns."""
        self._server = _Server((self.host, self.port), _Handler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="sitegen-serve",
                                        daemon=True)  # polls often, so stop() is prompt
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._broadcast(None)  # ends the open event streams
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def reload(self) -> None:
        with self._lock:
            self._error = None
        self._broadcast(sse("reload", "reload"))

    def show_error(self, text: str) -> None:
        with self._lock:
            self._error = text
        self._broadcast(sse("error", text))

    def _broadcast(self, message: bytes | None) -> None:
        with self._lock:
            for client in self._clients:
                client.put(message)

    def _subscribe(self) -> queue.Queue[bytes | None]:
        """A queue of events for one client, starting with the standing error if any."""
        client: queue.Queue[bytes | None] = queue.Queue()
        with self._lock:  # so no event falls between the snapshot and the subscription
            if self._server is None:
                client.put(None)
            elif self._error is not None:
                client.put(sse("error", self._error))
            self._clients.add(client)
        return client

    def _unsubscribe(self, client: queue.Queue[bytes | None]) -> None:
        with self._lock:
            self._clients.discard(client)


class _Server(ThreadingHTTPServer):
    def __init__(self, address: tuple[str, int], handler: type[_Handler], preview: PreviewServer):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.preview = preview
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can stall for seconds.
        super(ThreadingHTTPServer.__mro__[2], self).server_bind()  # socketserver.TCPServer
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a closed tab is not an error
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args) -> None:
        pass  # serve prints its own summary; a line per request would bury build errors

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def do_GET(self) -> None:
        self._respond(body=True)

    def _respond(self, body: bool) -> None:
        preview = self.server.preview
        url = urlsplit(self.path)
        path, base = unquote(url.path), preview.base_path
        if path == base + EVENTS:
            return self._stream(preview) if body else self._send(200, b"", "text/event-stream", body)
        if path in ("/", base.rstrip("/")) and path != base:
            return self._redirect(base, url.query)
        if not path.startswith(base):
            return self._not_found(preview, body)
        target = locate(preview.output, path[len(base):])
        if target is not None and target.is_dir():
            if not path.endswith("/"):  # rebuilt from the checked parts, so "//host" cannot become the Location
                rel = target.relative_to(preview.output.resolve()).as_posix()
                return self._redirect(base + ("" if rel == "." else rel + "/"), url.query)
            target = target / "index.html"
        elif path.endswith("/"):
            target = None  # a file named like a folder: production servers 404 here too
        if target is None or not self._send_file(preview, target, 200, body):
            self._not_found(preview, body)

    def _not_found(self, preview: PreviewServer, body: bool) -> None:
        page = locate(preview.output, "404.html")
        if page is None or not self._send_file(preview, page, 404, body):
            self._send(404, b"Not found\n", "text/plain; charset=utf-8", body)

    def _send_file(self, preview: PreviewServer, path: Path, status: int, body: bool) -> bool:
        """Send a file (live reload script added to HTML); False when it is not there."""
        try:
            data = path.read_bytes()  # a rebuild may swap the folder at any moment: just try
        except OSError:
            return False
        kind = content_type(path)
        if kind.startswith("text/html"):
            data = inject(data, preview.script)
        self._send(status, data, kind, body)
        return True

    def _send(self, status: int, data: bytes, kind: str, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _redirect(self, location: str, query: str) -> None:
        self.send_response(302)
        self.send_header("Location", quote(location) + (f"?{query}" if query else ""))
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _stream(self, preview: PreviewServer) -> None:
        """Hold the connection open and relay events until the client leaves or the server stops."""
        client = preview._subscribe()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while True:
                try:
                    message = client.get(timeout=HEARTBEAT)
                except queue.Empty:
                    message = b": ping\n\n"  # a write is the only way to learn the client has gone
                if message is None:
                    break
                self.wfile.write(message)
                self.wfile.flush()
        except ConnectionError:
            pass
        finally:
            preview._unsubscribe(client)
