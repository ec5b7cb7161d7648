"""Verification quality: reported quotes and claims against primary sources, scored per class.

A test set is a folder with ``primary/*.jsonl`` (primary sources, one passage a line, as
``disinfowatch sources primary add`` reads them) and ``cases.jsonl``: one report a line with its
``language``, ``speaker``, ``date``, ``kind`` (quote | claim), ``text``, ``attribution``, the gold
``label`` (verbatim | faithful | divergent | not_found), the ``passage`` it renders or distorts
(with ``also`` for a second one) and the ``distortion`` type. The project's own sets,
written for it, are ``tests/data/verification`` (development: the model is fitted on it) and
``tests/data/verification_blind`` (held out: written separately, scored once the method was fixed).

Each report goes the way a stored one does: the sources are registered in a store, the candidates
come from :meth:`Store.candidate_passages` for the report's date window, and
:func:`~disinfowatch.verify.verify_report` decides. Scores: precision and recall per class, the
confusion matrix, accuracy per report language and per distortion, and whether the passage found
is the gold one (for reports that have one).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


from . import align
from .primary import read_primary, speaker_name, speaker_key
from .assess import Model, assess
from .verify import RELATIONS, Report, candidates_for, conclude, occasion, window


@dataclass(frozen=True)
class Case:
    id: str
    language: str
    speaker: str
    date: str
    kind: str
    text: str
    attribution: str
    label: str
    passages: tuple[str, ...]
    distortion: str | None


def load_cases(folder: Path) -> list[Case]:
    out = []
    path = Path(folder) / "cases.jsonl"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["label"] not in RELATIONS:
            raise ValueError(f"{path}:{number}: unknown label {row['label']!r}")
        passages = tuple(p for p in [row.get("passage"), *(row.get("also") or [])] if p)
        out.append(Case(row["id"], row["language"], row["speaker"], row["date"], row.get("kind", "quote"), row["text"],
                        row.get("attribution", ""), row["label"], passages, row.get("distortion")))
    return out


def register(store, folder: Path, embedder, progress: Callable[[str], None] | None = None) -> int:
    """Register every primary source of the set in ``store`` and embed its spans; the count."""
    from .verify import embed_source

    count = 0
    for path in sorted((Path(folder) / "primary").glob("*.jsonl")):
        sources, _ = read_primary(path.read_bytes(), path.name)
        for source in sources:
            store.upsert_primary_source(source, origin=str(path))
            embed_source(store, embedder, source)
            count += 1
        if progress:
            progress(f"registered {path.name}")
    return count


def report_for(case: Case, number: int) -> Report:
    named, _ = occasion(case.attribution, case.language)
    speaker = speaker_name(case.speaker, case.language) or case.speaker
    return Report(case.kind, number, 0, case.text, case.language, (speaker,), case.date, speaker, case.attribution,
                  case.text, named, False, case.text)


@dataclass
class Outcome:
    case: Case
    relation: str
    passage: str | None
    passages: tuple[str, ...]
    score: float
    evidence: dict


@dataclass
class Prepared:
    """A case with its candidate spans and their features: what the model decides on."""

    case: Case
    report: Report
    spans: list
    assessments: list


def prepare(store, cases: list[Case], embedder, settings) -> list[Prepared]:
    """Candidates and features of every case, against the sources registered in ``store``."""
    out = []
    for number, case in enumerate(cases):
        report = report_for(case, number)
        first, last = window(case.date, settings)
        passages = store.candidate_passages({speaker_key(s) for s in report.speakers}, first, last)
        mine, _reason = candidates_for(report, passages)
        spans = align.spans_of(mine)
        assessments = []
        if spans:
            assessments = assess(report.text, report.language, spans,
                                 lambda texts, mode: store.vectors_for(embedder, texts, mode))
        out.append(Prepared(case, report, spans, assessments))
    return out


def decide(prepared: list[Prepared], model: Model | None = None) -> list[Outcome]:
    out = []
    for p in prepared:
        result = conclude(p.report, p.spans, p.assessments, model)
        relation = "not_found" if result.relation == "unchecked" else result.relation
        out.append(Outcome(p.case, relation, result.passage, tuple(result.evidence.get("passages") or ()),
                           result.score, result.evidence))
    return out


def run(store, cases: list[Case], embedder, settings, model: Model | None = None) -> list[Outcome]:
    """Verify every case against the sources registered in ``store``."""
    return decide(prepare(store, cases, embedder, settings), model)


def score(outcomes: list[Outcome]) -> dict:
    """Precision and recall per class, macro-F1, accuracy per language and per distortion, and the
    share of reports with a gold passage whose found passage is it."""
    confusion = {gold: Counter() for gold in RELATIONS}
    for o in outcomes:
        confusion[o.case.label][o.relation] += 1
    per_class = {}
    for relation in RELATIONS:
        predicted = sum(confusion[g][relation] for g in RELATIONS)
        actual = sum(confusion[relation].values())
        hit = confusion[relation][relation]
        precision = hit / predicted if predicted else 0.0
        recall = hit / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[relation] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                               "support": actual}
    languages: dict[str, list[bool]] = {}
    distortions: dict[str, list[bool]] = {}
    for o in outcomes:
        languages.setdefault(o.case.language, []).append(o.relation == o.case.label)
        if o.case.distortion:
            distortions.setdefault(o.case.distortion, []).append(o.relation == o.case.label)
    with_passage = [o for o in outcomes if o.case.passages]
    located = [o for o in with_passage if set(o.passages) & set(o.case.passages)]
    return {
        "cases": len(outcomes),
        "accuracy": round(sum(o.relation == o.case.label for o in outcomes) / len(outcomes), 3) if outcomes else 0.0,
        "macro_f1": round(sum(c["f1"] for c in per_class.values()) / len(RELATIONS), 3),
        "per_class": per_class,
        "confusion": {gold: dict(row) for gold, row in confusion.items()},
        "per_language": {k: {"accuracy": round(sum(v) / len(v), 3), "cases": len(v)} for k, v in sorted(languages.items())},
        "per_distortion": {k: {"accuracy": round(sum(v) / len(v), 3), "cases": len(v)} for k, v in sorted(distortions.items())},
        "passage_found": round(len(located) / len(with_passage), 3) if with_passage else 0.0,
        "errors": [{"id": o.case.id, "gold": o.case.label, "got": o.relation, "language": o.case.language,
                    "distortion": o.case.distortion, "why": o.evidence.get("why", "")}
                   for o in outcomes if o.relation != o.case.label],
    }


def evaluate(folder: Path, settings, embedder=None, *, cache: Path | None = None, model: Model | None = None,
             progress: Callable[[str], None] | None = None) -> dict:
    """Score the set in ``folder``; span and report vectors are cached in ``cache`` (a SQLite
    store) when given, else in a temporary in-memory store."""
    from .embed import get_embedder
    from .store import open_store

    embedder = embedder or get_embedder(settings.embedder)
    url = f"sqlite:///{cache}" if cache else "sqlite:///:memory:"
    store = open_store(url)
    try:
        _clear_sources(store)
        register(store, folder, embedder, progress)
        outcomes = run(store, load_cases(folder), embedder, settings, model)
    finally:
        store.close()
    return score(outcomes)


def _clear_sources(store) -> None:
    for row in store.list_primary_sources():
        store.remove_primary_source(row["key"])
