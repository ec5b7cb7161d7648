"""Bulk exports of cases, alerts, documents and claims as CSV, JSON Lines or Parquet, streamed: rows
are read from the store in batches and written as they come, so exporting 10^6 rows holds one
batch in memory, not the table.

    count = export(store, "claims", "parquet", path, since="2017-01-01", language="ru")

Filters: ``since`` / ``until`` (ISO days, on the document's date; for cases their publication by the
team, else the disinformation's date), ``narrative``, ``language``, ``status`` (cases and alerts).
Lists and evidence are JSON text in CSV and Parquet, objects in JSON Lines.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from .errors import InvalidAction
from .store import schema as t
from .store.review import _day

KINDS = ("cases", "alerts", "documents", "claims")
FORMATS = ("csv", "jsonl", "parquet")
BATCH = 5000
_JSON_COLUMNS = {"languages", "countries", "keywords", "outlets", "links", "evidence"}


def _query(kind: str, *, since=None, until=None, narrative=None, language=None, status=None) -> sa.Select:
    d = t.documents
    if kind == "documents":
        query = sa.select(d.c.id, d.c.url, d.c.canonical_url, d.c.title, d.c.author, d.c.published, d.c.source,
                          d.c.site_name, d.c.language, d.c.text, d.c.content_hash, d.c.raw_sha256, d.c.created_at)
        day, lang = _day(d.c.published), d.c.language
        if narrative:
            query = query.where(d.c.id.in_(sa.select(t.alerts.c.document_id).where(
                t.alerts.c.kind == "narrative", t.alerts.c.target == narrative)))
    elif kind == "claims":
        c = t.claims
        query = (sa.select(c.c.id, c.c.document_id, c.c.text, c.c.attributed_to, c.c.attributed_kind, c.c.attribution,
                           c.c.kind, c.c.checkworthiness, d.c.language, d.c.published, d.c.source, d.c.url)
                 .join(d, d.c.id == c.c.document_id))
        day, lang = _day(d.c.published), d.c.language
        if narrative:
            query = query.where(c.c.id.in_(sa.select(t.alerts.c.item_id).where(
                t.alerts.c.item_kind == "claim", t.alerts.c.kind == "narrative", t.alerts.c.target == narrative)))
    elif kind == "alerts":
        a = t.alerts
        query = sa.select(a.c.id, a.c.kind, a.c.item_kind, a.c.item_id, a.c.document_id, a.c.target, a.c.score,
                          a.c.level, a.c.status, a.c.language, a.c.source, a.c.published, a.c.decided_by,
                          a.c.decided_at, a.c.case_id, a.c.created_at, a.c.evidence)
        day, lang = _day(a.c.published), a.c.language
        if narrative:
            query = query.where(a.c.kind == "narrative", a.c.target == narrative)
        if status:
            query = query.where(a.c.status == status)
    elif kind == "cases":
        c = t.cases
        query = sa.select(c.c.id, c.c.key, c.c.origin, c.c.status, c.c.title, c.c.claim, c.c.summary, c.c.disproof,
                          c.c.published, c.c.released_at, c.c.languages, c.c.countries, c.c.keywords, c.c.outlets,
                          c.c.links, c.c.narrative_id, c.c.rating, c.c.created_at, c.c.updated_at)
        day, lang = _day(sa.func.coalesce(sa.cast(c.c.released_at, sa.String), c.c.published)), None
        if narrative:
            query = query.where(c.c.narrative_id == narrative)
        if status:
            query = query.where(c.c.status == status)
        if language:
            query = query.where(c.c.languages.contains(f'"{language}"', autoescape=True))
    else:
        raise InvalidAction(f"unknown export {kind!r}; expected one of {', '.join(KINDS)}")
    if since:
        query = query.where(day >= since)
    if until:
        query = query.where(day <= until)
    if language and lang is not None:
        query = query.where(lang == language)
    first = query.selected_columns[0]
    return query.order_by(first)


def rows(store, kind: str, **filters) -> Iterator[dict]:
    """The rows of an export, streamed from the store in batches."""
    query = _query(kind, **filters)
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
        for row in result:
            yield dict(row._mapping)


def export(store, kind: str, fmt: str, path: Path | str, **filters) -> int:
    """Write the export to ``path``; the number of rows."""
    if fmt not in FORMATS:
        raise InvalidAction(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = rows(store, kind, **filters)
    selected = list(_query(kind, **filters).selected_columns)
    columns = [c.key for c in selected]
    if fmt == "csv":
        return _csv(source, columns, path)
    if fmt == "jsonl":
        return _jsonl(source, path)
    return _parquet(source, selected, path)


def _scalar(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _csv(source: Iterator[dict], columns: list[str], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in source:
            writer.writerow({k: _scalar(v) for k, v in row.items()})
            count += 1
    return count


def _jsonl(source: Iterator[dict], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in source:
            out = {k: (json.loads(v) if k in _JSON_COLUMNS and isinstance(v, str) else _scalar(v)) for k, v in row.items()}
            handle.write(json.dumps(out, ensure_ascii=False) + "\n")
            count += 1
    return count


def _arrow_type(column):
    import pyarrow as pa

    kind = column.type
    if isinstance(kind, sa.Boolean):
        return pa.bool_()
    if isinstance(kind, sa.Integer):
        return pa.int64()
    if isinstance(kind, sa.Float):
        return pa.float64()
    if isinstance(kind, sa.DateTime):
        return pa.timestamp("us", tz="UTC")
    return pa.string()


def _parquet(source: Iterator[dict], selected: list, path: Path) -> int:
    """Parquet in row groups of :data:`BATCH`, typed from the store's columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([pa.field(c.key, _arrow_type(c)) for c in selected])
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[dict] = []
        for row in source:
            batch.append(row)
            count += 1
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema) if batch else schema.empty_table())
    return count
