"""What anyone may read, without logging in: the published cases (a list and a page each, with its
ClaimReview JSON-LD), their Atom feeds (all, per narrative, per language), and the archived copies
those cases link to. Drafts and cases in review are never shown here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import claimreview, feeds
from ..archive import Archive
from ..errors import NotFound
from ..settings import archive_dir
from .app import render, store

router = APIRouter(include_in_schema=False)
PUBLIC = ("published", "corrected", "withdrawn")


def _public_case(request: Request, case_id: int):
    st = store(request)
    case = st.get_case(case_id)
    released = st.get_released_at(case_id) if case else None
    if case is None or case.status not in PUBLIC or released is None:
        raise NotFound(f"no published case {case_id}")
    return case, released


def review_of(request: Request, case, released) -> dict | None:
    settings = request.app.state.settings
    if case.status == "withdrawn":
        return None
    return claimreview.from_case(case, released, url=f"{settings.public_url.rstrip('/')}/public/cases/{case.id}",
                                 publisher=settings.publisher_name, publisher_url=settings.public_url,
                                 base_url=settings.public_url.rstrip("/") + "/public")


@router.get("/public/cases")
async def cases(request: Request, narrative: str | None = None, language: str | None = None):
    rows = store(request).public_cases(narrative=narrative or None, language=language or None, limit=100)
    return render(request, "public_cases.html", {"rows": rows, "narrative": narrative or "", "language": language or ""})


@router.get("/public/cases/{case_id}")
async def case(request: Request, case_id: int):
    found, released = _public_case(request, case_id)
    return render(request, "public_case.html", {
        "case": found, "released": released, "claimreview": review_of(request, found, released),
        "corrections": store(request).corrections_for(case_id)})


@router.get("/public/cases/{case_id}/claimreview.json")
async def case_json(request: Request, case_id: int):
    found, released = _public_case(request, case_id)
    data = review_of(request, found, released)
    if data is None:
        raise NotFound(f"case {case_id} is withdrawn")
    from fastapi.responses import JSONResponse

    return JSONResponse(data, media_type="application/ld+json")


@router.get("/feeds/cases.atom")
async def feed(request: Request, narrative: str | None = None, language: str | None = None):
    settings = request.app.state.settings
    rows = store(request).public_cases(narrative=narrative or None, language=language or None, limit=100)
    path = "/feeds/cases.atom" + (f"?narrative={narrative}" if narrative else "") + (
        f"{'&' if narrative else '?'}language={language}" if language else "")
    title = f"{settings.publisher_name}: cases" + (f" · {narrative}" if narrative else "") + (
        f" · {language}" if language else "")
    body = feeds.atom(rows, base_url=settings.public_url, title=title, feed_path=path, publisher=settings.publisher_name)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/public/archive/{sha}")
async def archived(request: Request, sha: str):
    """An archived copy, if a public case links to it; as inert text like the app's."""
    linked = any(link.archived == f"archive/{sha}" for found, _ in store(request).public_cases(limit=10_000)
                 for link in found.links)
    if not linked:
        raise NotFound(f"no public archived copy {sha[:80]}")
    try:
        data = Archive(archive_dir(request.app.state.settings)).get(sha)
    except (ValueError, FileNotFoundError):
        raise NotFound(f"no archived copy {sha[:80]}") from None
    headers = {"Content-Security-Policy": "sandbox; default-src 'none'", "Content-Disposition": f'inline; filename="{sha}.txt"'}
    return Response(data, media_type="text/plain; charset=utf-8", headers=headers)
