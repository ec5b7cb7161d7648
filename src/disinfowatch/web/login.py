"""Logging in and out. The login form carries a double-submit token (a cookie and a field that must
match), so another site cannot log a browser in; failures are rate limited by the library."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from .. import accounts
from ..errors import PermissionDenied
from .app import LOGIN_COOKIE, SESSION_COOKIE, form, render, store, user

router = APIRouter(include_in_schema=False)


def _next(value: str | None) -> str:
    """Only a path of this site: never another host (an open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@router.get("/login")
async def login_page(request: Request, next: str = "/", error: str | None = None):
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"login_csrf": token, "next": _next(next), "error": error})
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        max_age=3600, path="/login")
    return response


@router.post("/login")
async def login_submit(request: Request):
    data = await form(request)
    given, expected = request.state.form_csrf or "", request.cookies.get(LOGIN_COOKIE) or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise PermissionDenied("the login form expired: reload it and try again")
    address = request.client.host if request.client else "-"
    try:
        _, token, _ = accounts.login(store(request), str(data.get("username", ""))[:80],
                                     str(data.get("password", ""))[:1000], address=address)
    except accounts.LoginFailed as exc:
        return await login_page(request, next=_next(data.get("next")), error=str(exc))
    response = RedirectResponse(_next(data.get("next")), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        max_age=int(accounts.SESSION_LIFETIME.total_seconds()), path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request):
    await form(request)
    user(request, "viewer", "log out")
    accounts.logout(store(request), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
