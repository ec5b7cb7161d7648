"""Store verbs for the monitor: when each source is due, its run history, health events and the
notifications sent; mixed into Store."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from ..records import utcnow
from . import schema as t


def _aware(value: datetime | None) -> datetime | None:
    from datetime import timezone

    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


class MonitorVerbs:
    engine: sa.Engine

    # -- sources' schedule --------------------------------------------------------------------------

    def source_states(self) -> dict[str, dict]:
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(sa.select(t.source_state))]
        for row in rows:
            row["next_due_at"], row["last_ok_at"] = _aware(row["next_due_at"]), _aware(row["last_ok_at"])
        return {row["source"]: row for row in rows}

    def record_run(self, source: str, started_at: datetime, ok: bool, documents: int, rejected: int,
                   error: str | None, next_due_at: datetime) -> int:
        """One poll of ``source`` into its history, and its next due time; returns the failures in
        a row (0 after a success)."""
        st, runs = t.source_state, t.source_runs
        now = utcnow()
        with self._writing() as conn:
            conn.execute(runs.insert().values(source=source, started_at=started_at, finished_at=now, ok=ok,
                                              documents=documents, rejected=rejected, error=(error or None)))
            row = conn.execute(sa.select(st.c.failures).where(st.c.source == source)).first()
            failures = 0 if ok else (row.failures if row else 0) + 1
            values = dict(next_due_at=next_due_at, failures=failures, last_error=None if ok else (error or "")[:2000])
            if ok:
                values["last_ok_at"] = now
            if row is None:
                conn.execute(st.insert().values(source=source, **values))
            else:
                conn.execute(st.update().where(st.c.source == source).values(**values))
        return failures

    def source_runs(self, source: str | None = None, limit: int = 50) -> list[dict]:
        r = t.source_runs
        query = sa.select(r).order_by(r.c.id.desc()).limit(limit)
        if source:
            query = query.where(r.c.source == source)
        with self.engine.connect() as conn:
            return [dict(x._mapping) for x in conn.execute(query)]

    def documents_since(self, since: datetime) -> dict[str, dict[str, int]]:
        """Documents stored since ``since``, per source and per language."""
        d = t.documents
        out = {"sources": {}, "languages": {}}
        with self.engine.connect() as conn:
            for row in conn.execute(sa.select(sa.func.coalesce(d.c.source, "(none)"), sa.func.count())
                                    .where(d.c.created_at >= since).group_by(d.c.source)):
                out["sources"][row[0]] = row[1]
            for row in conn.execute(sa.select(sa.func.coalesce(d.c.language, "?"), sa.func.count())
                                    .where(d.c.created_at >= since).group_by(d.c.language)):
                out["languages"][row[0]] = row[1]
        return out

    # -- health events ----------------------------------------------------------------------------

    def open_health(self) -> list[dict]:
        h = t.health_events
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(h).where(h.c.resolved_at.is_(None)).order_by(h.c.id))]

    def health_history(self, limit: int = 100) -> list[dict]:
        h = t.health_events
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(h).order_by(h.c.id.desc()).limit(limit))]

    def open_health_event(self, kind: str, subject_kind: str, subject: str, detail: str) -> int | None:
        """A new health event, unless the same one is open; its id when new."""
        h = t.health_events
        with self._writing() as conn:
            found = conn.execute(sa.select(h.c.id).where(h.c.resolved_at.is_(None), h.c.kind == kind,
                                                         h.c.subject_kind == subject_kind, h.c.subject == subject)).first()
            if found:
                return None
            return conn.execute(h.insert().values(kind=kind, subject_kind=subject_kind, subject=subject, detail=detail,
                                                  opened_at=utcnow()).returning(h.c.id)).scalar_one()

    def resolve_health_event(self, event_id: int) -> None:
        h = t.health_events
        with self._writing() as conn:
            conn.execute(h.update().where(h.c.id == event_id, h.c.resolved_at.is_(None)).values(resolved_at=utcnow()))

    # -- notifications -----------------------------------------------------------------------------

    def notified(self, channel: str, subject_kind: str) -> set[int]:
        n = t.notifications
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(n.c.subject_id).where(n.c.channel == channel,
                                                                     n.c.subject_kind == subject_kind, n.c.ok.is_(True)))
                       .scalars())

    def record_notification(self, channel: str, subject_kind: str, subject_id: int, ok: bool,
                            error: str | None = None) -> None:
        n = t.notifications
        with self._writing() as conn:
            updated = conn.execute(n.update().where(n.c.channel == channel, n.c.subject_kind == subject_kind,
                                                    n.c.subject_id == subject_id)
                                   .values(sent_at=utcnow(), ok=ok, error=error)).rowcount
            if not updated:
                conn.execute(n.insert().values(channel=channel, subject_kind=subject_kind, subject_id=subject_id,
                                               sent_at=utcnow(), ok=ok, error=error))

    def alerts_to_notify(self, min_score: float, since_id: int = 0, limit: int = 200) -> list[dict]:
        """Open alerts at the confirm level or at least ``min_score``, newest last."""
        al, d = t.alerts, t.documents
        query = (sa.select(al, d.c.title.label("document_title"), d.c.url)
                 .join(d, d.c.id == al.c.document_id)
                 .where(al.c.status == "open", al.c.id > since_id, sa.or_(al.c.level == "confirm", al.c.score >= min_score))
                 .order_by(al.c.id).limit(limit))
        import json

        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            row["evidence"] = json.loads(row["evidence"])
        return rows


def since(hours: float) -> datetime:
    return utcnow() - timedelta(hours=hours)
