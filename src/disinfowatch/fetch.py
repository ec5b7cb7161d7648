"""Fetch: polite, defensive HTTP for pages, feeds, sitemaps and OPML lists.

Everything fetched is hostile:

- SSRF guard. Before the first request and on every redirect hop the host is resolved and refused
  if any address is loopback, private, link-local, multicast, reserved, shared (100.64/10) or
  unspecified, IPv4-mapped and 6to4 IPv6 included, unless ``allow_private_addresses``. Plain-http
  requests then go to the checked address itself (the name is sent as ``Host``), so a name that
  resolves differently a moment later (DNS rebinding) cannot redirect the connection; https
  connects by name and the certificate must match it. URLs are parsed once, by httpx, so the host
  checked is the host connected to.
- robots.txt is read once per origin (redirects followed through the same guard, at most
  ``ROBOTS_MAX_BYTES``); 401/403 disallow all, other errors and unreachable files allow all, as
  common crawlers do; a ``Crawl-delay`` longer than ``host_delay`` is honoured.
- One host gets at most one request start per ``host_delay`` seconds (thread-safe).
- 429, 500, 502, 503, 504, timeouts and transport errors are retried ``fetch_retries`` times after
  ``fetch_backoff`` seconds doubled each time, or the server's ``Retry-After``, capped at
  ``fetch_max_backoff``.
- Bodies are streamed and decompressed here, never more than ``fetch_max_bytes`` at a time, so a
  gzip bomb stops at the cap; a ``Content-Length`` over the cap is refused before reading.
- ``fetch_timeout`` bounds connecting and each read; a whole request has a wall-clock deadline of
  ``DEADLINE_FACTOR`` times that, checked while the body streams (a dribbling server is cut off).
- No cookies are kept: each fetch stands alone.

Failures raise ``Rejected("fetch", reason, detail)``; ``reason`` is one of::

    bad-url              not http(s), no host, unparsable, or a redirect to such a URL
    blocked-address      the host resolves to a non-public address (SSRF guard)
    robots-disallowed    robots.txt forbids the URL for our user agent
    timeout              no answer within fetch_timeout, or the whole request past its deadline
    connection-error     the name does not resolve, the connection fails or breaks
    too-large            the body is (or announces it is) larger than fetch_max_bytes
    too-many-redirects   more than fetch_max_redirects hops
    bad-encoding         a corrupt gzip/deflate body, or a Content-Encoding we did not ask for
    http-<status>        any other status than 2xx and 304, after retries (http-404, http-503)
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import socket
import threading
import time
import urllib.robotparser
import zlib
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Callable

import httpx

from .errors import Rejected
from .records import Page
from .settings import Settings

log = logging.getLogger(__name__)

STAGE = "fetch"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 512_000  # like Google's 500 KiB: a bigger robots.txt is not read
DEADLINE_FACTOR = 3  # a whole request may take this many fetch_timeouts
DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")  # as sent on the wire (IDNA-encoded)

Resolver = Callable[[str, int], list[str]]


def _rejected(reason: str, detail: str) -> Rejected:
    return Rejected(STAGE, reason, detail)


def _short(url: str) -> str:
    return repr(url if len(url) <= 200 else url[:200] + "...")


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the order the system would try them."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def is_public(address: str) -> bool:
    """True if ``address`` is a globally routable unicast address that is safe to connect to."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public(str(ip.ipv4_mapped))
        if ip.sixtofour is not None and not is_public(str(ip.sixtofour)):
            return False
    return ip.is_global and not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
                                 or ip.is_reserved or ip.is_unspecified)


@dataclass(frozen=True)
class Target:
    """A URL that passed the guard: its host, robots origin and the checked addresses."""

    url: httpx.URL
    host: str  # as sent on the wire: lower case, IDNA-encoded, IPv6 without brackets
    origin: str  # scheme://host:port, the scope of one robots.txt
    addresses: tuple[str, ...]  # checked public addresses; () when private addresses are allowed


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)


