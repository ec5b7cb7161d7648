"""Store verbs for primary sources, their passages, and the verification of quotes and claims
against them; mixed into Store.

    upsert_primary_source(source, origin) -> "new" | "updated" | "unchanged"
    list_primary_sources() / get_primary_source(key) / remove_primary_source(key)
    candidate_passages(speaker_keys, first_day, last_day)     what a report may be checked against
    documents_to_verify(version) / verify_items(document_id) / save_verifications(...)
    verifications(...)                                        the results, with their evidence

Registering, replacing or removing a source marks every analysed document for verification again
(``analyses.verified`` back to NULL), so the next ``analyze`` checks old reports against it too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from ..errors import StoreError
from ..records import Alert, Passage, PrimarySource, Verification, utcnow
from . import schema as t
from .alerts import _document_fields

VERIFY_KINDS = ("divergent", "not_found")  # the alert kinds verification raises


def _source_values(source: PrimarySource, origin: str | None) -> dict:
    from ..primary import date_range

    days = date_range(source.published)
    if days is None:
        raise StoreError(f"primary source {source.key!r}: cannot read its date {source.published!r}")
    return dict(key=source.key, title=source.title, kind=source.kind, language=source.language,
                published=source.published, day_first=days[0].isoformat(), day_last=days[1].isoformat(),
                url=source.url, speakers=json.dumps(list(source.speakers), ensure_ascii=False), work=source.work,
                origin=origin)


def _passage_rows(source_id: int, source: PrimarySource) -> list[dict]:
    from ..primary import speaker_key

    return [dict(source_id=source_id, key=p.key, idx=p.index, turn=p.turn, speaker=p.speaker,
                 speaker_key=speaker_key(p.speaker)[:100], role=p.role, text=p.text) for p in source.passages]


def _source(row, passages: Sequence[Passage] = ()) -> PrimarySource:
    return PrimarySource(row.key, row.title, row.kind, row.language, row.published, row.url,
                         tuple(json.loads(row.speakers)), row.work, tuple(passages))


class PrimaryVerbs:
    engine: sa.Engine

    # -- primary sources ------------------------------------------------------------------------

    def upsert_primary_source(self, source: PrimarySource, origin: str | None = None) -> str:
        """Add ``source`` with its passages, or replace the source stored under its key. Returns
        "new", "updated" or "unchanged". StoreError when one of its passage keys belongs to
        another source (name the keys apart: ``--key``)."""
        ps, pa = t.primary_sources, t.passages
        values = _source_values(source, origin)
        with self._writing() as conn:
            row = conn.execute(ps.select().where(ps.c.key == source.key)).first()
            if row is not None:
                stored = [(p.key, p.idx, p.turn, p.speaker, p.role, p.text) for p in conn.execute(
                    pa.select().where(pa.c.source_id == row.id).order_by(pa.c.idx))]
                given = [(p.key, p.index, p.turn, p.speaker, p.role, p.text) for p in source.passages]
                same = all(getattr(row, k) == v for k, v in values.items() if k != "origin")
                if same and stored == given:
                    return "unchanged"
            keys = [p.key for p in source.passages]
            clashes = []
            for start in range(0, len(keys), 500):
                clashes += conn.execute(
                    sa.select(pa.c.key, ps.c.key.label("source")).join(ps, ps.c.id == pa.c.source_id)
                    .where(pa.c.key.in_(keys[start:start + 500]), ps.c.key != source.key)).all()
            if clashes:
                key, other = clashes[0]
                raise StoreError(f"passage {key!r} of source {source.key!r} is already a passage of {other!r}; "
                                 "register it under another key (--key) or remove the other source first")
            if row is None:
                source_id = conn.execute(ps.insert().values(**values, created_at=utcnow()).returning(ps.c.id)).scalar_one()
                outcome = "new"
            else:
                source_id = row.id
                conn.execute(pa.delete().where(pa.c.source_id == source_id))
                conn.execute(ps.update().where(ps.c.id == source_id).values(**values))
                outcome = "updated"
            rows = _passage_rows(source_id, source)
            for start in range(0, len(rows), 1000):
                conn.execute(pa.insert(), rows[start:start + 1000])
            conn.execute(t.analyses.update().values(verified=None))
        return outcome

    def list_primary_sources(self) -> list[dict]:
        """Every primary source, newest first, with its number of passages and of reports checked."""
        ps, pa, v = t.primary_sources, t.passages, t.verifications
        passages = (sa.select(pa.c.source_id, sa.func.count().label("n")).group_by(pa.c.source_id).subquery())
        checked = (sa.select(v.c.source_key, sa.func.count().label("n")).group_by(v.c.source_key).subquery())
        query = (sa.select(ps, sa.func.coalesce(passages.c.n, 0).label("passages"),
                           sa.func.coalesce(checked.c.n, 0).label("checked"))
                 .outerjoin(passages, passages.c.source_id == ps.c.id)
                 .outerjoin(checked, checked.c.source_key == ps.c.key)
                 .order_by(ps.c.day_first.desc(), ps.c.key))
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            row["speakers"] = json.loads(row["speakers"])
        return rows

    def get_primary_source(self, key: str) -> PrimarySource | None:
        ps, pa = t.primary_sources, t.passages
        with self.engine.connect() as conn:
            row = conn.execute(ps.select().where(ps.c.key == key)).first()
            if row is None:
                return None
            passages = [Passage(p.key, p.idx, p.speaker, p.role, p.text, p.turn)
                        for p in conn.execute(pa.select().where(pa.c.source_id == row.id).order_by(pa.c.idx))]
        return _source(row, passages)

    def primary_versions(self, work: str) -> list[dict]:
        """The language versions of one source: key, language, title, url."""
        ps = t.primary_sources
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(
                sa.select(ps.c.key, ps.c.language, ps.c.title, ps.c.url).where(ps.c.work == work).order_by(ps.c.key))]

    def remove_primary_source(self, key: str) -> bool:
        """Remove a source and its passages (verifications against it are redone on the next run)."""
        ps = t.primary_sources
        with self._writing() as conn:
            source_id = conn.execute(sa.select(ps.c.id).where(ps.c.key == key)).scalar()
            if source_id is None:
                return False
            conn.execute(t.passages.delete().where(t.passages.c.source_id == source_id))
            conn.execute(ps.delete().where(ps.c.id == source_id))
            conn.execute(t.analyses.update().values(verified=None))
        return True

    def count_primary_sources(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(t.primary_sources)).scalar_one()

    def candidate_passages(self, speaker_keys: Iterable[str], first_day: str | None, last_day: str | None,
                           *, limit: int = 5000) -> list[dict]:
        """What the named speakers (folded surnames, :func:`disinfowatch.primary.speaker_key`) said
        in sources dated from ``first_day`` to ``last_day`` (ISO dates; None: no bound), questions
        left out, in source and passage order. Dicts of the passage (key, idx, turn, speaker, role,
        text) and its source (source_key, source_title, source_kind, source_language,
        source_published, source_url, source_work)."""
        keys = sorted({k for k in speaker_keys if k})
        if not keys:
            return []
        ps, pa = t.primary_sources, t.passages
        query = (sa.select(pa.c.key, pa.c.idx, pa.c.turn, pa.c.speaker, pa.c.role, pa.c.text,
                           ps.c.key.label("source_key"), ps.c.title.label("source_title"),
                           ps.c.kind.label("source_kind"), ps.c.language.label("source_language"),
                           ps.c.published.label("source_published"), ps.c.url.label("source_url"),
                           ps.c.work.label("source_work"))
                 .join(ps, ps.c.id == pa.c.source_id)
                 .where(pa.c.speaker_key.in_(keys), pa.c.role != "question")
                 .order_by(ps.c.day_first.desc(), ps.c.key, pa.c.idx).limit(limit))
        if first_day:
            query = query.where(ps.c.day_last >= first_day)
        if last_day:
            query = query.where(ps.c.day_first <= last_day)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def iter_passages(self, *, speaker_keys: Iterable[str] | None = None, limit: int = 100_000) -> list[dict]:
        """Passages (questions too) with their source, newest source first; of some speakers only
        when ``speaker_keys`` is given. For search."""
        ps, pa = t.primary_sources, t.passages
        query = (sa.select(pa.c.key, pa.c.idx, pa.c.turn, pa.c.speaker, pa.c.role, pa.c.text,
                           ps.c.key.label("source_key"), ps.c.title.label("source_title"),
                           ps.c.kind.label("source_kind"), ps.c.language.label("source_language"),
                           ps.c.published.label("source_published"), ps.c.url.label("source_url"))
                 .join(ps, ps.c.id == pa.c.source_id).order_by(ps.c.day_first.desc(), ps.c.key, pa.c.idx).limit(limit))
        if speaker_keys is not None:
            query = query.where(pa.c.speaker_key.in_(sorted(set(speaker_keys))))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def speakers_near(self, first_day: str | None, last_day: str | None) -> set[str]:
        """Folded surnames of everyone with a source in the date range (for claims about "the
        interview" that name no speaker)."""
        ps, pa = t.primary_sources, t.passages
        query = (sa.select(pa.c.speaker_key).distinct().join(ps, ps.c.id == pa.c.source_id)
                 .where(pa.c.role != "question"))
        if first_day:
            query = query.where(ps.c.day_last >= first_day)
        if last_day:
            query = query.where(ps.c.day_first <= last_day)
        with self.engine.connect() as conn:
            return {k for k in conn.execute(query).scalars() if k}

    # -- what verification reads --------------------------------------------------------------

    def documents_to_verify(self, version: str, limit: int | None = None) -> list[int]:
        """Analysed documents not yet verified with ``version``, oldest first."""
        return self._pending("verified", version, limit)

    def verify_items(self, document_id: int) -> dict | None:
        """A document's quotes and claims as verification reads them, with the document's date
        and language, the sentence and paragraph around each, and the people it mentions."""
        from .alerts import _context

        d = t.documents
        with self.engine.connect() as conn:
            doc = conn.execute(sa.select(d.c.text, d.c.language, d.c.published, d.c.title, d.c.url)
                               .where(d.c.id == document_id)).first()
            if doc is None:
                return None
            sentences = [(r.start, r.end, r.paragraph) for r in conn.execute(
                sa.select(t.sentences.c.start, t.sentences.c.end, t.sentences.c.paragraph)
                .where(t.sentences.c.document_id == document_id).order_by(t.sentences.c.idx))]
            people = list(dict.fromkeys(conn.execute(
                sa.select(t.mentions.c.entity).where(t.mentions.c.document_id == document_id,
                                                     t.mentions.c.kind == "person").order_by(t.mentions.c.id)).scalars()))
            items = []
            for r in conn.execute(t.quotes.select().where(t.quotes.c.document_id == document_id).order_by(t.quotes.c.id)):
                items.append(dict(item_kind="quote", item_id=r.id, text=r.text, start=r.start, end=r.end,
                                  who=r.speaker, who_kind="person" if r.speaker else "unknown",
                                  attribution=r.attribution or "", claim_kind=None))
            for r in conn.execute(t.claims.select().where(t.claims.c.document_id == document_id).order_by(t.claims.c.id)):
                items.append(dict(item_kind="claim", item_id=r.id, text=r.text, start=r.start, end=r.end,
                                  who=r.attributed_to, who_kind=r.attributed_kind, attribution=r.attribution,
                                  claim_kind=r.kind))
        people += [i["who"] for i in items if i["item_kind"] == "quote" and i["who"] and i["who"] not in people]
        for item in items:
            item["language"] = doc.language
            item["sentence"] = _around(doc.text, sentences, item["start"], item["end"], 0)
            item["nearby"] = _around(doc.text, sentences, item["start"], item["end"], 1)
            item["context"] = _context(doc.text, item["start"], item["end"])
        return dict(document_id=document_id, language=doc.language, published=doc.published, title=doc.title,
                    url=doc.url, people=people, items=items)

    # -- results ---------------------------------------------------------------------------------

    def save_verifications(self, document_id: int, results: Iterable[Verification], alerts: Iterable[Alert],
                           version: str) -> int:
        """Replace the document's verifications and its open divergent / not-found alerts, and mark
        it verified with ``version``, in one transaction. Alerts an analyst decided on stay and are
        not raised again. Returns how many alerts were added."""
        v, al = t.verifications, t.alerts
        now = utcnow()
        rows = [dict(document_id=document_id, item_kind=r.item_kind, item_id=r.item_id, relation=r.relation,
                     speaker=r.speaker, passage_key=r.passage, source_key=r.source, score=r.score,
                     evidence=json.dumps(r.evidence, ensure_ascii=False), created_at=now) for r in results]
        added = 0
        with self._writing() as conn:
            conn.execute(v.delete().where(v.c.document_id == document_id))
            if rows:
                conn.execute(v.insert(), rows)
            conn.execute(al.delete().where(al.c.document_id == document_id, al.c.status == "open",
                                           al.c.kind.in_(VERIFY_KINDS)))
            decided = {(r.item_kind, r.item_id, r.kind, r.target) for r in conn.execute(
                sa.select(al.c.item_kind, al.c.item_id, al.c.kind, al.c.target).where(al.c.document_id == document_id))}
            where = _document_fields(conn, document_id)
            new = [dict(kind=a.kind, item_kind=a.item_kind, item_id=a.item_id, document_id=document_id, **where,
                        target=a.target, score=a.score, level=a.level, status="open",
                        evidence=json.dumps(a.evidence, ensure_ascii=False), created_at=now)
                   for a in alerts if (a.item_kind, a.item_id, a.kind, a.target) not in decided]
            if new:
                conn.execute(al.insert(), new)
                added = len(new)
            conn.execute(t.analyses.update().where(t.analyses.c.document_id == document_id).values(verified=version))
        return added

    def verifications(self, *, document_id: int | None = None, relation: str | None = None,
                      source_key: str | None = None, checked_only: bool = False,
                      limit: int | None = 100) -> list[dict]:
        """Verification results with their evidence and the document's title, URL and outlet:
        divergent first, then not found, faithful, verbatim, unchecked; then by document."""
        v, d = t.verifications, t.documents
        order = sa.case((v.c.relation == "divergent", 0), (v.c.relation == "not_found", 1),
                        (v.c.relation == "faithful", 2), (v.c.relation == "verbatim", 3), else_=4)
        query = (sa.select(v, d.c.title.label("document_title"), d.c.url, d.c.source, d.c.published)
                 .join(d, d.c.id == v.c.document_id).order_by(order, v.c.document_id, v.c.id))
        if document_id is not None:
            query = query.where(v.c.document_id == document_id)
        if relation:
            query = query.where(v.c.relation == relation)
        if source_key:
            query = query.where(v.c.source_key == source_key)
        if checked_only:
            query = query.where(v.c.relation != "unchecked")
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            row["evidence"] = json.loads(row["evidence"])
        return rows


def _around(text: str, sentences: list[tuple[int, int, int]], start: int, end: int, extra: int) -> str:
    """The sentence(s) holding ``text[start:end]`` and ``extra`` sentences either side, within
    its paragraph."""
    inside = [i for i, (a, b, _) in enumerate(sentences) if a < end and start < b]
    if not inside:
        return text[start:end]
    paragraph = sentences[inside[0]][2]
    first = max(inside[0] - extra, 0)
    last = min(inside[-1] + extra, len(sentences) - 1)
    chosen = [s for s in sentences[first:last + 1] if s[2] == paragraph]
    return text[chosen[0][0]:chosen[-1][1]] if chosen else text[start:end]
