"""The store's verbs over SQLAlchemy Core, the same on SQLite and PostgreSQL.

    open_store(url) -> Store            create (SQLite) / connect, apply migrations, or raise StoreError

Writes go through one lock per Store and short transactions, so one writer per process is safe;
on SQLite, WAL and a busy timeout let readers and other processes share the file.
Timestamps are stored in UTC and come back as timezone-aware UTC datetimes.
"""

from __future__ import annotations

import json
import re
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError

from ..errors import StoreError
from ..records import Document, Page, Paragraph, Rejection, Source, utcnow
from . import schema as t
from .alerts import AlertVerbs
from .analysis import AnalysisVerbs
from .catalogue import CatalogueVerbs
from .monitor import MonitorVerbs
from .people import PeopleVerbs
from .primary import PrimaryVerbs
from .review import ReviewVerbs
from .vectors import VectorVerbs

MIGRATIONS = Path(__file__).parent / "migrations"
RELATIONS = ("original", "exact-duplicate", "near-duplicate", "same-url")
BUSY_TIMEOUT_MS = 30_000
MAX_QUERY_TERMS = 64


def _masked(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages and logs."""
    try:
        parsed = make_url(url)
        return url if parsed.password is None else parsed.render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)


def _is_memory(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _engine(url: str) -> sa.Engine:
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return sa.create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    if backend != "sqlite":
        raise ValueError(f"unsupported database {backend!r}")
    memory = _is_memory(parsed)
    if memory:  # one connection shared by every checkout, or each would see its own empty database
        engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool,
                                  connect_args={"check_same_thread": False})
    else:
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"check_same_thread": False,
                                                        "timeout": BUSY_TIMEOUT_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not memory:
            _enable_wal(cur)
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


def _enable_wal(cur) -> None:
    """Switch a SQLite file to WAL. The switch needs an exclusive lock and SQLite does not wait for
    it (no busy handler), so while another connection is creating the same new file, retry."""
    import sqlite3

    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _migrate(engine: sa.Engine) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # Python's sqlite3 runs DDL outside transactions unless told: take the write lock first so
            # a migration is all-or-nothing and two processes opening a new file cannot interleave.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_store(url: str) -> "Store":
    """Open the store at ``url`` (``sqlite:///PATH``, ``sqlite:///:memory:``, ``postgresql://...``).

    A SQLite file and its directories are created on first use; migrations are applied on every
    open. Raises :class:`StoreError` naming the URL (password masked) when it cannot be opened.
    """
    from alembic.util import CommandError

    engine = None
    try:
        engine = _engine(url)
        _migrate(engine)
    except Exception as exc:
        if engine is not None:
            engine.dispose()
        where = _masked(url)
        if isinstance(exc, (ArgumentError, ValueError)):
            raise StoreError(f"bad database URL {where}: {exc}; expected sqlite:///PATH or "
                             "postgresql://USER@HOST/DB") from None
        if isinstance(exc, ImportError):
            raise StoreError(f"cannot open the store at {where}: database driver missing ({exc})") from None
        if isinstance(exc, CommandError):
            raise StoreError(f"cannot migrate the store at {where}: {exc} (was it written by a newer "
                             "disinfowatch? upgrade disinfowatch)") from None
        if isinstance(exc, (SQLAlchemyError, OSError)):
            raise StoreError(f"cannot open the store at {where}: {_first_line(exc)}") from None
        raise
    return Store(engine, url)


def _utc(value: datetime | None) -> datetime | None:
    """Aware UTC datetime: naive values are taken as UTC, aware ones converted."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _fts5_query(query: str) -> str:
    """A user's words as an FTS5 query that cannot be a syntax error.

    Each whitespace-separated chunk becomes a quoted phrase (quotes doubled), and phrases are
    ANDed; FTS5 tokenises inside the quotes with the index's own tokenizer, so ``don't`` and
    ``NATO-Russland`` match as they were indexed, and chunks of pure punctuation match nothing
    rather than failing. NUL would end the string early, so it counts as whitespace.
    """
    chunks = query.replace("\x00", " ").split()
    chunks = [c for c in chunks if any(ch.isalnum() for ch in c)][:MAX_QUERY_TERMS]
    return " ".join('"' + chunk.replace('"', '""') + '"' for chunk in chunks)


def _document_values(doc: Document, minhash: bytes | None) -> dict:
    return dict(
        content_hash=doc.content_hash, url=doc.url, canonical_url=doc.canonical_url, title=doc.title,
        author=doc.author, published=doc.published, site_name=doc.site_name, source=doc.source,
        language=doc.language, language_score=doc.language_score, text=doc.text, raw_sha256=doc.raw_sha256,
        paragraphs=json.dumps([[p.start, p.end, p.language, p.language_score] for p in doc.paragraphs]),
        offsets=json.dumps([list(run) for run in doc.offsets]), minhash=minhash,
        fetched_at=_utc(doc.fetched_at), created_at=utcnow(),
    )


def _document(row) -> Document:
    return Document(
        url=row.url, text=row.text, content_hash=row.content_hash, raw_sha256=row.raw_sha256, title=row.title,
        author=row.author, published=row.published, canonical_url=row.canonical_url, site_name=row.site_name,
        source=row.source, language=row.language, language_score=row.language_score or 0.0,
        paragraphs=tuple(Paragraph(*p) for p in json.loads(row.paragraphs)),
        offsets=tuple(tuple(run) for run in json.loads(row.offsets)), fetched_at=_utc(row.fetched_at),
    )


def _source(row) -> Source:
    return Source(name=row.name, url=row.url, kind=row.kind, language=row.language, label=row.label,
                  outlet=row.outlet, active=bool(row.active), interval_minutes=row.interval_minutes)


class Store(AnalysisVerbs, VectorVerbs, CatalogueVerbs, AlertVerbs, PrimaryVerbs, PeopleVerbs, ReviewVerbs,
            MonitorVerbs):
    """All reads and writes of disinfowatch data. One instance per process; writes are serialised."""

    def __init__(self, engine: sa.Engine, url: str):
        self.engine = engine
        self.url = url
        self.dialect = engine.dialect.name  # "sqlite" | "postgresql"
        self._write = threading.Lock()

    def __repr__(self) -> str:
        return f"<Store {_masked(self.url)}>"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """One short write transaction, serialised with this Store's other writes."""
        with self._write, self.engine.begin() as conn:
            yield conn

    def _insert_ignore(self, conn: sa.Connection, table: sa.Table, values: dict, keys: list[str]) -> int | None:
        """Insert unless a row with the same unique ``keys`` exists; the new row's id, else None."""
        if self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
        return conn.execute(statement.returning(table.c.id)).scalar()

    # -- sources ---------------------------------------------------------------------------

    def add_source(self, source: Source) -> None:
        """Add a new source; StoreError if one with that name exists."""
        with self._writing() as conn:
            if self._insert_ignore(conn, t.sources, dict(**source.__dict__, created_at=utcnow()), ["name"]) is None:
                raise StoreError(f"a source named {source.name!r} exists; remove it first or choose another name")

    def upsert_source(self, source: Source) -> None:
        """Add ``source``, or replace the settings of the source with its name."""
        with self._writing() as conn:
            updated = conn.execute(t.sources.update().where(t.sources.c.name == source.name).values(**source.__dict__))
            if updated.rowcount == 0:
                conn.execute(t.sources.insert().values(**source.__dict__, created_at=utcnow()))

    def get_source(self, name: str) -> Source | None:
        with self.engine.connect() as conn:
            row = conn.execute(t.sources.select().where(t.sources.c.name == name)).first()
        return _source(row) if row else None

    def list_sources(self) -> list[Source]:
        """Every source, by name."""
        with self.engine.connect() as conn:
            return [_source(r) for r in conn.execute(t.sources.select().order_by(t.sources.c.name))]

    def remove_source(self, name: str) -> bool:
        """Remove the source called ``name``; False if there was none. Its documents stay."""
        with self._writing() as conn:
            return conn.execute(t.sources.delete().where(t.sources.c.name == name)).rowcount > 0

    # -- pages and fetch state -------------------------------------------------------------

    def add_page(self, page: Page) -> int:
        """Record the metadata of fetched bytes (the bytes go to the archive); the page row's id.

        One row per URL and content: fetching the same bytes from the same URL again (a resumed
        or repeated run) returns the first row's id instead of adding another.
        """
        values = dict(url=page.url, final_url=page.final_url, status=page.status, sha256=page.sha256,
                      content_type=page.content_type, headers=json.dumps([list(h) for h in page.headers]),
                      fetched_at=_utc(page.fetched_at), source=page.source)
        p = t.pages
        with self._writing() as conn:
            page_id = self._insert_ignore(conn, p, values, ["url", "sha256"])
            if page_id is None:
                page_id = conn.execute(sa.select(p.c.id).where(p.c.url == page.url, p.c.sha256 == page.sha256)).scalar_one()
        return page_id

    def get_fetch_state(self, url: str) -> tuple[str | None, str | None] | None:
        """(etag, last_modified) from the last fetch of ``url``, or None if never fetched."""
        f = t.fetch_state
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(f.c.etag, f.c.last_modified).where(f.c.url == url)).first()
        return (row.etag, row.last_modified) if row else None

    def set_fetch_state(self, url: str, etag: str | None, last_modified: str | None, status: int) -> None:
        """Remember a fetch of ``url``; a 304 keeps the validators the server confirmed."""
        values = dict(last_status=status, last_fetched_at=utcnow())
        if status != 304:
            values.update(etag=etag, last_modified=last_modified)
        f = t.fetch_state
        with self._writing() as conn:
            if conn.execute(f.update().where(f.c.url == url).values(**values)).rowcount == 0:
                conn.execute(f.insert().values(**{"url": url, "etag": etag, "last_modified": last_modified, **values}))

    # -- documents -------------------------------------------------------------------------

    def add_document(self, doc: Document, minhash: bytes | None = None) -> tuple[int, bool]:
        """Store ``doc`` unless its content hash is stored; (id, created). Idempotent.

        Either way ``doc.url`` is linked to the document as an appearance ('original' when
        created, 'exact-duplicate' otherwise; an appearance already recorded is kept as it was).
        """
        with self._writing() as conn:
            return self._add_document(conn, doc, minhash)

    def add_documents(self, items: Iterable[Document | tuple[Document, bytes | None]]) -> list[tuple[int, bool]]:
        """:meth:`add_document` for many documents (or (document, minhash) pairs) in one transaction."""
        results = []
        with self._writing() as conn:
            for item in items:
                doc, minhash = item if isinstance(item, tuple) else (item, None)
                results.append(self._add_document(conn, doc, minhash))
        return results

    def _add_document(self, conn: sa.Connection, doc: Document, minhash: bytes | None) -> tuple[int, bool]:
        d = t.documents
        doc_id = self._insert_ignore(conn, d, _document_values(doc, minhash), ["content_hash"])
        created = doc_id is not None
        if not created:
            doc_id = conn.execute(sa.select(d.c.id).where(d.c.content_hash == doc.content_hash)).scalar_one()
        self._appearance(conn, doc_id, doc.url, doc.source, "original" if created else "exact-duplicate", 1.0)
        return doc_id, created

    def _appearance(self, conn, document_id: int, url: str, source: str | None, relation: str, similarity: float) -> None:
        if relation not in RELATIONS:
            raise ValueError(f"unknown appearance relation {relation!r}; expected one of {', '.join(RELATIONS)}")
        values = dict(document_id=document_id, url=url, source=source, seen_at=utcnow(), relation=relation,
                      similarity=similarity)
        self._insert_ignore(conn, t.appearances, values, ["document_id", "url"])

    def add_appearance(self, document_id: int, url: str, source: str | None, relation: str,
                       similarity: float = 1.0) -> None:
        """Link ``url`` (seen in ``source``) to a stored document; a link already made is kept."""
        try:
            with self._writing() as conn:
                self._appearance(conn, document_id, url, source, relation, similarity)
        except IntegrityError:
            raise StoreError(f"cannot link {url!r} to document {document_id}: no such document") from None

    def get_document(self, doc_id: int) -> Document | None:
        with self.engine.connect() as conn:
            row = conn.execute(t.documents.select().where(t.documents.c.id == doc_id)).first()
        return _document(row) if row is not None else None

    def document_id_for_url(self, url: str) -> int | None:
        """The document stored from ``url``: as its URL, its canonical URL, or any appearance."""
        d, a = t.documents, t.appearances
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(d.c.id).where(sa.or_(d.c.url == url, d.c.canonical_url == url))
                                 .order_by(d.c.id).limit(1)).scalar()
            if found is None:
                found = conn.execute(sa.select(a.c.document_id).where(a.c.url == url)
                                     .order_by(a.c.id).limit(1)).scalar()
        return found

    def document_id_for_hash(self, content_hash: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(t.documents.c.id).where(t.documents.c.content_hash == content_hash)).scalar()

    def appearances(self, document_id: int) -> list[dict]:
        """Where a document appeared: dicts of url, source, relation, similarity, seen_at; first first."""
        a = t.appearances
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(a.c.url, a.c.source, a.c.relation, a.c.similarity, a.c.seen_at)
                                .where(a.c.document_id == document_id).order_by(a.c.id))
            return [{**r._mapping, "seen_at": _utc(r.seen_at)} for r in rows]

    def republished(self, limit: int = 50) -> list[dict]:
        """Documents that appeared at more than one URL, with each extra appearance."""
        a, d = t.appearances, t.documents
        query = (sa.select(d.c.id, d.c.title, a.c.url, a.c.source, a.c.relation, a.c.similarity)
                 .join(d, d.c.id == a.c.document_id).where(a.c.relation != "original")
                 .order_by(d.c.id, a.c.id).limit(limit))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def iter_minhashes(self) -> Iterator[tuple[int, bytes]]:
        """(document id, MinHash signature bytes) of every document that has one, by id."""
        d = t.documents
        query = sa.select(d.c.id, d.c.minhash).where(d.c.minhash.is_not(None)).order_by(d.c.id)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=2000).execute(query):
                yield row.id, bytes(row.minhash)

    def count_documents(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(t.documents)).scalar_one()

    def search_documents(self, query: str, limit: int = 20) -> list[dict]:
        """Full-text search over titles and texts: every word of ``query`` must occur.

        Any string is a valid query (operators and quotes are taken as words). Returns dicts of
        id, title, url, language, snippet (matches in [brackets]) and rank (higher is better,
        comparable within one result list only), best first.
        """
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                match = _fts5_query(query)
                if not match:
                    return []
                sql = sa.text(
                    "SELECT d.id, d.title, d.url, d.language, snippet(documents_fts, 1, '[', ']', '…', 12) AS snippet, "
                    "-bm25(documents_fts) AS rank FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid "
                    "WHERE documents_fts MATCH :q ORDER BY rank DESC, d.id LIMIT :n")
                rows = conn.execute(sql, {"q": match, "n": limit})
            else:
                words = query.replace("\x00", " ")
                if not any(ch.isalnum() for ch in words):
                    return []
                sql = sa.text(
                    "SELECT d.id, d.title, d.url, d.language, ts_headline('simple', d.text, q, "
                    "'StartSel=[,StopSel=],MaxWords=24,MinWords=8') AS snippet, ts_rank(d.tsv, q) AS rank "
                    "FROM documents d, plainto_tsquery('simple', :q) q WHERE d.tsv @@ q "
                    "ORDER BY rank DESC, d.id LIMIT :n")
                rows = conn.execute(sql, {"q": words, "n": limit})
            return [dict(r._mapping) for r in rows]

    def stats(self) -> list[dict]:
        """Documents per source and language: dicts of source ('(none)' if unset), language, documents."""
        d = t.documents
        source = sa.func.coalesce(d.c.source, "(none)").label("source")
        language = sa.func.coalesce(d.c.language, "(unknown)").label("language")
        query = (sa.select(source, language, sa.func.count().label("documents"))
                 .group_by(source, language).order_by(source, language))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    # -- rejections ------------------------------------------------------------------------

    def add_rejection(self, rej: Rejection) -> None:
        """Record a rejection; the same (item, stage, reason) again updates its detail and time."""
        r = t.rejections
        values = dict(item=rej.item, stage=rej.stage, reason=rej.reason, detail=rej.detail, source=rej.source,
                      at=_utc(rej.at))
        with self._writing() as conn:
            if self._insert_ignore(conn, r, values, ["item", "stage", "reason"]) is None:
                conn.execute(r.update().where(r.c.item == rej.item, r.c.stage == rej.stage, r.c.reason == rej.reason)
                             .values(detail=rej.detail, at=values["at"]))

    def add_rejections(self, rejections: Iterable[Rejection]) -> int:
        """:meth:`add_rejection` for many, in one transaction; how many were given."""
        r, count = t.rejections, 0
        with self._writing() as conn:
            for rej in rejections:
                values = dict(item=rej.item, stage=rej.stage, reason=rej.reason, detail=rej.detail, source=rej.source,
                              at=_utc(rej.at))
                if self._insert_ignore(conn, r, values, ["item", "stage", "reason"]) is None:
                    conn.execute(r.update().where(r.c.item == rej.item, r.c.stage == rej.stage,
                                                  r.c.reason == rej.reason).values(detail=rej.detail, at=values["at"]))
                count += 1
        return count

    def add_analysed(self, rows: list[dict], index, match_version: str | None) -> dict:
        """Documents analysed elsewhere (batch output rows: the documents table's columns plus
        ``analysis`` and ``alerts`` as JSON) in one transaction: a document whose content hash is
        stored, or a near-duplicate of one in ``index``, becomes an appearance of it; the others are
        stored with their analysis and alerts (``match_version`` None: the rows were not matched, so
        they stay pending for `analyze`). Idempotent: loading the rows again adds nothing.
        ``index`` learns the new documents only once the transaction is committed."""
        from ..analyze import VERSION
        from ..batch import analysis_from_json, document_of
        from ..records import Alert
        from .alerts import _save_alerts
        from .analysis import _save_analysis

        d = t.documents
        counts = {"documents": 0, "duplicates": 0, "alerts": 0}
        learned: list[tuple[int, bytes]] = []
        pending = type(index)(index.threshold, index.num_perm)  # this transaction's documents
        with self._writing() as conn:
            for row in rows:
                doc = document_of(row)
                existing = conn.execute(sa.select(d.c.id).where(d.c.content_hash == doc.content_hash)).scalar()
                if existing is None and row.get("minhash"):
                    near = index.nearest(row["minhash"]) or pending.nearest(row["minhash"])
                    if near is not None:
                        self._appearance(conn, near[0], doc.url, doc.source, "near-duplicate", round(near[1], 4))
                        counts["duplicates"] += 1
                        continue
                if existing is not None:
                    self._appearance(conn, existing, doc.url, doc.source, "exact-duplicate", 1.0)
                    counts["duplicates"] += 1
                    if row.get("minhash"):  # a batch retried after its commit went through: still indexed
                        learned.append((existing, row["minhash"]))
                    continue
                doc_id, created = self._add_document(conn, doc, row.get("minhash"))
                if not created:  # another writer stored it a moment ago: theirs stands
                    counts["duplicates"] += 1
                    continue
                analysis = analysis_from_json(doc_id, doc.text, json.loads(row["analysis"]))
                if analysis.version != VERSION:
                    raise StoreError(f"{row['item']}: analysed with {analysis.version}, this version is {VERSION}; "
                                     "analyse the shards again")
                _save_analysis(conn, analysis)
                if match_version is not None:
                    order = {"sentence": t.sentences.c.idx}
                    ids = {kind: list(conn.execute(sa.select(table.c.id).where(table.c.document_id == doc_id)
                                                   .order_by(order.get(kind, table.c.id))).scalars())
                           for kind, table in (("sentence", t.sentences), ("claim", t.claims), ("quote", t.quotes))}
                    alerts = [Alert(a["kind"], a["item_kind"], ids[a["item_kind"]][a["item_index"]], doc_id,
                                    a["target"], a["score"], a["level"], a["evidence"])
                              for a in json.loads(row["alerts"] or "[]")]
                    counts["alerts"] += _save_alerts(conn, doc_id, alerts, match_version)
                counts["documents"] += 1
                if row.get("minhash"):
                    learned.append((doc_id, row["minhash"]))
                    pending.add(doc_id, row["minhash"])
        for doc_id, signature in learned:
            index.add(doc_id, signature)
        return counts

    def rejections(self, stage: str | None = None, limit: int = 100) -> list[Rejection]:
        """The latest rejections (of one ``stage`` if given), newest first."""
        r = t.rejections
        query = r.select().order_by(r.c.at.desc(), r.c.id.desc()).limit(limit)
        if stage:
            query = query.where(r.c.stage == stage)
        with self.engine.connect() as conn:
            return [Rejection(row.item, row.stage, row.reason, row.detail or "", row.source, _utc(row.at))
                    for row in conn.execute(query)]

    def count_rejections(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(t.rejections)).scalar_one()

