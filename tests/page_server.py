"""A local web server for the ingestion tests, bound to 127.0.0.1 only.

It serves the saved pages and feeds of ``tests/data/pages`` (``{base}`` replaced by its own
address) and the ways real servers misbehave: redirects (chains, loops, to ``file://``),
error statuses, a slow answer, a body that is not HTML and one that is too large. Tests can
also publish a page of their own at any path with :meth:`PageServer.publish`, e.g. to change
an article between two fetches.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

PAGES = Path(__file__).resolve().parent / "data" / "pages"
SLOW_SECONDS = 3.0
_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/rss+xml; charset=utf-8"}


class PageServer:
    """What the handler serves; ``base`` is ``http://127.0.0.1:PORT``."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.published: dict[str, tuple[str, bytes]] = {}
        self.requests: list[tuple[str, str]] = []  # (path, user agent)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def publish(self, path: str, body: str | bytes, content_type: str = "text/html") -> str:
        """Serve ``body`` at ``path`` (``{base}`` replaced) and return its full URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.published[path] = (content_type, data.replace(b"{base}", self.base.encode()))
        return self.url(path)

    def saved(self, name: str) -> bytes:
        return (PAGES / name).read_bytes().replace(b"{base}", self.base.encode())


class _Handler(BaseHTTPRequestHandler):
    server_state: ClassVar[PageServer]

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        state = self.server_state
        path = self.path
        state.requests.append((path, self.headers.get("User-Agent", "")))
        if path in state.published:
            content_type, body = state.published[path]
            self._send(200, content_type, body)
        elif path.startswith("/pages/"):
            name = path.removeprefix("/pages/")
            file = PAGES / name
            if "/" in name or not file.is_file():
                self._send(404, "text/plain", b"not found")
            else:
                self._send(200, _TYPES.get(file.suffix, "text/plain"), state.saved(name))
        elif path.startswith("/redirect/"):  # /redirect/N/TARGET: N hops, then TARGET
            hops, _, target = path.removeprefix("/redirect/").partition("/")
            left = int(hops) - 1
            location = f"/redirect/{left}/{target}" if left > 0 else f"/{target}"
            self._redirect(location)
        elif path == "/loop":
            self._redirect("/loop")
        elif path == "/to-file":
            self._redirect("file:///etc/passwd")
        elif path.startswith("/status/"):
            self._send(int(path.removeprefix("/status/")), "text/html", b"<p>error</p>")
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._send(200, "text/html", state.saved("ferry-opengraph.html"))
        elif path == "/document.pdf":
            self._send(200, "application/pdf", b"%PDF-1.4 not really")
        elif path == "/huge.html":
            paragraph = b"<p>" + b"Endless words of a very long page. " * 30 + b"</p>\n"
            self._send(200, "text/html", b"<html><body>" + paragraph * 2000 + b"</body></html>")
        elif path == "/huge-chunked.html":
            self._chunked(b"<p>" + b"More and more words. " * 50 + b"</p>\n", 3000)
        else:
            self._send(404, "text/plain", b"not found")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The client may stop reading (a size limit): what it is meant to do.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _chunked(self, piece: bytes, count: int) -> None:
        """A body without Content-Length, so only counting the bytes can stop it."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(count):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")


@contextmanager
def serve_pages() -> Iterator[PageServer]:
    """Run the server on a free port of 127.0.0.1 for the duration of the block."""
    handler = type("Handler", (_Handler,), {})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    state = PageServer(f"http://127.0.0.1:{httpd.server_address[1]}")
    setattr(handler, "server_state", state)  # noqa: B010 (a class made for this server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
