"""Store verbs for the vector cache (one vector per embedder and content hash); mixed into Store.

    vectors = store.vectors_for(embedder, texts, "passage")    # cached ones read, only the rest embedded

A vector is stored as float32 little-endian bytes under (embedder id, ``embed.content_hash(text,
mode)``). Lookups always name the embedder id, so vectors of two embedders never meet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import sqlalchemy as sa

from ..embed import Embedder, Mode, content_hash
from ..errors import StoreError
from ..records import utcnow
from . import schema as t

LOOKUP_CHUNK = 500  # content hashes per SELECT ... IN (...): well under every backend's parameter limit
EMBED_BATCH = 256  # texts per embedder call; each batch is stored before the next is embedded


def _to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def _from_bytes(blob: bytes, dim: int) -> np.ndarray:
    vector = np.frombuffer(bytes(blob), dtype="<f4")
    if vector.shape[0] != dim:
        raise StoreError(f"a stored vector has {vector.shape[0]} numbers where its row says {dim}")
    return vector.astype(np.float32)


class VectorVerbs:
    engine: sa.Engine
    dialect: str

    def vectors_for(self, embedder: Embedder, texts: Sequence[str], mode: Mode, *,
                    batch_size: int = EMBED_BATCH,
                    progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Vectors of ``texts`` (shape (len(texts), embedder.dim), float32), in order.

        Vectors cached for ``embedder.id`` are read; only the missing texts are embedded, each
        distinct text once, in batches of ``batch_size``, and each batch is stored before the next
        (an interrupted run keeps what it paid for). Another process storing the same vector at
        the same time is harmless: the first row wins and both are the same model's output.
        ``progress(done, total)`` is called after each batch with counts of texts to embed.
        """
        hashes = [content_hash(text, mode) for text in texts]
        found = self.stored_vectors(embedder.id, hashes)
        if any(vector.shape[0] != embedder.dim for vector in found.values()):
            raise StoreError(f"vectors cached for {embedder.id!r} do not have the {embedder.dim} dimensions the "
                             "embedder gives: the cache holds another model under this id")
        missing: dict[str, str] = {}
        for text, key in zip(texts, hashes):
            if key not in found:
                missing.setdefault(key, text)
        pending = list(missing.items())
        for start in range(0, len(pending), batch_size):
            batch = pending[start:start + batch_size]
            vectors = np.asarray(embedder.embed([text for _, text in batch], mode=mode), dtype=np.float32)
            if vectors.shape != (len(batch), embedder.dim):
                raise StoreError(f"embedder {embedder.id!r} returned shape {vectors.shape} for {len(batch)} "
                                 f"texts; expected ({len(batch)}, {embedder.dim})")
            self._store_vectors(embedder.id, [key for key, _ in batch], vectors)
            found.update((key, vector) for (key, _), vector in zip(batch, vectors))
            if progress is not None:
                progress(min(start + batch_size, len(pending)), len(pending))
        if not hashes:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.stack([found[key] for key in hashes])

    def stored_vectors(self, embedder_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors stored for ``embedder_id`` among content ``hashes``: {hash: float32 vector}.
        Hashes with no vector for that embedder are absent."""
        v = t.vectors
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, np.ndarray] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                chunk = wanted[start:start + LOOKUP_CHUNK]
                rows = conn.execute(sa.select(v.c.content_hash, v.c.dim, v.c.vector)
                                    .where(v.c.embedder == embedder_id, v.c.content_hash.in_(chunk)))
                for row in rows:
                    found[row.content_hash] = _from_bytes(row.vector, row.dim)
        return found

    def count_vectors(self, embedder_id: str) -> int:
        """How many vectors are stored for ``embedder_id``."""
        v = t.vectors
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(v)
                                .where(v.c.embedder == embedder_id)).scalar_one()

    def _store_vectors(self, embedder_id: str, hashes: Sequence[str], vectors: np.ndarray) -> None:
        """Insert vectors, keeping any row already stored under the same (embedder, hash)."""
        if self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        now = utcnow()
        rows = [dict(embedder=embedder_id, content_hash=key, dim=int(vector.shape[0]), vector=_to_bytes(vector),
                     created_at=now) for key, vector in zip(hashes, vectors)]
        if not rows:
            return
        statement = insert(t.vectors).on_conflict_do_nothing(index_elements=["embedder", "content_hash"])
        with self._writing() as conn:
            conn.execute(statement, rows)
