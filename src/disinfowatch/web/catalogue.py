"""Reference pages: the narratives (description, exemplars, cases, trend) and the primary sources
(passages, language versions, every report checked against them)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..errors import NotFound
from . import charts
from .app import render, store, svg, user

router = APIRouter(include_in_schema=False)


@router.get("/narratives")
async def narratives(request: Request):
    user(request)
    st = store(request)
    st.sync_bundled_narratives()
    activity = st.activity(days=365)["alerts_narrative"]
    totals = {}
    for counts in activity.values():
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    return render(request, "narratives.html", {"narratives": st.list_narratives(), "totals": totals})


@router.get("/narratives/{narrative_id}")
async def narrative(request: Request, narrative_id: str):
    user(request)
    st = store(request)
    found = st.get_narrative(narrative_id)
    if found is None:
        raise NotFound(f"no narrative {narrative_id!r}")
    weekly = {week: {narrative_id: counts[narrative_id]} for week, counts in st.activity(days=365)["alerts_narrative"].items()
              if narrative_id in counts}
    return render(request, "narrative.html", {
        "narrative": found, "cases": st.list_cases(narrative=narrative_id, limit=50),
        "trend": svg(charts.stacked_bars(weekly, title="Alerts on this narrative, per week")),
        "alerts": st.review_queue(status=None, narrative=narrative_id, limit=20)[0]})


@router.get("/primary")
async def primary_sources(request: Request):
    user(request)
    return render(request, "primary.html", {"sources": store(request).list_primary_sources()})


@router.get("/primary/{key}")
async def primary_source(request: Request, key: str):
    user(request)
    st = store(request)
    source = st.get_primary_source(key)
    if source is None:
        raise NotFound(f"no primary source {key!r}")
    return render(request, "primary_source.html", {
        "source": source, "versions": [v for v in st.primary_versions(source.work) if v["key"] != key],
        "verifications": st.verifications(source_key=key, limit=None)})
