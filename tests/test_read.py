"""Readers: sniffing, feeds, sitemaps, OPML, WARC, JSONL and CSV into Pages and Rejections."""

import io
import json

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from disinfowatch import read
from disinfowatch.records import Page, Rejection


def test_sniff_tells_formats_apart():
    assert read.sniff(b'\xef\xbb\xbf<?xml version="1.0"?>\n<rss version="2.0">') == "feed"
    assert read.sniff(b'<?xml version="1.0"?><!-- c --><feed xmlns="http://www.w3.org/2005/Atom">') == "feed"
    assert read.sniff(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">') == "sitemap"
    assert read.sniff(b"<sitemapindex>") == "sitemap"
    assert read.sniff(b'<?xml version="1.0"?><opml version="2.0">') == "opml"
    assert read.sniff(b"<!DOCTYPE html><html lang=nb>") == "html"
    assert read.sniff(b"WARC/1.0\r\n") == "warc"
    assert read.sniff("date 2017-04\n\nTekst".encode()) == "text"


NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://example.org/a</loc><news:news><news:publication><news:name>Ex</news:name><news:language>nb</news:language></news:publication>
  <news:publication_date>2017-04-24T10:00:00+02:00</news:publication_date><news:title>Tittel</news:title></news:news></url>
 <url><loc>https://example.org/b</loc><lastmod>2017-04-25</lastmod></url>
</urlset>"""


def test_news_sitemap_and_index():
    pages, nested = read.parse_sitemap(NEWS_SITEMAP)
    assert nested == []
    assert pages[0] == {"url": "https://example.org/a", "published": "2017-04-24T10:00:00+02:00", "title": "Tittel", "language": "nb"}
    assert pages[1] == {"url": "https://example.org/b", "published": "2017-04-25"}
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://example.org/s1.xml</loc></sitemap></sitemapindex>'
    assert read.parse_sitemap(index) == ([], ["https://example.org/s1.xml"])


def test_xml_entities_are_not_expanded():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' \
           b'<urlset><url><loc>&b;</loc></url></urlset>'
    pages, _ = read.parse_sitemap(bomb)
    assert all(len(p["url"]) < 50 for p in pages)


def test_opml_lists_feeds():
    opml = b"""<opml version="2.0"><body><outline text="Group"><outline text="TASS" title="TASS" type="rss" xmlUrl="https://tass.example/rss"/>
    <outline text="No feed"/></outline></body></opml>"""
    assert read.parse_opml(opml) == [{"url": "https://tass.example/rss", "title": "TASS", "language": ""}]


def test_feed_with_full_content_yields_pages_without_fetching():
    body = "<p>" + "Innhold i artikkelen. " * 40 + "</p>"
    rss = f"""<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
      <language>nb</language><item><title>Sak</title><link>https://example.org/sak</link><pubDate>Mon, 24 Apr 2017 10:00:00 +0200</pubDate>
      <content:encoded><![CDATA[{body}]]></content:encoded></item>
      <item><title>Kort</title><link>https://example.org/kort</link><description>kort</description></item></channel></rss>""".encode()
    fetched = []

    def fetch(url, meta, source):
        fetched.append(url)
        return iter(())

    items = list(read.expand_feed(rss, "https://example.org/feed", fetch, "ex"))
    assert len(items) == 1 and isinstance(items[0], Page)
    assert items[0].url == "https://example.org/sak" and dict(items[0].meta)["title"] == "Sak"
    assert dict(items[0].meta)["language"] == "nb"
    assert fetched == ["https://example.org/kort"]  # no full content: fetched instead


def test_jsonl_and_csv_rows():
    data = "\n".join([json.dumps({"url": "u1", "text": "t", "lang": "nb", "outlet": "X"}), "", "{oops"]).encode()
    items = list(read.read_jsonl(data, "file:///d.jsonl"))
    assert isinstance(items[0], Page) and dict(items[0].meta) == {"url": "u1", "language": "nb", "source": "X"}
    assert isinstance(items[1], Rejection) and items[1].item == "file:///d.jsonl#L3" and items[1].reason == "bad-json"
    bad = list(read.read_csv(b"\xff\xfe\x00bad", "file:///x.csv"))
    assert bad[0].reason == "bad-encoding"


def _warc(records) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for url, ctype, body in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
        writer.write_record(record)
        record.raw_stream.close()
    request = writer.create_warc_record("https://example.org/a", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
    writer.write_record(request)
    request.raw_stream.close()
    return out.getvalue()


def test_warc_pages_and_rejections():
    data = _warc([("https://example.org/a", "text/html; charset=utf-8", b"<html><body><p>Hei</p></body></html>"),
                  ("https://example.org/logo.png", "image/png", b"\x89PNG"),
                  ("https://example.org/big", "text/html", b"x" * 5000)])
    items = list(read.read_warc(data, "file:///c.warc.gz", max_bytes=1000))
    assert [type(i).__name__ for i in items] == ["Page", "Rejection", "Rejection"]
    assert items[1].reason == "unsupported-content-type" and items[2].reason == "too-large"
    truncated = list(read.read_warc(data[: len(data) // 2] + b"garbage" * 10, "file:///t.warc.gz", max_bytes=10000))
    assert [type(i).__name__ for i in truncated][:1] == ["Page"], "records before the damage are kept"
    garbage = list(read.read_warc(b"WARC/1.0\r\nnot really" + bytes(range(256)), "file:///g.warc", max_bytes=10000))
    assert [(type(i).__name__, i.reason) for i in garbage] == [("Rejection", "bad-warc")]


def test_warc_zip_bomb_is_cut_at_the_cap():
    data = _warc([("https://example.org/bomb", "text/html", b"\0" * 30_000_000)])
    assert len(data) < 200_000  # it compresses to almost nothing
    items = list(read.read_warc(data, "file:///bomb.warc.gz", max_bytes=1_000_000))
    assert [(type(i).__name__, getattr(i, "reason", None)) for i in items] == [("Rejection", "too-large")]
