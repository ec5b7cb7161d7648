"""Batch mode for big corpora: shards in, shards out, then ``load`` into the store.

    disinfowatch analyze --input 'shards/*.parquet' --output out/ --runner dask --workers 2
    disinfowatch load out/ --db postgresql://monitor@db/disinfowatch

``analyze_shards`` reads input shards (Parquet, JSON Lines, WARC; gzipped or not) a chunk at a time,
never the whole corpus, and sends the chunks through a runner (:mod:`disinfowatch.runners`) to
:func:`analyze_chunk`, the pure stage: clean, language, near-duplicate signature, extraction,
check-worthiness, and matching against the catalogue shipped in the :class:`Context`. The driver
writes one output shard per input shard (``<name>.parquet``: a row per document, with its analysis
and alerts as JSON) and its rejections (``<name>.rejections.jsonl``), then a ``<name>.done.json``
marker holding the input's size and modification time: a re-run skips every shard whose marker
matches and redoes any other, so a driver killed mid-run resumes and duplicates nothing.

``load_shards`` puts the output into a store: per batch of rows one transaction (documents by
content hash, so loading twice adds nothing; exact and near-duplicates become appearances of the
first), with the batch retried when the database goes away for a while. The input's rejections
are stored as rejections, with their reasons.
"""

from __future__ import annotations

import glob
import gzip
import json
import logging
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace

from . import dedup, match, read
from .analyze import analyze_document
from .errors import InvalidAction, Rejected
from .pipeline import page_chunks
from .records import Analysis, Claim, Mention, Page, Quote, Rejection, Sentence
from .settings import Settings

log = logging.getLogger(__name__)

CHUNK = 8  # documents per task: enough to batch the embeddings, few enough to keep every worker busy
SUFFIXES = (".parquet", ".jsonl", ".jsonl.gz", ".ndjson", ".warc", ".warc.gz")
COLUMNS = ("item", "content_hash", "url", "canonical_url", "title", "author", "published", "site_name", "source",
           "language", "language_score", "text", "raw_sha256", "paragraphs", "offsets", "minhash", "fetched_at",
           "raw", "content_type", "analysis", "alerts", "seconds")


# -- the stage -----------------------------------------------------------------------------------


@dataclass
class Context:
    """What every task shares, sent once per worker: the settings and the catalogue to match against
    (targets and their passage vectors; None: no matching)."""

    settings: Settings
    targets: list | None = None
    vectors: object = None
    embedder_id: str = ""
    checkworthiness: bool = True
    _catalogue: object = field(default=None, repr=False, compare=False)

    def recipe(self) -> dict:
        """How shards are analysed with this context: part of each done marker, so output made
        another way (another analysis version, matching on or off, another catalogue) is redone."""
        import hashlib

        from .analyze import VERSION

        catalogue = hashlib.sha256("\n".join(f"{t.kind}:{t.target}:{t.text}" for t in self.targets or ())
                                   .encode("utf-8")).hexdigest()[:16] if self.targets else None
        return {"analysis": VERSION, "matching": match.VERSION if self.targets else None,
                "checkworthiness": self.checkworthiness, "embedder": self.embedder_id or None, "catalogue": catalogue}

    def catalogue(self):
        """Built on first use in each worker (the ranker's indexes are not sent over the wire)."""
        if self._catalogue is None and self.targets:
            self._catalogue = match.Catalogue(self.targets, self.vectors, self.embedder_id)
        return self._catalogue

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_catalogue"] = None
        return state


def context_from_store(store, settings: Settings, *, checkworthiness: bool = True, matching: bool = True) -> Context:
    """A context whose catalogue is the store's (bundled and user narratives, known cases)."""
    if not matching:
        return Context(settings, checkworthiness=checkworthiness)
    from .embed import get_embedder

    embedder = get_embedder(settings.embedder)
    store.sync_bundled_narratives()
    targets = match.narrative_targets(store.list_narratives()) + match.case_targets(store.list_cases(limit=None))
    vectors = store.vectors_for(embedder, [t.text for t in targets], "passage")
    return Context(settings, targets, vectors, embedder.id, checkworthiness)


