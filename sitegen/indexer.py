"""One Pagefind bundle from HTML documents, through the binary's `--service` mode.

The pagefind package's Python API speaks the same protocol (base64 JSON messages, each ended by a comma)
but reads one reply per 100 ms, which would take 17 minutes for a shard of 10,000 articles; here requests
go out on one thread while the replies are read as fast as they come. Pagefind's replies use its stdout,
so its stderr goes to a file, read only to say why it failed."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.routes import is_inside


@dataclass(frozen=True, slots=True)
class Indexed:
    """What one Pagefind run did."""

    problem: str | None
    """None on success, else what went wrong."""
    peak_rss_kib: int = 0
    """The Pagefind process's peak resident memory."""


def write_bundle(binary: Path, documents: Iterable[tuple[str, str]], bundle: Path) -> Indexed:
    """Index `documents` ((URL, HTML) pairs) and write the bundle into the folder `bundle`."""
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=errors)
        except OSError as exc:
            return Indexed(f"Pagefind ({binary}) could not run: {exc.strerror or exc}")
        assert proc.stdin is not None and proc.stdout is not None
        replies = _Replies(proc.stdout)
        problem = None
        try:
            index = replies.ask(proc.stdin, {"type": "NewIndex", "config": None})["index_id"]
            sender = threading.Thread(target=_send_all, args=(proc.stdin, replies, index, documents, bundle),
                                      daemon=True)
            sender.start()
            while (reply := replies.next()["payload"]).get("type") != "GetFiles":
                pass
            sender.join()
            problem = replies.failure or _write_files(reply.get("files", []), bundle)
        except (OSError, ValueError, KeyError):  # the service ended before answering
            problem = replies.failure or ""
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            proc.stdout.close()
        if problem is None and not (bundle / "pagefind-entry.json").is_file():
            problem = "no pagefind-entry.json was written"
        if problem is not None:
            errors.seek(0)
            said = [line.strip() for line in errors.read().decode(errors="replace").splitlines() if line.strip()]
            problem = f"Pagefind ({binary}) failed " + (f"with exit code {proc.returncode}" if problem == "" else
                                                         f"({problem})") + (f": {said[-1]}" if said else "")
        return Indexed(problem, usage.ru_maxrss)


def _write_files(files: list[dict], bundle: Path) -> str | None:
    """Write the bundle's files (path and base64 content each) into `bundle`; None, or what went wrong.
    The service's own WriteFiles returns before its writes reach the disk: files were found empty when
    the service ended right after it."""
    for file in files:
        rel = str(file.get("path", ""))
        if not is_inside(rel):
            return f"it named a file outside its bundle ({rel!r})"
        target = bundle / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(file.get("content", "")))
    return None


def _send_all(pipe, replies: _Replies, index: int, documents: Iterable[tuple[str, str]], bundle: Path) -> None:
    """Send every document, then ask for the bundle's files; on a failure, close the pipe so that the service
    ends."""
    try:
        for url, html in documents:
            if replies.failure is not None:
                pipe.close()
                return
            replies.send(pipe, {"type": "AddFile", "index_id": index, "url": url, "file_path": None,
                                "file_contents": html})
        replies.send(pipe, {"type": "GetFiles", "index_id": index})
        pipe.flush()
    except (OSError, ValueError) as exc:  # the service ended, or the reading side closed the pipe
        replies.failure = replies.failure or f"the service stopped reading ({getattr(exc, 'strerror', '') or exc})"


class _Replies:
    """Numbers requests and reads replies; a reply with an error payload records the failure."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.buffer = bytearray()
        self.sent = 0
        self.failure: str | None = None
        """The first error a reply reported."""

    def send(self, pipe, payload: dict) -> int:
        """Write one request (one thread sends at a time: the first request, then the sending thread's)."""
        self.sent += 1
        pipe.write(base64.b64encode(json.dumps({"message_id": self.sent, "payload": payload}).encode()) + b",")
        return self.sent

    def ask(self, pipe, payload: dict) -> dict:
        """Send one request after all earlier ones, flush, and read replies up to its own."""
        number = self.send(pipe, payload)
        pipe.flush()
        while True:
            reply = self.next()
            if reply.get("message_id") == number:
                return reply["payload"]

    def next(self) -> dict:
        """The next reply; ValueError when the service has ended."""
        end = self.buffer.find(b",")
        while end < 0:  # a bundle's files come as one reply of megabytes: look for its end in new bytes only
            chunk = self.stdout.read1(1 << 16)
            if not chunk:
                raise ValueError("no reply")
            looked = len(self.buffer)
            self.buffer += chunk
            end = self.buffer.find(b",", looked)
        reply = json.loads(base64.b64decode(self.buffer[:end]))
        del self.buffer[: end + 1]
        payload = reply.get("payload", {})
        if payload.get("type") == "Error" and self.failure is None:
            self.failure = str(payload.get("message", "error"))
        return reply
