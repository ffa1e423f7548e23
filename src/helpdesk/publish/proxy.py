"""The preview's front door: one address for every language's live-reloading engine server.

``helpdesk serve`` runs one engine server per language (each mounted at ``/<lang>/`` on
a private loopback port) and this small HTTP server in front of them on the address the
writer asked for:

* ``/`` -- redirects to the language the browser prefers (``Accept-Language``), else
  answers with the language chooser page (which asks ``navigator.languages``);
* ``/<lang>`` and everything under ``/<lang>/`` -- forwarded to that language's server;
* ``/livereload/...`` -- the engine's live-reload long poll, which its script sends to
  the server's root: forwarded to the server of the page that asks (its ``Referer``);
* anything else -- the source language's "not found" page, with status 404.
"""

from __future__ import annotations

import contextlib
import http.client
import mimetypes
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from helpdesk.publish.site_search import BUNDLE

LONG_POLL_TIMEOUT = 120.0
"""Seconds a forwarded request may take (the live-reload poll waits up to a minute)."""

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
}


_STARTING = """<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="1">
<title>Building the preview</title></head>
<body><p>This language's preview is being built; the page reloads by itself.</p></body></html>
"""


def preferred_language(header: str | None, languages: list[str]) -> str | None:
    """The best of ``languages`` for an ``Accept-Language`` header, or None.

    ``it-IT,it;q=0.9,en;q=0.8`` -> ``it``. Region subtags count as their language; a
    ``q=0`` language is refused; ties keep the header's order.
    """
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        lang = tag.strip().lower().split("-")[0]
        if quality > 0 and lang in languages:
            ranked.append((-quality, position, lang))
        elif quality > 0 and lang == "*":
            ranked.append((-quality, position, languages[0]))
    return min(ranked)[2] if ranked else None


_KINDS = {".wasm": "application/wasm", ".js": "text/javascript", ".json": "application/json"}


class FrontServer:
    """The front HTTP server (see the module docstring), run in a thread of its own."""

    def __init__(
        self,
        address: tuple[str, int],
        backends: dict[str, int],
        chooser: Callable[[], str],
        search_bundle: Callable[[str], Path] | None = None,
    ) -> None:
        """
        Args:
            address: where to listen.
            backends: each language's engine server port on 127.0.0.1, source first.
            chooser: the language chooser page's HTML (re-rendered as the KB changes).
            search_bundle: each language's search bundle folder, served at
                ``/<lang>/hd-search/`` (the engines' servers have none).
        """
        self.languages = list(backends)
        self.backends = backends
        self.chooser = chooser
        self.search_bundle = search_bundle
        handler = type("Handler", (_Handler,), {"front": self})
        self._server = ThreadingHTTPServer(address, handler)
        self._server.daemon_threads = True  # a waiting live-reload poll never holds a stop
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="preview-front",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=1)


class _Handler(BaseHTTPRequestHandler):
    front: FrontServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # the engines' servers already log what matters

    def handle(self) -> None:
        # The browser went away (a reload, a closed tab): there is nothing to answer.
        with contextlib.suppress(ConnectionError, TimeoutError):
            super().handle()

    def do_GET(self) -> None:
        self._route()

    def do_HEAD(self) -> None:
        self._route()

    def _route(self) -> None:
        path = urlsplit(self.path).path
        first = path.strip("/").split("/", 1)[0]
        if path in ("/", "/index.html"):
            self._root(path)
        elif first in self.front.backends:
            if path == f"/{first}":
                self._redirect(f"/{first}/", permanent=True)
            elif self.front.search_bundle and path.startswith(f"/{first}/{BUNDLE}/"):
                self._bundle_file(self.front.search_bundle(first), path.split("/", 3)[3])
            else:
                self._forward(self.front.backends[first])
        elif path.startswith("/livereload/"):
            self._forward(self.front.backends[self._page_language()])
        else:
            source = self.front.languages[0]
            self._forward(self.front.backends[source], path=f"/{source}/404.html", status=404)

    def _bundle_file(self, bundle: Path, name: str) -> None:
        if not bundle.is_dir():
            # Its first index is being built (the pages come first): ask again shortly.
            self.send_response(503)
            self.send_header("Retry-After", "2")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        file = (bundle / name).resolve()
        if not file.is_relative_to(bundle.resolve()) or not file.is_file():
            self._send(404, b"Not found.", "text/plain; charset=utf-8")
            return
        # WebAssembly must say so for the browser to compile it as it streams in.
        kind = _KINDS.get(file.suffix) or mimetypes.guess_type(file.name)[0]
        kind = kind or "application/octet-stream"
        self._send(200, file.read_bytes(), kind)

    def _root(self, path: str) -> None:
        wanted = preferred_language(self.headers.get("Accept-Language"), self.front.languages)
        if wanted is not None and path == "/":
            self._redirect(f"/{wanted}/", vary=True)
            return
        self._send(200, self.front.chooser().encode("utf-8"), "text/html; charset=utf-8")

    def _page_language(self) -> str:
        referer = urlsplit(self.headers.get("Referer", "")).path
        first = referer.strip("/").split("/", 1)[0]
        return first if first in self.front.backends else self.front.languages[0]

    def _redirect(self, location: str, *, permanent: bool = False, vary: bool = False) -> None:
        self.send_response(301 if permanent else 302)
        self.send_header("Location", location)
        if vary:
            self.send_header("Vary", "Accept-Language")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _forward(self, port: int, *, path: str | None = None, status: int | None = None) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=LONG_POLL_TIMEOUT)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            connection.request(self.command, path or self.path, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except ConnectionRefusedError:
            # Its engine is still building the first time: come back in a second.
            self.send_response(503)
            body = _STARTING.encode("utf-8")
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        except (OSError, http.client.HTTPException) as exc:
            message = f"The preview of this language is not answering ({exc}); see the terminal."
            self._send(502, message.encode("utf-8"), "text/plain; charset=utf-8")
            return
        finally:
            connection.close()
        self.send_response(status or response.status)
        for name, value in response.getheaders():
            if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