def analyze_chunk(pages: list, context: Context) -> list[dict]:
    """The pure stage over one chunk: an output row per page (``rejection`` set when it failed)."""
    return [analyze_page(page, context) for page in pages]


def analyze_page(page: Page, context: Context) -> dict:
    from .pipeline import to_document

    settings = context.settings
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    try:
        doc = to_document(page, settings)
        seconds["clean"] = time.perf_counter() - started
        signature = dedup.fingerprint(doc.text, settings.minhash_permutations)
        mark = time.perf_counter()
        scorer = None
        if context.checkworthiness:
            from .analyze import default_scorer

            base = default_scorer()

            def scorer(texts, base=base):
                begin = time.perf_counter()
                out = base(texts)
                seconds["embed"] = seconds.get("embed", 0.0) + time.perf_counter() - begin
                return out

        analysis = analyze_document(0, doc, settings, scorer)
        seconds["extract"] = time.perf_counter() - mark - seconds.get("embed", 0.0)
        alerts = _match(doc, analysis, context, seconds)
    except Rejected as exc:
        return {"item": page.url, "rejection": [exc.stage, exc.reason, exc.detail], "source": page.source}
    except Exception as exc:  # one bad page never stops the batch
        log.exception("batch analysis failed on %s", page.url)
        return {"item": page.url, "rejection": ["extract", f"error:{type(exc).__name__}", str(exc)[:500]],
                "source": page.source}
    from .store.sql import _document_values

    row = _document_values(doc, signature)
    row.pop("created_at")
    row.update(item=page.url, raw=page.content, content_type=page.content_type,
               analysis=json.dumps(_analysis_json(analysis), ensure_ascii=False),
               alerts=json.dumps(alerts, ensure_ascii=False), seconds=json.dumps(seconds))
    return row


def items_of(doc, analysis: Analysis) -> list[dict]:
    """The document's sentences, claims and quotes as :func:`match.select_items` wants them, with
    ``item_id`` their index within their kind (the store's ids do not exist yet)."""
    from .store.alerts import _context

    text = doc.text
    scores = analysis.checkworthiness or (0.0,) * len(analysis.sentences)
    items = [dict(item_kind="sentence", item_id=n, text=text[s.start:s.end], start=s.start, end=s.end,
                  language=s.language or doc.language, checkworthiness=score, who=None)
             for n, (s, score) in enumerate(zip(analysis.sentences, scores))]
    items += [dict(item_kind="claim", item_id=n, text=c.text, start=c.start, end=c.end, language=doc.language,
                   checkworthiness=c.checkworthiness, who=c.attributed_to, attribution=c.attribution)
              for n, c in enumerate(analysis.claims)]
    items += [dict(item_kind="quote", item_id=n, text=q.text, start=q.start, end=q.end, language=doc.language,
                   checkworthiness=None, who=q.speaker, attribution=q.attribution)
              for n, q in enumerate(analysis.quotes)]
    for item in items:
        item["context"] = _context(text, item["start"], item["end"])
    return items


def _match(doc, analysis: Analysis, context: Context, seconds: dict) -> list[dict]:
    catalogue = context.catalogue()
    if catalogue is None:
        return []
    from .embed import get_embedder

    items = match.select_items(items_of(doc, analysis), context.settings)
    if not items:
        return []
    begin = time.perf_counter()
    vectors = get_embedder(context.settings.embedder).embed([i["text"] for i in items], mode="query")
    seconds["embed"] = seconds.get("embed", 0.0) + time.perf_counter() - begin
    begin = time.perf_counter()
    alerts = match.match_document(0, items, vectors, catalogue, context.settings)
    seconds["match"] = time.perf_counter() - begin
    return [dict(kind=a.kind, item_kind=a.item_kind, item_index=a.item_id, target=a.target, score=a.score,
                 level=a.level, evidence=a.evidence) for a in alerts]


def _analysis_json(analysis: Analysis) -> dict:
    return {"version": analysis.version, "countries": list(analysis.countries),
            "scores": list(analysis.checkworthiness),
            "sentences": [[s.index, s.start, s.end, s.language, s.language_score, s.paragraph] for s in analysis.sentences],
            "quotes": [asdict(q) for q in analysis.quotes], "claims": [asdict(c) for c in analysis.claims],
            "mentions": [asdict(m) for m in analysis.mentions]}


