"""Primary sources: transcripts, speeches, press conferences and communiqués, read into turns and
passages with their speakers. Pure functions (bytes and options in, records out).

    sources, skipped = read_primary(data, "nato_russia24.jsonl", PrimaryOptions())
    source = from_text(text, PrimaryOptions(speakers=("Jens Stoltenberg",), date="2017-04-24"))

Inputs:

* JSON Lines, one passage a line: ``text`` with ``speaker``, ``date``, ``lang``, ``url`` and an id
  (``source_id``, ``id`` or ``key``); optional ``title`` and ``kind``. Lines sharing a URL and a
  language are one source, in file order. A line that cannot be used is skipped with its reason.
* Text or HTML (the main text is extracted): split into turns at ``Q.`` / ``A.``,
  ``Question:`` / ``Answer:``, ``Вопрос:`` / ``Ответ:`` (and the same in other languages, see
  ``verify.toml``) and at ``SPEAKER:`` lines; a text without any is one statement by its speaker.
  A plain-text file may start with a header (``date``, ``title``, ``url``) as articles do.

Each turn is cut into passages of at most :data:`MAX_SENTENCES` sentences, each with its speaker:
answers and statements are what the speaker said, questions what the interviewer asked (never
checked against). Language versions of one source share a ``work`` key, from the URL without its
language part (``.../interview`` and ``.../interview/ru``, ``?selectedLocale=ru``), or as given.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, replace
from importlib import resources
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .errors import DisinfowatchError, Rejected
from .records import Passage, PrimarySource

KINDS = ("interview", "speech", "press-conference", "statement", "communique", "transcript")
ROLES = ("question", "answer", "statement")
MAX_SENTENCES = 3  # per passage; a longer paragraph is cut into passages of this many sentences
MAX_PASSAGE_CHARS = 4000  # a single "sentence" longer than this is cut at a word boundary
MAX_PASSAGES = 20_000  # per source
_LOCALE_PARAMS = {"selectedlocale", "locale", "lang", "language", "hl", "lng"}
_LANGUAGE_SEGMENT = re.compile(r"^[a-z]{2}(?:[-_][a-zA-Z]{2})?$")


class PrimarySourceError(DisinfowatchError):
    """A primary source cannot be registered as given (no date, no text, an unknown kind, ...)."""


@dataclass(frozen=True)
class PrimaryOptions:
    """What the user says about a source; anything left out is read from the input."""

    title: str | None = None
    kind: str | None = None
    speakers: tuple[str, ...] = ()  # the main speaker first: who answers the Q./A. questions
    interviewer: str | None = None
    date: str | None = None
    language: str | None = None
    url: str | None = None
    work: str | None = None  # link to the other language versions of the same source
    key: str | None = None


@dataclass(frozen=True)
class Skip:
    where: str
    reason: str


# -- words and names ----------------------------------------------------------------------------


@functools.cache
def words_table() -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("verify.toml").read_text(encoding="utf-8"))


_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "yi", "ye", "g"]))


def fold(text: str) -> str:
    """Lower case, Cyrillic transliterated, accents removed: "Столтенберг" and "Støltenberg" both
    become "stoltenberg". For comparing names and cognates across scripts."""
    out = []
    for ch in text.lower():
        out.append(_CYRILLIC.get(ch, ch))
    folded = unicodedata.normalize("NFKD", "".join(out).replace("ø", "o").replace("æ", "ae").replace("ß", "ss")
                                   .replace("ł", "l").replace("đ", "d"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_TITLES = {"mr", "mrs", "ms", "dr", "prof", "president", "minister", "secretary", "general", "gen", "lt", "col",
           "colonel", "ambassador", "sir", "madam", "herr", "frau", "monsieur", "madame", "mme", "pan", "pani",
           "gospodin", "gospozha", "generał", "general", "the", "spokesperson", "spokesman", "minister", "ministre",
           "kanzler", "chancellor", "premier", "prime", "deputy", "his", "her", "excellency"}
# Letters that sound alike across scripts and spellings (Wellhausen / Веллгаузен / Велльхаузен,
# Seleznyova / Селезнёва / Sielezniowa / Selesnjowa, Verhoeven / Верговен, Rembowski / Рембовський).
_SOUNDS = str.maketrans({"w": "v", "f": "v", "z": "s", "c": "k", "q": "k", "x": "k", "g": "h"})
_SKIP = re.compile(r"[aeiouyjåäöüæø'’]+")


def _skeleton(word: str) -> str:
    """The consonants of a folded name, alike-sounding letters merged, doubles collapsed."""
    value = word.replace("sch", "s").replace("sh", "s").replace("ch", "h").replace("kh", "h").replace("ck", "k")
    value = _SKIP.sub("", value.translate(_SOUNDS))
    return re.sub(r"(.)\1+", r"\1", value)


def _name_words(name: str) -> list[str]:
    words = [w for w in _NAME_WORD.findall(fold(name).replace("-", " ")) if w not in _TITLES and w != "of"]
    return words


def speaker_name(name: str | None, language: str | None = None) -> str | None:
    """A speaker's name as stored: the gazetteer's canonical name when it knows the person
    ("Столтенберг" -> "Jens Stoltenberg"), else the name as given, in title case if it was in
    capitals ("JENS STOLTENBERG" -> "Jens Stoltenberg")."""
    if not name or not name.strip():
        return None
    from . import gazetteer

    name = " ".join(name.split())
    found = gazetteer.default().normalise(name, language, kinds=("person",))
    if found:
        return found
    if name.isupper():
        name = name.title()
    return name


def speaker_key(name: str | None) -> str:
    """The key candidate passages are looked up by: the sound skeleton of the surname's last part
    ("Castaing-Morel" and "Кастен-Морель" -> "mrl", "Stoltenberg" -> "stltnbrh")."""
    words = _name_words(name or "")
    return _skeleton(words[-1]) if words else ""


def same_speaker(a: str | None, b: str | None) -> bool:
    """Whether two written names can be the same person: the same surname skeleton, and every
    other word of the shorter name like a word of the longer one ("Solhaug Brekke" / "Ingrid
    Solhaug Brekke", "J. Stoltenberg" / "Йенс Столтенберг", but not "Anna Berg" / "Per Berg")."""
    from rapidfuzz import fuzz

    wa, wb = _name_words(a or ""), _name_words(b or "")
    if not wa or not wb or not _skeleton(wa[-1]) or _skeleton(wa[-1]) != _skeleton(wb[-1]):
        return False
    short, long = sorted((wa[:-1], wb[:-1]), key=len)
    for word in short:
        mine = _skeleton(word).lstrip("h")
        if not any((len(word) == 1 or len(other) == 1) and word[0] == other[0] or
                   fuzz.ratio(mine, _skeleton(other).lstrip("h")) >= 60 for other in long):
            return False
    return True


# -- reading --------------------------------------------------------------------------------------


def read_primary(data: bytes, name: str, options: PrimaryOptions = PrimaryOptions(), *,
                 max_bytes: int = 50_000_000) -> tuple[list[PrimarySource], list[Skip]]:
    """The primary sources in one input (JSON Lines, HTML or text), and the lines skipped with
    their reasons. Raises :class:`PrimarySourceError` when nothing usable is in it."""
    from .read import decode

    if len(data) > max_bytes:
        raise PrimarySourceError(f"{name}: {len(data)} bytes; the cap is {max_bytes}")
    lowered = name.lower().split("?")[0]
    if lowered.endswith((".jsonl", ".ndjson", ".jsonl.gz")) or _looks_like_jsonl(data):
        return from_jsonl(data, name, options)
    try:
        if lowered.endswith((".html", ".htm")) or data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
            from . import clean

            extracted = clean.extract_html(data, options.url or name, max_bytes=max_bytes)
            options = replace(options, title=options.title or extracted.title, date=options.date or extracted.date,
                              url=options.url or extracted.canonical_url)
            return [from_text(extracted.text, options, name)], []
        text = decode(data, name)
    except Rejected as exc:
        raise PrimarySourceError(f"{name}: {exc.reason}: {exc.detail}") from None
    from .clean import split_header

    header, body, _ = split_header(text)
    options = replace(options, title=options.title or header.get("title"), date=options.date or header.get("date"),
                      url=options.url or header.get("url"), language=options.language or header.get("language"))
    return [from_text(body, options, name)], []


def _looks_like_jsonl(data: bytes) -> bool:
    head = data.lstrip()[:1]
    return head == b"{"


def from_jsonl(data: bytes, name: str, options: PrimaryOptions = PrimaryOptions()) -> tuple[list[PrimarySource], list[Skip]]:
    """Sources from JSON Lines of passages (the format of ``nato_russia24_2017-04-24.jsonl``)."""
    from .read import decode

    try:
        text = decode(data, name)
    except Rejected as exc:
        raise PrimarySourceError(f"{name}: {exc.reason}: {exc.detail}") from None
    groups: dict[tuple[str, str], list[dict]] = {}
    skipped: list[Skip] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            skipped.append(Skip(where, f"not JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(row, dict):
            skipped.append(Skip(where, "not a JSON object"))
            continue
        body = row.get("text")
        if not isinstance(body, str) or not body.strip():
            skipped.append(Skip(where, "no text"))
            continue
        language = str(row.get("lang") or row.get("language") or options.language or "").lower()[:8]
        url = str(row.get("url") or options.url or "")
        row["_where"] = where
        groups.setdefault((url, language), []).append(row)
    if not groups:
        raise PrimarySourceError(f"{name}: no passages with text" + (f" ({skipped[0].reason} at {skipped[0].where})"
                                                                      if skipped else ""))
    sources = []
    for (url, language), rows in groups.items():
        sources.append(_source_from_rows(rows, url, language, name, options, multiple=len(groups) > 1))
    return sources, skipped


def _source_from_rows(rows: list[dict], url: str, language: str, name: str, options: PrimaryOptions,
                      multiple: bool) -> PrimarySource:
    date = options.date or next((str(r["date"]) for r in rows if r.get("date")), None)
    language = language or _detect(" ".join(r["text"] for r in rows[:20]))
    ids = [str(r.get("source_id") or r.get("id") or r.get("key") or "") for r in rows]
    prefix = _common_prefix([i for i in ids if i]).strip("_-. ")
    if language and prefix.lower().endswith(("_" + language, "-" + language)):
        prefix = prefix[: -len(language) - 1]  # "nato_russia24_2017_ru" -> "nato_russia24_2017"
    base = options.key if options.key and not multiple else None
    key = base or slug(f"{options.key or prefix or _url_slug(url) or _file_slug(name)}-{language or 'xx'}")
    labelled = any(_label(r["text"].strip())[0] for r in rows)
    passages: list[Passage] = []
    for index, (row, given) in enumerate(zip(rows, ids)):
        text = row["text"].strip()
        label, _ = _label(text)
        speaker = speaker_name(str(row.get("speaker") or ""), language) or (options.speakers[0] if options.speakers else None)
        previous = passages[-1] if passages else None
        if label is None and previous is not None and previous.speaker == speaker:
            role, turn = previous.role, previous.turn  # an answer going on
        else:
            role = label or ("question" if speaker and _is_questioner(speaker, options) else
                             "answer" if labelled or options.kind == "interview" else "statement")
            turn = previous.turn + 1 if previous is not None else 0
        passages.append(Passage(slug(given, keep_case=True) if given else f"{key}#{index}", index, speaker, role, text, turn))
    title = options.title or next((str(r["title"]) for r in rows if r.get("title")), None) or _title_from(name, url)
    kind = _kind(options.kind or next((str(r["kind"]) for r in rows if r.get("kind")), None), passages)
    return _finish(key, title, kind, language, date, url or None, passages, options)


def from_text(text: str, options: PrimaryOptions, name: str = "") -> PrimarySource:
    """One source from a transcript or a speech in plain text, split into turns and passages."""
    language = (options.language or _detect(text) or "").lower() or None
    turns = split_turns(text, options, language)
    if not turns:
        raise PrimarySourceError(f"{name or 'text'}: no text to register")
    key = options.key or slug(f"{_url_slug(options.url or '') or _file_slug(name) or 'source'}-{language or 'xx'}")
    passages = []
    for turn_number, (speaker, role, body) in enumerate(turns):
        for chunk in passages_of(body, language):
            passages.append(Passage(f"{key}#{len(passages)}", len(passages), speaker, role, chunk, turn_number))
    title = options.title or _title_from(name, options.url or "")
    return _finish(key, title, _kind(options.kind, passages), language, options.date, options.url, passages, options)


def _finish(key, title, kind, language, date, url, passages, options: PrimaryOptions) -> PrimarySource:
    from .clean import normalise_date

    if not date:
        raise PrimarySourceError(f"source {key!r} has no date: give one (--date YYYY-MM-DD), since reports are "
                                 "checked against the sources of the days before them")
    normalised = normalise_date(str(date))
    if not normalised:
        raise PrimarySourceError(f"source {key!r}: cannot read the date {date!r}; expected YYYY-MM-DD")
    if len(passages) > MAX_PASSAGES:
        raise PrimarySourceError(f"source {key!r} has {len(passages)} passages; the cap is {MAX_PASSAGES}")
    speakers = tuple(dict.fromkeys(p.speaker for p in passages if p.speaker and p.role != "question"))
    if not speakers and options.speakers:
        speakers = tuple(speaker_name(s, language) or s for s in options.speakers)
    work = options.work or work_key(url) or re.sub(r"-[a-z]{2,3}$", "", key)
    return PrimarySource(key, (title or key)[:500], kind, language, normalised, url, speakers, work, tuple(passages))


def work_key(url: str | None) -> str | None:
    """The URL without its language part, so language versions of one source share it."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.netloc:
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in _LOCALE_PARAMS])
    segments = [s for s in parts.path.split("/") if s]
    segments = [s for s in segments if not _LANGUAGE_SEGMENT.match(s)]
    path = "/" + "/".join(segments)
    host = parts.netloc.lower().removeprefix("www.")
    return urlunsplit(("", host, path.rstrip("/") or "/", query, "")).lstrip("/")


# -- turns and passages -------------------------------------------------------------------------

_LABEL = re.compile(r"^\s*(?P<label>[^\W\d_]{1,20})\s*(?:[.:]|\s[-–—])\s+", re.UNICODE)
_SPEAKER_LINE = re.compile(
    r"^\s*(?P<name>[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ][^\W\d_]*\.?(?:[ \t'’-]+[^\W\d_]+\.?){0,4})(?:\s*\((?P<role>[^)]{1,60})\))?\s*:\s+(?P<rest>.*)$",
    re.UNICODE | re.DOTALL)


def _label(line: str) -> tuple[str | None, str]:
    """("question" | "answer" | None, the line without its label)."""
    match = _LABEL.match(line)
    if match:
        word = match.group("label").lower()
        labels = words_table()["labels"]
        for role in ("question", "answer"):
            if word in labels[role] and (len(word) > 1 or line.lstrip()[1:2] in ".:"):
                return role, line[match.end():]
    return None, line


def _is_questioner(speaker: str, options: PrimaryOptions) -> bool:
    if options.interviewer and same_speaker(speaker, options.interviewer):
        return True
    words = [w.lower() for w in _NAME_WORD.findall(speaker)]
    return any(w in words_table()["labels"]["questioner"] for w in words)


def split_turns(text: str, options: PrimaryOptions, language: str | None) -> list[tuple[str | None, str, str]]:
    """(speaker, role, text) per turn, in order. Q./A. labels give the interviewer and the main
    speaker; ``NAME:`` lines give their own speaker; a text with neither is one statement."""
    main = speaker_name(options.speakers[0], language) if options.speakers else None
    interviewer = speaker_name(options.interviewer, language) if options.interviewer else "Interviewer"
    known = [speaker_name(s, language) or s for s in options.speakers]
    turns: list[list] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if not stripped:
            if turns:
                turns[-1][2] += "\n\n"
            continue
        role, rest = _label(stripped)
        speaker = None
        if role is not None:
            speaker = interviewer if role == "question" else main
        else:
            found = _SPEAKER_LINE.match(stripped)
            if found and _plausible_label(found.group("name")):
                raw = found.group("name")
                speaker = next((k for k in known if same_speaker(raw, k)), None) or speaker_name(raw, language)
                role = "question" if _is_questioner(raw + " " + (found.group("role") or ""), options) else (
                    "answer" if speaker == main and _kind(options.kind, ()) == "interview" else "statement")
                rest = found.group("rest")
        if role is None:
            if turns:
                turns[-1][2] += ("" if turns[-1][2].endswith("\n\n") else " ") + stripped
            else:
                turns.append([main, "statement" if _kind(options.kind, ()) != "interview" else "answer", stripped])
            continue
        turns.append([speaker, role, rest.strip()])
    return [(s, r, t.strip()) for s, r, t in turns if t.strip()]


def _plausible_label(name: str) -> bool:
    """A ``NAME:`` line names a speaker: capitals ("STOLTENBERG"), or a few capitalised words."""
    words = name.replace("-", " ").split()
    if name.isupper():
        return True
    return 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words if len(w) > 3) and len(name) <= 60


def passages_of(text: str, language: str | None) -> list[str]:
    """A turn's text cut into passages: paragraphs, each cut into runs of at most MAX_SENTENCES."""
    from .segment import _split

    out = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        sentences = [paragraph[a:b] for a, b in _split(paragraph)] or [paragraph]
        pieces = []
        for sentence in sentences:
            while len(sentence) > MAX_PASSAGE_CHARS:
                cut = sentence.rfind(" ", 0, MAX_PASSAGE_CHARS)
                cut = cut if cut > 0 else MAX_PASSAGE_CHARS
                pieces.append(sentence[:cut])
                sentence = sentence[cut:].strip()
            pieces.append(sentence)
        count = -(-len(pieces) // MAX_SENTENCES)  # as few passages as the cap allows, evenly filled
        bounds = [round(i * len(pieces) / count) for i in range(count + 1)]
        out += [" ".join(pieces[a:b]) for a, b in zip(bounds, bounds[1:])]
    return out


def spoken_text(passage_text: str) -> str:
    """The passage without its "Q." / "Answer:" label: what was said."""
    return _label(passage_text)[1].strip()


# -- small helpers --------------------------------------------------------------------------------


def _kind(given: str | None, passages) -> str:
    if given:
        value = given.strip().lower().replace(" ", "-").replace("_", "-")
        value = {"communiqué": "communique", "press": "press-conference", "pressconference": "press-conference",
                 "briefing": "press-conference"}.get(value, value)
        if value not in KINDS:
            raise PrimarySourceError(f"unknown kind {given!r}; expected one of {', '.join(KINDS)}")
        return value
    if any(p.role == "question" for p in passages):
        return "interview"
    return "transcript" if len({p.speaker for p in passages}) > 1 else "statement"


def _detect(text: str) -> str | None:
    from . import language
    from .settings import DEFAULT_LANGUAGES

    found, _score = language.detect(text[:5000], DEFAULT_LANGUAGES)
    return found


def _common_prefix(ids: list[str]) -> str:
    if len(ids) < 2:
        return ids[0] if ids else ""
    first, last = min(ids), max(ids)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def slug(text: str, keep_case: bool = False, width: int = 200) -> str:
    value = text if keep_case else fold(text)
    value = re.sub(r"[^\w.-]+", "-", value if keep_case else value.lower(), flags=re.ASCII).strip("-._")
    return value[:width] or "source"


def _url_slug(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if not parts.netloc:
        return ""
    tail = [s for s in parts.path.split("/") if s and not _LANGUAGE_SEGMENT.match(s)]
    return slug(parts.netloc.removeprefix("www.").split(".")[0] + "-" + (tail[-1] if tail else ""))


def _file_slug(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    for suffix in (".gz", ".jsonl", ".ndjson", ".json", ".html", ".htm", ".txt"):
        base = base.removesuffix(suffix)
    return slug(re.sub(r"\.[a-z]{2}$", "", base))


def _title_from(name: str, url: str) -> str:
    base = _file_slug(name) or _url_slug(url)
    return base.replace("-", " ").replace("_", " ").strip() or "primary source"


def date_range(value: str | None):
    """The days a possibly partial ISO date covers: "2017-04" -> (2017-04-01, 2017-04-30); None
    when it cannot be read."""
    import calendar
    from datetime import date

    if not value:
        return None
    match = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
    if not match:
        return None
    year = int(match.group(1))
    try:
        if match.group(3):
            day = date(year, int(match.group(2)), int(match.group(3)))
            return day, day
        if match.group(2):
            month = int(match.group(2))
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None
