"""Store verbs for analysis results (sentences, quotes, claims, mentions); mixed into Store."""

from __future__ import annotations

import json
from typing import Iterator

import sqlalchemy as sa

from ..records import Analysis, Claim, Mention, Quote, Sentence, utcnow
from . import schema as t

_PARTS = (t.sentences, t.quotes, t.claims, t.mentions)


class AnalysisVerbs:
    engine: sa.Engine

    def documents_to_analyze(self, version: str, limit: int | None = None) -> list[int]:
        """Ids of documents not yet analysed with ``version``, oldest first."""
        d, a = t.documents, t.analyses
        query = (sa.select(d.c.id).outerjoin(a, a.c.document_id == d.c.id)
                 .where(sa.or_(a.c.version.is_(None), a.c.version != version)).order_by(d.c.id))
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def _pending(self, column: str, version: str, limit: int | None) -> list[int]:
        """Ids of analysed documents whose ``analyses.<column>`` (matched, verified) is not
        ``version``, oldest first: what a later stage has still to do."""
        a = t.analyses
        done = a.c[column]
        query = sa.select(a.c.document_id).where(sa.or_(done.is_(None), done != version)).order_by(a.c.document_id)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def save_analysis(self, analysis: Analysis) -> None:
        """Replace a document's analysis in one transaction (so re-running never duplicates)."""
        with self._write, self.engine.begin() as conn:
            _save_analysis(conn, analysis)

    def get_analysis(self, document_id: int) -> Analysis | None:
        with self.engine.connect() as conn:
            row = conn.execute(t.analyses.select().where(t.analyses.c.document_id == document_id)).first()
            if row is None:
                return None
            text = conn.execute(sa.select(t.documents.c.text).where(t.documents.c.id == document_id)).scalar_one()

            def rows(table):
                return conn.execute(table.select().where(table.c.document_id == document_id).order_by(table.c.id)).all()

            sents = rows(t.sentences)
            return Analysis(
                document_id=document_id,
                sentences=tuple(Sentence(r.idx, r.start, r.end, text[r.start:r.end], r.language, r.language_score or 0.0,
                                         r.paragraph) for r in sents),
                quotes=tuple(Quote(r.text, r.start, r.end, r.speaker, r.speaker_text, r.verb, r.attribution, r.form)
                             for r in rows(t.quotes)),
                claims=tuple(Claim(r.text, r.start, r.end, r.attributed_to, r.attributed_kind, r.attribution, r.kind,
                                   r.checkworthiness or 0.0) for r in rows(t.claims)),
                mentions=tuple(Mention(r.entity, r.kind, r.start, r.end, r.surface) for r in rows(t.mentions)),
                countries=tuple(json.loads(row.countries)),
                checkworthiness=tuple(r.checkworthiness if r.checkworthiness is not None else 0.0 for r in sents),
                version=row.version,
            )

    def iter_claims(self, limit: int | None = None) -> Iterator[dict]:
        c, d = t.claims, t.documents
        query = (sa.select(c.c.id, c.c.document_id, c.c.text, c.c.attributed_to, c.c.attributed_kind, c.c.kind,
                           c.c.checkworthiness, d.c.language, d.c.source)
                 .join(d, d.c.id == c.c.document_id).order_by(c.c.id))
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield dict(row._mapping)


def _save_analysis(conn, analysis: Analysis) -> None:
    """:meth:`AnalysisVerbs.save_analysis` inside a transaction the caller holds."""
    doc = analysis.document_id
    scores = analysis.checkworthiness or (None,) * len(analysis.sentences)
    for table in _PARTS:
        conn.execute(table.delete().where(table.c.document_id == doc))
    conn.execute(t.analyses.delete().where(t.analyses.c.document_id == doc))
    # The items are new rows now: open alerts on the old ones go (matching runs again);
    # decided alerts stay, their evidence carries the text they were about.
    conn.execute(t.alerts.delete().where(t.alerts.c.document_id == doc, t.alerts.c.status == "open"))
    conn.execute(t.verifications.delete().where(t.verifications.c.document_id == doc))
    if analysis.sentences:
        conn.execute(t.sentences.insert(), [
            dict(document_id=doc, idx=s.index, start=s.start, end=s.end, language=s.language,
                 language_score=s.language_score, paragraph=s.paragraph, checkworthiness=score)
            for s, score in zip(analysis.sentences, scores)])
    if analysis.quotes:
        conn.execute(t.quotes.insert(), [dict(document_id=doc, **q.__dict__) for q in analysis.quotes])
    if analysis.claims:
        conn.execute(t.claims.insert(), [dict(document_id=doc, **c.__dict__) for c in analysis.claims])
    if analysis.mentions:
        conn.execute(t.mentions.insert(), [dict(document_id=doc, **m.__dict__) for m in analysis.mentions])
    conn.execute(t.analyses.insert().values(document_id=doc, version=analysis.version,
                                            countries=json.dumps(list(analysis.countries)), analyzed_at=utcnow()))
