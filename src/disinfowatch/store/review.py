"""Store verbs for the analysts' work: the review queue, analysts' cases and their corrections,
the figures of the dashboard and the search across documents, claims and cases; mixed into Store.

    review_queue(kind=, narrative=, language=, outlet=, since=, until=, offset=, limit=) -> (rows, total)
    add_case(case, username) / update_case(case_id, fields, username, note=) / case_history(case_id)
    activity(days=) -> alerts and cases per week by narrative, language, outlet, country
    coverage(days=) -> documents per source and language per day, with the quiet ones named
    search_claims(query) / search_cases(query)

Every write here also writes its audit row in the same transaction.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, timedelta

import sqlalchemy as sa

from ..records import utcnow
from . import schema as t

MAX_TERMS = 8  # words of a search query that are used


def _day(column) -> sa.ColumnElement:
    """The first ten characters (YYYY-MM-DD) of a date, timestamp or ISO text, on both backends."""
    return sa.func.substr(sa.cast(column, sa.String), 1, 10)


def _words(query: str) -> list[str]:
    return [w for w in query.replace("%", " ").replace("_", " ").split() if any(ch.isalnum() for ch in w)][:MAX_TERMS]


class ReviewVerbs:
    engine: sa.Engine

    # -- the review queue ------------------------------------------------------------------------

    def review_queue(self, *, status: str | None = "open", kind: str | None = None, narrative: str | None = None,
                     language: str | None = None, outlet: str | None = None, since: str | None = None,
                     until: str | None = None, offset: int = 0, limit: int = 50) -> tuple[list[dict], int]:
        """Alerts best first (confirmed-level, then score), with their document's title, URL,
        language, outlet and date; filtered; one page of them and how many match in all."""
        al, d = t.alerts, t.documents
        conditions = []
        if status:
            conditions.append(al.c.status == status)
        if kind:
            conditions.append(al.c.kind == kind)
        if narrative:
            conditions.append(sa.and_(al.c.kind == "narrative", al.c.target == narrative))
        if language:
            conditions.append(al.c.language == language)
        if outlet:
            conditions.append(al.c.source == outlet)
        if since:
            conditions.append(_day(al.c.published) >= since)
        if until:
            conditions.append(_day(al.c.published) <= until)
        base = sa.select(al.c.id)
        # The page's ids first, by the alerts' own columns (the document's language, source and
        # date are copied into them; the order is served by the ix_alerts_* indexes: "confirm"
        # sorts before "suggest"), then their rows: the evidence is never sorted.
        ids = base.where(*conditions).order_by(al.c.level, al.c.score.desc(), al.c.id).offset(offset).limit(limit)
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(base.where(*conditions).subquery())).scalar_one()
            page = list(conn.execute(ids).scalars())
            query = (sa.select(al, d.c.title.label("document_title"), d.c.url, d.c.site_name)
                     .join(d, d.c.id == al.c.document_id).where(al.c.id.in_(page)))
            found = {r.id: dict(r._mapping) for r in conn.execute(query)} if page else {}
        rows = [found[i] for i in page if i in found]
        for row in rows:
            row["evidence"] = json.loads(row["evidence"])
        return rows, total

    def get_alert(self, alert_id: int) -> dict | None:
        rows, _ = self._alert_rows(t.alerts.c.id == alert_id)
        return rows[0] if rows else None

    def _alert_rows(self, condition) -> tuple[list[dict], int]:
        al, d = t.alerts, t.documents
        query = (sa.select(al, d.c.title.label("document_title"), d.c.url, d.c.site_name, d.c.raw_sha256)
                 .join(d, d.c.id == al.c.document_id).where(condition))
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            row["evidence"] = json.loads(row["evidence"])
        return rows, len(rows)

    def alerts_for_case(self, case_id: int) -> list[dict]:
        return self._alert_rows(t.alerts.c.case_id == case_id)[0]

    def set_alert(self, alert_id: int, username: str, action: str, *, status: str, case_id: int | None = None,
                  note: str | None = None) -> None:
        """An analyst's decision on an alert, with its audit row."""
        al = t.alerts
        with self._writing() as conn:
            before = conn.execute(sa.select(al.c.status, al.c.case_id).where(al.c.id == alert_id)).first()
            values = dict(status=status, decided_at=utcnow(), decided_by=username)
            if case_id is not None:
                values["case_id"] = case_id
            conn.execute(al.update().where(al.c.id == alert_id).values(**values))
            self.add_audit(username, action, "alert", alert_id, dict(before._mapping) if before else None,
                           {"status": status, "case_id": case_id}, note, conn=conn)

    # -- analysts' cases -------------------------------------------------------------------------

    def add_case(self, values: dict, username: str, *, alert_id: int | None = None) -> int:
        """A new case (the EUvsDisinfo fields of ``values``), with its audit row; its id. Lists
        are JSON-encoded here; ``key`` defaults to ``analyst:<n>``."""
        c = t.cases
        now = utcnow()
        row = _encode(values)
        with self._writing() as conn:
            case_id = conn.execute(c.insert().values(key=values.get("key") or f"analyst:pending-{now.timestamp()}",
                                                     origin=values.get("origin", "analyst"), created_at=now,
                                                     updated_at=now, **{k: v for k, v in row.items()
                                                                        if k not in ("key", "origin")})
                                   .returning(c.c.id)).scalar_one()
            if not values.get("key"):
                conn.execute(c.update().where(c.c.id == case_id).values(key=f"analyst:{case_id}"))
            self.add_audit(username, "case.create", "case", case_id, None, values,
                           f"from alert {alert_id}" if alert_id else None, conn=conn)
        return case_id

    def update_case(self, case_id: int, fields: dict, username: str, *, action: str = "case.edit",
                    note: str | None = None, correction: bool = False) -> dict:
        """Change some fields of a case; the audit row keeps before and after of those fields, and
        a correction (of a published case) is also written to the public correction log. Returns
        the fields that changed, as they were before."""
        c = t.cases
        encoded = _encode(fields)
        with self._writing() as conn:
            row = conn.execute(sa.select(c).where(c.c.id == case_id)).first()
            if row is None:
                return {}
            before = {k: getattr(row, k) for k in encoded}
            changed = {k: v for k, v in encoded.items() if before[k] != v}
            if not changed:
                return {}
            conn.execute(c.update().where(c.c.id == case_id).values(**changed, updated_at=utcnow()))
            self.add_audit(username, action, "case", case_id, _decode({k: before[k] for k in changed}),
                           _decode(changed), note, conn=conn)
            if correction:
                conn.execute(t.corrections.insert().values(case_id=case_id, at=utcnow(), username=username,
                                                           note=note or "", fields=json.dumps(sorted(changed))))
        return _decode({k: before[k] for k in changed})

    def release_case(self, case_id: int) -> None:
        """Mark when an editor first published a case (the weekly review counts it that week)."""
        c = t.cases
        with self._writing() as conn:
            conn.execute(c.update().where(c.c.id == case_id, c.c.released_at.is_(None)).values(released_at=utcnow()))

    def released_cases(self, first: date, last: date, *, narrative: str | None = None,
                       language: str | None = None) -> list[tuple]:
        """(case, released_at) of the analysts' cases first published from ``first`` to ``last``
        (inclusive days, UTC) that are published or corrected now, oldest first."""
        from datetime import datetime, time, timezone

        from .catalogue import _case

        c = t.cases
        start = datetime.combine(first, time.min, tzinfo=timezone.utc)
        stop = datetime.combine(last + timedelta(days=1), time.min, tzinfo=timezone.utc)
        query = (sa.select(c).where(c.c.released_at >= start, c.c.released_at < stop,
                                    c.c.status.in_(("published", "corrected")))
                 .order_by(c.c.released_at, c.c.id))
        if narrative:
            query = query.where(c.c.narrative_id == narrative)
        with self.engine.connect() as conn:
            rows = [(_case(r), r.released_at) for r in conn.execute(query)]
        if language:
            rows = [(case, at) for case, at in rows if language in case.languages]
        return rows

    def public_cases(self, *, narrative: str | None = None, language: str | None = None, limit: int = 50,
                     offset: int = 0) -> list[tuple]:
        """(case, released_at) of published, corrected and withdrawn analysts' cases, newest first."""
        from .catalogue import _case

        c = t.cases
        query = (sa.select(c).where(c.c.released_at.is_not(None), c.c.status.in_(("published", "corrected", "withdrawn")))
                 .order_by(c.c.released_at.desc(), c.c.id.desc()))
        if narrative:
            query = query.where(c.c.narrative_id == narrative)
        if language:
            query = query.where(c.c.languages.contains(f'"{language}"', autoescape=True))
        with self.engine.connect() as conn:
            return [(_case(r), r.released_at) for r in conn.execute(query.offset(offset).limit(limit))]

    def get_released_at(self, case_id: int):
        with self.engine.connect() as conn:
            return conn.execute(sa.select(t.cases.c.released_at).where(t.cases.c.id == case_id)).scalar()

    # -- digests ----------------------------------------------------------------------------------

    def cover_note(self, week: str, language: str) -> dict | None:
        g = t.digests
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(g).where(g.c.week == week, g.c.language == language)).first()
        return dict(row._mapping) if row else None

    def save_cover_note(self, week: str, language: str, text: str, username: str) -> None:
        g = t.digests
        with self._writing() as conn:
            before = conn.execute(sa.select(g.c.cover_note).where(g.c.week == week, g.c.language == language)).scalar()
            values = dict(cover_note=text, updated_by=username, updated_at=utcnow())
            if before is None:
                conn.execute(g.insert().values(week=week, language=language, **values))
            else:
                conn.execute(g.update().where(g.c.week == week, g.c.language == language).values(**values))
            self.add_audit(username, "digest.cover-note", "digest", f"{week}/{language}", {"cover_note": before},
                           {"cover_note": text}, conn=conn)

    def corrections_for(self, case_id: int | None = None, limit: int | None = 100) -> list[dict]:
        """The public correction log (of one case when given), newest first."""
        co, c = t.corrections, t.cases
        query = (sa.select(co, c.c.title, c.c.key).join(c, c.c.id == co.c.case_id).order_by(co.c.id.desc()))
        if case_id is not None:
            query = query.where(co.c.case_id == case_id)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            row["fields"] = json.loads(row["fields"])
        return rows

    def cases_page(self, *, status: str | None = None, origin: str | None = None, narrative: str | None = None,
                   offset: int = 0, limit: int = 50) -> tuple[list, int]:
        """Cases newest first, filtered, one page and the count."""
        from .catalogue import _case

        c = t.cases
        conditions = [x for x in (c.c.status == status if status else None, c.c.origin == origin if origin else None,
                                  c.c.narrative_id == narrative if narrative else None) if x is not None]
        query = (sa.select(c).where(*conditions).order_by(c.c.updated_at.desc(), c.c.id.desc())
                 .offset(offset).limit(limit))
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(c).where(*conditions)).scalar_one()
            return [_case(r) for r in conn.execute(query)], total

    # -- the dashboard ---------------------------------------------------------------------------

    def latest_day(self) -> str | None:
        """The date of the newest dated document (YYYY-MM-DD)."""
        d = t.documents
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.max(_day(d.c.published))).where(d.c.published.is_not(None))).scalar()

    def activity(self, *, days: int = 180, until: str | None = None, bucket: str = "week") -> dict:
        """Alerts (by the document's date) and analysts' cases (by their date) of the ``days``
        days up to ``until`` (default today), per ISO week or per month (``bucket``), by narrative,
        language, outlet and country."""
        end = date.fromisoformat(until[:10]) if until else date.today()
        since = (end - timedelta(days=days)).isoformat()
        stop = end.isoformat()
        al, d, a, c = t.alerts, t.documents, t.analyses, t.cases
        period = _month if bucket == "month" else _week
        out = {name: defaultdict(Counter) for name in ("alerts_narrative", "alerts_language", "alerts_outlet",
                                                      "alerts_country", "cases_narrative")}
        query = (sa.select(_day(d.c.published).label("day"), al.c.kind, al.c.target, d.c.language, d.c.source,
                           a.c.countries)
                 .join(d, d.c.id == al.c.document_id).outerjoin(a, a.c.document_id == d.c.id)
                 .where(_day(d.c.published) >= since, _day(d.c.published) <= stop, al.c.status != "dismissed"))
        case_day = _day(sa.func.coalesce(c.c.published, sa.cast(c.c.created_at, sa.String)))
        cases = (sa.select(case_day.label("day"), c.c.narrative_id, c.c.status)
                 .where(c.c.origin == "analyst", c.c.status.in_(("published", "corrected", "in review", "draft")),
                        case_day >= since, case_day <= stop))
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                week = period(row.day)
                if week is None:
                    continue
                if row.kind == "narrative":
                    out["alerts_narrative"][week][row.target] += 1
                out["alerts_language"][week][row.language or "?"] += 1
                out["alerts_outlet"][week][row.source or "?"] += 1
                for country in json.loads(row.countries or "[]")[:3]:
                    out["alerts_country"][week][country] += 1
            for row in conn.execute(cases):
                week = period(row.day)
                if week is not None:
                    out["cases_narrative"][week][row.narrative_id or "(none)"] += 1
        periods = []
        day = date.fromisoformat(since)
        while day <= end:  # every period of the range, the empty ones too: a chart shows the gaps
            key = period(day.isoformat())
            if key not in periods:
                periods.append(key)
            day += timedelta(days=7 if bucket != "month" else 28)
        if period(stop) not in periods:
            periods.append(period(stop))
        return {name: {key: dict(series.get(key, {})) for key in sorted(set(periods) | set(series))}
                for name, series in out.items()}

    def coverage(self, *, days: int = 14, baseline_days: int = 28, quiet_days: int = 2) -> dict:
        """Documents per source and per language per day (by when they arrived), and the sources
        and languages that went quiet: none in the last ``quiet_days`` days against at least one a
        day in the ``baseline_days`` before; and the sources whose last fetch failed."""
        d = t.documents
        today = date.today()
        start = (today - timedelta(days=days + baseline_days)).isoformat()
        day = _day(d.c.created_at).label("day")
        source = sa.func.coalesce(d.c.source, "(none)").label("source")
        language = sa.func.coalesce(d.c.language, "?").label("language")
        query = sa.select(day, source, language, sa.func.count().label("n")).where(day >= start).group_by(day, source, language)
        per_source: dict[str, Counter] = defaultdict(Counter)
        per_language: dict[str, Counter] = defaultdict(Counter)
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                per_source[row.source][row.day] += row.n
                per_language[row.language][row.day] += row.n
            failing = [dict(r._mapping) for r in conn.execute(
                sa.select(t.fetch_state.c.url, t.fetch_state.c.last_status, t.fetch_state.c.last_fetched_at)
                .where(t.fetch_state.c.last_status >= 400).order_by(t.fetch_state.c.last_fetched_at.desc()).limit(20))]
        shown = [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]

        def quiet(series: dict[str, Counter]) -> list[dict]:
            out = []
            recent = {(today - timedelta(days=n)).isoformat() for n in range(quiet_days)}
            base = {(today - timedelta(days=n)).isoformat() for n in range(quiet_days, quiet_days + baseline_days)}
            for name, counts in series.items():
                usual = sum(counts[x] for x in base) / baseline_days
                now = sum(counts[x] for x in recent)
                if usual >= 1 and now == 0:
                    out.append({"name": name, "usual_per_day": round(usual, 1), "last_days": quiet_days})
            return sorted(out, key=lambda r: -r["usual_per_day"])

        return {"days": shown,
                "sources": {k: [v[x] for x in shown] for k, v in sorted(per_source.items())},
                "languages": {k: [v[x] for x in shown] for k, v in sorted(per_language.items())},
                "quiet_sources": quiet(per_source), "quiet_languages": quiet(per_language), "failing": failing}

    # -- search ----------------------------------------------------------------------------------

    def search_claims(self, query: str, *, language: str | None = None, limit: int = 20) -> list[dict]:
        """Claims and quotes containing every word of ``query`` (case-insensitive), newest first."""
        words = _words(query)
        if not words:
            return []
        out = []
        with self.engine.connect() as conn:
            for table, kind, who in ((t.claims, "claim", t.claims.c.attributed_to), (t.quotes, "quote", t.quotes.c.speaker)):
                d = t.documents
                q = (sa.select(table.c.id, table.c.text, table.c.document_id, who.label("who"), d.c.title,
                               d.c.language, d.c.published, d.c.source)
                     .join(d, d.c.id == table.c.document_id)
                     .where(*[sa.func.lower(table.c.text).contains(w.lower(), autoescape=True) for w in words])
                     .order_by(table.c.id.desc()).limit(limit))
                if language:
                    q = q.where(d.c.language == language)
                out += [{"item_kind": kind, **dict(r._mapping)} for r in conn.execute(q)]
        return out[:limit]

    def search_cases(self, query: str, *, limit: int = 20) -> list:
        """Cases whose title, claim or summary contain every word of ``query``."""
        from .catalogue import _case

        words = _words(query)
        if not words:
            return []
        c = t.cases
        text = sa.func.lower(sa.func.coalesce(c.c.title, "") + " " + sa.func.coalesce(c.c.claim, "") + " " +
                             sa.func.coalesce(c.c.summary, ""))
        q = sa.select(c).where(*[text.contains(w.lower(), autoescape=True) for w in words]).order_by(
            c.c.published.is_(None), c.c.published.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_case(r) for r in conn.execute(q)]


_LISTS = ("languages", "countries", "keywords", "outlets", "links")


def _encode(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if key in ("key", "origin"):
            out[key] = value
        elif key in _LISTS:
            out[key] = json.dumps([dict(v) if not isinstance(v, (str, dict)) else v for v in value], ensure_ascii=False)
        elif key in ("title", "claim", "summary", "disproof", "rating", "published", "narrative_id", "status"):
            out[key] = value
    return out


def _decode(values: dict) -> dict:
    return {k: json.loads(v) if k in _LISTS and isinstance(v, str) else v for k, v in values.items()}


def _week(day: str | None) -> str | None:
    if day and len(day) == 7 and day[4] == "-":
        day += "-01"  # a date given as a month counts in its first week
    if not day or len(day) < 10:
        return None
    try:
        year, week, _ = date.fromisoformat(day[:10]).isocalendar()
    except ValueError:
        return None
    return f"{year}-W{week:02d}"


def _month(day: str | None) -> str | None:
    return day[:7] if day and len(day) >= 7 and day[4] == "-" else None
