"""Matching: claims, quotes and check-worthy sentences against narratives and known cases.

    catalogue = Catalogue.from_store(store, embedder)        # narratives' exemplars + known cases
    alerts = match_document(items, vectors, catalogue, settings)

``match_document`` is pure: the items of one document (as ``Store.match_items`` gives them) and
their ``query``-mode vectors in, :class:`~disinfowatch.records.Alert` records out. Each item is
ranked against every catalogue text by the hybrid ranker (:mod:`disinfowatch.rank`: BM25 over
lemmas and the cosine), and the best text per narrative or case decides. Known cases take the
ranker's calibrated probability. Narratives take the :class:`NarrativeScorer`'s, a logistic
regression over absolute features (cosine, shared words, language crossing, polarity, closeness to
the narrative's counterexamples), because an item usually voices no narrative at all: a claim that
says the opposite of the exemplar it resembles ("NATO does not want confrontation" against "NATO
is preparing an attack") scores low. Two thresholds per kind, calibrated on hand-labelled claims by
``scripts/calibrate_matching.py``, make a match a suggestion (review queue) or a confirmed link.
Texts of fewer than ``match_min_confirm_words`` words are never confirmed automatically.

:class:`Matcher` is the driver: documents analysed but not yet matched with :data:`VERSION`, in
order, their item vectors from the store's cache (only these items are embedded, never every
sentence), alerts saved per document in one transaction, so a re-run resumes and adds nothing twice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import polarity
from .rank import HybridRanker, Match
from .records import Alert, Rejection
from .settings import Settings

log = logging.getLogger(__name__)

VERSION = "match-1"  # bump when matching changes, so documents are matched again
KINDS = ("narrative", "case")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Target:
    """One catalogue text: a narrative's exemplar or counterexample, or a known case's claim."""

    kind: str  # narrative | case
    target: str  # narrative id or case key
    title: str
    text: str
    language: str | None
    stance: str = "exemplar"  # exemplar | counter (narratives); case
    disproof: str = ""


@dataclass(frozen=True)
class Thresholds:
    suggest: float
    confirm: float


def thresholds(settings: Settings, kind: str) -> Thresholds:
    return Thresholds(getattr(settings, f"match_suggest_{kind}"), getattr(settings, f"match_confirm_{kind}"))


class Catalogue:
    """What claims are matched against, embedded in ``passage`` mode and indexed for ranking."""

    def __init__(self, targets: Sequence[Target], vectors: np.ndarray, embedder_id: str):
        self.targets = list(targets)
        self.embedder_id = embedder_id
        self.ranker = HybridRanker([t.text for t in self.targets], vectors, [t.language for t in self.targets],
                                   embedder_id=embedder_id)

    def __len__(self) -> int:
        return len(self.targets)

    @classmethod
    def from_store(cls, store, embedder, *, cases: bool = True, progress: Callable[[int, int], None] | None = None) -> Catalogue:
        """The bundled and user narratives (synced first) and every known case; vectors come from
        the store's cache, so only new catalogue texts are embedded."""
        store.sync_bundled_narratives()
        targets = list(narrative_targets(store.list_narratives()))
        if cases:
            targets += case_targets(store.list_cases(limit=None))
        vectors = store.vectors_for(embedder, [t.text for t in targets], "passage", progress=progress)
        return cls(targets, vectors, embedder.id)


def narrative_targets(narratives) -> list[Target]:
    out = []
    for n in narratives:
        disproof = n.disproof or ""
        out += [Target("narrative", n.id, n.title, text, language, "exemplar", disproof) for language, text in n.exemplars]
        out += [Target("narrative", n.id, n.title, text, language, "counter", disproof)
                for language, text in getattr(n, "counterexamples", ())]
    return out


def case_targets(cases) -> list[Target]:
    out = []
    for case in cases:
        text = (case.claim or case.title or "").strip()
        if text:
            language = case.languages[0] if len(case.languages) == 1 else None
            out.append(Target("case", case.key, case.title, text, language, "case", case.disproof or ""))
    return out


def words(text: str) -> int:
    return len(_WORD.findall(text))


def select_items(items: Sequence[dict], settings: Settings) -> list[dict]:
    """What is worth matching: every claim and quote, and check-worthy sentences (score at least
    ``match_min_checkworthiness``) that hold no claim or quote of their own; never texts of fewer
    than three words."""
    spans = [(i["start"], i["end"]) for i in items if i["item_kind"] in ("claim", "quote")]
    chosen = []
    for item in items:
        if words(item["text"]) < 3:
            continue
        if item["item_kind"] == "sentence":
            if (item.get("checkworthiness") or 0.0) < settings.match_min_checkworthiness:
                continue
            if any(start < item["end"] and item["start"] < end for start, end in spans):
                continue
        chosen.append(item)
    return chosen


