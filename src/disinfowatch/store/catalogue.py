"""Store verbs for narratives with their exemplars, and known cases; mixed into Store.

    upsert_narratives(narratives, keep_user=False) -> counts   add or replace, exemplars included
    add_narratives(narratives)                                 add new ones; StoreError if an id exists
    sync_bundled_narratives() -> counts                        the bundled catalogue in, user edits kept
    list_narratives(origin=None) / get_narrative(id)
    upsert_cases(cases) -> counts                              batched, keyed by ``key``, idempotent
    list_cases(...) / get_case(key or id) / count_cases(...)

Counts are dicts ``{"new": n, "updated": n, "unchanged": n}`` (narratives also ``"kept"``: user
narratives a sync left alone). Writing what is already stored changes nothing, so every verb here
can be run again safely.
"""

from __future__ import annotations

import json
import threading
from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..cases import KnownCase, Link
from ..errors import StoreError
from ..narratives import Narrative, load_bundled
from ..records import utcnow
from . import schema as t

CASE_BATCH = 500  # keys per SELECT/INSERT round (well under SQLite's bound-parameter limit)
# Imported fields: compared on re-import. narrative_id only when the import names one; status never
# (an analyst's "withdrawn" survives a re-import).
_CASE_FIELDS = ("origin", "title", "claim", "summary", "disproof", "rating", "published", "languages", "countries",
                "keywords", "outlets", "links")
_LISTS = ("languages", "countries", "keywords", "outlets")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _case_values(case: KnownCase) -> dict:
    values = {name: getattr(case, name) for name in _CASE_FIELDS}
    for name in _LISTS:
        values[name] = _dumps(list(values[name]))
    values["links"] = _dumps([{"url": link.url, "archived": link.archived, "kind": link.kind} for link in case.links])
    return values


