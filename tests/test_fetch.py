"""Fetching over real HTTP against a local server: politeness, limits, retries and the SSRF guard.

Only 127.0.0.1 is ever contacted: the SSRF tests must be refused before connecting (the server log
proves it), and tests about public names use an injected resolver and httpx's in-memory transport.
"""

import gzip
import socket
import time
import tracemalloc
import zlib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from disinfowatch.errors import Rejected
from disinfowatch.fetch import Fetcher, is_public
from disinfowatch.settings import Settings
from httpserver import Response, http_server  # noqa: F401  (fixture)


class FakeTime:
    """A clock that only moves when the fetcher sleeps: waits are recorded, tests stay fast."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def make():
    """Build Fetchers (closed after the test)."""
    made = []

    def build(settings=None, **kwargs):
        fetcher = Fetcher(settings or Settings(host_delay=0.0), **kwargs)
        made.append(fetcher)
        return fetcher

    yield build
    for fetcher in made:
        fetcher.close()


@pytest.fixture
def local(make):
    """A Fetcher for the local test server (loopback allowed) and the fake time it waits on."""

    def build(**overrides):
        t = FakeTime()
        values = dict(allow_private_addresses=True, host_delay=0.0, fetch_timeout=2.0, fetch_backoff=0.5)
        values.update(overrides)
        return make(Settings(**values), sleep=t.sleep, clock=t.clock), t

    return build


def reason(fetcher, url, **kwargs):
    with pytest.raises(Rejected) as err:
        fetcher.fetch(url, **kwargs)
    assert err.value.stage == "fetch"
    return err.value.reason


def test_ok_and_not_found(http_server, local):
    http_server.route("/a", "<p>hei</p>")
    fetcher, _ = local()
    page = fetcher.fetch(http_server.url("/a"), source="nyheter", accept="text/html")
    assert page.status == 200 and page.content == b"<p>hei</p>" and "text/html" in page.content_type
    assert page.url == page.final_url == http_server.url("/a") and page.source == "nyheter"
    sent = http_server.hits("/a")[0].headers
    assert sent["user-agent"] == Settings().user_agent and sent["accept-encoding"] == "gzip, deflate"
    assert sent["accept"] == "text/html"
    assert reason(fetcher, http_server.url("/missing")) == "http-404"


def test_headers_kept_in_full_and_cookies_never_sent_back(http_server, local):
    http_server.route("/c", "x", headers={"Content-Type": "text/plain", "Set-Cookie": ["a=1; Path=/", "b=2; Path=/"]})
    fetcher, _ = local()
    page = fetcher.fetch(http_server.url("/c"))
    assert [value for name, value in page.headers if name.lower() == "set-cookie"] == ["a=1; Path=/", "b=2; Path=/"]
    fetcher.fetch(http_server.url("/c"))
    assert all("cookie" not in r.headers for r in http_server.hits("/c"))


def test_conditional_get(http_server, local):
    modified = "Mon, 24 Apr 2017 10:00:00 GMT"
    http_server.conditional("/c", "body", etag='"v1"', last_modified=modified)
    fetcher, _ = local()
    first = fetcher.fetch(http_server.url("/c"))
    assert first.status == 200 and first.header("etag") == '"v1"' and first.header("last-modified") == modified
    second = fetcher.fetch(http_server.url("/c"), etag='"v1"', last_modified=modified)
    assert second.status == 304 and second.content == b"" and second.final_url == http_server.url("/c")
    sent = http_server.hits("/c")[1].headers
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == modified
    assert "if-none-match" not in http_server.hits("/c")[0].headers


def test_retries_with_backoff_and_retry_after(http_server, local):
    answers = iter([Response(503), Response(429, {"Retry-After": "7"}), Response(200, {}, b"ok")])
    http_server.handler("/r", lambda request: next(answers))
    fetcher, t = local(fetch_retries=3)
    assert fetcher.fetch(http_server.url("/r")).content == b"ok"
    assert t.sleeps == [0.5, 7.0]  # exponential back-off, then the server's Retry-After


def test_retry_after_as_a_date_and_capped(http_server, local):
    soon = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=5), usegmt=True)
    answers = iter([Response(503, {"Retry-After": soon}), Response(429, {"Retry-After": "3600"}), Response(200)])
    http_server.handler("/r", lambda request: next(answers))
    fetcher, t = local(fetch_retries=2, fetch_max_backoff=30.0)
    assert fetcher.fetch(http_server.url("/r")).status == 200
    assert 3.0 < t.sleeps[0] <= 5.0 and t.sleeps[1] == 30.0


def test_retries_exhausted_with_capped_exponential_backoff(http_server, local):
    http_server.route("/down", status=503)
    fetcher, t = local(fetch_retries=4, fetch_max_backoff=1.5)
    assert reason(fetcher, http_server.url("/down")) == "http-503"
    assert len(http_server.hits("/down")) == 5 and t.sleeps == [0.5, 1.0, 1.5, 1.5]


def test_connection_errors_are_retried_then_rejected(local):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fetcher, t = local(fetch_retries=2, respect_robots=False)
    assert reason(fetcher, f"http://127.0.0.1:{port}/") == "connection-error"
    assert t.sleeps == [0.5, 1.0]


def test_redirects_followed_limited_and_scheme_checked(http_server, local):
    http_server.redirect("/r1", "/r2")
    http_server.redirect("/r2", http_server.url("/final"), status=301)
    http_server.route("/final", "done")
    fetcher, _ = local()
    page = fetcher.fetch(http_server.url("/r1"))
    assert page.url == http_server.url("/r1") and page.final_url == http_server.url("/final")
    assert page.content == b"done"
    http_server.redirect("/loop", "/loop")
    assert reason(fetcher, http_server.url("/loop")) == "too-many-redirects"
    assert len(http_server.hits("/loop")) == Settings().fetch_max_redirects + 1
    for target in ("file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1:70/"):
        http_server.redirect("/away", target)
        assert reason(fetcher, http_server.url("/away")) == "bad-url", target
    http_server.route("/nowhere", status=302)  # a redirect without a Location is an error
    assert reason(fetcher, http_server.url("/nowhere")) == "http-302"


def test_size_cap_announced_and_streamed(http_server, local):
    fetcher, _ = local(fetch_max_bytes=1000, fetch_timeout=1.0)
    http_server.route("/exact", b"x" * 1000)
    assert len(fetcher.fetch(http_server.url("/exact")).content) == 1000
    # Announces 10 GB and sends 5 bytes: refused from the header, or it would wait and time out.
    http_server.route("/liar", b"x" * 5, headers={"Content-Length": str(10 ** 10)})
    started = time.monotonic()
    assert reason(fetcher, http_server.url("/liar")) == "too-large"
    assert time.monotonic() - started < 0.5
    http_server.route("/chunked", b"x" * 5000, chunked=True, chunk_size=300)  # no Content-Length
    assert reason(fetcher, http_server.url("/chunked")) == "too-large"


def test_gzip_bomb_stops_at_the_cap_without_inflating(http_server, local):
    http_server.gzip_bomb("/bomb", 50_000_000)  # about 50 kB on the wire, 50 MB inflated
    fetcher, _ = local(fetch_max_bytes=1_000_000)
    tracemalloc.start()
    try:
        assert reason(fetcher, http_server.url("/bomb")) == "too-large"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, f"peak {peak} bytes"


def test_gzip_and_deflate_bodies_are_decoded(http_server, local):
    text = "Stoltenberg: NATO ønsker ikke konfrontasjon. ".encode() * 200
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    bodies = {"gzip": gzip.compress(text), "deflate": zlib.compress(text),
              "x-gzip": gzip.compress(text[:4000]) + gzip.compress(text[4000:])}  # two gzip members
    fetcher, _ = local()
    for encoding, body in bodies.items():
        http_server.route("/z", body, headers={"Content-Type": "text/plain", "Content-Encoding": encoding})
        assert fetcher.fetch(http_server.url("/z")).content == text, encoding
    http_server.route("/raw", raw_deflate.compress(text) + raw_deflate.flush(),
                      headers={"Content-Encoding": "deflate"}, chunked=True, chunk_size=100)
    assert fetcher.fetch(http_server.url("/raw")).content == text
    corrupt = bytearray(gzip.compress(text))
    corrupt[len(corrupt) // 2] ^= 0xFF
    http_server.route("/corrupt", bytes(corrupt), headers={"Content-Encoding": "gzip"})
    assert reason(fetcher, http_server.url("/corrupt")) == "bad-encoding"
    http_server.route("/br", b"\x0b\x02\x80hi\x03", headers={"Content-Encoding": "br"})
    assert reason(fetcher, http_server.url("/br")) == "bad-encoding"


def test_slow_and_dribbling_servers_time_out(http_server, local):
    http_server.route("/slow", b"late", delay=1.0)
    http_server.route("/dribble", b"y" * 64 * 40, dribble=0.1)  # 4 s in all, 0.1 s between reads
    fetcher, t = local(fetch_timeout=0.3, fetch_retries=0)
    for path in ("/slow", "/dribble"):
        started = time.monotonic()
        assert reason(fetcher, http_server.url(path)) == "timeout", path
        assert time.monotonic() - started < 2.5, path  # cut at 3 x fetch_timeout, not after 4 s


def test_robots_respected_and_fetched_once_per_host(http_server, local):
    http_server.robots("User-agent: *\nDisallow: /private\n")
    http_server.route("/public", "ok")
    http_server.route("/private/x", "secret")
    http_server.redirect("/sneaky", "/private/x")
    fetcher, _ = local()
    fetcher.fetch(http_server.url("/public"))
    fetcher.fetch(http_server.url("/public"))
    assert reason(fetcher, http_server.url("/private/x")) == "robots-disallowed"
    assert reason(fetcher, http_server.url("/sneaky")) == "robots-disallowed"  # checked on every hop
    assert len(http_server.hits("/robots.txt")) == 1 and not http_server.hits("/private/x")
    fetcher, _ = local(respect_robots=False)
    assert fetcher.fetch(http_server.url("/private/x")).content == b"secret"


@pytest.mark.parametrize("status, allowed", [(404, True), (410, True), (500, True), (401, False), (403, False)])
def test_robots_status(http_server, local, status, allowed):
    http_server.robots("User-agent: *\nDisallow: /\n", status=status)  # the body is ignored on errors
    http_server.route("/page", "ok")
    fetcher, _ = local()
    if allowed:
        assert fetcher.fetch(http_server.url("/page")).content == b"ok"
    else:
        assert reason(fetcher, http_server.url("/page")) == "robots-disallowed"
    assert len(http_server.hits("/robots.txt")) == 1


def test_robots_unreachable_allows_and_redirect_is_followed(http_server, local):
    http_server.route("/robots.txt", "User-agent: *\nDisallow: /\n", headers={"Content-Type": "text/plain"},
                      delay=1.0)
    http_server.route("/page", "ok")
    fetcher, _ = local(fetch_timeout=0.3)
    assert fetcher.fetch(http_server.url("/page")).content == b"ok"  # timed out robots.txt: allowed
    http_server.redirect("/robots.txt", "/real-robots.txt")
    http_server.route("/real-robots.txt", "User-agent: disinfowatch\nDisallow: /page\n")
    fetcher, _ = local()
    assert reason(fetcher, http_server.url("/page")) == "robots-disallowed"


def test_robots_crawl_delay_longer_than_host_delay(http_server, local):
    http_server.robots("User-agent: *\nCrawl-delay: 5\n")
    http_server.route("/a", "a")
    fetcher, t = local(host_delay=1.0)
    fetcher.fetch(http_server.url("/a"))
    fetcher.fetch(http_server.url("/a"))
    assert t.sleeps == [1.0, 5.0]  # robots.txt, then /a after host_delay, then /a after Crawl-delay


def test_per_host_rate_limit(http_server, local):
    http_server.route("/a", "a")
    fetcher, t = local(host_delay=2.0, respect_robots=False)
    for _ in range(3):
        fetcher.fetch(http_server.url("/a"))
    assert t.sleeps == [2.0, 2.0]
    starts = [r.at for r in http_server.hits("/a")]
    assert starts == sorted(starts)


def public_net(make, app, names, **settings):
    """A Fetcher whose DNS and network are in memory: nothing leaves the process."""
    t = FakeTime()
    values = dict(host_delay=0.0, respect_robots=False)
    values.update(settings)
    fetcher = make(Settings(**values), transport=httpx.MockTransport(app),
                   resolver=lambda host, port: names.get(host, [host]),  # an IP literal resolves to itself
                   sleep=t.sleep, clock=t.clock)
    return fetcher, t


def test_rate_limit_is_per_host(make):
    fetcher, t = public_net(make, lambda request: httpx.Response(200), {"a.example": ["93.184.216.34"],
                                                                      "b.example": ["93.184.216.35"]},
                            host_delay=3.0)
    for url in ("http://a.example/", "http://b.example/", "http://a.example/2", "http://b.example/2"):
        fetcher.fetch(url)
    assert t.sleeps == [3.0]  # b waits for nobody; the second b was due when the second a was done


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:{port}/a", "http://localhost:{port}/a", "http://[::1]:{port}/a", "http://169.254.169.254/latest",
    "http://10.0.0.1/", "http://192.168.1.1/", "http://[::ffff:127.0.0.1]:{port}/a", "http://0.0.0.0:{port}/",
    "http://2130706433:{port}/a", "http://100.100.100.200/latest/meta-data",
])
def test_ssrf_guard_refuses_private_targets_before_connecting(http_server, make, url):
    http_server.route("/a", "secret")
    fetcher = make(Settings(host_delay=0.0))  # allow_private_addresses is False by default
    assert reason(fetcher, url.format(port=http_server.port)) == "blocked-address"
    assert http_server.requests == []


def test_ssrf_guard_on_dns_and_on_every_redirect(make):
    """A public first hop redirecting inside is refused at the redirect, before the second request."""
    names = {"public.example": ["93.184.216.34"], "internal.example": ["10.1.2.3"],
             "rebind.example": ["93.184.216.34", "127.0.0.1"]}
    seen = []

    def app(request):
        seen.append(request.headers["host"] + request.url.raw_path.decode())
        target = {"/start": "http://internal.example/admin", "/loopback": "http://127.0.0.1:8080/admin",
                  "/mapped": "http://[::ffff:169.254.169.254]/latest"}[request.url.path]
        return httpx.Response(302, headers={"Location": target})

    fetcher, _ = public_net(make, app, names)
    assert reason(fetcher, "http://rebind.example/") == "blocked-address"  # one private address is enough
    assert seen == []
    for path, blocked in (("/start", "internal.example"), ("/loopback", "127.0.0.1"), ("/mapped", "169.254")):
        with pytest.raises(Rejected) as err:
            fetcher.fetch("http://public.example" + path)
        assert err.value.reason == "blocked-address" and blocked in err.value.detail
    assert seen == ["public.example/start", "public.example/loopback", "public.example/mapped"]


def test_plain_http_connects_to_the_checked_address(make):
    """DNS rebinding: the name resolves to a public address for the check and to loopback a moment
    later; the request still goes to the address that was checked, with the name as Host."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    requests = []

    def app(request):
        requests.append(request)
        return httpx.Response(200, text="ok")

    fetcher = make(Settings(host_delay=0.0, respect_robots=False), transport=httpx.MockTransport(app),
                   resolver=lambda host, port: next(answers))
    page = fetcher.fetch("http://rebind.example:8080/a?b=1")
    assert page.final_url == "http://rebind.example:8080/a?b=1" and page.content == b"ok"
    (request,) = requests
    assert request.url.host == "93.184.216.34" and request.url.port == 8080 and request.url.raw_path == b"/a?b=1"
    assert request.headers["host"] == "rebind.example:8080"


