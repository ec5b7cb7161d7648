"""Read: turn what an analyst points at into Pages.

Targets are local files (plain text, HTML, JSONL, CSV, WARC, RSS/Atom feeds, OPML lists, sitemaps,
optionally gzipped) and http(s) URLs (a page, a feed, an OPML list or a sitemap, told apart by their
content). Readers yield ``Page`` records for the pipeline and ``Rejection`` records for what cannot
be used (a malformed JSONL line, a WARC record that is not a page); one bad item never stops a batch.

JSONL and CSV documents use these fields (all optional but one of ``text``/``html``):
``url``, ``title``, ``text``, ``html``, ``published`` (or ``date``), ``language`` (or ``lang``),
``author``, ``source`` (or ``outlet``).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator
from urllib.parse import urljoin

from .errors import Rejected
from .records import Page, Rejection

Item = Page | Rejection

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
CSV_SUFFIXES = {".csv", ".tsv"}
XML_SUFFIXES = {".xml", ".rss", ".atom", ".opml"}
WARC_SUFFIXES = {".warc"}
META_FIELDS = {
    "url": "url", "title": "title", "published": "published", "date": "published",
    "language": "language", "lang": "language", "author": "author", "source": "source", "outlet": "source",
}
MAX_EXPANSION = 10_000  # links followed from one feed, sitemap or OPML list
MAX_SITEMAP_DEPTH = 3


def sniff(data: bytes) -> str:
    """Tell ``feed``, ``sitemap``, ``opml``, ``html``, ``warc`` or ``text`` from the first bytes."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"warc/"):
        return "warc"
    head = re.sub(rb"<\?xml[^>]*\?>|<!--.*?-->|<!doctype[^>]*>", b"", head, flags=re.S).lstrip()
    if re.match(rb"<(rss|feed|rdf:rdf)\b", head):
        return "feed"
    if re.match(rb"<(urlset|sitemapindex)\b", head):
        return "sitemap"
    if head.startswith(b"<opml"):
        return "opml"
    if re.match(rb"<(html|head|body|meta|div|article|p|title)\b", head) or data[:4096].lower().lstrip().startswith(b"<!doctype html"):
        return "html"
    return "text"


def _kind_for_path(path: Path, data: bytes) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    last = suffixes[-1] if suffixes else ""
    if last in WARC_SUFFIXES or (last == ".gz" and len(suffixes) > 1 and suffixes[-2] == ".warc"):
        return "warc"
    if last in JSONL_SUFFIXES:
        return "jsonl"
    if last in CSV_SUFFIXES:
        return "csv"
    if last in HTML_SUFFIXES:
        return "html"
    if last in XML_SUFFIXES:
        return sniff(data) if sniff(data) in ("feed", "sitemap", "opml") else "xml"
    if last in TEXT_SUFFIXES:
        return "text"
    return sniff(data)


def _capped_gunzip(data: bytes, limit: int, item: str) -> bytes:
    out = gzip.GzipFile(fileobj=io.BytesIO(data)).read(limit + 1)
    if len(out) > limit:
        raise Rejected("read", "too-large", f"{item} inflates past {limit} bytes")
    return out


def _meta(row: dict) -> tuple[tuple[str, str], ...]:
    pairs = []
    for key, name in META_FIELDS.items():
        value = row.get(key)
        if value not in (None, "") and not any(n == name for n, _ in pairs):
            pairs.append((name, str(value)))
    return tuple(pairs)


def _row_page(row: object, item: str, source: str | None) -> Page:
    if not isinstance(row, dict):
        raise Rejected("read", "bad-record", f"{item}: expected an object, got {type(row).__name__}")
    html, text = row.get("html"), row.get("text")
    if not isinstance(html, str) and not isinstance(text, str):
        raise Rejected("read", "no-text", f"{item}: the record has neither 'text' nor 'html'")
    meta = _meta(row)
    url = str(row.get("url") or item)
    if isinstance(html, str) and html.strip():
        return Page(url=url, content=html.encode("utf-8"), content_type="text/html", source=row.get("source") or source, meta=meta)
    return Page(url=url, content=str(text).encode("utf-8"), content_type="text/plain", source=row.get("source") or source, meta=meta)