def _case(row) -> KnownCase:
    links = tuple(Link(url=item["url"], kind=item.get("kind") or "publication", archived=item.get("archived"))
                  for item in json.loads(row.links))
    return KnownCase(
        key=row.key, origin=row.origin, title=row.title, claim=row.claim, summary=row.summary, disproof=row.disproof,
        rating=row.rating, published=row.published, links=links, narrative_id=row.narrative_id, status=row.status,
        id=row.id, **{name: tuple(json.loads(getattr(row, name))) for name in _LISTS},
    )


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class CatalogueVerbs:
    engine: sa.Engine
    dialect: str
    _write: threading.Lock

    # -- narratives ------------------------------------------------------------------------

    def upsert_narratives(self, narratives: Iterable[Narrative], *, keep_user: bool = False) -> dict[str, int]:
        """Add each narrative or replace the stored one with the same id (exemplars included).

        With ``keep_user`` a stored narrative of origin ``user`` is left as it is (counted as kept).
        """
        narratives = list(narratives)
        counts = {"new": 0, "updated": 0, "unchanged": 0, "kept": 0}
        if not narratives:
            return counts
        with self._write, self.engine.begin() as conn:
            stored = self._narratives(conn, [n.id for n in narratives])
            for narrative in narratives:
                old = stored.get(narrative.id)
                if old is None:
                    self._insert_narrative(conn, narrative)
                    counts["new"] += 1
                elif keep_user and old.origin == "user":
                    counts["kept"] += 1
                elif _same_narrative(old, narrative):
                    counts["unchanged"] += 1
                else:
                    self._replace_narrative(conn, old, narrative)
                    counts["updated"] += 1
        return counts

    def add_narratives(self, narratives: Iterable[Narrative]) -> list[str]:
        """Add new narratives (all or none); StoreError naming the first id that is already stored."""
        narratives = list(narratives)
        with self._write, self.engine.begin() as conn:
            stored = self._narratives(conn, [n.id for n in narratives])
            for narrative in narratives:
                if narrative.id in stored:
                    raise StoreError(f"a narrative with id {narrative.id!r} exists ({stored[narrative.id].origin}); "
                                     "use `disinfowatch narratives import` to replace it")
            for narrative in narratives:
                self._insert_narrative(conn, narrative)
        return [n.id for n in narratives]

    def sync_bundled_narratives(self) -> dict[str, int]:
        """Bring the bundled catalogue into the store: new ones added, changed ones updated, user ones
        (origin ``user``, e.g. a bundled narrative a user re-imported with edits) kept. Idempotent and
        cheap when nothing changed (two reads, no writes)."""
        bundled = load_bundled()
        with self.engine.connect() as conn:
            stored = self._narratives(conn, [n.id for n in bundled])
        if all(n.id in stored and (stored[n.id].origin == "user" or _same_narrative(stored[n.id], n)) for n in bundled):
            kept = sum(1 for n in bundled if stored[n.id].origin == "user")
            return {"new": 0, "updated": 0, "unchanged": len(bundled) - kept, "kept": kept}
        return self.upsert_narratives(bundled, keep_user=True)

    def list_narratives(self, origin: str | None = None) -> list[Narrative]:
        """Every stored narrative (or those of one origin), by id, with exemplars."""
        with self.engine.connect() as conn:
            found = self._narratives(conn, None, origin)
        return [found[key] for key in sorted(found)]

    def get_narrative(self, narrative_id: str) -> Narrative | None:
        with self.engine.connect() as conn:
            return self._narratives(conn, [narrative_id]).get(narrative_id)

    def _narratives(self, conn: sa.Connection, ids: list[str] | None, origin: str | None = None) -> dict[str, Narrative]:
        n, e = t.narratives, t.narrative_exemplars
        query = sa.select(n)
        if ids is not None:
            query = query.where(n.c.id.in_(ids))
        if origin is not None:
            query = query.where(n.c.origin == origin)
        rows = list(conn.execute(query))
        exemplars: dict[str, list[tuple[str, str]]] = {}
        counter: dict[str, list[tuple[str, str]]] = {}
        if rows:
            eq = sa.select(e.c.narrative_id, e.c.language, e.c.text, e.c.stance).order_by(e.c.id)
            if ids is not None or origin is not None:
                eq = eq.where(e.c.narrative_id.in_([r.id for r in rows]))
            for row in conn.execute(eq):
                into = counter if row.stance == "counter" else exemplars
                into.setdefault(row.narrative_id, []).append((row.language, row.text))
        return {r.id: Narrative(id=r.id, title=r.title, description=r.description, disproof=r.disproof,
                                keywords=tuple(json.loads(r.keywords)), exemplars=tuple(exemplars.get(r.id, ())),
                                counterexamples=tuple(counter.get(r.id, ())),
                                origin=r.origin) for r in rows}

    def _insert_narrative(self, conn: sa.Connection, narrative: Narrative) -> None:
        conn.execute(t.narratives.insert().values(**_narrative_values(narrative), created_at=utcnow()))
        self._insert_exemplars(conn, narrative.id, narrative.exemplars, narrative.counterexamples)

    def _replace_narrative(self, conn: sa.Connection, old: Narrative, new: Narrative) -> None:
        n, e = t.narratives, t.narrative_exemplars
        conn.execute(n.update().where(n.c.id == new.id).values(**_narrative_values(new)))
        if (old.exemplars, old.counterexamples) != (new.exemplars, new.counterexamples):
            # replaced wholesale so the stored order follows the file
            conn.execute(e.delete().where(e.c.narrative_id == new.id))
            self._insert_exemplars(conn, new.id, new.exemplars, new.counterexamples)

    def _insert_exemplars(self, conn: sa.Connection, narrative_id: str, exemplars, counterexamples=()) -> None:
        rows = [{"narrative_id": narrative_id, "language": lang, "text": text, "stance": "exemplar"}
                for lang, text in exemplars]
        rows += [{"narrative_id": narrative_id, "language": lang, "text": text, "stance": "counter"}
                 for lang, text in counterexamples]
        if rows:
            conn.execute(t.narrative_exemplars.insert(), rows)

    # -- known cases -----------------------------------------------------------------------

    def upsert_cases(self, cases: Iterable[KnownCase]) -> dict[str, int]:
        """Add or update cases by ``key``, in batches; {"new", "updated", "unchanged"}.

        A case already stored with the same imported fields is left untouched; one whose fields
        differ is updated (``updated_at`` set). ``status`` and a narrative link already made are kept
        unless the case names a narrative. A key repeated within ``cases``: the last one counts.
        """
        latest = {case.key: case for case in cases}
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        try:
            for batch in _chunks(list(latest.values()), CASE_BATCH):
                self._upsert_case_batch(batch, counts)
        except IntegrityError as exc:
            unknown = sorted({c.narrative_id for c in latest.values() if c.narrative_id} - {
                n.id for n in self.list_narratives()})
            why = f"unknown narrative id(s) {', '.join(unknown)}" if unknown else str(exc.orig).splitlines()[0]
            raise StoreError(f"cannot store cases: {why}; earlier batches of {CASE_BATCH} were stored") from None
        return counts

    def _upsert_case_batch(self, batch: list[KnownCase], counts: dict[str, int]) -> None:
        """One transaction: read the stored versions of ``batch``, insert new, update changed."""
        c = t.cases
        now = utcnow()
        with self._write, self.engine.begin() as conn:
            existing = {row.key: row for row in conn.execute(
                sa.select(c.c.key, c.c.narrative_id, *(c.c[name] for name in _CASE_FIELDS))
                .where(c.c.key.in_([case.key for case in batch])))}
            inserts, updates, unchanged = [], [], 0
            for case in batch:
                values = _case_values(case)
                row = existing.get(case.key)
                if row is None:
                    inserts.append({**values, "key": case.key, "narrative_id": case.narrative_id,
                                    "status": case.status, "created_at": now, "updated_at": now})
                elif any(getattr(row, name) != value for name, value in values.items()) or (
                        case.narrative_id is not None and row.narrative_id != case.narrative_id):
                    narrative = case.narrative_id if case.narrative_id is not None else row.narrative_id
                    updates.append({**{f"v_{k}": v for k, v in values.items()}, "b_key": case.key,
                                    "v_narrative_id": narrative, "v_updated_at": now})
                else:
                    unchanged += 1
            if inserts:
                conn.execute(c.insert(), inserts)
            if updates:
                names = (*_CASE_FIELDS, "narrative_id", "updated_at")
                conn.execute(c.update().where(c.c.key == sa.bindparam("b_key"))
                             .values({name: sa.bindparam(f"v_{name}") for name in names}), updates)
        counts["new"] += len(inserts)
        counts["updated"] += len(updates)
        counts["unchanged"] += unchanged

    def get_case(self, key_or_id: str | int) -> KnownCase | None:
        """The case with this key, else (for an integer or digits) the case with this id."""
        c = t.cases
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(c).where(c.c.key == str(key_or_id))).first()
            if row is None and str(key_or_id).isdigit():
                row = conn.execute(sa.select(c).where(c.c.id == int(key_or_id))).first()
        return _case(row) if row is not None else None

    def list_cases(self, *, origin: str | None = None, narrative: str | None = None, limit: int | None = 50,
                   offset: int = 0) -> list[KnownCase]:
        """Cases, newest publication first (undated last), then by key."""
        c = t.cases
        query = sa.select(c).order_by(c.c.published.is_(None), c.c.published.desc(), c.c.key).offset(offset)
        if origin is not None:
            query = query.where(c.c.origin == origin)
        if narrative is not None:
            query = query.where(c.c.narrative_id == narrative)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [_case(row) for row in conn.execute(query)]

    def count_cases(self, origin: str | None = None) -> int:
        c = t.cases
        query = sa.select(sa.func.count()).select_from(c)
        if origin is not None:
            query = query.where(c.c.origin == origin)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()


def _narrative_values(narrative: Narrative) -> dict:
    return {"id": narrative.id, "title": narrative.title, "description": narrative.description,
            "disproof": narrative.disproof, "keywords": _dumps(list(narrative.keywords)), "origin": narrative.origin}


def _same_narrative(stored: Narrative, new: Narrative) -> bool:
    """Equal in every stored field."""
    return (stored.title, stored.description, stored.disproof, stored.keywords, stored.exemplars,
            stored.counterexamples, stored.origin) == (
        new.title, new.description, new.disproof, new.keywords, new.exemplars, new.counterexamples, new.origin)