def analysis_from_json(document_id: int, text: str, data: dict) -> Analysis:
    return Analysis(document_id,
                    tuple(Sentence(i, a, b, text[a:b], lang, score, par) for i, a, b, lang, score, par in data["sentences"]),
                    tuple(Quote(**q) for q in data["quotes"]), tuple(Claim(**c) for c in data["claims"]),
                    tuple(Mention(**m) for m in data["mentions"]), tuple(data["countries"]), tuple(data["scores"]),
                    data["version"])


# -- reading input shards ------------------------------------------------------------------------


def expand_inputs(patterns: Iterable[str], exclude: Path | None = None) -> list[Path]:
    """The shard files named by paths, folders and glob patterns, sorted, each once (by resolved
    path), none inside ``exclude`` (the output folder)."""
    found: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, recursive=True)) or [pattern]
        for name in matches:
            path = Path(name)
            if path.is_dir():
                found += sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
            elif path.exists():
                found.append(path)
            else:
                raise InvalidAction(f"no input shard matches {pattern!r}")
    unique = {p.resolve(): p for p in found}
    skip = exclude.resolve() if exclude is not None else None
    return [p for resolved, p in unique.items() if skip is None or skip not in resolved.parents]


def read_shard(path: Path, settings: Settings) -> Iterator[Page | Rejection]:
    """The pages of one shard, streamed; a shard that cannot be read (corrupt, truncated, wrong
    format) ends as a Rejection with its reason after whatever was read before the fault."""
    name, origin = path.name.lower(), str(path)
    try:
        if name.endswith(".parquet"):
            yield from _read_parquet(path, origin)
        elif name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
            yield from _read_jsonl(path, origin)
        elif name.endswith((".warc", ".warc.gz")):
            with path.open("rb") as handle:
                yield from read.read_warc(handle, origin, settings.fetch_max_bytes)
        else:
            yield Rejection(origin, "read", "unsupported-shard", f"expected one of {', '.join(SUFFIXES)}")
    except Exception as exc:  # pyarrow, gzip and the OS raise a zoo of errors on damaged files
        yield Rejection(origin, "read", "bad-shard", f"{type(exc).__name__}: {exc}"[:300])


def _read_parquet(path: Path, origin: str) -> Iterator[Page | Rejection]:
    import pyarrow.parquet as pq

    number = 0
    for batch in pq.ParquetFile(str(path)).iter_batches(batch_size=256):
        for row in batch.to_pylist():
            number += 1
            item = f"{origin}#row{number}"
            try:
                yield read._row_page({k: v for k, v in row.items() if v is not None}, item, None)
            except Rejected as exc:
                yield Rejection(item, exc.stage, exc.reason, exc.detail)


def _read_jsonl(path: Path, origin: str) -> Iterator[Page | Rejection]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            item = f"{origin}#L{number}"
            try:
                yield read._row_page(json.loads(line), item, None)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield Rejection(item, "read", "bad-json", str(exc)[:200])
            except Rejected as exc:
                yield Rejection(item, exc.stage, exc.reason, exc.detail)


# -- the driver: shards in, shards out -----------------------------------------------------------


