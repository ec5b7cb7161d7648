"""Data for the web app's tests: a store with users of every role, documents (some full of
hostile markup), their claims, and alerts on them. Written for the tests."""

from __future__ import annotations

import hashlib

from disinfowatch import accounts
from disinfowatch.records import Alert, Analysis, Claim, Document

PASSWORD = "correct horse battery staple"
ROLES = ("viewer", "analyst", "editor", "admin")
XSS = [
    '<script>window.__xss = 1; alert(1)</script>',
    '<img src=x onerror="window.__xss = 2">',
    '"><svg onload="window.__xss = 3">',
    "javascript:window.__xss=4",
    "' onmouseover='window.__xss=5' x='",
    "</textarea><script>window.__xss=6</script>",
    '{{ 7 * 7 }} ${7*7} <iframe src="javascript:window.__xss=8"></iframe>',
]


def add_users(store) -> None:
    for role in ROLES:
        accounts.add_user(store, role, PASSWORD, role)


def add_document(store, title: str, text: str, *, url: str = "https://news.example/a", source: str | None = "nordlys",
                 language: str = "nb", published: str = "2017-04-28", claim: str | None = None,
                 who: str | None = "Rossiya 1") -> tuple[int, int | None]:
    """A stored, analysed document with one claim (``claim``, found in ``text``); (document id, claim id)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    doc = Document(url=url, text=text, content_hash=digest, raw_sha256=digest, title=title, source=source,
                   language=language, published=published)
    doc_id, _ = store.add_document(doc)
    claims = ()
    if claim:
        start = text.index(claim)
        claims = (Claim(claim, start, start + len(claim), who, "outlet", "blir det hevdet at", "reported", 0.9),)
    store.save_analysis(Analysis(doc_id, (), (), claims, (), ("Russia",)))
    claim_id = next((i["item_id"] for i in store.match_items(doc_id) if i["item_kind"] == "claim"), None)
    return doc_id, claim_id


def add_alert(store, doc_id: int, claim_id: int, text: str, *, kind: str = "narrative", target: str = "nato-aggression",
              score: float = 0.97, title: str = "NATO is preparing an attack on Russia",
              disproof: str = "NATO is a defensive alliance.") -> int:
    evidence = {"item_kind": "claim", "text": text, "context": f"… blir det hevdet at {text}. …", "language": "nb",
                "who": "Rossiya 1", "attribution": "blir det hevdet at", "target_kind": kind, "target_title": title,
                "matched_text": "NATO forbereder seg på å angripe Russland.", "matched_language": "nb",
                "disproof": disproof, "probability": score, "why": "cosine 0.95 with the nb exemplar"}
    store.save_alerts(doc_id, [Alert(kind, "claim", claim_id, doc_id, target, score, "confirm", evidence)], "match-test")
    return next(a["id"] for a in store.alerts(document_id=doc_id, status=None, limit=None) if a["target"] == target)


def seed(store) -> dict:
    """Users, the seed-like document with its narrative alert, and a document of hostile markup
    with an alert of its own. Returns the ids."""
    store.sync_bundled_narratives()
    add_users(store)
    claim = "NATO altså forbereder et angrep på Russland"
    doc_id, claim_id = add_document(
        store, "Russisk TV og Stoltenberg", f"Når statseide Rossija 1 presenterte klipp fra intervjuet blir det hevdet at "
        f"{claim}. Stoltenberg sa det motsatte.", claim=claim)
    alert_id = add_alert(store, doc_id, claim_id, claim)
    hostile_text = "Rapport: " + " ".join(XSS) + " NATO angriper " + XSS[1]
    hostile_claim = "NATO angriper " + XSS[1]
    xss_doc, xss_claim = add_document(store, XSS[0] + XSS[2], hostile_text, url="javascript:window.__xss=9",
                                      source=XSS[2], claim=hostile_claim, who=XSS[0])
    xss_alert = add_alert(store, xss_doc, xss_claim, hostile_claim, title=XSS[2], disproof=XSS[5])
    return {"doc": doc_id, "alert": alert_id, "xss_doc": xss_doc, "xss_alert": xss_alert}
