"""Known cases: importers for debunk databases and fact-checks, producing :class:`KnownCase` records.

    read_cases(path, format=None) -> CaseFile     one file (or an EUvsDisinfo case-index folder)
    sniff_format(path, data) -> str               the format, from the extension and the content
    FORMATS                                       the format names ``--format`` accepts

Formats:

``euvsdisinfo-2017``
    The 2015-2017 EUvsDisinfo scrape (``full_dataset.csv``): ``;``-separated, quoted, columns
    issue, date (dd.mm.yyyy), outlet, language, origin (countries discussed), reported by,
    keywords, source (URL), title, summary, disproof. It has no case id, so the key is
    ``euvsdisinfo-2017:`` + a hash of date, outlet, source URL and title; a row repeating an
    earlier row's key is skipped. "reported by" has no column in the store and is not kept.
``euvsdisinfo-index``
    The 2015-2021 EUvsDisinfo case index (``posts.csv``): date, id (case URL), title, countries,
    keywords, languages, outlets, multi-values joined with ``+``. Key ``euvsdisinfo:<slug>`` from
    the case URL. Given the folder, or posts.csv with ``publications_*.csv`` beside it, each case's
    publications (original URL and archived copy) are joined as links.
``csv`` / ``jsonl`` / ``json``
    The generic format, one case per row/line/object: ``key`` (or ``id``, required), ``title``
    (required), ``claim``, ``summary``, ``disproof``, ``rating``, ``published`` (YYYY-MM-DD;
    dd.mm.yyyy, YYYY-MM and YYYY are accepted), ``languages``, ``countries``, ``keywords``,
    ``outlets``, ``links``, optional ``narrative`` (a narrative id), ``status`` (default
    published) and ``origin`` (default generic). In CSV, lists are separated by ``|`` or given
    as a JSON array; the delimiter (``,`` ``;`` or tab) is detected. In JSON, lists are arrays;
    ``links`` items are URLs or objects ``{"url", "archived", "kind"}``. Unknown fields are ignored
    and named in the file's notes.
``claimreview``
    schema.org ClaimReview JSON-LD, as fact-checkers publish it: one object, a list, an
    ``@graph``, JSON lines, or HTML pages with ``<script type="application/ld+json">`` blocks.
    Key: the review's ``url`` (else its ``@id``; a second review on the same page gets ``#`` and a
    hash of its claim). Title: ``name`` or ``headline``, else ``claimReviewed``; claim:
    ``claimReviewed``; rating: ``reviewRating.alternateName``; published: ``datePublished``;
    outlets: the names of ``itemReviewed`` (a Claim) ``author`` and of its appearances' authors and
    publishers; links: the review, ``firstAppearance`` and ``appearance`` URLs; languages:
    ``inLanguage``.

A bad row never stops a file: it becomes a :class:`Skip` with its row number and reason, and the
rest goes on. Only an unreadable file raises :class:`CaseFileError`. Pure: no store, no network.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .errors import DisinfowatchError

FORMATS = ("euvsdisinfo-2017", "euvsdisinfo-index", "csv", "jsonl", "json", "claimreview")
STATUSES = ("draft", "in review", "published", "corrected", "withdrawn")
MAX_KEY = 300  # cases.key is String(300)
GENERIC_FIELDS = ("key", "id", "title", "claim", "summary", "disproof", "rating", "published", "languages",
                  "countries", "keywords", "outlets", "links", "narrative", "narrative_id", "status", "origin")
EUVSDISINFO_2017_COLUMNS = ("issue", "date", "outlet", "language", "origin", "reported by", "keywords", "source",
                            "title", "summary", "disproof")
EUVSDISINFO_INDEX_COLUMNS = ("date", "id", "title", "countries", "keywords", "languages", "outlets")
LANGUAGE_CODES = {  # English names (as EUvsDisinfo writes them) -> ISO 639-1
    "arabic": "ar", "armenian": "hy", "azerbaijani": "az", "belarusian": "be", "bosnian": "bs", "bulgarian": "bg",
    "castilian": "es", "spanish": "es", "croatian": "hr", "czech": "cs", "danish": "da", "dutch": "nl",
    "english": "en", "estonian": "et", "finnish": "fi", "french": "fr", "georgian": "ka", "german": "de",
    "greek": "el", "hungarian": "hu", "italian": "it", "kazakh": "kk", "latvian": "lv", "lithuanian": "lt",
    "macedonian": "mk", "moldavian": "ro", "moldovan": "ro", "montenegrin": "sr", "norwegian": "no",
    "norwegian bokmål": "nb", "bokmål": "nb", "nynorsk": "nn", "polish": "pl", "portuguese": "pt",
    "português (brazil)": "pt", "português": "pt", "romanian": "ro", "russian": "ru", "serbian": "sr",
    "slovak": "sk", "slovenian": "sl", "swedish": "sv", "turkish": "tr", "ukrainian": "uk", "chinese": "zh",
    "japanese": "ja", "persian": "fa", "hebrew": "he", "uzbek": "uz", "tajik": "tg", "kyrgyz": "ky",
}
_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$", re.I)


class CaseFileError(DisinfowatchError):
    """A case file cannot be read at all (missing, unreadable, unknown format). Bad rows are skips."""


class _Bad(Exception):
    """A row cannot be imported; the message is the reason given in the skip."""


@dataclass(frozen=True)
class Link:
    """A URL attached to a case: where the claim appeared, the case page, a review, an archived copy."""

    url: str
    kind: str = "publication"  # publication | case | review | appearance | first-appearance
    archived: str | None = None


@dataclass(frozen=True)
class KnownCase:
    """A known case as the ``cases`` table holds it (lists as tuples; the store writes them as JSON)."""

    key: str
    origin: str  # euvsdisinfo | claimreview | generic | analyst
    title: str
    claim: str | None = None
    summary: str | None = None
    disproof: str | None = None
    rating: str | None = None
    published: str | None = None  # ISO date
    languages: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    narrative_id: str | None = None
    status: str = "published"
    id: int | None = field(default=None, compare=False)  # set when read back from the store

    def as_dict(self) -> dict:
        data = asdict(self)
        for name in ("languages", "countries", "keywords", "outlets"):
            data[name] = list(data[name])
        data["links"] = [dict(link) for link in data["links"]]
        return data


@dataclass(frozen=True)
class Skip:
    """A row that was not imported, and why (``where`` is ``FILE row N`` or ``FILE line N``)."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class CaseFile:
    """What one file gave: its format, the cases, the skipped rows and notes for the user."""

    path: str
    format: str
    cases: list[KnownCase] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: int = 0
    where: dict[str, str] = field(default_factory=dict)  # case key -> where it was read