def _fingerprint(path: Path) -> dict:
    stat = path.stat()
    return {"input": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _out_names(paths: list[Path]) -> dict[Path, str]:
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for path in paths:
        base = path.name
        for suffix in sorted(SUFFIXES, key=len, reverse=True):
            if base.lower().endswith(suffix):
                base = base[: -len(suffix)]
                break
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        names[path] = name
    return names


def analyze_shards(inputs: Iterable[str], output: str | Path, settings: Settings, runner, context: Context,
                   progress=None) -> dict:
    """Analyse every input shard into ``output``; shards already done (marker matching the input) are
    skipped. Returns counts: shards done and skipped, documents, rejections, and the stage seconds.

    The chunks of every shard go through one ``runner.map``, so the workers never wait at a shard's
    end; results come back in order, and each shard is finished (renamed, marked done) when its
    last chunk is in."""
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    totals = {"shards": 0, "skipped": 0, "documents": 0, "rejected": 0, "seconds": {}}
    todo: list[tuple[Path, str]] = []
    recipe = context.recipe()
    fingerprints: dict[str, dict] = {}
    for path, name in _out_names(expand_inputs(inputs, exclude=out)).items():
        marker = out / f"{name}.done.json"
        try:
            done = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
        except (OSError, ValueError):
            done = {}
        fingerprint = {**_fingerprint(path), "recipe": recipe}  # taken before reading begins
        if done and {k: done.get(k) for k in fingerprint} == fingerprint:
            totals["skipped"] += 1
        else:
            todo.append((path, name))
            fingerprints[name] = fingerprint
    read_rejections: dict[str, list[Rejection]] = {name: [] for _, name in todo}

    def tasks() -> Iterator[tuple[str, list[Page]]]:
        for path, name in todo:
            for chunk in page_chunks(read_shard(path, settings), CHUNK, read_rejections[name].append):
                yield name, chunk
            yield name, []  # the shard's end

    paths = dict((name, path) for path, name in todo)
    shard: _OutShard | None = None
    try:
        for name, rows in runner.map(analyze_tagged, tasks(), context):
            if shard is None or shard.name != name:
                if shard is not None:
                    raise RuntimeError(f"results of {name} came before the end of {shard.name}")
                shard = _OutShard(out, name)
            if rows is not None:
                shard.add(rows)
                continue
            fingerprint = fingerprints[name]
            try:
                unchanged = _fingerprint(paths[name]) == {k: v for k, v in fingerprint.items() if k != "recipe"}
            except OSError:
                unchanged = False
            if not unchanged:
                log.warning("%s changed or went away while it was read; its output is kept, not marked done",
                            paths[name])
            counts = shard.finish(read_rejections.pop(name), fingerprint if unchanged else None)
            shard = None
            totals["shards"] += 1
            totals["documents"] += counts["documents"]
            totals["rejected"] += counts["rejected"]
            for stage, value in counts["seconds"].items():
                totals["seconds"][stage] = totals["seconds"].get(stage, 0.0) + value
            if progress:
                progress(paths[name], counts)
    finally:
        if shard is not None:  # a failure mid-shard: nothing of it counts as done
            shard.abandon()
    return totals


def analyze_tagged(task: tuple[str, list[Page]], context: Context) -> tuple[str, list[dict] | None]:
    """:func:`analyze_chunk` of one shard's chunk, with the shard's name; None marks its end."""
    name, pages = task
    return name, (analyze_chunk(pages, context) if pages else None)


def _schema():
    import pyarrow as pa

    types = {"language_score": pa.float64(), "minhash": pa.binary(), "raw": pa.binary(),
             "fetched_at": pa.timestamp("us", tz="UTC")}
    return pa.schema([pa.field(c, types.get(c, pa.string())) for c in COLUMNS])


class _OutShard:
    """One output shard being written: rows to ``NAME.parquet.partial``, renamed when finished,
    then the rejections, then the done marker (so a marker means everything before it is there)."""

    def __init__(self, out: Path, name: str):
        import pyarrow.parquet as pq

        self.out, self.name = out, name
        self.partial = out / f"{name}.parquet.partial"
        self.writer = pq.ParquetWriter(str(self.partial), _schema())
        self.rejections: list[Rejection] = []
        self.counts = {"documents": 0, "rejected": 0, "seconds": {}}

    def add(self, rows: list[dict]) -> None:
        import pyarrow as pa

        good = []
        for row in rows:
            if "rejection" in row:
                stage, reason, detail = row["rejection"]
                self.rejections.append(Rejection(row["item"], stage, reason, detail, row.get("source")))
                continue
            good.append(row)
            for stage, value in json.loads(row["seconds"]).items():
                self.counts["seconds"][stage] = self.counts["seconds"].get(stage, 0.0) + value
        if good:
            self.writer.write_table(pa.Table.from_pylist(good, schema=_schema()))
            self.counts["documents"] += len(good)

    def abandon(self) -> None:
        self.writer.close()
        self.partial.unlink(missing_ok=True)

    def finish(self, read_rejections: list[Rejection], fingerprint: dict | None) -> dict:
        """Rename the output into place; write the done marker unless ``fingerprint`` is None."""
        self.writer.close()
        rejections = read_rejections + self.rejections
        target = self.out / f"{self.name}.rejections.jsonl"
        partial = target.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as handle:
            for r in rejections:
                handle.write(json.dumps({"item": r.item, "stage": r.stage, "reason": r.reason, "detail": r.detail,
                                         "source": r.source}, ensure_ascii=False) + "\n")
        os.replace(self.partial, self.out / f"{self.name}.parquet")
        os.replace(partial, target)
        self.counts["rejected"] = len(rejections)
        marker = self.out / f"{self.name}.done.json"
        if fingerprint is None:
            marker.unlink(missing_ok=True)
            return self.counts
        marker.with_suffix(".tmp").write_text(json.dumps({**fingerprint, "documents": self.counts["documents"],
                                                          "rejected": self.counts["rejected"]}), encoding="utf-8")
        os.replace(marker.with_suffix(".tmp"), marker)
        return self.counts


# -- loading output shards into the store --------------------------------------------------------


def output_shards(folder: str | Path) -> list[Path]:
    """The finished output shards of a folder (those with a done marker), in name order."""
    out = Path(folder)
    if not out.is_dir():
        raise InvalidAction(f"{out} is not a folder of analysed shards")
    return [out / f"{m.name[: -len('.done.json')]}.parquet" for m in sorted(out.glob("*.done.json"))]


def load_shards(folder: str | Path, store, settings: Settings, *, batch: int = 200, retry_seconds: float = 120.0,
                progress=None) -> dict:
    """Put analysed shards into ``store``; idempotent. Returns documents added, duplicates (exact
    and near), alerts added and rejections recorded."""
    import pyarrow.parquet as pq

    from .archive import Archive
    from .settings import archive_dir

    archive = Archive(archive_dir(settings))
    index = dedup.NearDuplicateIndex(settings.near_duplicate_threshold, settings.minhash_permutations)
    for doc_id, signature in store.iter_minhashes():
        index.add(doc_id, signature)
    totals = {"documents": 0, "duplicates": 0, "alerts": 0, "rejections": 0, "shards": 0}
    for shard in output_shards(folder):
        if not shard.exists():
            raise InvalidAction(f"{shard} is missing: its done marker is there, the shard is not")
        marker = json.loads(shard.with_name(shard.name[: -len(".parquet")] + ".done.json").read_text(encoding="utf-8"))
        matched = (marker.get("recipe") or {}).get("matching")  # None: not matched, `analyze` will
        for table in pq.ParquetFile(str(shard)).iter_batches(batch_size=batch):
            rows = table.to_pylist()
            for row in rows:
                archive.put(row["raw"])
            result = _retrying(lambda rows=rows: store.add_analysed(rows, index, matched), retry_seconds)
            for key in ("documents", "duplicates", "alerts"):
                totals[key] += result[key]
        rejections = shard.with_name(shard.name[: -len(".parquet")] + ".rejections.jsonl")
        if rejections.exists():
            items = [json.loads(line) for line in rejections.read_text(encoding="utf-8").splitlines() if line.strip()]
            found = [Rejection(r["item"], r["stage"], r["reason"], r["detail"], r.get("source")) for r in items]
            totals["rejections"] += _retrying(lambda found=found: store.add_rejections(found), retry_seconds)
        totals["shards"] += 1
        if progress:
            progress(shard, totals)
    return totals


def _retrying(write, seconds: float):
    """Run ``write`` (one idempotent transaction) again while the database is unreachable, with
    backoff, for at most ``seconds``."""
    import sqlalchemy as sa

    deadline, wait = time.monotonic() + seconds, 0.5
    while True:
        try:
            return write()
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            if time.monotonic() + wait > deadline:
                raise
            log.warning("database unavailable (%s); retrying in %.1f s", str(exc).splitlines()[0][:120], wait)
            time.sleep(wait)
            wait = min(wait * 2, 10.0)


def document_of(row: dict):
    """The Document of an output row."""
    from .store.sql import _document

    return _document(SimpleNamespace(**row))


def read_rows(path: str | Path) -> list[dict]:
    """Every row of an output shard (for tests and small shards)."""
    import pyarrow.parquet as pq

    return pq.read_table(str(path)).to_pylist()

