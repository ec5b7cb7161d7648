"""The Atom feed of published cases (all, or of one narrative or language): RFC 4287, written with
ElementTree so every title and summary from the web is escaped as XML text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

ATOM = "http://www.w3.org/2005/Atom"


def _stamp(value: datetime | None) -> str:
    value = value or datetime(1970, 1, 1, tzinfo=timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def atom(rows: list[tuple], *, base_url: str, title: str, feed_path: str, publisher: str) -> bytes:
    """The feed of ``rows`` ((case, released_at), newest first)."""
    ET.register_namespace("", ATOM)
    base = base_url.rstrip("/")
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = base + feed_path
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=base + feed_path)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=base + "/public/cases")
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(max((at for _, at in rows if at), default=None))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = publisher
    for case, released_at in rows:
        url = f"{base}/public/cases/{case.id}"
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = case.title + (" (withdrawn)" if case.status == "withdrawn" else "")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=url)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _stamp(released_at)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(released_at)
        if case.narrative_id:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=case.narrative_id)
        for language in case.languages:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=f"language:{language}")
        summary = "\n\n".join(x for x in (case.summary, case.disproof) if x)
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = summary
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
