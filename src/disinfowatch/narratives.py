"""The narrative catalogue: recurring disinformation narratives with exemplar claims in many languages.

    load_bundled() -> tuple[Narrative, ...]     the catalogue shipped in narratives.toml (validated once)
    read_file(path) -> list[Narrative]          a user's TOML, JSON or JSONL file of the same shape
    parse(entries, where, origin) -> list[...]  validate already-decoded entries

A narrative file holds ``[[narratives]]`` tables (TOML), a list or ``{"narratives": [...]}`` (JSON),
or one narrative object per line (JSONL). Each narrative has ``id`` (a slug such as
``nato-aggression``), ``title``, ``description``, optional ``disproof`` and ``keywords``, and
``exemplars``: claims as outlets state them, either ``{"en": ["...", ...], "nb": [...]}`` or a list
of ``{"language": "en", "text": "..."}``. Optional ``counterexamples`` (same shape) are texts that
resemble the narrative but are not it, such as a denial. Every problem raises
:class:`CatalogueError` naming the file, the narrative and the field.

Pure: no store, no network. The store's ``sync_bundled_narratives`` copies the bundled catalogue in.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from .errors import DisinfowatchError

BUNDLED = Path(__file__).with_name("narratives.toml")
ORIGINS = ("bundled", "user")
FIELDS = ("id", "title", "description", "disproof", "keywords", "exemplars", "counterexamples")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
MAX_ID = 80  # narratives.id is String(80)


class CatalogueError(DisinfowatchError):
    """A narrative file cannot be read, or a narrative in it is invalid (names file, id and field)."""


@dataclass(frozen=True)
class Narrative:
    """A recurring narrative: what it claims, the standing response, and claims that voice it."""

    id: str
    title: str
    description: str
    disproof: str = ""
    keywords: tuple[str, ...] = ()
    exemplars: tuple[tuple[str, str], ...] = ()  # (language, text)
    counterexamples: tuple[tuple[str, str], ...] = ()  # (language, text): resembles it, is not it
    origin: str = "user"  # bundled | user

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages of the exemplars, in first-seen order."""
        return tuple(dict.fromkeys(language for language, _ in self.exemplars))

    def exemplars_in(self, language: str) -> tuple[str, ...]:
        return tuple(text for lang, text in self.exemplars if lang == language)

    def as_dict(self) -> dict:
        """JSON-ready, exemplars grouped by language (the file format, plus ``origin``)."""
        data = {"id": self.id, "title": self.title, "description": self.description, "disproof": self.disproof,
                "keywords": list(self.keywords), "exemplars": _grouped(self.exemplars), "origin": self.origin}
        if self.counterexamples:
            data["counterexamples"] = _grouped(self.counterexamples)
        return data


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for language, text in pairs:
        out.setdefault(language, []).append(text)
    return out


@lru_cache(maxsize=1)
def load_bundled() -> tuple[Narrative, ...]:
    """The bundled catalogue, validated (a broken catalogue is a bug: it raises CatalogueError)."""
    return tuple(_read(BUNDLED, origin="bundled"))


def read_file(path: str | Path) -> list[Narrative]:
    """Narratives from a user's ``.toml``, ``.json`` or ``.jsonl`` file (origin ``user``)."""
    return _read(Path(path), origin="user")


def _read(path: Path, origin: str) -> list[Narrative]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CatalogueError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot read ({exc}); narrative files are UTF-8") from None
    return parse(_entries(text, path), str(path), origin)


def _entries(text: str, path: Path) -> list:
    suffix = path.suffix.lower()
    if suffix == ".toml" or (suffix not in (".json", ".jsonl", ".ndjson") and text.lstrip()[:1] not in ("{", "[")):
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"{path}: not valid TOML ({exc})") from None
        if "narratives" not in data:
            raise CatalogueError(f"{path}: no [[narratives]] tables")
        return _as_list(data["narratives"], path)
    if suffix in (".jsonl", ".ndjson"):
        entries = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    entries.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise CatalogueError(f"{path} line {number}: not valid JSON ({exc.msg})") from None
        return entries
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogueError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(data, dict):
        data = data["narratives"] if "narratives" in data else [data]
    return _as_list(data, path)


