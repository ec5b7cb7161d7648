"""Store verbs for alerts (claims, quotes and sentences matched to narratives, cases, passages)
and for what the matching stage reads (the analysed items of a document); mixed into Store."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlalchemy as sa

from ..records import Alert, utcnow
from . import schema as t

STATUSES = ("open", "confirmed", "dismissed", "merged")


class AlertVerbs:
    engine: sa.Engine

    # -- what matching reads ------------------------------------------------------------------

    def documents_to_match(self, version: str, limit: int | None = None) -> list[int]:
        """Ids of analysed documents not yet matched with ``version``, oldest first."""
        return self._pending("matched", version, limit)

    def match_items(self, document_id: int) -> list[dict]:
        """The document's claims, quotes and sentences as matching sees them: ``item_kind``,
        ``item_id``, ``text``, ``start``, ``end``, ``language``, ``checkworthiness``, ``who``."""
        d = t.documents
        with self.engine.connect() as conn:
            doc = conn.execute(sa.select(d.c.text, d.c.language).where(d.c.id == document_id)).first()
            if doc is None:
                return []
            items = []
            for r in conn.execute(t.sentences.select().where(t.sentences.c.document_id == document_id)
                                  .order_by(t.sentences.c.idx)):
                items.append(dict(item_kind="sentence", item_id=r.id, text=doc.text[r.start:r.end], start=r.start,
                                  end=r.end, language=r.language or doc.language,
                                  checkworthiness=r.checkworthiness or 0.0, who=None))
            for r in conn.execute(t.claims.select().where(t.claims.c.document_id == document_id).order_by(t.claims.c.id)):
                items.append(dict(item_kind="claim", item_id=r.id, text=r.text, start=r.start, end=r.end,
                                  language=doc.language, checkworthiness=r.checkworthiness or 0.0, who=r.attributed_to,
                                  attribution=r.attribution))
            for r in conn.execute(t.quotes.select().where(t.quotes.c.document_id == document_id).order_by(t.quotes.c.id)):
                items.append(dict(item_kind="quote", item_id=r.id, text=r.text, start=r.start, end=r.end,
                                  language=doc.language, checkworthiness=None, who=r.speaker,
                                  attribution=r.attribution))
        for item in items:
            item["context"] = _context(doc.text, item["start"], item["end"])
        return items

    # -- alerts --------------------------------------------------------------------------------

    def save_alerts(self, document_id: int, alerts: Iterable[Alert], version: str) -> int:
        """Replace the document's open alerts of the matching kinds with ``alerts`` and mark it
        matched with ``version``, in one transaction. Alerts an analyst decided on are kept (an
        alert for the same item and target is not raised again). Returns how many were added."""
        with self._write, self.engine.begin() as conn:
            return _save_alerts(conn, document_id, alerts, version)

    def alerts(self, *, status: str | None = "open", kind: str | None = None, level: str | None = None,
               document_id: int | None = None, limit: int | None = 50) -> list[dict]:
        """Alerts best first (confirmed-level before suggestions, then by score), with the
        document's title, URL, language and outlet."""
        al, d = t.alerts, t.documents
        query = (sa.select(al, d.c.title.label("document_title"), d.c.url, d.c.site_name)
                 .join(d, d.c.id == al.c.document_id)
                 .order_by(sa.case((al.c.level == "confirm", 0), else_=1), al.c.score.desc(), al.c.id))
        if status:
            query = query.where(al.c.status == status)
        if kind:
            query = query.where(al.c.kind == kind)
        if level:
            query = query.where(al.c.level == level)
        if document_id is not None:
            query = query.where(al.c.document_id == document_id)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            row["evidence"] = json.loads(row["evidence"])
        return rows

    def count_alerts(self, status: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(t.alerts)
        if status:
            query = query.where(t.alerts.c.status == status)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def decide_alert(self, alert_id: int, status: str, who: str | None = None, case_id: int | None = None) -> bool:
        """Record an analyst's decision on an alert: confirmed, dismissed, merged (into a case), or
        open again. False when there is no such alert."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        values = dict(status=status, decided_at=None if status == "open" else utcnow(), decided_by=who)
        if case_id is not None:
            values["case_id"] = case_id
        with self._write, self.engine.begin() as conn:
            return conn.execute(t.alerts.update().where(t.alerts.c.id == alert_id).values(**values)).rowcount > 0


def _document_fields(conn, document_id: int) -> dict:
    """The document's language, source and date, as the alerts of it keep them (for the queue)."""
    d = t.documents
    row = conn.execute(sa.select(d.c.language, d.c.source, d.c.published).where(d.c.id == document_id)).first()
    return dict(row._mapping) if row else {"language": None, "source": None, "published": None}


def _context(text: str, start: int, end: int, width: int = 160) -> str:
    """The item with some text either side, cut at word boundaries, for an alert's evidence."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    return ("…" if left > 0 else "") + text[left:right].strip() + ("…" if right < len(text) else "")


def _save_alerts(conn, document_id: int, alerts: Iterable[Alert], version: str) -> int:
    """:meth:`AlertVerbs.save_alerts` inside a transaction the caller holds."""
    alerts = list(alerts)
    kinds = sorted({"narrative", "case"} | {a.kind for a in alerts})
    al = t.alerts
    added = 0
    conn.execute(al.delete().where(al.c.document_id == document_id, al.c.status == "open",
                                   al.c.kind.in_(kinds)))
    decided = {(r.item_kind, r.item_id, r.kind, r.target) for r in conn.execute(
        sa.select(al.c.item_kind, al.c.item_id, al.c.kind, al.c.target).where(al.c.document_id == document_id))}
    where = _document_fields(conn, document_id)
    rows = [dict(kind=a.kind, item_kind=a.item_kind, item_id=a.item_id, document_id=a.document_id, **where,
                 target=a.target, score=a.score, level=a.level,
                 status="open", evidence=json.dumps(a.evidence, ensure_ascii=False), created_at=utcnow())
            for a in alerts if (a.item_kind, a.item_id, a.kind, a.target) not in decided]
    if rows:
        conn.execute(al.insert(), rows)
        added = len(rows)
    conn.execute(t.analyses.update().where(t.analyses.c.document_id == document_id).values(matched=version))
    return added
