"""Cases: the list, the editor with the EUvsDisinfo fields, the status buttons (submit, publish,
withdraw), the linked alerts, the audit trail and the corrections of each case."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from .. import review
from ..errors import NotFound
from .app import PAGE, form, narratives, page_args, render, store, user

router = APIRouter(include_in_schema=False)
STATUSES = ("draft", "in review", "published", "corrected", "withdrawn")


def fields_from_form(data: dict) -> dict:
    """The case's fields from the editor's form: lists comma-separated, links one per line as
    ``URL`` or ``URL | archived copy``."""
    out = {name: data.get(name, "") for name in ("title", "claim", "summary", "disproof", "published", "narrative_id")
           if name in data}
    for name in ("languages", "countries", "keywords", "outlets"):
        if name in data:
            out[name] = str(data[name])
    if "links" in data:
        links = []
        for line in str(data["links"]).splitlines():
            url, _, archived = (part.strip() for part in line.partition("|"))
            if url:
                links.append({"url": url, "archived": archived or None, "kind": "publication"})
        out["links"] = links
    return out


@router.get("/cases")
async def cases(request: Request, status: str | None = None, origin: str | None = "analyst", narrative: str | None = None):
    user(request)
    page, offset = page_args(request)
    rows, total = store(request).cases_page(status=status or None, origin=origin or None, narrative=narrative or None,
                                            offset=offset, limit=PAGE)
    return render(request, "cases.html", {"cases": rows, "total": total, "page": page, "pages": max(1, -(-total // PAGE)),
                                           "status": status, "origin": origin, "narrative": narrative,
                                           "statuses": STATUSES})


@router.get("/cases/new")
async def new_case_form(request: Request):
    user(request, "analyst", "draft cases")
    return render(request, "case.html", {"case": None, "narratives": narratives(request),
                                          "alerts": [], "history": [], "corrections": []})


@router.post("/cases")
async def create(request: Request):
    data = await form(request)
    case_id = review.new_case(store(request), fields_from_form(data), user(request, "analyst", "draft cases"))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}")
async def case_page(request: Request, case_id: int, from_alert: int | None = None):
    user(request)
    st = store(request)
    case = st.get_case(case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return render(request, "case.html", {
        "case": case, "narratives": narratives(request), "alerts": st.alerts_for_case(case_id),
        "history": st.audit_trail("case", case_id), "corrections": st.corrections_for(case_id),
        "from_alert": from_alert})


@router.post("/cases/{case_id}")
async def save(request: Request, case_id: int):
    data = await form(request)
    current = user(request, "analyst", "edit cases")
    review.edit_case(store(request), case_id, fields_from_form(data), current, note=data.get("note") or None)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/status")
async def status(request: Request, case_id: int):
    data = await form(request)
    current = user(request, "analyst", "change a case's status")
    review.set_status(store(request), case_id, str(data.get("status", "")), current, note=data.get("note") or None)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