@dataclass
class FileReport:
    """One file of an import: what was read, and what the store made of it."""

    path: str
    format: str
    rows: int
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skips: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class CaseImportReport:
    """Counts of an import, per file and in total, with every skip and its reason."""

    files: list[FileReport]
    seconds: float = 0.0

    def total(self, name: str) -> int:
        return sum(len(f.skips) if name == "skipped" else getattr(f, name) for f in self.files)

    def as_dict(self) -> dict:
        return {**{name: self.total(name) for name in ("new", "updated", "unchanged", "skipped")},
                "seconds": round(self.seconds, 3),
                "files": [{**{k: v for k, v in asdict(f).items() if k != "skips"}, "skipped": len(f.skips),
                           "skips": [{"where": s.where, "reason": s.reason} for s in f.skips]} for f in self.files]}


# -- reading files -------------------------------------------------------------------------

def read_cases(path: str | Path, format: str | None = None, *, debug: bool = False) -> CaseFile:
    """Read one case file (or an EUvsDisinfo case-index folder) into cases and skips.

    ``format`` overrides sniffing (one of :data:`FORMATS`). A row that fails unexpectedly is a
    skip naming the exception, unless ``debug``, which re-raises it.
    """
    path = Path(path)
    if format is not None and format not in FORMATS:
        raise CaseFileError(f"unknown case format {format!r}; available: {', '.join(FORMATS)}")
    if path.is_dir():
        posts = path / "posts.csv"
        if not posts.is_file():
            raise CaseFileError(f"{path} is a folder without posts.csv; name a case file or an EUvsDisinfo "
                                "case-index folder")
        path, format = posts, format or "euvsdisinfo-index"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CaseFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    text, note = _decode(data)
    chosen = format or sniff_format(path, text)
    result = CaseFile(path=str(path), format=chosen)
    if note:
        result.notes.append(note)
    reader = _READERS[chosen]
    _collect(result, reader(text, path, result), debug)
    return result