NARRATIVE_FEATURES = ("vector", "lexical", "crossing", "opposed", "counter_margin")
"""What decides whether an item voices a narrative, per (item, narrative) pair, all absolute
(unlike the ranker's, which compare candidates of one query and assume one of them is right):

* ``vector``: the best cosine with the narrative's exemplars;
* ``lexical``: the best lexical share (BM25 over the item's idf mass) with them;
* ``crossing``: 1 when that exemplar is in another language than the item;
* ``opposed``: 1 when one of the two is negated and the other is not (:mod:`polarity`);
* ``counter_margin``: the best cosine with the narrative's counterexamples (denials, debunks)
  minus ``vector``, floored at -0.2 (and -0.2 without counterexamples).
"""


@dataclass(frozen=True)
class NarrativeScorer:
    """A logistic regression over :data:`NARRATIVE_FEATURES`, fitted by
    ``scripts/calibrate_matching.py`` on hand-labelled claims and shipped in ``models/matching.json``."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def probability(self, features: dict[str, float]) -> float:
        from .checkworthy import sigmoid

        x = (np.array([features[name] for name in NARRATIVE_FEATURES]) - np.array(self.mean)) / np.array(self.scale)
        return float(sigmoid(np.array([x @ np.array(self.weights) + self.bias]))[0])

    @classmethod
    def bundled(cls) -> NarrativeScorer:
        from .settings import _calibration

        model = _calibration().get("narrative", {}).get("model")
        if not model:  # before calibration: a plain cosine scale around e5's usual range
            return cls((12.0, 2.0, 0.0, -2.0, 4.0), -10.0, (0.0,) * 5, (1.0,) * 5)
        return cls(tuple(model["weights"]), model["bias"], tuple(model["mean"]), tuple(model["scale"]))


def _negated(text: str, language: str | None) -> bool:
    return bool(polarity.cues(text, language).negation)


def pair_features(item: dict, vector: np.ndarray, catalogue: Catalogue, depth: int) -> list[tuple[Target, Match, dict]]:
    """For each narrative or case among the item's ``depth`` best catalogue texts: its best
    text, that text's ranking, and the narrative features (empty for cases)."""
    ranked = catalogue.ranker.rank(item["text"], vector, item.get("language"), k=depth)
    best: dict[tuple[str, str], tuple[Target, Match]] = {}
    counter: dict[tuple[str, str], float] = {}
    lexical: dict[tuple[str, str], float] = {}
    for match in ranked:
        target = catalogue.targets[match.index]
        key = (target.kind, target.target)
        if target.stance == "counter":
            counter[key] = max(counter.get(key, -1.0), match.vector)
            continue
        lexical[key] = max(lexical.get(key, 0.0), match.lexical)
        if key not in best or match.vector > best[key][1].vector:
            best[key] = (target, match)
    item_negated = _negated(item["text"], item.get("language"))
    out = []
    for key, (target, match) in best.items():
        features = {}
        if target.kind == "narrative":
            features = {
                "vector": match.vector, "lexical": lexical[key], "crossing": float(match.model == "vector"),
                "opposed": float(_negated(target.text, target.language) != item_negated),
                "counter_margin": max(counter.get(key, -1.0) - match.vector, -0.2),
            }
        out.append((target, match, features))
    return out


def match_item(item: dict, vector: np.ndarray, catalogue: Catalogue, settings: Settings,
               document_id: int, scorer: NarrativeScorer | None = None) -> list[Alert]:
    """The alerts one item raises: at most ``match_max_per_item`` per kind, best first."""
    if not len(catalogue):
        return []
    scorer = scorer or NarrativeScorer.bundled()
    scored = []
    for target, match, features in pair_features(item, vector, catalogue, settings.match_depth):
        probability = scorer.probability(features) if target.kind == "narrative" else match.probability
        scored.append((probability, target, match, features))
    alerts: list[Alert] = []
    short = words(item["text"]) < settings.match_min_confirm_words
    for kind in KINDS:
        limits = thresholds(settings, kind)
        found = sorted((row for row in scored if row[1].kind == kind), key=lambda row: -row[0])
        for rank, (probability, target, match, features) in enumerate(found[: settings.match_max_per_item]):
            if probability < limits.suggest:
                break
            # Only an item's best narrative or case is linked automatically; the rest are suggestions.
            level = "confirm" if probability >= limits.confirm and not short and rank == 0 else "suggest"
            alerts.append(Alert(kind, item["item_kind"], item["item_id"], document_id, target.target,
                                round(probability, 4), level, _evidence(item, probability, match, target, features, short)))
    return alerts


