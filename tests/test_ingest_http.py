"""Ingest over real HTTP from a local server: feeds, sitemaps, OPML, conditional GET, failures."""

from disinfowatch.clean import clean_text, split_header
from disinfowatch.demo.generate import news_page
from disinfowatch.pipeline import Ingester
from disinfowatch.settings import Settings
from httpserver import Response, http_server  # noqa: F401  (fixture)
from shared_data import SEED_ARTICLE, require


def _settings(store, tmp_path, **kw):
    values = dict(db=store.url, archive_dir=str(tmp_path / "archive"), allow_private_addresses=True,
                  host_delay=0.0, fetch_retries=1, fetch_backoff=0.01, fetch_timeout=2.0)
    return Settings(**{**values, **kw})


def _ingest(store, settings, targets, source=None):
    with Ingester(store, settings) as ingester:
        return ingester.ingest(targets, source)


def _rss(server, items):
    entries = "".join(f"<item><title>{t}</title><link>{server.url(p)}</link><description>{t}</description></item>" for p, t in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test</title>{entries}</channel></rss>'


def _seed_paragraphs():
    header, body, _ = split_header(require(SEED_ARTICLE).read_text(encoding="utf-8"))
    return header, clean_text(body).text


def test_seed_article_in_a_news_page_via_a_feed_gives_the_same_clean_text(store, tmp_path, http_server):
    header, cleaned = _seed_paragraphs()
    page = news_page("Russisk TV vrir på Stoltenberg-intervju", cleaned.split("\n\n"), date="2017-04-28T09:30:00+02:00",
                     author="Ola Nordmann", canonical_url="https://nyheter.example/utenriks/stoltenberg-russia24?utm_source=rss",
                     site_name="Nyheter Eksempel", lang="nb")
    http_server.route("/nyheter/stoltenberg", page)
    http_server.route("/feed.xml", _rss(http_server, [("/nyheter/stoltenberg", "Russisk TV vrir på Stoltenberg-intervju")]),
                      headers={"Content-Type": "application/rss+xml", "ETag": '"feed-1"'})
    report = _ingest(store, _settings(store, tmp_path), [http_server.url("/feed.xml")], "nyheter")
    assert (report.documents, report.rejected) == (1, 0)
    doc = store.get_document(report.stored_ids[0])
    assert doc.text == cleaned
    assert (doc.title, doc.author, doc.published, doc.language) == ("Russisk TV vrir på Stoltenberg-intervju", "Ola Nordmann", "2017-04-28T09:30:00+02:00", "nb")
    assert doc.canonical_url == "https://nyheter.example/utenriks/stoltenberg-russia24"
    assert doc.site_name == "Nyheter Eksempel" and doc.source == "nyheter"
    # The plain-text copy is the same document: linked, not stored again.
    again = _ingest(store, _settings(store, tmp_path), [str(SEED_ARTICLE)])
    assert again.exact_duplicates == 1 and store.count_documents() == 1
    # Polling the feed again: conditional GET answered 304, nothing fetched twice.
    http_server.handler("/feed.xml", lambda r: Response(304) if r.headers.get("if-none-match") == '"feed-1"' else Response(500))
    third = _ingest(store, _settings(store, tmp_path), [http_server.url("/feed.xml")], "nyheter")
    assert third.not_modified == 1 and len(http_server.hits("/nyheter/stoltenberg")) == 1


def test_feed_failures_are_recorded_and_the_rest_goes_on(store, tmp_path, http_server):
    body = "<p>" + "Regjeringen sier at den nye grenseovergangen skal åpne til våren. " * 6 + "</p>"
    http_server.route("/ok", f"<html lang=nb><body><article>{body}</article></body></html>")
    http_server.route("/slow", "<p>late</p>", delay=1.5)
    http_server.route("/gone", status=404, body="gone")
    http_server.route("/robots.txt", "User-agent: *\nDisallow: /secret\n", headers={"Content-Type": "text/plain"})
    http_server.route("/secret", "<p>no</p>")
    http_server.route("/feed.xml", _rss(http_server, [("/gone", "a"), ("/slow", "b"), ("/secret", "c"), ("/ok", "d")]),
                      headers={"Content-Type": "application/rss+xml"})
    settings = _settings(store, tmp_path, fetch_timeout=0.5, fetch_retries=0)
    report = _ingest(store, settings, [http_server.url("/feed.xml"), http_server.url("/not-a-feed-404")])
    assert report.documents == 1
    reasons = {r.item.rsplit("/", 1)[-1]: r.reason for r in store.rejections()}
    assert reasons == {"gone": "http-404", "slow": "timeout", "secret": "robots-disallowed", "not-a-feed-404": "http-404"}


def test_sitemap_and_opml(store, tmp_path, http_server):
    text = "Die Regierung sagt, dass der neue Grenzübergang im Frühjahr öffnen und die Kontrolle einfacher wird. "
    for i in range(3):
        http_server.route(f"/de/{i}", f"<html lang=de><body><article><p>{text * 4} Nummer {i}.</p></article></body></html>")
    http_server.route("/sitemap.xml", '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                      'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                      + "".join(f"<url><loc>{http_server.url(f'/de/{i}')}</loc><news:news><news:publication_date>2024-03-0{i + 1}"
                                "</news:publication_date><news:title>T</news:title></news:news></url>" for i in range(2))
                      + "</urlset>", headers={"Content-Type": "application/xml"})
    http_server.route("/feed.xml", _rss(http_server, [("/de/2", "x")]), headers={"Content-Type": "application/rss+xml"})
    http_server.route("/list.opml", f'<opml version="2.0"><body><outline text="F" xmlUrl="{http_server.url("/feed.xml")}"/></body></opml>',
                      headers={"Content-Type": "text/x-opml"})
    report = _ingest(store, _settings(store, tmp_path), [http_server.url("/sitemap.xml"), http_server.url("/list.opml")])
    assert report.documents == 3 and report.rejected == 0
    first = store.get_document(store.document_id_for_url(http_server.url("/de/0")))
    assert first.published == "2024-03-01" and first.language == "de"
    # A second pass skips the article URLs it already has.
    again = _ingest(store, _settings(store, tmp_path), [http_server.url("/sitemap.xml")])
    assert again.known == 2 and again.documents == 0