def _collect(result: CaseFile, rows: Iterator[tuple[str, Callable[[], KnownCase | None]]], debug: bool) -> None:
    """Build each row's case, turning its failure into a skip; skip repeated keys (first wins)."""
    first: dict[str, tuple[str, KnownCase]] = {}
    for where, build in rows:
        result.rows += 1
        try:
            case = build()
        except _Bad as exc:
            result.skipped.append(Skip(where, str(exc)))
            continue
        except Exception as exc:  # an unexpected failure is this row's problem, not the file's
            if debug:
                raise
            result.skipped.append(Skip(where, f"unexpected error: {type(exc).__name__}: {exc}"))
            continue
        if case is None:  # a blank line
            result.rows -= 1
            continue
        if case.key in first:
            seen_where, seen = first[case.key]
            same = "same content" if seen == case else "different content; kept the first"
            result.skipped.append(Skip(where, f"duplicate key {case.key} of {seen_where} ({same})"))
            continue
        first[case.key] = (where, case)
        result.cases.append(case)
        result.where[case.key] = where


def _decode(data: bytes) -> tuple[str, str | None]:
    """Text of a file: UTF-8 (with or without BOM), UTF-16 with BOM, else the likeliest legacy encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        encoding = best.encoding if best is not None else "cp1252"
    except ImportError:  # pragma: no cover - charset_normalizer comes with trafilatura
        encoding = "cp1252"
    return data.decode(encoding, errors="replace"), f"not UTF-8: read as {encoding}"


_CLAIMREVIEW_TYPE = re.compile(r'"@type"\s*:\s*(?:\[[^\]]*)?"[^"]*ClaimReview"')


def sniff_format(path: Path, text: str) -> str:
    """The format of a file from its extension and first bytes (see the module docstring)."""
    suffix = path.suffix.lower()
    head = text[:65536].lstrip()
    if suffix in (".html", ".htm", ".xhtml") or head[:1] == "<":
        return "claimreview"
    if suffix in (".jsonl", ".ndjson") or (head[:1] == "{" and _first_line_is_object(head)):
        return "claimreview" if _CLAIMREVIEW_TYPE.search(head.split("\n", 1)[0]) else "jsonl"
    if suffix in (".json", ".jsonld") or head[:1] in ("{", "["):
        return "claimreview" if _CLAIMREVIEW_TYPE.search(text) else "json"
    header = [h.strip().lower() for h in next(csv.reader([head.split("\n", 1)[0]], delimiter=_delimiter(head)), [])]
    if tuple(header) == EUVSDISINFO_2017_COLUMNS:
        return "euvsdisinfo-2017"
    if tuple(header) == EUVSDISINFO_INDEX_COLUMNS:
        return "euvsdisinfo-index"
    return "csv"


def _first_line_is_object(head: str) -> bool:
    """True for JSON lines: the first line alone is a complete object and more follows."""
    first, _, rest = head.partition("\n")
    try:
        return isinstance(json.loads(first), dict) and rest.strip()[:1] == "{"
    except json.JSONDecodeError:
        return False


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=header.count)


def _csv_rows(text: str, path: Path, delimiter: str) -> Iterator[tuple[int, int, list[str]]]:
    """(row number, first line, fields) of each data row; the header is row 0."""
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for number, fields in enumerate(reader):
        yield number, line, fields
        line = reader.line_num + 1


def _header(rows: Iterator[tuple[int, int, list[str]]], path: Path) -> list[str]:
    try:
        _, _, header = next(rows)
    except StopIteration:
        raise CaseFileError(f"{path}: empty file") from None
    return [h.strip().lower() for h in header]


# -- EUvsDisinfo ---------------------------------------------------------------------------

def _euvsdisinfo_2017(text: str, path: Path, result: CaseFile):
    rows = _csv_rows(text, path, ";")
    header = _header(rows, path)
    missing = [c for c in EUVSDISINFO_2017_COLUMNS if c not in header]
    if missing:
        raise CaseFileError(f"{path}: not the EUvsDisinfo 2015-2017 layout: missing column(s) {', '.join(missing)}")
    result.notes.append("the 'reported by' column is not kept (no field for it)")
    for number, line, fields in rows:
        yield f"{path.name} row {number} (line {line})", _row(header, fields, _euvsdisinfo_2017_case)


def _row(header: list[str], fields: list[str], build: Callable[[dict], KnownCase]) -> Callable[[], KnownCase | None]:
    def make() -> KnownCase | None:
        if not any(f.strip() for f in fields):
            return None  # a blank line
        if len(fields) != len(header):
            raise _Bad(f"expected {len(header)} fields, found {len(fields)} (a stray delimiter or quote?)")
        return build(dict(zip(header, fields)))
    return make


def _euvsdisinfo_2017_case(row: dict) -> KnownCase:
    title = _clean(row["title"])
    if not title:
        raise _Bad("missing title")
    published = _date(row["date"], "date")
    source = _clean(row["source"])
    digest = hashlib.sha256("|".join((published or "", _clean(row["outlet"]), source, title)).encode()).hexdigest()
    return KnownCase(
        key=f"euvsdisinfo-2017:{digest[:20]}", origin="euvsdisinfo", title=title, claim=title,
        summary=_clean(row["summary"]) or None, disproof=_clean(row["disproof"]) or None, published=published,
        languages=_languages(_split(row["language"], ",")), countries=_split(row["origin"], ","),
        keywords=_split(row["keywords"], ","), outlets=_split(row["outlet"], None),
        links=tuple(Link(url, "publication") for url in source.split() if _is_url(url)),
    )


def _euvsdisinfo_index(text: str, path: Path, result: CaseFile):
    rows = _csv_rows(text, path, ",")
    header = _header(rows, path)
    missing = [c for c in EUVSDISINFO_INDEX_COLUMNS if c not in header]
    if missing:
        raise CaseFileError(f"{path}: not the EUvsDisinfo case-index layout: missing column(s) {', '.join(missing)}")
    publications = _publications(path, result)
    ids = set()
    for number, line, fields in rows:
        ids.add(dict(zip(header, fields)).get("id", "").strip())
        yield f"{path.name} row {number} (line {line})", _row(header, fields, lambda r: _index_case(r, publications))
    for case_id in sorted(set(publications) - ids):
        for where, _ in publications[case_id]:
            result.skipped.append(Skip(where, f"publication of a case not in {path.name}: {case_id}"))
    if publications:
        joined = sum(len(links) for case_id, links in publications.items() if case_id in ids)
        result.notes.append(f"joined {joined} publication links from {', '.join(sorted(_pub_files(path)))}")


def _publications(path: Path, result: CaseFile) -> dict[str, list[tuple[str, Link]]]:
    """Publications beside posts.csv, by case URL: (where, link), duplicates reported as skips."""
    found: dict[str, list[tuple[str, Link]]] = {}
    for pub in sorted(path.parent / name for name in _pub_files(path)):
        text, note = _decode(pub.read_bytes())
        if note:
            result.notes.append(f"{pub.name}: {note}")
        rows = _csv_rows(text, pub, ",")
        header = _header(rows, pub)
        if not {"id", "publication"} <= set(header):
            result.notes.append(f"{pub.name}: not joined (needs columns id, publication, archive)")
            continue
        seen: dict[tuple[str, str], str] = {}
        for number, line, fields in rows:
            where = f"{pub.name} row {number} (line {line})"
            row = dict(zip(header, fields))
            case_id, url = row.get("id", "").strip(), row.get("publication", "").strip()
            if len(fields) != len(header) or not case_id or not _is_url(url):
                result.skipped.append(Skip(where, "needs a case id and a publication URL"))
                continue
            if (case_id, url) in seen:
                result.skipped.append(Skip(where, f"duplicate of {seen[(case_id, url)]}"))
                continue
            seen[(case_id, url)] = f"row {number}"
            archived = row.get("archive", "").strip() or None
            found.setdefault(case_id, []).append((where, Link(url, "publication", archived)))
    return found


def _pub_files(path: Path) -> list[str]:
    return [p.name for p in path.parent.glob("publications*.csv")]


def _index_case(row: dict, publications: dict[str, list[tuple[str, Link]]]) -> KnownCase:
    url = row["id"].strip()
    match = re.match(r"^https?://(?:www\.)?euvsdisinfo\.eu/report/([^/?#]+)/?$", url)
    if not match:
        raise _Bad(f"id {url[:80]!r} is not a euvsdisinfo.eu/report/ URL")
    title = _clean(row["title"])
    if not title:
        raise _Bad("missing title")
    links = (Link(url, "case"), *(link for _, link in publications.get(url, ())))
    return KnownCase(
        key=_key(f"euvsdisinfo:{match.group(1)}"), origin="euvsdisinfo", title=title, claim=title,
        published=_date(row["date"], "date"), languages=_languages(_split(row["languages"], "+")),
        countries=_split(row["countries"], "+"), keywords=_split(row["keywords"], "+"),
        outlets=_split(row["outlets"], "+"), links=links,
    )


# -- generic CSV / JSON / JSONL ------------------------------------------------------------

def _generic_csv(text: str, path: Path, result: CaseFile):
    rows = _csv_rows(text, path, _delimiter(text.lstrip()))
    header = _header(rows, path)
    _check_generic_fields(header, path, result)
    for number, line, fields in rows:
        yield f"{path.name} row {number} (line {line})", _row(header, fields, lambda r: _generic_case(r, "|"))


def _check_generic_fields(names: Iterable[str], path: Path, result: CaseFile) -> None:
    names = set(names)
    if not names & {"key", "id"} or "title" not in names:
        raise CaseFileError(f"{path}: a generic case file needs 'key' (or 'id') and 'title' fields; "
                            f"found {', '.join(sorted(names)) or 'none'}")
    unknown = sorted(names - set(GENERIC_FIELDS) - {""})
    if unknown:
        result.notes.append(f"ignored unknown field(s): {', '.join(unknown)}")


def _generic_jsonl(text: str, path: Path, result: CaseFile):
    unknown: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield f"{path.name} line {number}", _json_row(line, unknown)
    if unknown:
        result.notes.append(f"ignored unknown field(s): {', '.join(sorted(unknown))}")


def _json_row(line: str, unknown: set[str]) -> Callable[[], KnownCase]:
    def make() -> KnownCase:
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _Bad(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        return _generic_object(row, unknown)
    return make


def _generic_object(row: Any, unknown: set[str]) -> KnownCase:
    if not isinstance(row, dict):
        raise _Bad(f"expected an object, got {type(row).__name__}")
    unknown.update(set(row) - set(GENERIC_FIELDS))
    return _generic_case(row, "|")


def _generic_json(text: str, path: Path, result: CaseFile):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(data, dict):
        data = data["cases"] if isinstance(data.get("cases"), list) else [data]
    if not isinstance(data, list):
        raise CaseFileError(f"{path}: expected a list of cases or {{\"cases\": [...]}}")
    unknown: set[str] = set()
    for number, row in enumerate(data, start=1):
        yield f"{path.name} item {number}", (lambda row=row: _generic_object(row, unknown))
    if unknown:
        result.notes.append(f"ignored unknown field(s): {', '.join(sorted(unknown))}")


def _generic_case(row: dict, separator: str) -> KnownCase:
    key = _clean(_scalar(row.get("key") or row.get("id"), "key"))
    if not key:
        raise _Bad("missing key (or id)")
    title = _clean(_scalar(row.get("title"), "title"))
    if not title:
        raise _Bad("missing title")
    status = _clean(_scalar(row.get("status"), "status")) or "published"
    if status not in STATUSES:
        raise _Bad(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    narrative = _clean(_scalar(row.get("narrative") or row.get("narrative_id"), "narrative")) or None
    return KnownCase(
        key=_key(key), origin=_clean(_scalar(row.get("origin"), "origin")) or "generic", title=title,
        claim=_optional(row, "claim"), summary=_optional(row, "summary"), disproof=_optional(row, "disproof"),
        rating=_optional(row, "rating"), published=_date(_scalar(row.get("published"), "published"), "published"),
        languages=_languages(_list(row.get("languages"), separator, "languages")),
        countries=_list(row.get("countries"), separator, "countries"),
        keywords=_list(row.get("keywords"), separator, "keywords"),
        outlets=_list(row.get("outlets"), separator, "outlets"),
        links=_links(row.get("links"), separator), narrative_id=narrative, status=status,
    )


def _optional(row: dict, name: str) -> str | None:
    return _clean(_scalar(row.get(name), name)) or None


def _scalar(value: Any, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise _Bad(f"field {name!r} must be text, got {type(value).__name__}")


def _list(value: Any, separator: str, name: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError:
                raise _Bad(f"field {name!r}: starts with '[' but is not a JSON array") from None
        else:
            return _split(value, separator)
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise _Bad(f"field {name!r} must be a list of strings")
    return tuple(dict.fromkeys(_clean(str(v)) for v in value if _clean(str(v))))


def _links(value: Any, separator: str) -> tuple[Link, ...]:
    if isinstance(value, str) and not value.strip().startswith("["):
        value = [u for part in value.split(separator) for u in part.split()]
    elif isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise _Bad("field 'links': starts with '[' but is not a JSON array") from None
    out = []
    for item in value or ():
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict) or not _is_url(str(item.get("url", ""))):
            raise _Bad(f"field 'links': {str(item)[:80]!r} is not a URL or an object with a 'url'")
        archived = item.get("archived")
        out.append(Link(item["url"].strip(), str(item.get("kind") or "publication"),
                        archived.strip() if isinstance(archived, str) and archived.strip() else None))
    return tuple(dict.fromkeys(out))


# -- ClaimReview JSON-LD -------------------------------------------------------------------

_LD_SCRIPT = re.compile(r"<script\b[^>]*\btype\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script\s*>",
                        re.I | re.S)


def _claimreview(text: str, path: Path, result: CaseFile):
    blocks = _ld_blocks(text, path)
    if not blocks:
        raise CaseFileError(f"{path}: no JSON-LD found (expected ClaimReview JSON or "
                            "<script type=\"application/ld+json\"> blocks)")
    urls: dict[str, int] = {}
    count = 0
    for label, block in blocks:
        try:
            data = json.loads(block)
        except json.JSONDecodeError as exc:
            yield f"{path.name} {label}".rstrip(), _fail(f"not valid JSON-LD ({exc.msg} at line {exc.lineno})")
            continue
        for number, review in enumerate(_reviews(data), start=1):
            count += 1
            yield f"{path.name} {label}review {number}", (lambda review=review: _review_case(review, urls))
    if count == 0:
        result.notes.append("no ClaimReview objects found")


def _ld_blocks(text: str, path: Path) -> list[tuple[str, str]]:
    stripped = text.lstrip()
    if stripped[:1] == "<":
        return [(f"script {n} ", m.group(1).strip().removeprefix("<!--").removesuffix("-->"))
                for n, m in enumerate(_LD_SCRIPT.finditer(text), start=1)]
    if stripped[:1] == "{" and _first_line_is_object(stripped):
        return [(f"line {n} ", line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    return [("", text)] if stripped else []


def _fail(reason: str) -> Callable[[], KnownCase]:
    def make() -> KnownCase:
        raise _Bad(reason)
    return make


def _types(node: dict) -> set[str]:
    value = node.get("@type", ())
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values}


def _reviews(data: Any) -> Iterator[dict]:
    """Every ClaimReview object in a JSON-LD document: top level, lists, @graph, nested values."""
    if isinstance(data, list):
        for item in data:
            yield from _reviews(item)
    elif isinstance(data, dict):
        if "ClaimReview" in _types(data):
            yield data
            return
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _reviews(value)


def _review_case(review: dict, urls: dict[str, int]) -> KnownCase:
    claim = _clean(_text_of(review.get("claimReviewed")))
    title = _clean(_text_of(review.get("name")) or _text_of(review.get("headline"))) or claim
    if not title:
        raise _Bad("ClaimReview without claimReviewed or name")
    url = _clean(_text_of(review.get("url")) or _text_of(review.get("@id")))
    if not url:
        raise _Bad("ClaimReview without url or @id (nothing to key it by)")
    urls[url] = urls.get(url, 0) + 1
    key = url if urls[url] == 1 else f"{url}#{hashlib.sha256(claim.encode()).hexdigest()[:12]}"
    item = review.get("itemReviewed")
    item = item if isinstance(item, dict) else {}
    outlets = [_name(item.get("author"))]
    links = [Link(url, "review")] if _is_url(url) else []
    for kind, value in (("first-appearance", item.get("firstAppearance")), ("appearance", item.get("appearance"))):
        for work in value if isinstance(value, list) else [value]:
            link_url = work if isinstance(work, str) else _text_of(work.get("url")) if isinstance(work, dict) else ""
            if _is_url(link_url or ""):
                links.append(Link(link_url.strip(), kind))
            if isinstance(work, dict):
                outlets += [_name(work.get("author")), _name(work.get("publisher"))]
    rating = review.get("reviewRating")
    return KnownCase(
        key=_key(key), origin="claimreview", title=title, claim=claim or None,
        summary=_clean(_text_of(review.get("description"))) or None,
        disproof=_clean(_text_of(review.get("reviewBody"))) or None, rating=_rating(rating),
        published=_date(_text_of(review.get("datePublished")), "datePublished"),
        languages=_languages([_language_of(v) for v in (review.get("inLanguage"), item.get("inLanguage")) if v]),
        keywords=_list(review.get("keywords"), ",", "keywords") if isinstance(review.get("keywords"), (str, list)) else (),
        outlets=tuple(dict.fromkeys(o for o in outlets if o)), links=tuple(dict.fromkeys(links)),
    )


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        return _text_of(value[0])
    if isinstance(value, dict):
        return _text_of(value.get("@value") or value.get("url") or value.get("@id") or "")
    return ""


def _name(value: Any) -> str:
    if isinstance(value, list):
        return next((n for n in (_name(v) for v in value) if n), "")
    if isinstance(value, dict):
        return _clean(_text_of(value.get("name")) or _text_of(value.get("alternateName")))
    return _clean(value) if isinstance(value, str) else ""


def _language_of(value: Any) -> str:
    if isinstance(value, dict):
        return _text_of(value.get("alternateName")) or _text_of(value.get("name"))
    return _text_of(value)


def _rating(rating: Any) -> str | None:
    if not isinstance(rating, dict):
        return None
    name = _clean(_text_of(rating.get("alternateName")) or _text_of(rating.get("name")))
    if name:
        return name
    value, best = rating.get("ratingValue"), rating.get("bestRating")
    return f"{value}/{best}" if value not in (None, "") and best not in (None, "") else None


# -- shared helpers ------------------------------------------------------------------------

def _clean(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _split(value: str, separator: str | None) -> tuple[str, ...]:
    parts = [value] if separator is None else value.split(separator)
    return tuple(dict.fromkeys(p for p in (_clean(part) for part in parts) if p))


def _languages(values: Iterable[str]) -> tuple[str, ...]:
    """ISO 639-1 codes for language names ('Russian' -> 'ru'); codes lower-cased; others kept."""
    out = []
    for value in values:
        value = _clean(value)
        code = LANGUAGE_CODES.get(value.lower())
        out.append(code or (value.lower() if _CODE.match(value) else value))
    return tuple(dict.fromkeys(v for v in out if v))


def _date(value: str, name: str) -> str | None:
    """An ISO date (YYYY-MM-DD, or YYYY-MM / YYYY when that is all there is) from common spellings."""
    value = _clean(value)
    if not value:
        return None
    for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", "ymd"), (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "dmy"),
                           (r"(\d{4})/(\d{1,2})/(\d{1,2})", "ymd")):
        match = re.fullmatch(pattern, value)
        if match:
            parts = dict(zip(order, map(int, match.groups())))
            try:
                return date(parts["y"], parts["m"], parts["d"]).isoformat()
            except ValueError:
                raise _Bad(f"{name} {value!r} is not a real date") from None
    if re.fullmatch(r"\d{4}(-\d{2})?", value):
        return value
    raise _Bad(f"{name} {value[:40]!r} is not a date (expected YYYY-MM-DD or dd.mm.yyyy)")


def _key(key: str) -> str:
    """Keys longer than the column hold are replaced by a stable hash of themselves."""
    return key if len(key) <= MAX_KEY else f"sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _is_url(value: str) -> bool:
    return bool(re.match(r"^(?:https?|ftp)://\S+$", value.strip()))


_READERS = {
    "euvsdisinfo-2017": _euvsdisinfo_2017,
    "euvsdisinfo-index": _euvsdisinfo_index,
    "csv": _generic_csv,
    "jsonl": _generic_jsonl,
    "json": _generic_json,
    "claimreview": _claimreview,
}
