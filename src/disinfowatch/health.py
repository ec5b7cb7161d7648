"""Health of the coverage: a source or a language that goes quiet against its own recent baseline,
or a source that keeps failing, opens a health event (shown on the dashboard, by `disinfowatch
health`, and notified); it is resolved when the source or language recovers.

    events = check(store, settings)      # {"opened": [...], "resolved": [...], "open": [...]}

Quiet: nothing stored in the last ``health_quiet_hours`` while the ``health_baseline_days`` before
held at least one document a day on average. Failing: ``watch_failures_alert`` polls in a row failed.
"""

from __future__ import annotations

from datetime import timedelta

from .records import utcnow
from .settings import Settings


def check(store, settings: Settings) -> dict:
    now = utcnow()
    quiet_start = now - timedelta(hours=settings.health_quiet_hours)
    base_start = quiet_start - timedelta(days=settings.health_baseline_days)
    recent = store.documents_since(quiet_start)
    since_base = store.documents_since(base_start)
    wanted: dict[tuple[str, str, str], str] = {}
    active = {s.name for s in store.list_sources() if s.active}
    for kind, names in (("sources", active | set(since_base["sources"])), ("languages", set(since_base["languages"]))):
        subject_kind = kind[:-1]
        for name in names:
            if kind == "sources" and name not in active:
                continue
            baseline = (since_base[kind].get(name, 0) - recent[kind].get(name, 0)) / settings.health_baseline_days
            if baseline >= 1 and recent[kind].get(name, 0) == 0:
                wanted[("quiet", subject_kind, name)] = (
                    f"no documents in {settings.health_quiet_hours} hours; usually {baseline:.1f} a day "
                    f"over the {settings.health_baseline_days} days before")
    for name, state in store.source_states().items():
        if state["failures"] >= settings.watch_failures_alert and name in active:
            wanted[("failing", "source", name)] = (f"{state['failures']} polls in a row failed; last error: "
                                                   f"{(state['last_error'] or '')[:300]}")
    opened, resolved = [], []
    for (kind, subject_kind, subject), detail in wanted.items():
        event_id = store.open_health_event(kind, subject_kind, subject, detail)
        if event_id is not None:
            opened.append({"id": event_id, "kind": kind, "subject_kind": subject_kind, "subject": subject,
                           "detail": detail})
    for event in store.open_health():
        if (event["kind"], event["subject_kind"], event["subject"]) not in wanted:
            store.resolve_health_event(event["id"])
            resolved.append(event)
    return {"opened": opened, "resolved": resolved, "open": store.open_health()}