def _evidence(item: dict, probability: float, match: Match, target: Target, features: dict, short: bool) -> dict:
    why = [f"cosine {match.vector:.2f} with the {target.language or '?'} {target.stance} "
           f"«{_clip(target.text)}»"]
    if match.model == "hybrid":
        why.append(f"{match.lexical:.0%} of its weighted words shared (BM25 {match.bm25:.1f})")
    else:
        why.append("in another language: the words are not compared")
    if features.get("opposed"):
        why.append("one of the two is negated (weighs against)")
    if features.get("counter_margin", -1) > -0.05:
        why.append("close to a denial of this narrative too (weighs against)")
    if short:
        why.append("too short to confirm without an analyst")
    return {
        "item_kind": item["item_kind"], "text": item["text"], "context": item.get("context", ""),
        "language": item.get("language"), "who": item.get("who"), "attribution": item.get("attribution"),
        "target_kind": target.kind, "target_title": target.title, "matched_text": target.text,
        "matched_language": target.language, "disproof": target.disproof,
        "probability": round(probability, 4), "vector": round(match.vector, 4), "features": {
            k: round(v, 4) for k, v in features.items()},
        "lexical": round(match.lexical, 4), "bm25": round(match.bm25, 3), "model": match.model,
        "why": "; ".join(why),
    }


def _clip(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def match_document(document_id: int, items: Sequence[dict], vectors: np.ndarray, catalogue: Catalogue,
                   settings: Settings) -> list[Alert]:
    """Alerts for the selected items of one document (``vectors``: one query-mode row per item)."""
    alerts: list[Alert] = []
    for item, vector in zip(items, vectors):
        alerts += match_item(item, vector, catalogue, settings, document_id)
    return alerts


class Matcher:
    """The driver: match every analysed document not yet matched with :data:`VERSION`."""

    def __init__(self, store, settings: Settings, embedder, *, catalogue: Catalogue | None = None,
                 debug: bool = False, progress: Callable[[int, int], None] | None = None):
        self.store = store
        self.settings = settings
        self.embedder = embedder
        self.catalogue = catalogue
        self.debug = debug
        self.progress = progress or (lambda done, total: None)
        self.matched = self.alerts = self.rejected = self.embedded_items = 0
        self.embed_seconds = 0.0

    def run(self, limit: int | None = None, *, rematch: bool = False) -> dict:
        import time

        ids = self.store.documents_to_match("" if rematch else VERSION, limit)
        if ids and self.catalogue is None:
            self.catalogue = Catalogue.from_store(self.store, self.embedder)
        for done, doc_id in enumerate(ids, start=1):
            try:
                items = select_items(self.store.match_items(doc_id), self.settings)
                started = time.perf_counter()
                vectors = self.store.vectors_for(self.embedder, [i["text"] for i in items], "query")
                self.embed_seconds += time.perf_counter() - started
                self.embedded_items += len(items)
                alerts = match_document(doc_id, items, vectors, self.catalogue, self.settings)
            except Exception as exc:  # record per document and go on, unless debugging
                if self.debug:
                    raise
                log.exception("matching failed for document %s", doc_id)
                self.store.add_rejection(Rejection(f"document:{doc_id}", "match", f"error:{type(exc).__name__}",
                                                   str(exc)[:500]))
                self.rejected += 1
                continue
            self.alerts += self.store.save_alerts(doc_id, alerts, VERSION)
            self.matched += 1
            self.progress(done, len(ids))
        return {"matched": self.matched, "alerts": self.alerts, "rejected": self.rejected,
                "items": self.embedded_items, "catalogue": len(self.catalogue or ())}


def match_texts(texts: Sequence[str], languages: Sequence[str | None], catalogue: Catalogue, embedder,
                settings: Settings, scorer: NarrativeScorer | None = None) -> list[list[Alert]]:
    """Match free texts (one claim each) against ``catalogue``: the alerts of each, best first.
    For evaluation, calibration and the library; the pipeline goes through :class:`Matcher`."""
    if embedder.id != catalogue.embedder_id:
        raise ValueError(f"catalogue embedded with {catalogue.embedder_id!r}, texts with {embedder.id!r}: "
                         "vectors from different embedders are never compared")
    vectors = embedder.embed(list(texts), mode="query")
    out = []
    for n, (text, language, vector) in enumerate(zip(texts, languages, vectors)):
        item = {"item_kind": "claim", "item_id": n, "text": text, "language": language, "context": text}
        out.append(sorted(match_item(item, vector, catalogue, settings, 0, scorer), key=lambda a: -a.score))
    return out
