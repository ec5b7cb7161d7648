"""ClaimReview: a published case as schema.org JSON-LD, the form fact-check aggregators and search
engines read (https://schema.org/ClaimReview).

    data = claimreview.from_case(case, released_at, url="https://monitor.example/public/cases/7",
                                 publisher="EU vs Disinfo", publisher_url="https://monitor.example")
    claimreview.problems(data)        # [] when every required property is there

The claim reviewed is the case's claim (else its title); the item reviewed is a ``Claim`` with every
publication as an ``appearance`` (its archived copy as ``archivedAt``) and the first one as
``firstAppearance``; the rating is the organisation's own scale with the verdict in
``alternateName`` ("Disinformation").
"""

from __future__ import annotations

from datetime import datetime

REQUIRED = ("@context", "@type", "url", "claimReviewed", "author", "datePublished", "reviewRating", "itemReviewed")
RATING = {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1, "alternateName": "Disinformation"}


def from_case(case, released_at: datetime | None, *, url: str, publisher: str, publisher_url: str | None = None,
              base_url: str = "") -> dict:
    """The ClaimReview of a published (or corrected) case."""
    appearances = []
    for link in case.links:
        item = {"@type": "CreativeWork", "url": link.url}
        if link.archived:
            item["archivedAt"] = (f"{base_url.rstrip('/')}/{link.archived}" if link.archived.startswith("archive/")
                                  else link.archived)
        appearances.append(item)
    claim: dict = {"@type": "Claim", "appearance": appearances}
    if appearances:
        claim["firstAppearance"] = appearances[0]
    if case.published:
        claim["datePublished"] = case.published
    if case.outlets:
        claim["author"] = [{"@type": "Organization", "name": outlet} for outlet in case.outlets]
    author = {"@type": "Organization", "name": publisher}
    if publisher_url:
        author["url"] = publisher_url
    data = {
        "@context": "https://schema.org", "@type": "ClaimReview", "url": url,
        "claimReviewed": (case.claim or case.title or "").strip(), "author": author,
        "datePublished": (released_at.date().isoformat() if released_at else case.published) or "",
        "reviewRating": dict(RATING), "itemReviewed": claim, "name": case.title,
    }
    if case.disproof:
        data["reviewBody"] = case.disproof
    if case.languages:
        data["inLanguage"] = list(case.languages)
    if case.keywords:
        data["keywords"] = ", ".join(case.keywords)
    return data


def problems(data: dict) -> list[str]:
    """What a ClaimReview lacks of the required properties (empty when it is complete)."""
    out = [f"missing {name}" for name in REQUIRED if not data.get(name)]
    if data.get("@type") != "ClaimReview":
        out.append("@type is not ClaimReview")
    rating = data.get("reviewRating") or {}
    if rating.get("@type") != "Rating" or not rating.get("alternateName"):
        out.append("reviewRating needs @type Rating and an alternateName")
    author = data.get("author") or {}
    if not author.get("name") or author.get("@type") not in ("Organization", "Person"):
        out.append("author needs a name and @type Organization or Person")
    item = data.get("itemReviewed") or {}
    if item.get("@type") != "Claim":
        out.append("itemReviewed must be a Claim")
    if not item.get("appearance"):
        out.append("itemReviewed needs at least one appearance")
    if not item.get("firstAppearance"):
        out.append("itemReviewed needs a firstAppearance")
    if not str(data.get("datePublished", ""))[:4].isdigit():
        out.append("datePublished must be a date")
    return out
