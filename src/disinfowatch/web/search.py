"""Search across documents, claims and quotes, and cases: full text, or "similar to this"
(semantic, any language), with a language filter."""

from __future__ import annotations

from fastapi import APIRouter, Request

from .app import render, store, user

router = APIRouter(include_in_schema=False)
KINDS = ("documents", "claims", "cases")


def run_search(request: Request, q: str, kind: str, language: str | None, semantic: bool, limit: int = 30) -> list:
    st = store(request)
    q = q.strip()[:500]
    if not q:
        return []
    if semantic:
        from ..embed import get_embedder
        from ..similar import similar_items

        return similar_items(st, get_embedder(request.app.state.settings.embedder), q, limit=limit, language=language)
    if kind == "claims":
        return st.search_claims(q, language=language, limit=limit)
    if kind == "cases":
        return st.search_cases(q, limit=limit)
    rows = st.search_documents(q, limit=limit * 3 if language else limit)
    return [r for r in rows if not language or r["language"] == language][:limit]


@router.get("/search")
async def search(request: Request, q: str = "", kind: str = "documents", language: str | None = None,
           semantic: bool = False):
    user(request)
    kind = kind if kind in KINDS else "documents"
    results = run_search(request, q, kind, language or None, semantic)
    return render(request, "search.html", {"q": q, "kind": kind, "kinds": KINDS, "language": language or "",
                                            "semantic": semantic, "results": results})
