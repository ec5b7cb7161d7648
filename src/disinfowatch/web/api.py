"""The REST API under /api, described by OpenAPI at /openapi.json (browsable at /api/docs).

Authenticate with ``Authorization: Bearer <token>`` (``disinfowatch users token NAME``); a token acts
with its user's role, the same rules as in the app: viewers read, analysts review and draft,
editors publish. A browser session works too, with the ``X-CSRF-Token`` header on writes.
Lists are ``{"total": n, "items": [...]}`` pages (``offset``, ``limit`` ≤ 200).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from .. import review
from ..errors import NotFound
from .app import store, user
from .dashboard import overview
from .search import KINDS, run_search

router = APIRouter(prefix="/api", tags=["api"])
Limit = Query(50, ge=1, le=200)
Offset = Query(0, ge=0)


class Note(BaseModel):
    note: str | None = Field(None, max_length=5000, description="why (kept in the audit trail)")


class Merge(BaseModel):
    case_id: int


class CaseFields(BaseModel):
    title: str | None = Field(None, max_length=1000)
    claim: str | None = Field(None, max_length=20000)
    summary: str | None = Field(None, max_length=20000)
    disproof: str | None = Field(None, max_length=20000, description="the response, with links")
    published: str | None = Field(None, max_length=40, description="ISO date")
    languages: list[str] | None = None
    countries: list[str] | None = None
    keywords: list[str] | None = None
    outlets: list[str] | None = Field(None, description="where the disinformation appeared")
    narrative_id: str | None = None
    links: list[dict] | None = Field(None, description='[{"url": ..., "archived": ..., "kind": "publication"}]')
    note: str | None = Field(None, max_length=5000, description="required when correcting a published case")


class Status(BaseModel):
    status: Literal["draft", "in review", "published", "withdrawn"]
    note: str | None = Field(None, max_length=5000)


def _page(items: list, total: int) -> dict:
    return {"total": total, "items": items}


@router.get("/me")
async def me(request: Request) -> dict:
    current = user(request)
    return {"username": current.username, "role": current.role}


# -- alerts --------------------------------------------------------------------------------------


@router.get("/alerts")
async def alerts(request: Request, status: str | None = "open", kind: str | None = None, narrative: str | None = None,
           language: str | None = None, outlet: str | None = None, since: str | None = None, until: str | None = None,
           offset: int = Offset, limit: int = Limit) -> dict:
    """The review queue, best first, with the evidence of each alert."""
    user(request)
    rows, total = store(request).review_queue(status=None if status == "all" else status, kind=kind, narrative=narrative,
                                              language=language, outlet=outlet, since=since, until=until,
                                              offset=offset, limit=limit)
    return _page(rows, total)


@router.get("/alerts/{alert_id}")
async def alert(request: Request, alert_id: int) -> dict:
    user(request)
    found = store(request).get_alert(alert_id)
    if found is None:
        raise NotFound(f"no alert {alert_id}")
    return found


@router.post("/alerts/{alert_id}/confirm")
async def confirm(request: Request, alert_id: int) -> dict:
    """Confirm: a draft case pre-filled from the evidence; returns its id."""
    return {"case_id": review.confirm(store(request), alert_id, user(request, "analyst", "confirm alerts"))}


@router.post("/alerts/{alert_id}/dismiss")
async def dismiss(request: Request, alert_id: int, body: Note | None = None) -> dict:
    review.dismiss(store(request), alert_id, user(request, "analyst", "dismiss alerts"), note=body.note if body else None)
    return {"status": "dismissed"}


@router.post("/alerts/{alert_id}/merge")
async def merge(request: Request, alert_id: int, body: Merge) -> dict:
    review.merge(store(request), alert_id, body.case_id, user(request, "analyst", "merge alerts into cases"))
    return {"status": "merged", "case_id": body.case_id}


# -- cases ---------------------------------------------------------------------------------------


@router.get("/cases")
async def cases(request: Request, status: str | None = None, origin: str | None = None, narrative: str | None = None,
          offset: int = Offset, limit: int = Limit) -> dict:
    user(request)
    rows, total = store(request).cases_page(status=status, origin=origin, narrative=narrative, offset=offset, limit=limit)
    return _page([c.as_dict() | {"id": c.id} for c in rows], total)


@router.get("/cases/{case_id}")
async def case(request: Request, case_id: int) -> dict:
    user(request)
    st = store(request)
    found = st.get_case(case_id)
    if found is None:
        raise NotFound(f"no case {case_id}")
    return found.as_dict() | {"id": found.id, "corrections": st.corrections_for(case_id),
                              "alerts": [a["id"] for a in st.alerts_for_case(case_id)]}


@router.post("/cases", status_code=201)
async def create_case(request: Request, body: CaseFields) -> dict:
    fields = body.model_dump(exclude_none=True, exclude={"note"})
    return {"id": review.new_case(store(request), fields, user(request, "analyst", "draft cases"))}


@router.patch("/cases/{case_id}")
async def edit_case(request: Request, case_id: int, body: CaseFields) -> dict:
    fields = body.model_dump(exclude_none=True, exclude={"note"})
    before = review.edit_case(store(request), case_id, fields, user(request, "analyst", "edit cases"), note=body.note)
    return {"changed": sorted(before)}


@router.post("/cases/{case_id}/status")
async def case_status(request: Request, case_id: int, body: Status) -> dict:
    review.set_status(store(request), case_id, body.status, user(request, "analyst", "change a case's status"),
                      note=body.note)
    return {"status": store(request).get_case(case_id).status}


# -- documents, search, reference ---------------------------------------------------------------------


@router.get("/documents")
async def documents(request: Request, q: str = Query(..., min_length=1, max_length=500), language: str | None = None,
              limit: int = Limit) -> dict:
    """Full-text search over documents."""
    user(request)
    rows = run_search(request, q, "documents", language, False, limit)
    return _page(rows, len(rows))


@router.get("/documents/{doc_id}")
async def document(request: Request, doc_id: int) -> dict:
    user(request)
    st = store(request)
    doc = st.get_document(doc_id)
    if doc is None:
        raise NotFound(f"no document {doc_id}")
    analysis = st.get_analysis(doc_id)
    return {"id": doc_id, **{k: v for k, v in doc.__dict__.items() if k not in ("offsets", "paragraphs")},
            "appearances": st.appearances(doc_id),
            "quotes": [q.__dict__ for q in analysis.quotes] if analysis else [],
            "claims": [c.__dict__ for c in analysis.claims] if analysis else [],
            "alerts": st.alerts(document_id=doc_id, status=None, limit=None),
            "verifications": st.verifications(document_id=doc_id, limit=None)}


@router.get("/search")
async def search(request: Request, q: str = Query(..., min_length=1, max_length=500),
           kind: Literal["documents", "claims", "cases"] = "documents", language: str | None = None,
           semantic: bool = False, limit: int = Limit) -> dict:
    """Full text over documents, claims and quotes, or cases; or ``semantic`` (similar to the text)."""
    user(request)
    rows = run_search(request, q, kind if kind in KINDS else "documents", language, semantic, limit)
    return _page([r.as_dict() | {"id": r.id} if hasattr(r, "as_dict") else r for r in rows], len(rows))


@router.get("/narratives")
async def narratives(request: Request) -> dict:
    user(request)
    st = store(request)
    st.sync_bundled_narratives()
    rows = [n.__dict__ for n in st.list_narratives()]
    return _page(rows, len(rows))


@router.get("/narratives/{narrative_id}")
async def narrative(request: Request, narrative_id: str) -> dict:
    user(request)
    found = store(request).get_narrative(narrative_id)
    if found is None:
        raise NotFound(f"no narrative {narrative_id!r}")
    return found.__dict__


@router.get("/primary-sources")
async def primary_sources(request: Request) -> dict:
    user(request)
    rows = store(request).list_primary_sources()
    return _page(rows, len(rows))


@router.get("/primary-sources/{key}")
async def primary_source(request: Request, key: str) -> dict:
    user(request)
    st = store(request)
    found = st.get_primary_source(key)
    if found is None:
        raise NotFound(f"no primary source {key!r}")
    return {**found.__dict__, "passages": [p.__dict__ for p in found.passages],
            "verifications": st.verifications(source_key=key, limit=None)}


@router.get("/verifications")
async def verifications(request: Request, relation: str | None = None, document_id: int | None = None,
                  limit: int = Limit) -> dict:
    user(request)
    rows = store(request).verifications(relation=relation, document_id=document_id, checked_only=relation is None,
                                        limit=limit)
    return _page(rows, len(rows))


@router.get("/dashboard")
async def dashboard(request: Request) -> dict:
    """Alerts and cases per week by narrative, language, outlet, country; coverage per source and language."""
    user(request)
    return overview(store(request))


@router.get("/sources")
async def sources(request: Request) -> dict:
    user(request)
    rows = [s.__dict__ for s in store(request).list_sources()]
    return _page(rows, len(rows))


@router.get("/rejections")
async def rejections(request: Request, limit: int = Limit) -> dict:
    user(request)
    rows = [r.__dict__ for r in store(request).rejections(limit=limit)]
    return _page(rows, len(rows))


@router.get("/audit")
async def audit(request: Request, object_kind: str | None = None, object_id: str | None = None, limit: int = Limit) -> dict:
    """Every decision and edit: who, when, before and after (editors and admins)."""
    user(request, "editor", "read the audit trail")
    rows = store(request).audit_trail(object_kind, object_id, limit=limit)
    return _page(rows, len(rows))
