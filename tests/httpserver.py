"""A real HTTP server on 127.0.0.1 (ephemeral port) for tests: register routes, read the request log.

    from httpserver import Response, http_server  # noqa: F401  (the fixture)

    def test_x(http_server):
        http_server.route("/feed.xml", body=b"...", headers={"Content-Type": "application/rss+xml"})
        http_server.redirect("/old", "/feed.xml")
        http_server.robots("User-agent: *\\nDisallow: /private\\n")
        url = http_server.url("/old")
        ...
        assert len(http_server.hits("/feed.xml")) == 1

A route is a fixed :class:`Response` or a callable ``handler(request) -> Response``; unknown paths
get 404. Responses can wait before answering (``delay``), dribble their body (``dribble`` seconds
between chunks of ``chunk_size`` bytes) and be sent chunked, without a Content-Length
(``chunked``). Helpers build redirects, gzip bombs and ETag/Last-Modified conditional routes.
"""

from __future__ import annotations

import gzip
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

import pytest


@dataclass
class Request:
    path: str  # with the query string
    headers: dict  # lower-case names
    at: float  # time.monotonic() when it arrived
    method: str = "GET"
    body: bytes = b""  # of a POST


@dataclass
class Response:
    status: int = 200
    headers: dict = field(default_factory=dict)  # None leaves a header out; a list repeats it
    body: bytes = b""
    delay: float = 0.0  # seconds before the status line
    dribble: float = 0.0  # seconds between body chunks
    chunk_size: int = 64  # bytes per chunk when dribbling or chunked
    chunked: bool = False  # Transfer-Encoding: chunked, no Content-Length


Route = Response | Callable[[Request], Response]


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped: about a thousandth of ``size`` on the wire."""
    return gzip.compress(b"\0" * size, compresslevel=9)


class TestServer:
    __test__ = False  # not a test class, despite its name

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    # -- registering routes -------------------------------------------------------------------

    def route(self, path: str, body: bytes | str = b"", status: int = 200, headers: dict | None = None, **kw) -> None:
        """A fixed answer for ``path`` (HTML unless ``headers`` say otherwise); ``kw`` as in Response."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Response(status, headers or {"Content-Type": "text/html; charset=utf-8"}, data, **kw)

    def handler(self, path: str, func: Callable[[Request], Response]) -> None:
        """Answer ``path`` with ``func(request)``, called in the server's thread for each request."""
        self.routes[path] = func

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.routes[path] = Response(status, {"Location": location})

    def robots(self, text: str, status: int = 200) -> None:
        self.route("/robots.txt", text, status=status, headers={"Content-Type": "text/plain"})

    def gzip_bomb(self, path: str, size: int) -> None:
        self.route(path, gzip_bomb(size), headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})

    def conditional(self, path: str, body: bytes | str, etag: str | None = None,
                    last_modified: str | None = None, **headers) -> None:
        """A route that answers 304 when the request's If-None-Match / If-Modified-Since match."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        validators = {"ETag": etag, "Last-Modified": last_modified}

        def answer(request: Request) -> Response:
            if (etag and request.headers.get("if-none-match") == etag) or (
                    last_modified and not etag and request.headers.get("if-modified-since") == last_modified):
                return Response(304, validators)
            return Response(200, {"Content-Type": "text/html; charset=utf-8", **validators, **headers}, data)

        self.routes[path] = answer

    # -- what happened ----------------------------------------------------------------------

    def hits(self, path: str) -> list[Request]:
        """The requests for ``path`` (query string ignored), in order."""
        with self._lock:
            return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # -- serving ------------------------------------------------------------------------------

    def _answer(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
        route = self.routes.get(request.path.split("?", 1)[0])
        response = route(request) if callable(route) else route
        return response or Response(404, {"Content-Type": "text/plain"}, b"not found")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                self._serve(send_body=True)

            def do_HEAD(self):
                self._serve(send_body=False)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self._serve(send_body=True, body=self.rfile.read(min(length, 10_000_000)))

            def _serve(self, send_body: bool, body: bytes = b""):
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic(),
                                  self.command, body)
                response = outer._answer(request)
                if response.delay:
                    time.sleep(response.delay)
                framing = ({"Transfer-Encoding": "chunked"} if response.chunked
                           else {"Content-Length": str(len(response.body))})
                try:
                    self.send_response(response.status)
                    for key, value in {**framing, **response.headers}.items():
                        for one in value if isinstance(value, (list, tuple)) else [value]:
                            if one is not None:
                                self.send_header(key, one)
                    self.end_headers()
                    if send_body and response.status not in (204, 304):
                        self._send_body(response)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _send_body(self, response: Response):
                body, step = response.body, max(1, response.chunk_size)
                if not (response.dribble or response.chunked):
                    self.wfile.write(body)
                    return
                for i in range(0, len(body), step):
                    piece = body[i:i + step]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if response.chunked else piece)
                    self.wfile.flush()
                    if response.dribble:
                        time.sleep(response.dribble)
                if response.chunked:
                    self.wfile.write(b"0\r\n\r\n")

        return Handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_server():
    """A running :class:`TestServer`, shut down after the test."""
    with TestServer() as server:
        yield server
