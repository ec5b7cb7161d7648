"""The review queue: alerts best first, filtered, each with its evidence, and the decisions on them
(confirm into a draft case, dismiss, merge into a case, reopen). Keyboard: j/k move, c confirm,
d dismiss, m merge, o open the document (static/app.js)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from .. import review
from .app import form, fragment, narratives, page_args, render, store, user

router = APIRouter(include_in_schema=False)
FILTERS = ("status", "kind", "narrative", "language", "outlet", "since", "until")
QUEUE_PAGE = 25  # alerts a page: an analyst works through them from the top
KINDS = ("narrative", "case", "divergent", "not_found")


def filters(request: Request) -> dict:
    values = {name: (request.query_params.get(name) or "").strip()[:200] or None for name in FILTERS}
    if "status" not in request.query_params:
        values["status"] = "open"
    if values["status"] == "all":
        values["status"] = None
    return values


def split_context(alert: dict) -> tuple[str, str, str]:
    """The alert's item in its context: (before, the item, after), for highlighting."""
    ev = alert["evidence"]
    context, text = ev.get("context") or "", ev.get("text") or ""
    at = context.find(text) if text else -1
    if at < 0:
        return "", text or context, ""
    return context[:at], text, context[at + len(text):]


@router.get("/queue")
async def queue(request: Request):
    user(request)
    st = store(request)
    chosen = filters(request)
    page, offset = page_args(request, QUEUE_PAGE)
    rows, total = st.review_queue(**chosen, offset=offset, limit=QUEUE_PAGE)
    for row in rows:
        row["parts"] = split_context(row)
    context = {"alerts": rows, "total": total, "page": page, "pages": max(1, -(-total // QUEUE_PAGE)), "filters": chosen,
               "kinds": KINDS, "narratives": narratives(request), "cases": _recent_cases(st),
               "outlets": sorted({s.name for s in st.list_sources()})}
    return render(request, "queue_items.html" if fragment(request) else "queue.html", context)


def _recent_cases(st) -> list:
    rows, _ = st.cases_page(origin="analyst", limit=40)
    return [case for case in rows if case.status != "withdrawn"]


def _card(request: Request, alert_id: int):
    st = store(request)
    alert = st.get_alert(alert_id)
    alert["parts"] = split_context(alert)
    return render(request, "alert.html", {"alert": alert, "cases": _recent_cases(st)})


@router.post("/alerts/{alert_id}/confirm")
async def confirm(request: Request, alert_id: int):
    await form(request)
    case_id = review.confirm(store(request), alert_id, user(request, "analyst", "confirm alerts"))
    target = f"/cases/{case_id}?from_alert={alert_id}"
    if fragment(request):
        response = _card(request, alert_id)
        response.headers["HX-Redirect"] = target
        return response
    return RedirectResponse(target, status_code=303)


@router.post("/alerts/{alert_id}/dismiss")
async def dismiss(request: Request, alert_id: int):
    data = await form(request)
    review.dismiss(store(request), alert_id, user(request, "analyst", "dismiss alerts"), note=data.get("note") or None)
    return _card(request, alert_id) if fragment(request) else RedirectResponse("/queue", status_code=303)


@router.post("/alerts/{alert_id}/reopen")
async def reopen(request: Request, alert_id: int):
    await form(request)
    review.reopen(store(request), alert_id, user(request, "analyst", "reopen alerts"))
    return _card(request, alert_id) if fragment(request) else RedirectResponse("/queue", status_code=303)


@router.post("/alerts/{alert_id}/merge")
async def merge(request: Request, alert_id: int):
    data = await form(request)
    try:
        case_id = int(data.get("case_id") or 0)
    except ValueError:
        case_id = 0
    review.merge(store(request), alert_id, case_id, user(request, "analyst", "merge alerts into cases"))
    return _card(request, alert_id) if fragment(request) else RedirectResponse(f"/cases/{case_id}", status_code=303)
