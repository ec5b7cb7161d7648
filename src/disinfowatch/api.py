"""The public library API. The CLI and the web app are thin shells over these functions.

    import disinfowatch as dw
    settings = dw.load_settings(overrides={"db": "sqlite:///monitor.db"})
    report = dw.ingest(["article.txt", "https://example.org/feed.xml"], settings)
    dw.search(settings, "NATO")
"""

from __future__ import annotations

import tomllib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import platformdirs

from .errors import ConfigError
from .pipeline import Ingester, IngestReport
from .records import Rejection, Source
from .settings import Settings, archive_dir, load as load_settings
from .store import Store, open_store

__all__ = [
    "IngestReport", "Settings", "load_settings", "store", "ingest", "analyze", "rejections", "stats", "search",
    "show", "add_source", "list_sources", "remove_source", "import_sources", "demo", "demo_db_url",
]


@contextmanager
def store(settings: Settings) -> Iterator[Store]:
    """Open the store named by ``settings.db`` (migrating it) and close it afterwards."""
    opened = open_store(settings.db)
    try:
        yield opened
    finally:
        opened.close()


def ingest(targets: Iterable[str], settings: Settings, *, source: str | None = None, all_sources: bool = False,
           debug: bool = False, progress=None) -> IngestReport:
    """Ingest files, directories and URLs (and, with ``all_sources``, every active source)."""
    with store(settings) as st:
        ingester = Ingester(st, settings, debug=debug, progress=progress)
        try:
            ingester.ingest(targets, source)
            if all_sources:
                ingester.ingest_sources(st.list_sources())
        finally:
            ingester.close()
        return ingester.report


def analyze(settings: Settings, *, limit: int | None = None, checkworthiness: bool = True,
            debug: bool = False, progress=None) -> dict:
    """Run the extraction stages over every stored document not yet analysed (resumable)."""
    from .analyze import Analyzer, default_scorer

    with store(settings) as st:
        analyzer = Analyzer(st, settings, scorer=default_scorer() if checkworthiness else None, debug=debug,
                            progress=progress)
        return analyzer.run(limit)


def rejections(settings: Settings, *, stage: str | None = None, limit: int = 50) -> list[Rejection]:
    with store(settings) as st:
        return st.rejections(stage=stage, limit=limit)


def stats(settings: Settings) -> list[dict]:
    with store(settings) as st:
        return st.stats()


def search(settings: Settings, query: str, *, limit: int = 20) -> list[dict]:
    with store(settings) as st:
        return st.search_documents(query, limit=limit)


def show(settings: Settings, doc_id: int) -> dict:
    from .errors import DisinfowatchError

    with store(settings) as st:
        doc = st.get_document(doc_id)
        if doc is None:
            raise DisinfowatchError(f"no document with id {doc_id}; see `disinfowatch search` or `stats`")
        data = {"id": doc_id, **{k: v for k, v in doc.__dict__.items() if k not in ("offsets",)}}
        data["paragraphs"] = [p.__dict__ for p in doc.paragraphs]
        data["appearances"] = st.appearances(doc_id)
        analysis = st.get_analysis(doc_id)
        data["analysis"] = None if analysis is None else {
            "countries": list(analysis.countries),
            "quotes": [q.__dict__ for q in analysis.quotes],
            "claims": [c.__dict__ for c in analysis.claims],
            "mentions": sorted({m.entity for m in analysis.mentions}),
            "version": analysis.version,
        }
        return data


def add_source(settings: Settings, source: Source) -> None:
    with store(settings) as st:
        st.add_source(source)


def list_sources(settings: Settings) -> list[Source]:
    with store(settings) as st:
        return st.list_sources()


def remove_source(settings: Settings, name: str) -> bool:
    with store(settings) as st:
        return st.remove_source(name)


def read_sources_file(path: Path) -> list[Source]:
    """Sources from a TOML file of ``[[sources]]`` tables (name, url, kind, language, outlet, label)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("sources", f"cannot read {path}: {exc}") from None
    allowed = set(Source.__dataclass_fields__)
    out = []
    for number, entry in enumerate(data.get("sources", []), start=1):
        unknown = set(entry) - allowed
        if unknown or "name" not in entry or "url" not in entry:
            raise ConfigError("sources", f"{path} entry {number}: needs name and url; unknown keys {sorted(unknown)}")
        out.append(Source(**entry))
    return out


def import_sources(settings: Settings, path: Path) -> list[str]:
    sources = read_sources_file(path)
    with store(settings) as st:
        for source in sources:
            st.upsert_source(source)
    return [s.name for s in sources]


def demo_db_url() -> str:
    return f"sqlite:///{Path(platformdirs.user_data_dir('disinfowatch')) / 'demo.db'}"


def demo(settings: Settings, *, fresh: bool = True) -> dict:
    """Ingest the bundled demo corpus into ``settings.db`` and summarise what was stored."""
    import shutil

    from .demo import corpus_dir, demo_sources_path

    if fresh and settings.db.startswith("sqlite:///") and settings.db != "sqlite:///:memory:":
        path = Path(settings.db[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.rmtree(archive_dir(settings), ignore_errors=True)
    corpus = corpus_dir()
    import_sources(settings, demo_sources_path())
    report = ingest([str(corpus)], settings)
    analysis = analyze(settings)
    with store(settings) as st:
        return {
            "db": settings.db,
            "corpus": str(corpus),
            "report": report.as_dict(),
            "report_obj": report,
            "analysis": analysis,
            "quotes": _sample(st, "quotes"),
            "claims": _sample(st, "claims"),
            "stats": st.stats(),
            "republished": st.republished(),
            "rejections": [r.__dict__ for r in st.rejections(limit=20)],
        }


def _sample(st: Store, kind: str, limit: int = 8) -> list[dict]:
    """A few quotes or claims with their speakers, for the demo's summary."""
    import sqlalchemy as sa

    from .store import schema as t

    table = t.quotes if kind == "quotes" else t.claims
    who = table.c.speaker if kind == "quotes" else table.c.attributed_to
    query = (sa.select(table.c.document_id, who.label("who"), table.c.text).where(who.is_not(None))
             .order_by(table.c.document_id, table.c.id).limit(limit))
    with st.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