def _as_list(value: Any, path: Path) -> list:
    if not isinstance(value, list):
        raise CatalogueError(f"{path}: 'narratives' must be a list of narratives, not {type(value).__name__}")
    return value


def parse(entries: Iterable[Any], where: str, origin: str = "user") -> list[Narrative]:
    """Validate decoded entries (dicts) into narratives; CatalogueError on the first problem."""
    if origin not in ORIGINS:
        raise ValueError(f"unknown narrative origin {origin!r}; expected one of {', '.join(ORIGINS)}")
    out: list[Narrative] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        narrative = _narrative(entry, where, number, origin)
        if narrative.id in seen:
            raise CatalogueError(f"{where}: narrative {narrative.id!r}: field 'id': duplicate "
                                 f"(also narrative #{seen[narrative.id]}); ids must be unique")
        seen[narrative.id] = number
        out.append(narrative)
    if not out:
        raise CatalogueError(f"{where}: no narratives")
    return out


def _narrative(entry: Any, path: str, number: int, origin: str) -> Narrative:
    where = f"{path}: narrative #{number}"
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: expected a table/object with {', '.join(FIELDS[:4])}, ..., "
                             f"got {type(entry).__name__}")
    raw_id = entry.get("id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise CatalogueError(f"{where}: field 'id': missing; give a slug such as 'nato-aggression'")
    narrative_id = raw_id.strip()
    where = f"{path}: narrative {narrative_id!r}"
    if len(narrative_id) > MAX_ID or not SLUG.match(narrative_id):
        raise CatalogueError(f"{where}: field 'id': {narrative_id!r} is not a slug (lowercase letters, digits "
                             f"and single hyphens, at most {MAX_ID} characters)")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; "
                             f"known fields: {', '.join(FIELDS)}")
    exemplars = _texts(entry.get("exemplars"), where, "exemplars")
    if not exemplars:
        raise CatalogueError(f"{where}: field 'exemplars': at least one exemplar claim is needed")
    return Narrative(
        id=narrative_id,
        title=_text(entry, "title", where, required=True),
        description=_text(entry, "description", where, required=True),
        disproof=_text(entry, "disproof", where, required=False),
        keywords=_keywords(entry.get("keywords", []), where),
        exemplars=exemplars,
        counterexamples=_texts(entry.get("counterexamples"), where, "counterexamples"),
        origin=origin,
    )


def _text(entry: dict, field: str, where: str, *, required: bool) -> str:
    value = entry.get(field, "")
    if not isinstance(value, str):
        raise CatalogueError(f"{where}: field {field!r}: expected text, got {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise CatalogueError(f"{where}: field {field!r}: missing or empty")
    return value


def _keywords(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise CatalogueError(f"{where}: field 'keywords': expected a list of strings")
    return tuple(dict.fromkeys(k.strip() for k in value if k.strip()))


def _texts(value: Any, where: str, field: str) -> tuple[tuple[str, str], ...]:
    """``{"en": ["..."], ...}`` (a single string allowed) or ``[{"language": ..., "text": ...}]``."""
    if value is None:
        return ()
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        for language, texts in value.items():
            for text in ([texts] if isinstance(texts, str) else texts if isinstance(texts, list) else [texts]):
                pairs.append((language, text))
    elif isinstance(value, list):
        for item in value:
            if not isinstance(item, dict) or set(item) != {"language", "text"}:
                raise CatalogueError(f"{where}: field {field!r}: list items must be "
                                     '{"language": "en", "text": "..."}')
            pairs.append((item["language"], item["text"]))
    else:
        raise CatalogueError(f"{where}: field {field!r}: expected a table of language = [texts], "
                             f"got {type(value).__name__}")
    out: dict[tuple[str, str], None] = {}
    for language, text in pairs:
        if not isinstance(language, str) or not LANGUAGE.match(language):
            raise CatalogueError(f"{where}: field {field!r}: language {language!r} is not an ISO 639 code "
                                 "such as 'en', 'ru', 'uk', 'de' or 'nb'")
        if not isinstance(text, str) or not text.strip():
            raise CatalogueError(f"{where}: field {field!r}: {language}: texts must be non-empty strings")
        out[(language, " ".join(text.split()))] = None
    return tuple(out)
