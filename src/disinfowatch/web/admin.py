"""Sources (add, pause, health), rejections, users (admin), the audit trail, and the public
correction log."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from .. import accounts
from ..errors import InvalidAction, NotFound
from ..records import Source
from .app import form, render, store, user

router = APIRouter(include_in_schema=False)


@router.get("/sources")
async def sources(request: Request):
    user(request)
    st = store(request)
    coverage = st.coverage(days=7)
    quiet = {row["name"] for row in coverage["quiet_sources"]}
    states = st.source_states()  # the monitor's view: last good poll, failures in a row, next poll
    rows = [{"source": s, "week": sum(coverage["sources"].get(s.name, [])), "quiet": s.name in quiet,
             "state": states.get(s.name)} for s in st.list_sources()]
    return render(request, "sources.html", {"sources": rows, "failing": coverage["failing"],
                                             "runs": st.source_runs(limit=30)})


@router.post("/sources")
async def add_source(request: Request):
    data = await form(request)
    current = user(request, "admin", "add sources")
    url = str(data.get("url", "")).strip()
    if not url.startswith(("http://", "https://")):
        raise InvalidAction("a source needs an http(s) URL")
    source = Source(name=str(data.get("name", "")).strip()[:200], url=url, kind=str(data.get("kind") or "feed"),
                    language=(data.get("language") or None), outlet=(data.get("outlet") or None),
                    label=(data.get("label") or None))
    if not source.name:
        raise InvalidAction("a source needs a name")
    st = store(request)
    st.add_source(source)
    st.add_audit(current.username, "source.add", "source", source.name, None, source.__dict__)
    return RedirectResponse("/sources", status_code=303)


@router.post("/sources/{name}/active")
async def pause_source(request: Request, name: str):
    data = await form(request)
    current = user(request, "admin", "pause sources")
    st = store(request)
    found = st.get_source(name)
    if found is None:
        raise NotFound(f"no source {name!r}")
    active = str(data.get("active", "")) == "1"
    st.upsert_source(replace(found, active=active))
    st.add_audit(current.username, "source.resume" if active else "source.pause", "source", name,
                 {"active": found.active}, {"active": active})
    return RedirectResponse("/sources", status_code=303)


@router.get("/rejections")
async def rejections(request: Request):
    user(request)
    return render(request, "rejections.html", {"rejections": store(request).rejections(limit=200)})


@router.get("/users")
async def users(request: Request):
    user(request, "admin", "manage users")
    st = store(request)
    return render(request, "users.html", {"users": st.list_users(), "tokens": st.list_tokens(), "roles": accounts.ROLES,
                                           "new_token": None})


@router.post("/users")
async def add_user(request: Request):
    data = await form(request)
    current = user(request, "admin", "add users")
    accounts.add_user(store(request), str(data.get("username", "")).strip(), str(data.get("password", "")),
                      str(data.get("role", "viewer")), by=current)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{username}")
async def change_user(request: Request, username: str):
    data = await form(request)
    current = user(request, "admin", "change users")
    st = store(request)
    if data.get("action") == "deactivate":
        accounts.deactivate(st, username, by=current)
    elif data.get("action") == "token":
        token = accounts.create_token(st, username, str(data.get("name") or "web"), by=current)
        return render(request, "users.html", {"users": st.list_users(), "tokens": st.list_tokens(),
                                               "roles": accounts.ROLES, "new_token": (username, token)})
    else:
        accounts.set_role(st, username, str(data.get("role", "")), by=current)
    return RedirectResponse("/users", status_code=303)


@router.get("/audit")
async def audit(request: Request):
    user(request, "editor", "read the audit trail")
    return render(request, "audit.html", {"rows": store(request).audit_trail(limit=300)})


@router.get("/corrections")
async def corrections(request: Request):
    """Public: the corrections made to published cases, with their notes."""
    rows = [row for row in store(request).corrections_for(limit=200)]
    return render(request, "corrections.html", {"rows": rows})