def read_jsonl(data: bytes, origin: str, source: str | None = None) -> Iterator[Item]:
    for number, line in enumerate(data.splitlines(), start=1):
        item = f"{origin}#L{number}"
        if not line.strip():
            continue
        try:
            yield _row_page(json.loads(line), item, source)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield Rejection(item, "read", "bad-json", str(exc)[:200], source)
        except Rejected as exc:
            yield Rejection(item, exc.stage, exc.reason, exc.detail, source)


def read_csv(data: bytes, origin: str, source: str | None = None) -> Iterator[Item]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Rejection(origin, "read", "bad-encoding", f"CSV is not UTF-8: {exc}", source)
        return
    dialect = "excel-tab" if origin.endswith(".tsv") else "excel"
    csv.field_size_limit(50_000_000)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
        for number, row in enumerate(reader, start=2):
            item = f"{origin}#L{number}"
            try:
                yield _row_page({k: v for k, v in row.items() if k}, item, source)
            except Rejected as exc:
                yield Rejection(item, exc.stage, exc.reason, exc.detail, source)
    except csv.Error as exc:
        yield Rejection(origin, "read", "bad-csv", str(exc)[:200], source)


def read_warc(data: bytes | BinaryIO, origin: str, max_bytes: int, source: str | None = None) -> Iterator[Item]:
    """The HTML responses of a WARC (bytes, or an open binary file read as a stream)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    seen = 0
    try:
        stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
        for index, record in enumerate(ArchiveIterator(stream)):
            seen += record.rec_type in ("warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion")
            if record.rec_type != "response":
                continue  # request, metadata, warcinfo: not content
            url = record.rec_headers.get_header("WARC-Target-URI") or f"{origin}#record{index}"
            http = record.http_headers
            ctype = (http.get_header("Content-Type") if http else "") or ""
            body = record.content_stream().read(max_bytes + 1)
            if len(body) > max_bytes:
                yield Rejection(url, "read", "too-large", f"WARC record over {max_bytes} bytes", source)
                continue
            if "html" not in ctype.lower() and "text/plain" not in ctype.lower():
                yield Rejection(url, "read", "unsupported-content-type", f"WARC record of type {ctype or 'unknown'}", source)
                continue
            status = int(http.get_statuscode() or 200) if http else 200
            if status >= 400:
                yield Rejection(url, "read", f"http-{status}", "archived error response", source)
                continue
            date = record.rec_headers.get_header("WARC-Date") or ""
            headers = tuple(http.headers) if http else ()
            yield Page(url=url, content=body, content_type=ctype, status=status, headers=headers,
                       source=source, meta=(("archived_at", date),) if date else ())
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, AttributeError, TypeError) as exc:
        # warcio raises assorted errors on truncated or corrupt archives; what was read stays read
        yield Rejection(origin, "read", "bad-warc", f"{type(exc).__name__}: {exc}"[:200], source)
        return
    if not seen:
        yield Rejection(origin, "read", "bad-warc", "no WARC records found", source)


def _safe_xml(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    root = etree.fromstring(data, parser=parser)
    if root is None:
        raise Rejected("read", "bad-xml", "no XML document found")
    return root


def parse_opml(data: bytes) -> list[dict]:
    """Feeds named in an OPML list: dicts with url, title, language (when given)."""
    root = _safe_xml(data)
    feeds = []
    for outline in root.iter("{*}outline", "outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if url:
            feeds.append({"url": url.strip(), "title": outline.get("title") or outline.get("text") or "",
                          "language": outline.get("language") or ""})
    return feeds


def parse_sitemap(data: bytes) -> tuple[list[dict], list[str]]:
    """(page entries with url/published/title, nested sitemap URLs) from a sitemap or sitemap index."""
    root = _safe_xml(data)
    pages, nested = [], []
    local = lambda el: el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""  # noqa: E731
    if local(root) == "sitemapindex":
        for el in root:
            loc = next((c.text for c in el if local(c) == "loc" and c.text), None)
            if loc:
                nested.append(loc.strip())
        return pages, nested
    for el in root:
        if local(el) != "url":
            continue
        entry: dict[str, str] = {}
        for child in el.iter():
            name = local(child)
            if name == "loc" and child.text and "url" not in entry:
                entry["url"] = child.text.strip()
            elif name in ("publication_date", "lastmod") and child.text and "published" not in entry:
                entry["published"] = child.text.strip()
            elif name == "title" and child.text:
                entry["title"] = child.text.strip()
            elif name == "language" and child.text:
                entry["language"] = child.text.strip()
        if entry.get("url"):
            pages.append(entry)
    return pages, nested


def parse_feed(data: bytes) -> list[dict]:
    """Feed entries as dicts: url, title, published, author, and html content when the feed has it."""
    import feedparser

    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        raise Rejected("read", "bad-feed", f"cannot parse feed: {parsed.get('bozo_exception')}")
    entries = []
    for entry in parsed.entries[:MAX_EXPANSION]:
        content = ""
        for part in entry.get("content", []) or []:
            if len(part.get("value", "")) > len(content):
                content = part.get("value", "")
        published = entry.get("published") or entry.get("updated") or ""
        entries.append({"url": entry.get("link", ""), "title": entry.get("title", ""), "published": published,
                        "author": entry.get("author", ""), "html": content,
                        "language": parsed.feed.get("language", "") if parsed.get("feed") else ""})
    return entries


MIN_FEED_CONTENT = 500  # a feed entry with at least this much content is used as is, not fetched


def expand_feed(data: bytes, origin: str, fetch, source: str | None) -> Iterator[Item]:
    try:
        entries = parse_feed(data)
    except Rejected as exc:
        yield Rejection(origin, exc.stage, exc.reason, exc.detail, source)
        return
    for entry in entries:
        meta = _meta(entry)
        url = urljoin(origin, entry["url"]) if entry["url"] else ""
        if len(entry["html"]) >= MIN_FEED_CONTENT or not url.startswith(("http://", "https://")):
            if entry["html"]:
                yield Page(url=url or origin, content=entry["html"].encode("utf-8"), content_type="text/html",
                           source=source, meta=meta)
            else:
                yield Rejection(url or origin, "read", "no-text", "feed entry without content or link", source)
            continue
        yield from fetch(url, meta, source)


def expand_sitemap(data: bytes, origin: str, fetch, fetch_bytes, source: str | None, depth: int = 0) -> Iterator[Item]:
    try:
        pages, nested = parse_sitemap(data)
    except Rejected as exc:
        yield Rejection(origin, exc.stage, exc.reason, exc.detail, source)
        return
    for entry in pages[:MAX_EXPANSION]:
        yield from fetch(urljoin(origin, entry["url"]), _meta(entry), source)
    if depth >= MAX_SITEMAP_DEPTH and nested:
        yield Rejection(origin, "read", "too-deep", f"sitemap index nested deeper than {MAX_SITEMAP_DEPTH}", source)
        return
    for url in nested[:MAX_EXPANSION]:
        try:
            page = fetch_bytes(urljoin(origin, url))
        except Rejected as exc:
            yield Rejection(url, exc.stage, exc.reason, exc.detail, source)
            continue
        if page is not None:
            yield from expand_sitemap(page.content, url, fetch, fetch_bytes, source, depth + 1)


def with_meta(page: Page, meta: Iterable[tuple[str, str]]) -> Page:
    """The page with extra metadata (from a feed entry or sitemap) appended, the page's own first."""
    from dataclasses import replace

    known = {k for k, _ in page.meta}
    return replace(page, meta=page.meta + tuple((k, v) for k, v in meta if k not in known))


def decode(data: bytes, item: str = "") -> str:
    """Bytes to text: UTF-8 (with or without BOM), else the detected charset; binary is rejected."""
    head = data[:8192]
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise Rejected("read", "binary", f"{item or 'input'} contains NUL bytes: not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is None:
        raise Rejected("read", "bad-encoding", f"{item or 'input'} is neither UTF-8 nor a recognisable charset")
    text = data.decode(best.encoding, errors="strict")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > len(text[:8192]) * 0.05:
        raise Rejected("read", "binary", f"{item or 'input'} decodes to control characters: not text")
    return text
