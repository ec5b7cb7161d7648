"""The dashboard: alerts and cases over time by narrative, language, outlet and country, and the
health of the coverage (documents per source and language per day; quiet ones flagged)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from . import charts
from .app import render, store, svg, user

router = APIRouter(include_in_schema=False)


PERIODS = {"3m": 91, "6m": 182, "1y": 365, "5y": 1826}


def overview(st, period: str = "6m", until: str | None = None) -> dict:
    """What the dashboard shows, for the page and for /api/dashboard: the ``period`` up to
    ``until``, by default up to the newest document (an archive being worked through has no
    alerts this week), per week, or per month beyond half a year."""
    from datetime import date

    days = PERIODS.get(period, PERIODS["6m"])
    until = until or min(st.latest_day() or date.today().isoformat(), date.today().isoformat())
    activity = st.activity(days=days, until=until, bucket="week" if days <= 182 else "month")
    coverage = st.coverage()
    open_alerts = st.review_queue(status="open", limit=1)[1]
    cases = {status: st.cases_page(status=status, origin="analyst", limit=1)[1]
             for status in ("draft", "in review", "published", "corrected", "withdrawn")}
    return {"activity": activity, "coverage": coverage, "open_alerts": open_alerts, "cases": cases,
            "period": period if period in PERIODS else "6m", "until": until, "health_events": st.open_health()}


@router.get("/")
async def dashboard(request: Request, period: str = "6m", until: str | None = None):
    user(request)
    data = overview(store(request), period, until[:10] if until else None)
    activity, coverage = data["activity"], data["coverage"]
    quiet = {row["name"] for row in coverage["quiet_sources"]} | {row["name"] for row in coverage["quiet_languages"]}
    figures = [
        ("Alerts by narrative", charts.stacked_bars(activity["alerts_narrative"], title="Alerts by narrative")),
        ("Confirmed and published cases by narrative",
         charts.stacked_bars(activity["cases_narrative"], title="Analysts' cases by narrative")),
        ("Alerts by language", charts.stacked_bars(activity["alerts_language"], title="Alerts by language")),
        ("Alerts by outlet", charts.stacked_bars(activity["alerts_outlet"], title="Alerts by outlet")),
        ("Alerts by country discussed",
         charts.stacked_bars(activity["alerts_country"], title="Alerts by country discussed")),
    ]
    health = {kind: [(name, counts, svg(charts.sparkline(counts, warn=name in quiet)), name in quiet)
                     for name, counts in coverage[kind].items()] for kind in ("sources", "languages")}
    return render(request, "dashboard.html", {"figures": [(t, svg(c)) for t, c in figures], "data": data,
                                               "periods": PERIODS,
                                               "health": health, "coverage": coverage})