class _Inflater:
    """Undoes a gzip or deflate Content-Encoding without ever making more bytes than there is room
    for, so a compression bomb stops at the cap instead of filling memory."""

    GZIP = 16 + zlib.MAX_WBITS

    def __init__(self, encoding: str, url: str):
        self.url = url
        name = encoding.strip().lower()
        if name in ("", "identity"):
            self.wbits = None
        elif name in ("gzip", "x-gzip"):
            self.wbits = self.GZIP
        elif name == "deflate":
            self.wbits = zlib.MAX_WBITS  # zlib-wrapped, as the RFC says; raw deflate if that fails
        else:
            raise _rejected("bad-encoding", f"{url} sent Content-Encoding {encoding!r}; only gzip and deflate "
                                            "were asked for")
        self._inflate = zlib.decompressobj(self.wbits) if self.wbits else None
        self._started = False

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data``; at most ``room + 1`` bytes come back (more than ``room`` means too large)."""
        if self._inflate is None:
            return data[:room + 1]
        out = bytearray()
        while data and len(out) <= room:
            if self._inflate.eof:  # another gzip member follows, or trailing junk (ignored)
                if self.wbits != self.GZIP or not data.startswith(b"\x1f\x8b"):
                    break
                self._inflate = zlib.decompressobj(self.wbits)
            try:
                out += self._inflate.decompress(data, room + 1 - len(out))
            except zlib.error as exc:
                if self.wbits == zlib.MAX_WBITS and not self._started:
                    self.wbits = -zlib.MAX_WBITS
                    self._inflate = zlib.decompressobj(self.wbits)
                    continue
                raise _rejected("bad-encoding", f"{self.url}: cannot decompress the body: {exc}") from None
            self._started = True
            # Below the limit decompress() consumed all input; anything left is past a stream's end.
            data = self._inflate.unused_data if self._inflate.eof else b""
        return bytes(out)


class Fetcher:
    """Fetches URLs as :class:`~disinfowatch.records.Page`; one per run, safe to share between threads.

    ``transport`` replaces the network (tests), ``resolver(host, port) -> [address, ...]`` the DNS
    lookup of the SSRF guard, ``sleep`` and ``clock`` the waits of the rate limit and back-off.
    """

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None,
                 resolver: Resolver = system_resolver, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self.resolver = resolver
        self.sleep = sleep
        self.clock = clock
        self._client = httpx.Client(
            transport=transport, follow_redirects=False, timeout=httpx.Timeout(settings.fetch_timeout),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),  # refuse every cookie
        )
        self._lock = threading.Lock()
        self._next_start: dict[str, float] = {}
        self._crawl_delay: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
              source: str | None = None, accept: str | None = None) -> Page:
        """GET ``url``, following at most ``fetch_max_redirects`` checked redirects.

        ``etag`` and ``last_modified`` (from an earlier fetch) make it a conditional GET: a 304
        comes back as a Page with status 304 and no content. Anything else but 2xx raises
        :class:`~disinfowatch.errors.Rejected`.
        """
        headers = {name: value for name, value in (("If-None-Match", etag), ("If-Modified-Since", last_modified),
                                                   ("Accept", accept)) if value}
        answer, final_url = self._follow(url, headers, self.settings.fetch_max_bytes, self.settings.fetch_retries,
                                         robots=self.settings.respect_robots)
        if answer.status == 304:
            return Page(url=url, content=b"", status=304, headers=answer.headers, final_url=final_url, source=source)
        if not 200 <= answer.status < 300:
            raise _rejected(f"http-{answer.status}", f"{final_url} answered {answer.status}"
                            + (f" (redirected from {url})" if final_url != url else ""))
        return Page(url=url, content=answer.content, content_type=answer.header("Content-Type") or "",
                    status=answer.status, headers=answer.headers, final_url=final_url, source=source)

    # -- the guard ------------------------------------------------------------------------

    def check_url(self, url: str) -> Target:
        """Parse ``url`` and check where it leads; raise Rejected (bad-url, blocked-address,
        connection-error) if it cannot or must not be fetched."""
        try:
            parsed = httpx.URL(url)
            host = parsed.raw_host.decode("ascii").lower()
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise _rejected("bad-url", f"cannot parse {_short(str(url))}: {exc}") from None
        if parsed.scheme not in DEFAULT_PORTS or not host:
            raise _rejected("bad-url", f"only http(s) URLs with a host can be fetched, not {_short(url)}")
        if not _valid_host(host):
            raise _rejected("bad-url", f"{_short(url)} has an invalid host {host!r}")
        port = parsed.port or DEFAULT_PORTS[parsed.scheme]
        if not 0 < port < 65536:
            raise _rejected("bad-url", f"{_short(url)} has an invalid port {port}")
        origin = f"{parsed.scheme}://{host}:{port}"
        if self.settings.allow_private_addresses:
            return Target(parsed, host, origin, ())
        try:
            addresses = tuple(self.resolver(host, port))
        except (OSError, UnicodeError) as exc:
            raise _rejected("connection-error", f"cannot resolve {host}: {exc}") from None
        if not addresses:
            raise _rejected("connection-error", f"{host} resolves to no address")
        blocked = [address for address in addresses if not is_public(address)]
        if blocked:
            raise _rejected("blocked-address", f"{host} resolves to {', '.join(blocked)}, not a public address; "
                                               "set allow_private_addresses to fetch from it")
        return Target(parsed, host, origin, addresses)

    def _follow(self, url: str, headers: dict[str, str], limit: int, retries: int, *,
                robots: bool) -> tuple[_Answer, str]:
        """GET with checked redirects; return the last answer and the URL it came from."""
        current = url
        for _hop in range(self.settings.fetch_max_redirects + 1):
            target = self.check_url(current)
            if robots and not self._allowed_by_robots(target):
                raise _rejected("robots-disallowed", f"robots.txt of {target.host} disallows {current}")
            answer = self._get(target, headers, limit, retries)
            location = answer.header("Location")
            if answer.status not in REDIRECT_STATUSES or not location:
                return answer, str(target.url)
            try:
                current = str(target.url.join(location.strip()))
            except httpx.InvalidURL as exc:
                raise _rejected("bad-url", f"{target.url} redirects to an unparsable {_short(location)}: {exc}") from None
            if httpx.URL(current).scheme not in DEFAULT_PORTS:
                raise _rejected("bad-url", f"{target.url} redirects to a non-http(s) URL {_short(current)}")
        raise _rejected("too-many-redirects",
                        f"{url} redirected more than {self.settings.fetch_max_redirects} times (last to {current})")

    # -- politeness -----------------------------------------------------------------------

    def _wait_turn(self, host: str) -> None:
        """Sleep until ``host`` may get its next request; reserve that start under the lock."""
        delay = max(self.settings.host_delay, self._crawl_delay.get(host, 0.0))
        with self._lock:
            now = self.clock()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + delay
        if start > now:
            self.sleep(start - now)

    def _allowed_by_robots(self, target: Target) -> bool:
        with self._lock:
            lock = self._robots_locks.setdefault(target.origin, threading.Lock())
        with lock:  # one fetch of robots.txt per origin, even with many threads
            if target.origin not in self._robots:
                self._robots[target.origin] = self._load_robots(target)
        parser = self._robots[target.origin]
        return parser is None or parser.can_fetch(self.settings.user_agent, str(target.url))

    def _load_robots(self, target: Target) -> urllib.robotparser.RobotFileParser | None:
        url = str(target.url.copy_with(path="/robots.txt", query=None, fragment=None))
        try:
            answer, _ = self._follow(url, {}, ROBOTS_MAX_BYTES, 0, robots=False)
        except Rejected as exc:
            log.info("robots.txt unavailable, fetching %s as allowed: %s", target.origin, exc)
            return None
        parser = urllib.robotparser.RobotFileParser(url)
        if answer.status in (401, 403):
            parser.disallow_all = True
        elif not 200 <= answer.status < 300:
            if answer.status >= 500:
                log.info("robots.txt of %s answered %s; fetching as allowed", target.origin, answer.status)
            parser.allow_all = True
        else:
            parser.parse(answer.content.decode("utf-8", "replace").splitlines())
            delay = parser.crawl_delay(self.settings.user_agent)
            if delay and float(delay) > self.settings.host_delay:
                self._crawl_delay[target.host] = min(float(delay), self.settings.fetch_max_backoff)
        return parser

    # -- one URL ----------------------------------------------------------------------------

    def _get(self, target: Target, headers: dict[str, str], limit: int, retries: int) -> _Answer:
        """One URL, no redirects: rate limit, retries with back-off; a 2xx body is read under ``limit``."""
        for attempt in range(retries + 1):
            last = attempt == retries
            self._wait_turn(target.host)
            answer = None
            try:
                answer = self._attempt(target, headers, limit)
            except httpx.TimeoutException:
                if last:
                    raise _rejected("timeout", f"{target.url} did not answer within "
                                               f"{self.settings.fetch_timeout:g}s") from None
            except httpx.TransportError as exc:
                if last:
                    raise _rejected("connection-error", f"{target.url}: {type(exc).__name__}: {exc}"[:300]) from None
            except httpx.InvalidURL as exc:
                raise _rejected("bad-url", f"{target.url}: {exc}") from None
            else:
                if last or answer.status not in RETRY_STATUSES:
                    return answer
            self.sleep(self._backoff(attempt, answer))
        raise AssertionError("unreachable")

    def _attempt(self, target: Target, headers: dict[str, str], limit: int) -> _Answer:
        deadline = time.monotonic() + self.settings.fetch_timeout * DEADLINE_FACTOR
        tries = self._connections(target)
        for i, (url, extra) in enumerate(tries):
            try:
                with self._client.stream("GET", url, headers={**headers, **extra}) as response:
                    content = b""
                    if 200 <= response.status_code < 300:
                        content = self._read(response, limit, deadline, str(target.url))
                    return _Answer(response.status_code, tuple(response.headers.multi_items()), content)
            except (httpx.ConnectError, httpx.ConnectTimeout):  # try the next checked address
                if i == len(tries) - 1:
                    raise
        raise AssertionError("unreachable")

    def _connections(self, target: Target) -> list[tuple[httpx.URL, dict[str, str]]]:
        """Where to connect, in order: plain http goes to the checked addresses (the name as Host)."""
        if target.url.scheme != "http" or not target.addresses:
            return [(target.url, {})]
        host = target.url.netloc.decode("ascii")
        return [(target.url.copy_with(host=address), {"Host": host}) for address in target.addresses]

    def _read(self, response: httpx.Response, limit: int, deadline: float, url: str) -> bytes:
        encoding = response.headers.get("Content-Encoding", "")
        length = response.headers.get("Content-Length", "").strip()
        if encoding.strip().lower() in ("", "identity") and length.isdigit() and int(length) > limit:
            raise _rejected("too-large", f"{url} announces {length} bytes; the cap is {limit}")
        if response.is_stream_consumed:  # an in-memory transport (tests) handed over a body read and decoded
            encoding, chunks = "", iter([response.content])
        else:
            chunks = response.iter_raw()
        inflater = _Inflater(encoding, url)
        body = bytearray()
        for chunk in chunks:
            if time.monotonic() > deadline:
                raise _rejected("timeout", f"{url} was still sending after "
                                           f"{self.settings.fetch_timeout * DEADLINE_FACTOR:g}s")
            body += inflater.feed(chunk, limit - len(body))
            if len(body) > limit:
                raise _rejected("too-large", f"{url} sent more than {limit} bytes"
                                + (f" after {encoding} decompression" if inflater.wbits else ""))
        return bytes(body)

    def _backoff(self, attempt: int, answer: _Answer | None) -> float:
        wait = self.settings.fetch_backoff * (2 ** attempt)
        retry_after = (answer.header("Retry-After") or "").strip() if answer is not None else ""
        if retry_after:
            try:
                wait = float(retry_after) if math.isfinite(float(retry_after)) else wait
            except ValueError:
                try:
                    wait = parsedate_to_datetime(retry_after).timestamp() - time.time()
                except (TypeError, ValueError, IndexError, OverflowError):
                    pass
        return max(0.0, min(wait, self.settings.fetch_max_backoff))


def _valid_host(host: str) -> bool:
    if ":" in host:  # an IPv6 literal
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    return len(host) <= 253 and _HOST_NAME.fullmatch(host) is not None
