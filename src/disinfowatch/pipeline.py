"""The pipeline: composes the stages and is the only place that writes to the store.

    read/fetch ─► Page ─► to_document (decode, header, HTML extraction, clean, language, hash)
               ─► dedup (exact hash, MinHash LSH) ─► store (+ archive of the raw bytes)

``to_document`` is a pure function of a Page and the settings, so any runner can call it.
:class:`Ingester` is the driver: it expands targets into Pages, calls the stages, records every
Rejection with its reason and goes on, and skips what the store already has, so an interrupted
run can simply be started again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import clean, dedup, language, read
from .read import decode
from .archive import Archive
from .errors import Rejected
from .records import Document, Page, Rejection, Source
from .settings import Settings, archive_dir

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Pure stage composition


def _is_html(page: Page) -> bool:
    ctype = page.content_type.lower()
    if "html" in ctype or "xml" in ctype:
        return True
    if ctype.startswith("text/plain"):
        return False
    return read.sniff(page.content) == "html"


def to_document(page: Page, settings: Settings) -> Document:
    """Turn one Page into a cleaned, language-tagged Document, or raise Rejected."""
    if len(page.content) > settings.max_input_bytes:
        raise Rejected("read", "too-large", f"{len(page.content)} bytes; the cap is {settings.max_input_bytes}")
    meta = dict(page.meta)
    info: dict[str, str | None] = {}
    if _is_html(page):
        extracted = clean.extract_html(page.content, page.url, max_bytes=settings.max_input_bytes)
        cleaned = clean.clean_text(extracted.text)
        offsets = cleaned.offsets  # offsets map to the text extracted from the HTML
        info.update(title=extracted.title, author=extracted.author, published=extracted.date,
                    canonical_url=extracted.canonical_url, site_name=extracted.site_name)
    else:
        text = decode(page.content, page.url)
        header, body, body_start = clean.split_header(text)
        cleaned = clean.clean_text(body)
        offsets = tuple((c, o + body_start, n) for c, o, n in cleaned.offsets)
        info.update(title=header.get("title"), author=header.get("author"), published=header.get("date"),
                    canonical_url=header.get("url"), site_name=header.get("outlet") or header.get("source"))
    if len(cleaned.text) > settings.max_document_chars:
        raise Rejected("clean", "too-large", f"{len(cleaned.text)} characters after cleaning; the cap is {settings.max_document_chars}")
    if len(cleaned.text.strip()) < settings.min_document_chars:
        raise Rejected("clean", "empty-text", f"{len(cleaned.text.strip())} characters of text after cleaning")
    published = clean.normalise_date(meta["published"]) if meta.get("published") else None
    paras = language.paragraphs(cleaned.text, settings.languages)
    lang, score = language.document_language(cleaned.text, paras, settings.languages)
    if lang is None and meta.get("language"):
        lang, score = meta["language"][:2].lower(), 0.0
    return Document(
        url=meta.get("url") or page.final_url or page.url,
        text=cleaned.text,
        content_hash=dedup.content_hash(cleaned.text),
        raw_sha256=page.sha256,
        title=meta.get("title") or info.get("title"),
        author=meta.get("author") or info.get("author"),
        published=published or info.get("published"),
        canonical_url=dedup.canonical_url(info["canonical_url"]) if info.get("canonical_url") else None,
        site_name=info.get("site_name"),
        source=page.source or meta.get("source"),
        language=lang,
        language_score=score,
        paragraphs=paras,
        offsets=offsets,
        fetched_at=page.fetched_at,
    )


# ---------------------------------------------------------------------------------------------
# The driver


def page_chunks(items: Iterable[read.Item], size: int, reject: Callable[[Rejection], None]) -> Iterator[list[Page]]:
    """The pages of ``items`` in lists of ``size`` (for a runner's tasks); rejections go to ``reject``
    as they come."""
    chunk: list[Page] = []
    for item in items:
        if isinstance(item, Rejection):
            reject(item)
            continue
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def documents_of(pages: list[Page], settings: Settings) -> list[tuple[Page, Document | Rejection]]:
    """:func:`to_document` over a chunk of pages, for a runner: each page with its Document or the
    Rejection saying why it has none."""
    out: list[tuple[Page, Document | Rejection]] = []
    for page in pages:
        try:
            out.append((page, to_document(page, settings)))
        except Rejected as exc:
            out.append((page, Rejection(page.url, exc.stage, exc.reason, exc.detail, page.source)))
        except Exception as exc:  # unexpected: recorded per page, the chunk goes on
            log.exception("unexpected failure on %s", page.url)
            out.append((page, Rejection(page.url, "clean", f"error:{type(exc).__name__}", str(exc)[:500], page.source)))
    return out


@dataclass
class IngestReport:
    documents: int = 0  # new documents stored
    exact_duplicates: int = 0  # same text already stored: linked as another appearance
    near_duplicates: int = 0  # near-copy of a stored document: linked, with its similarity
    rejected: int = 0
    not_modified: int = 0  # conditional GET said 304
    known: int = 0  # URL already in the store: not fetched again
    stored_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "stored_ids"}


class Ingester:
    """Drives ingestion into one store. Not thread-safe; one per run."""

    def __init__(self, store, settings: Settings, *, fetcher=None, debug: bool = False,
                 progress: Callable[[str], None] | None = None, runner=None):
        """``runner`` (:mod:`disinfowatch.runners`): where :func:`to_document` runs; None: here,
        one page after the other. Fetching, dedup and every write stay in this process."""
        self.runner = runner
        self.store = store
        self.settings = settings
        self.archive = Archive(archive_dir(settings))
        self._fetcher = fetcher
        self.debug = debug
        self.progress = progress or (lambda _item: None)
        self.report = IngestReport()
        self._hosts: dict[str, str] | None = None  # registered sources by host, read on first use
        self.index = dedup.NearDuplicateIndex(settings.near_duplicate_threshold, settings.minhash_permutations)
        for doc_id, signature in store.iter_minhashes():
            self.index.add(doc_id, signature)

    @property
    def fetcher(self):
        if self._fetcher is None:
            from .fetch import Fetcher

            self._fetcher = Fetcher(self.settings)
        return self._fetcher

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()

    def __enter__(self) -> "Ingester":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- targets ---------------------------------------------------------------------------

    def ingest(self, targets: Iterable[str], source: str | None = None) -> IngestReport:
        self._consume_all(item for target in targets for item in self.expand(target, source))
        return self.report

    def ingest_sources(self, sources: Iterable[Source]) -> IngestReport:
        self._consume_all(item for src in sources if src.active for item in self.expand(src.url, src.name))
        return self.report

    def _consume_all(self, items: Iterable[read.Item]) -> None:
        if self.runner is None or self.runner.name == "local":
            for item in items:
                self.consume(item)
            return
        for results in self.runner.map(documents_of, self._page_chunks(items), self.settings):
            for page, outcome in results:
                self.progress(page.url)
                if isinstance(outcome, Rejection):
                    self.reject(outcome)
                    continue
                self._archive(page)
                if outcome.source is None:
                    outcome = replace(outcome, source=self.source_for(outcome.canonical_url or outcome.url))
                self._store(outcome)

    def _page_chunks(self, items: Iterable[read.Item], size: int = 16) -> Iterator[list[Page]]:
        return page_chunks(items, size, self.reject)

    def expand(self, target: str, source: str | None) -> Iterator[read.Item]:
        if target.startswith(("http://", "https://")):
            yield from self._expand_url(target, source, top=True)
            return
        if target.startswith("file://"):
            target = target[len("file://"):]
        path = Path(target)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            for file in files:
                yield from self._expand_file(file, source)
        elif path.is_file():
            yield from self._expand_file(path, source)
        elif "://" in target:
            yield Rejection(target, "read", "bad-url", "only http(s) URLs and local paths can be ingested", source)
        else:
            yield Rejection(target, "read", "not-found", f"no such file or directory: {target}", source)

    def _expand_file(self, path: Path, source: str | None) -> Iterator[read.Item]:
        item = str(path)
        try:
            size = path.stat().st_size
            limit = self.settings.max_input_bytes
            if size > limit:
                yield Rejection(item, "read", "too-large", f"{size} bytes; the cap is {limit}", source)
                return
            data = path.read_bytes()
        except OSError as exc:
            yield Rejection(item, "read", "unreadable", str(exc), source)
            return
        url = path.resolve().as_uri()
        if path.suffix.lower() == ".gz" and not path.name.lower().endswith(".warc.gz"):
            try:
                data = read._capped_gunzip(data, self.settings.max_input_bytes, item)
            except Rejected as exc:
                yield Rejection(item, exc.stage, exc.reason, exc.detail, source)
                return
            except (OSError, EOFError) as exc:
                yield Rejection(item, "read", "bad-gzip", str(exc), source)
                return
            path = path.with_suffix("")
        kind = read._kind_for_path(path, data)
        if kind == "warc":
            yield from read.read_warc(data, url, self.settings.max_input_bytes, source)
        elif kind == "jsonl":
            yield from read.read_jsonl(data, url, source)
        elif kind == "csv":
            yield from read.read_csv(data, url, source)
        elif kind == "feed":
            yield from read.expand_feed(data, url, self._fetch_article, source)
        elif kind == "sitemap":
            yield from read.expand_sitemap(data, url, self._fetch_article, self._fetch_bytes, source)
        elif kind == "opml":
            yield from self._expand_opml(data, url, source)
        elif kind == "html":
            yield Page(url=url, content=data, content_type="text/html", source=source)
        elif kind == "xml":
            yield Rejection(item, "read", "unsupported-format", "XML that is neither a feed, a sitemap nor OPML", source)
        else:
            yield Page(url=url, content=data, content_type="text/plain", source=source)

    def _expand_opml(self, data: bytes, origin: str, source: str | None) -> Iterator[read.Item]:
        try:
            feeds = read.parse_opml(data)
        except Rejected as exc:
            yield Rejection(origin, exc.stage, exc.reason, exc.detail, source)
            return
        for feed in feeds[: read.MAX_EXPANSION]:
            if feed["url"].startswith(("http://", "https://")):
                yield from self._expand_url(feed["url"], source or feed["title"] or None, top=False)
            else:
                yield Rejection(feed["url"], "read", "bad-url", "OPML entry is not an http(s) feed", source)

    def _fetch_bytes(self, url: str) -> Page | None:
        """Fetch with conditional GET; None when the server says nothing changed."""
        state = self.store.get_fetch_state(url)
        etag, modified = state if state else (None, None)
        page = self.fetcher.fetch(url, etag=etag, last_modified=modified)
        self.store.set_fetch_state(url, page.header("ETag"), page.header("Last-Modified"), page.status)
        if page.status == 304:
            self.report.not_modified += 1
            return None
        return page

    def _expand_url(self, url: str, source: str | None, top: bool) -> Iterator[read.Item]:
        try:
            page = self._fetch_bytes(url)
        except Rejected as exc:
            yield Rejection(url, exc.stage, exc.reason, exc.detail, source)
            return
        if page is None:
            return
        page = replace(page, source=source)
        kind = read.sniff(page.content) if "html" not in page.content_type.lower() else "html"
        if kind == "feed":
            self._archive(page)
            yield from read.expand_feed(page.content, page.final_url or url, self._fetch_article, source)
        elif kind == "sitemap":
            self._archive(page)
            yield from read.expand_sitemap(page.content, page.final_url or url, self._fetch_article, self._fetch_bytes, source)
        elif kind == "opml" and top:
            self._archive(page)
            yield from self._expand_opml(page.content, page.final_url or url, source)
        else:
            yield page

    def _fetch_article(self, url: str, meta, source: str | None) -> Iterator[read.Item]:
        if self.store.document_id_for_url(url) is not None or self.store.document_id_for_url(dedup.canonical_url(url)) is not None:
            self.report.known += 1
            return
        try:
            page = self._fetch_bytes(url)
        except Rejected as exc:
            yield Rejection(url, exc.stage, exc.reason, exc.detail, source)
            return
        if page is not None:
            yield read.with_meta(replace(page, source=source), meta)

    # -- one item --------------------------------------------------------------------------

    def _archive(self, page: Page) -> None:
        self.archive.put(page.content)
        self.store.add_page(page)

    def consume(self, item: read.Item) -> int | None:
        """Store one Page (or record one Rejection); return the document id it ended as."""
        if isinstance(item, Rejection):
            self.reject(item)
            return None
        page = item
        self.progress(page.url)
        try:
            document = to_document(page, self.settings)
        except Rejected as exc:
            self.reject(Rejection(page.url, exc.stage, exc.reason, exc.detail, page.source))
            return None
        except Exception as exc:  # unexpected: record it per item and go on, unless debugging
            if self.debug:
                raise
            log.exception("unexpected failure on %s", page.url)
            self.reject(Rejection(page.url, "clean", f"error:{type(exc).__name__}", str(exc)[:500], page.source))
            return None
        self._archive(page)
        if document.source is None:
            document = replace(document, source=self.source_for(document.canonical_url or document.url))
        return self._store(document)

    def source_for(self, url: str) -> str | None:
        """The registered source whose site ``url`` is on (same host or a subdomain of it), for
        documents that arrive without one (files, archives, pages found by a crawl)."""
        if self._hosts is None:
            self._hosts = {}
            for src in self.store.list_sources():
                host = _host(src.url)
                if host:
                    self._hosts.setdefault(host, src.name)
        host = _host(url)
        while host:
            if host in self._hosts:
                return self._hosts[host]
            host = host.partition(".")[2] if host.count(".") > 1 else ""
        return None

    def _store(self, doc: Document) -> int:
        existing = self.store.document_id_for_hash(doc.content_hash)
        if existing is not None:
            self.store.add_appearance(existing, doc.url, doc.source, "exact-duplicate", 1.0)
            self.report.exact_duplicates += 1
            return existing
        signature = dedup.fingerprint(doc.text, self.settings.minhash_permutations)
        near = self.index.nearest(signature)
        if near is not None:
            doc_id, similarity = near
            self.store.add_appearance(doc_id, doc.url, doc.source, "near-duplicate", round(similarity, 4))
            self.report.near_duplicates += 1
            return doc_id
        doc_id, created = self.store.add_document(doc, signature)
        if created:
            self.index.add(doc_id, signature)
            self.report.documents += 1
            self.report.stored_ids.append(doc_id)
        else:
            self.report.exact_duplicates += 1
        return doc_id

    def reject(self, rejection: Rejection) -> None:
        self.store.add_rejection(rejection)
        self.report.rejected += 1
        log.info("rejected %s at %s: %s %s", rejection.item, rejection.stage, rejection.reason, rejection.detail)


def ingest(targets: Iterable[str], store, settings: Settings, *, source: str | None = None,
           debug: bool = False) -> IngestReport:
    """Ingest files, directories and URLs into ``store``; see :class:`Ingester`."""
    ingester = Ingester(store, settings, debug=debug)
    try:
        return ingester.ingest(targets, source)
    finally:
        ingester.close()


def _host(url: str) -> str:
    """Lowercased host of an http(s) URL without a leading "www."; "" for anything else."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower()
    return host[4:] if host.startswith("www.") else host
