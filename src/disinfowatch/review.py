"""Review: what analysts and editors do with alerts and cases, with the rules of who may do it.

    case_id = review.confirm(store, alert_id, user)              # a draft case pre-filled from the evidence
    review.dismiss(store, alert_id, user, note="a denial, not the narrative")
    review.merge(store, alert_id, case_id, user)                 # another appearance of a known case
    review.edit_case(store, case_id, {"summary": "..."}, user, note=None)
    review.set_status(store, case_id, "published", user)

The life of a case: ``draft`` (an analyst's) → ``in review`` (submitted by an analyst) →
``published`` (by an editor) → ``corrected`` (an editor edits a published case: a note is
required and goes to the public correction log) or ``withdrawn`` (by an editor, with a note).
Nothing is deleted; every decision and edit has its audit row (who, when, before, after).
"""

from __future__ import annotations

import re

from .accounts import User, require
from .errors import InvalidAction, NotFound

FIELDS = ("title", "claim", "summary", "disproof", "published", "languages", "countries", "keywords", "outlets",
          "narrative_id", "links")
EDITABLE = {"draft", "in review"}
PUBLIC = {"published", "corrected"}


def _alert(store, alert_id: int) -> dict:
    found = store.get_alert(alert_id)
    if found is None:
        raise NotFound(f"no alert {alert_id}")
    return found


def _case(store, case_id: int):
    found = store.get_case(case_id)
    if found is None:
        raise NotFound(f"no case {case_id}")
    return found


def draft_from_alert(store, alert: dict) -> dict:
    """The fields of a draft case from an alert's evidence: the claim, where it appeared (with the
    archived copy), the narrative, and the disproof (the matched narrative's or known case's, and
    for a quote check the passage of what was really said)."""
    ev = alert["evidence"]
    outlet = alert.get("source") or alert.get("site_name")
    claim = ev.get("text") or ""
    disproof = [ev["disproof"]] if ev.get("disproof") and alert["kind"] in ("narrative", "case") else []
    if alert["kind"] in ("divergent", "not_found") or ev.get("passage_text"):
        disproof.append(_passage_line(ev))
    for verification in store.verifications(document_id=alert["document_id"], relation="divergent", limit=None):
        if (verification["item_kind"], verification["item_id"]) == (alert["item_kind"], alert["item_id"]) and \
                alert["kind"] not in ("divergent",):
            disproof.append(_passage_line(verification["evidence"]))
    narrative = None
    keywords: list[str] = []
    if alert["kind"] == "narrative":
        narrative = alert["target"]
        found = store.get_narrative(narrative)
        keywords = list(found.keywords) if found else []
    elif alert["kind"] == "case":
        known = store.get_case(alert["target"])
        narrative = known.narrative_id if known else None
        keywords = list(known.keywords) if known else []
    analysis = store.get_analysis(alert["document_id"])
    who = f" {ev['who']}:" if ev.get("who") else ""
    return {
        "title": _clip(claim, 140), "claim": claim,
        "summary": f"{outlet or 'An outlet'} ({alert.get('language') or '?'}, {alert.get('published') or 'undated'}) "
                   f"reported{who} «{ev.get('context') or claim}»",
        "disproof": "\n\n".join(x for x in disproof if x), "published": (alert.get("published") or "")[:10] or None,
        "languages": [alert["language"]] if alert.get("language") else [], "outlets": [outlet] if outlet else [],
        "countries": list(analysis.countries) if analysis else [], "keywords": keywords, "narrative_id": narrative,
        "links": [_publication(alert)], "status": "draft",
    }


def _passage_line(ev: dict) -> str:
    if not ev.get("passage_text"):
        return ""
    differences = "; ".join(d["what"] for d in ev.get("differences") or [])
    return (f"In the {ev.get('source_kind') or 'source'} of {ev.get('source_published') or '?'} "
            f"({ev.get('source_title') or ev.get('source_key')}), {ev.get('passage_speaker') or 'the speaker'} said: "
            f"«{ev['passage_text']}»" + (f" ({differences})" if differences else "") +
            (f" {ev['source_url']}" if ev.get("source_url") else ""))


def _publication(alert: dict) -> dict:
    return {"url": alert["url"], "archived": f"archive/{alert['raw_sha256']}" if alert.get("raw_sha256") else None,
            "kind": "publication"}


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


# -- alerts --------------------------------------------------------------------------------------


def confirm(store, alert_id: int, user: User) -> int:
    """Confirm an alert: it becomes a draft case, pre-filled from its evidence. Returns the case id."""
    require(user, "analyst", "confirm alerts")
    alert = _alert(store, alert_id)
    if alert["status"] in ("confirmed", "merged") and alert.get("case_id"):
        raise InvalidAction(f"alert {alert_id} is already {alert['status']} (case {alert['case_id']})")
    case_id = store.add_case({**draft_from_alert(store, alert), "origin": "analyst"}, user.username, alert_id=alert_id)
    store.set_alert(alert_id, user.username, "alert.confirm", status="confirmed", case_id=case_id)
    return case_id


