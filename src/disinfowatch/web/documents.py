"""One document: its cleaned text with the quotes, claims and matched items highlighted, where it
appeared, the original link and the archived copy (served as inert text)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..archive import Archive
from ..errors import NotFound
from ..settings import archive_dir
from .app import render, store, user

router = APIRouter(include_in_schema=False)


def segments(text: str, items: list[dict], alerts: list[dict], verifications: list[dict]) -> list[dict]:
    """``text`` cut where quotes, claims and alerted sentences begin and end: each piece with the
    classes of what covers it and a title listing why (for <mark> elements)."""
    alerted: dict[tuple[str, int], list[str]] = {}
    for alert in alerts:
        label = f"{alert['kind']}: {alert['evidence'].get('target_title') or alert['target']} ({alert['score']:.2f})"
        alerted.setdefault((alert["item_kind"], alert["item_id"]), []).append(label)
    checked = {(v["item_kind"], v["item_id"]): v["relation"] for v in verifications}
    marks = []
    for item in items:
        key = (item["item_kind"], item["item_id"])
        if item["item_kind"] == "sentence" and key not in alerted:
            continue
        labels = list(alerted.get(key, []))
        if key in checked:
            labels.append(f"checked against a primary source: {checked[key]}")
        if item.get("who"):
            labels.insert(0, f"{item['item_kind']} of {item['who']}")
        classes = {item["item_kind"]} | ({"alerted"} if key in alerted else set()) | (
            {f"checked-{checked[key]}"} if key in checked else set())
        marks.append((item["start"], item["end"], classes, labels))
    cuts = sorted({0, len(text), *(m[0] for m in marks), *(m[1] for m in marks)})
    out = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [m for m in marks if m[0] <= start and end <= m[1]]
        classes = sorted(set().union(*(m[2] for m in covering))) if covering else []
        title = "; ".join(dict.fromkeys(label for m in covering for label in m[3]))
        out.append({"text": text[start:end], "classes": " ".join(classes), "title": title})
    return out


@router.get("/documents/{doc_id}")
async def document(request: Request, doc_id: int):
    user(request)
    st = store(request)
    doc = st.get_document(doc_id)
    if doc is None:
        raise NotFound(f"no document {doc_id}")
    alerts = st.alerts(document_id=doc_id, status=None, limit=None)
    checks = st.verifications(document_id=doc_id, limit=None)
    analysis = st.get_analysis(doc_id)
    items = st.match_items(doc_id) if analysis else []
    archived = Archive(archive_dir(request.app.state.settings)).has(doc.raw_sha256)
    return render(request, "document.html", {
        "doc": doc, "doc_id": doc_id, "segments": segments(doc.text, items, alerts, checks), "alerts": alerts,
        "verifications": checks, "appearances": st.appearances(doc_id), "analysis": analysis, "archived": archived})


@router.get("/archive/{sha}")
async def archived(request: Request, sha: str):
    """The archived bytes as they were fetched: plain text (or a download), never rendered as a page."""
    user(request)
    archive = Archive(archive_dir(request.app.state.settings))
    try:
        data = archive.get(sha)
    except (ValueError, FileNotFoundError):
        raise NotFound(f"no archived copy {sha[:80]}") from None
    headers = {"Content-Security-Policy": "sandbox; default-src 'none'", "X-Content-Type-Options": "nosniff",
               "Content-Disposition": f'inline; filename="{sha}.txt"'}
    if b"\x00" in data[:4096]:
        headers["Content-Disposition"] = f'attachment; filename="{sha}.bin"'
        return Response(data, media_type="application/octet-stream", headers=headers)
    return Response(data, media_type="text/plain; charset=utf-8", headers=headers)
