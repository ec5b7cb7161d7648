"""The weekly review in the app: a preview of the week's digest, and the editor's cover note."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from .. import accounts, digest
from .app import form, render, store, user

router = APIRouter(include_in_schema=False)


def _week(value: str | None) -> str:
    return (value or "").strip() or digest.week_of(date.today())


@router.get("/digest")
async def preview(request: Request, week: str | None = None, language: str = "en"):
    user(request)
    week = _week(week)
    digest.week_range(week)  # InvalidAction for a bad week
    note = store(request).cover_note(week, language) if language in digest.languages() else None
    return render(request, "digest.html", {"week": week, "language": language, "languages": digest.languages(),
                                            "note": (note or {}).get("cover_note", ""), "noted": note})


@router.get("/digest/view")
async def view(request: Request, week: str | None = None, language: str = "en"):
    """The email HTML itself, for the preview's frame: inline styles and data: images allowed, no
    script at all."""
    user(request)
    built = digest.build(store(request), _week(week), language=language)
    html, _ = digest.to_html(built, public_url=request.app.state.settings.public_url)
    headers = {"Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                                          "frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
               "X-Frame-Options": "SAMEORIGIN"}
    return HTMLResponse(html, headers=headers)


@router.post("/digest")
async def save_note(request: Request):
    data = await form(request)
    current = accounts.require(user(request, "editor", "write the cover note"), "editor", "write the cover note")
    week, language = _week(data.get("week")), str(data.get("language") or "en")
    digest.week_range(week)
    store(request).save_cover_note(week, language, str(data.get("cover_note", ""))[:20000], current.username)
    return RedirectResponse(f"/digest?week={week}&language={language}", status_code=303)