def dismiss(store, alert_id: int, user: User, note: str | None = None) -> None:
    require(user, "analyst", "dismiss alerts")
    _alert(store, alert_id)
    store.set_alert(alert_id, user.username, "alert.dismiss", status="dismissed", note=note)


def reopen(store, alert_id: int, user: User) -> None:
    require(user, "analyst", "reopen alerts")
    _alert(store, alert_id)
    store.set_alert(alert_id, user.username, "alert.reopen", status="open")


def merge(store, alert_id: int, case_id: int, user: User) -> None:
    """Merge an alert into an existing case: its publication, outlet, language and countries are
    added to the case's."""
    require(user, "analyst", "merge alerts into cases")
    alert = _alert(store, alert_id)
    case = _case(store, case_id)
    if case.status == "withdrawn":
        raise InvalidAction(f"case {case_id} is withdrawn; merge into another case")
    draft = draft_from_alert(store, alert)
    extra = {}
    for name in ("outlets", "languages", "countries"):
        merged = list(dict.fromkeys([*getattr(case, name), *draft[name]]))
        if merged != list(getattr(case, name)):
            extra[name] = merged
    links = [{"url": link.url, "archived": link.archived, "kind": link.kind} for link in case.links]
    if all(link["url"] != alert["url"] for link in links):
        extra["links"] = links + draft["links"]
    if extra:
        store.update_case(case_id, extra, user.username, action="case.merge", note=f"alert {alert_id}",
                          correction=case.status in PUBLIC)
    store.set_alert(alert_id, user.username, "alert.merge", status="merged", case_id=case_id)


# -- cases -----------------------------------------------------------------------------------------


def new_case(store, fields: dict, user: User) -> int:
    require(user, "analyst", "draft cases")
    if not (fields.get("title") or "").strip():
        raise InvalidAction("a case needs a title")
    return store.add_case({**_clean(fields), "origin": "analyst", "status": "draft"}, user.username)


def edit_case(store, case_id: int, fields: dict, user: User, note: str | None = None) -> dict:
    """Change a case's fields. Analysts edit drafts and cases in review; editors any case, and an
    edit of a published case is a correction (a note is required, the case becomes ``corrected``
    and the public correction log gets the note). Returns the changed fields as they were."""
    case = _case(store, case_id)
    fields = _clean(fields)
    if case.status in EDITABLE and case.origin == "analyst":
        require(user, "analyst", "edit draft cases")
    else:
        require(user, "editor", f"edit a case that is {case.status}")
    if case.status == "withdrawn":
        raise InvalidAction(f"case {case_id} is withdrawn")
    correcting = case.status in PUBLIC
    if correcting and not (note or "").strip():
        raise InvalidAction("a published case can only be corrected with a note saying what was corrected and why")
    before = store.update_case(case_id, fields, user.username, note=note, correction=correcting)
    if before and correcting and case.status != "corrected":
        store.update_case(case_id, {"status": "corrected"}, user.username, action="case.correct", note=note)
    return before


def set_status(store, case_id: int, status: str, user: User, note: str | None = None) -> None:
    """Move a case on: submit (``in review``, analysts), publish and withdraw (editors; withdrawing
    needs a note), back to ``draft`` (editors, from review)."""
    case = _case(store, case_id)
    allowed = {("draft", "in review"): "analyst", ("in review", "draft"): "editor", ("draft", "published"): "editor",
               ("in review", "published"): "editor", ("published", "withdrawn"): "editor",
               ("corrected", "withdrawn"): "editor"}
    role = allowed.get((case.status, status))
    if role is None:
        raise InvalidAction(f"a case that is {case.status} cannot become {status}")
    require(user, role, f"make a case {status}")
    if status == "withdrawn" and not (note or "").strip():
        raise InvalidAction("withdrawing a published case needs a note saying why")
    if status == "published" and not (case.disproof or "").strip():
        raise InvalidAction("a case needs a response (disproof) before it is published")
    changes: dict = {"status": status}
    store.update_case(case_id, changes, user.username, action=f"case.{status.replace(' ', '-')}", note=note,
                      correction=status == "withdrawn")
    if status == "published":
        store.release_case(case_id)


def _clean(fields: dict) -> dict:
    """Only the editable fields; text stripped, lists de-duplicated, empty values as None."""
    out = {}
    for name in FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if name == "links":
            out[name] = [link for link in value if (link.get("url") or "").strip()]
        elif name in ("languages", "countries", "keywords", "outlets"):
            items = value.split(",") if isinstance(value, str) else list(value)
            out[name] = list(dict.fromkeys(x.strip() for x in items if x and x.strip()))
        elif name == "published":
            value = (value or "").strip()
            if value and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value[:10]):
                raise InvalidAction(f"publication date {value[:40]!r}: expected YYYY-MM-DD, YYYY-MM or YYYY")
            out[name] = value[:10] or None
        else:
            out[name] = (value or "").strip() or None
    return out
