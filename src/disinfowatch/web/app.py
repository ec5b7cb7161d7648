"""The web app: FastAPI, server-rendered Jinja2 templates, htmx for the interactive parts.

    app = create_app(settings)             # uvicorn.run(app) or `disinfowatch serve`

One :class:`~disinfowatch.store.Store` per app, opened at start. Pages live in one module each
(``dashboard``, ``queue``, ``documents``, ``cases``, ``search``, ``catalogue``, ``admin``,
``login``) and the REST API in ``api``; all are thin: they parse the request, call the library
(:mod:`disinfowatch.review`, :mod:`disinfowatch.accounts`, the store's verbs) and render.

Trust: a session cookie (HttpOnly, SameSite=Strict, Secure behind https) or an API token
(``Authorization: Bearer dw_...``); every unsafe request with a session must carry the session's
CSRF token (a form field ``csrf`` or the header ``X-CSRF-Token``, which htmx sends); the login form
has its own double-submit token. Everything from the web is hostile: templates autoescape, URLs
are only linked when http(s), JSON in pages goes through ``tojson``, and a strict
Content-Security-Policy (scripts and styles from this app only) stands behind all of it.
"""

from __future__ import annotations

import hmac
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .. import accounts
from ..accounts import User
from ..errors import DisinfowatchError, InvalidAction, NotFound, PermissionDenied
from ..settings import Settings

SESSION_COOKIE = "dw_session"
LOGIN_COOKIE = "dw_login_csrf"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
PAGE = 50


class LoginRequired(DisinfowatchError):
    """A page needs a logged-in user."""


def _templates() -> Environment:
    folder = Path(str(resources.files(__package__) / "templates"))
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["safe_url"] = safe_url
    env.filters["short"] = lambda text, width=160: _short(text, width)
    env.filters["pct"] = lambda value: f"{100 * (value or 0):.0f}%"
    env.filters["when"] = when
    return env


def when(moment) -> str:
    """A stored time as the analysts read it: "2017-04-24 10:05 UTC" (the store keeps UTC)."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        return moment[:16].replace("T", " ")
    return moment.strftime("%Y-%m-%d %H:%M") + " UTC"


def safe_url(url: str | None) -> str:
    """``url`` if it is http(s) (to link it), else "#": never javascript:, data: or file: links."""
    if not url:
        return "#"
    try:
        scheme = urlsplit(str(url).strip()).scheme.lower()
    except ValueError:
        return "#"
    return str(url).strip() if scheme in ("http", "https") else "#"


def _short(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def create_app(settings: Settings, *, store=None) -> FastAPI:
    """The app over ``settings.db`` (or an open ``store``)."""
    from ..store import open_store

    from contextlib import asynccontextmanager

    opened = store or open_store(settings.db)

    @asynccontextmanager
    async def lifespan(_app):
        yield
        if store is None:
            opened.close()

    app = FastAPI(title="disinfowatch", version="0.1.0", docs_url="/api/docs", redoc_url=None, lifespan=lifespan,
                  openapi_url="/openapi.json",
                  description="The REST API of disinfowatch: alerts, cases, documents, narratives, primary sources. "
                              "Authenticate with `Authorization: Bearer <token>` (`disinfowatch users token NAME`).")
    app.state.settings = settings
    app.state.store = opened
    app.state.templates = _templates()
    app.mount("/static", StaticFiles(directory=str(resources.files(__package__) / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if request.url.path.startswith(("/api", "/login")) or request.method in UNSAFE:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(DisinfowatchError)
    async def library_error(request: Request, exc: DisinfowatchError):
        status = _status(exc)
        if isinstance(exc, LoginRequired) and not request.url.path.startswith("/api"):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, accounts.RateLimited) else None
        if request.url.path.startswith("/api") or request.headers.get("HX-Request"):
            return JSONResponse({"error": str(exc)}, status_code=status, headers=headers)
        return render(request, "error.html", {"message": str(exc), "status": status}, status=status, headers=headers)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon():
        from fastapi.responses import Response

        return Response(status_code=204)

    from . import admin, api, cases, catalogue, dashboard, digests, documents, login, public, queue, search

    for module in (login, dashboard, queue, documents, cases, search, catalogue, admin, public, digests, api):
        app.include_router(module.router)

    return app


def _status(exc: DisinfowatchError) -> int:
    if isinstance(exc, LoginRequired):
        return 401
    if isinstance(exc, accounts.LoginFailed):
        return 401
    if isinstance(exc, accounts.RateLimited):
        return 429
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, InvalidAction):
        return 409
    return 400


# -- who is asking ---------------------------------------------------------------------------------


def store(request: Request):
    return request.app.state.store


def identify(request: Request) -> tuple[User | None, str | None, str]:
    """(user, the session's CSRF token or None, how: session | token | none)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return accounts.token_user(store(request), header[7:].strip()), None, "token"
    found = accounts.session(store(request), request.cookies.get(SESSION_COOKIE))
    if found is None:
        return None, None, "none"
    return found[0], found[1], "session"


def user(request: Request, role: str = "viewer", action: str = "see this page") -> User:
    """The logged-in user, allowed ``role``; an unsafe request with a session must carry its CSRF
    token. LoginRequired (a redirect to /login) or PermissionDenied otherwise."""
    found, csrf, how = identify(request)
    if found is None:
        raise LoginRequired("log in first" if how != "token" else "unknown or revoked API token")
    if how == "session" and request.method in UNSAFE:
        given = request.headers.get("X-CSRF-Token") or getattr(request.state, "form_csrf", None) or ""
        if not hmac.compare_digest(given.encode(), (csrf or "").encode()):
            raise PermissionDenied("the form's security token is missing or stale: reload the page and try again")
    request.state.user, request.state.csrf = found, csrf
    return accounts.require(found, role, action)


async def form(request: Request) -> dict:
    """The posted form as a dict (one value per field, lists for repeated ones); keeps its csrf."""
    data = await request.form()
    out: dict = {}
    for key in data.keys():
        values = data.getlist(key)
        out[key] = values if len(values) > 1 else values[0]
    request.state.form_csrf = out.pop("csrf", None)
    return out


def render(request: Request, template: str, context: dict | None = None, *, status: int = 200,
           headers: dict | None = None) -> HTMLResponse:
    env = request.app.state.templates
    current, csrf = getattr(request.state, "user", None), getattr(request.state, "csrf", None)
    if current is None:
        found, csrf, _ = identify(request)
        current = found
    html = env.get_template(template).render(request=request, user=current, csrf=csrf or "", **(context or {}))
    return HTMLResponse(html, status_code=status, headers=headers)


def narratives(request: Request) -> list:
    """The narrative catalogue for filters and forms, read at most every 30 seconds (it changes
    when someone imports narratives, not between two page views)."""
    import time

    cached = getattr(request.app.state, "narratives", None)
    if cached is None or time.monotonic() - cached[0] > 30:
        cached = (time.monotonic(), store(request).list_narratives())
        request.app.state.narratives = cached
    return cached[1]


def fragment(request: Request) -> bool:
    """Whether htmx asked for a part of the page rather than all of it."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def page_args(request: Request, size: int = PAGE) -> tuple[int, int]:
    """(page number, offset) from ``?page=``."""
    try:
        page = max(1, min(int(request.query_params.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    return page, (page - 1) * size


def svg(markup: str) -> Markup:
    """Chart markup built by :mod:`disinfowatch.web.charts` (which escapes every label)."""
    return Markup(markup)