def test_https_connects_by_name_so_the_certificate_is_checked_for_it(make):
    seen = []

    def app(request):
        seen.append(str(request.url))
        return httpx.Response(200)

    fetcher, _ = public_net(make, app, {"secure.example": ["93.184.216.34"]})
    fetcher.fetch("https://secure.example/x")
    assert seen == ["https://secure.example/x"]


def test_unresolvable_name_is_a_connection_error(make):
    def resolver(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    fetcher = make(Settings(host_delay=0.0), resolver=resolver)
    assert reason(fetcher, "http://no-such-host.example/") == "connection-error"


def test_bad_urls(make):
    fetcher = make(Settings())
    for url in ("ftp://example.org/x", "file:///etc/passwd", "http:///nohost", "not a url", "http://[zz/",
                "javascript:alert(1)", "http://example.org:99999/", "http://exa mple.org/", ""):
        assert reason(fetcher, url) == "bad-url", url


def test_is_public():
    for address in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34"):
        assert is_public(address), address
    for address in ("127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.0.1", "169.254.169.254", "::1", "fe80::1",
                    "::ffff:10.0.0.1", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "fd00::1", "100.100.100.200",
                    "2002:7f00:1::1", "64:ff9b::7f00:1", "240.0.0.1", "255.255.255.255", "fe80::1%eth0", "junk"):
        assert not is_public(address), address


def test_context_manager_closes(http_server):
    http_server.route("/a", "a")
    with Fetcher(Settings(allow_private_addresses=True, host_delay=0.0)) as fetcher:
        assert fetcher.fetch(http_server.url("/a")).content == b"a"
    with pytest.raises(RuntimeError):
        fetcher.fetch(http_server.url("/a"))


def test_threads_share_one_robots_fetch_and_the_rate_limit(http_server, make):
    """Eight threads, one host, real time: robots.txt is read once and request starts stay spaced."""
    from concurrent.futures import ThreadPoolExecutor

    http_server.robots("User-agent: *\nDisallow: /private\n")
    http_server.route("/a", "a")
    fetcher = make(Settings(allow_private_addresses=True, host_delay=0.1))
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        pages = list(pool.map(lambda _: fetcher.fetch(http_server.url("/a")), range(8)))
    assert [p.content for p in pages] == [b"a"] * 8 and len(http_server.hits("/robots.txt")) == 1
    assert time.monotonic() - started >= 0.8  # robots.txt and 8 pages: 8 gaps of host_delay
    arrivals = sorted(r.at for r in http_server.requests)
    assert min(b - a for a, b in zip(arrivals, arrivals[1:])) > 0.05
