"""Clean: main text and metadata out of HTML, scraper debris dropped, text normalised.

Pure functions, no I/O:

``clean_text(text) -> Cleaned``
    Drops debris lines (:mod:`disinfowatch.debris`), NFC-normalises, removes control and
    zero-width characters, collapses whitespace inside lines, separates paragraphs by exactly one
    blank line and mends words hyphenated across a line break. ``Cleaned.offsets`` holds runs
    ``(clean_start, original_start, length)``: every character of the cleaned text maps back to
    the input (:func:`to_original`). Idempotent, linear in the input, never raises on a ``str``.
``split_header(text) -> (header, body, body_offset)``
    Reads a leading ``key value`` / ``key: value`` block (``date 2017-04``) of plain-text inputs.
``normalise_date(value) -> str | None``
    Many date notations and languages to partial ISO 8601 (``2017``, ``2017-04``, ``2017-04-24``).
``extract_html(html, url) -> Extracted``
    Main text and metadata with trafilatura, paragraphs separated by blank lines, or
    ``Rejected("clean", reason)`` with reason ``too-large``, ``binary``, ``bad-encoding``,
    ``unparsable-html`` or ``no-main-text``. The text is not yet cleaned: pass it to ``clean_text``.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zlib
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import cache
from itertools import islice
from operator import itemgetter

from . import debris
from .errors import Rejected

Run = tuple[int, int, int]  # (clean_start, original_start, length)


@dataclass(frozen=True)
class Cleaned:
    """Cleaned text; ``offsets`` map it back to the input; ``removed`` lists the debris dropped."""

    text: str
    offsets: tuple[Run, ...]
    removed: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# Lines and characters

_BREAK = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")
_CONTENT = re.compile(r"[^\n\r\v\f\x85\u2028\u2029]+")
MAX_JOINED = 2000  # a hyphenated line break is mended only into lines shorter than this
_SPACE_CHARS = "\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_SPACE = re.compile(f"[{_SPACE_CHARS}]")
_BROKEN_WORD = re.compile(r"([^\W\d_]+)[-\u2010]\Z")  # a word cut by a hyphen at the end of a line
_SOFT_HYPHEN = "\u00ad"
# "ut-" + "og innførsel" is a shortened compound, not a broken word: never joined.
_CONJUNCTIONS = frozenset("""og eller enn och samt and or nor und oder sowie et ou и или либо і й та або чи
                            i lub albo oraz""".split())


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Built from the Unicode tables once: (characters kept as runs, "this line needs work",
    a base character with its combining marks). Controls (Cc), format and zero-width
    characters (Cf) and lone surrogates (Cs) are dropped."""
    dropped, combining = [], []
    for code in range(0x110000):
        ch = chr(code)
        if ch != "\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs"):
            dropped.append(code)
        elif unicodedata.combining(ch):
            combining.append(code)
    drop, marks = _char_class(dropped), _char_class(combining)
    keep = re.compile(f"[^{_SPACE_CHARS}{drop}]+")
    work = re.compile(f"[{drop}\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]|  |^ | $")
    sequence = re.compile(f".[{marks}]+", re.S)
    return keep, work, sequence


def _char_class(codes: list[int]) -> str:
    """A regex character class body for the sorted code points ``codes``."""
    ranges: list[str] = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        ranges.append(f"\\U{codes[i]:08x}-\\U{codes[j]:08x}")
        i = j + 1
    return "".join(ranges)


def _line_spans(text: str):
    """``(start, end, blank_before)`` of every non-empty line, whatever its line separator;
    ``blank_before``: an empty line separates it from the line before. Empty lines are skipped
    by the regex engine, so a text of millions of newlines costs nothing in Python."""
    previous_end = -1
    for match in _CONTENT.finditer(text):
        start, end = match.span()
        yield start, end, previous_end >= 0 and _BREAK.match(text, previous_end).end() < start
        previous_end = end


def _normalise_line(line: str, origin: int) -> tuple[str, list[Run]]:
    """Controls and zero-width characters dropped, whitespace runs to one space, stripped, NFC;
    with runs mapping the result to ``origin + index in line``."""
    keep, work, _ = _patterns()
    if not work.search(line) and unicodedata.is_normalized("NFC", line):
        return line, [(0, origin, len(line))] if line else []
    pieces: list[str] = []
    runs: list[Run] = []
    size = 0
    previous_end = -1
    for match in keep.finditer(line):
        start, end = match.span()
        if previous_end >= 0:
            space = _SPACE.search(line, previous_end, start)
            if space:
                pieces.append(" ")
                _append(runs, (size, origin + space.start(), 1))
                size += 1
        pieces.append(match.group())
        _append(runs, (size, origin + start, end - start))
        size += end - start
        previous_end = end
    text = "".join(pieces)
    if not unicodedata.is_normalized("NFC", text):
        return _nfc(text, runs)
    return text, runs


def _nfc(text: str, runs: list[Run]) -> tuple[str, list[Run]]:
    """NFC of ``text`` with runs to the original. A base character composed with its marks keeps
    the base's index: composition only drops characters, so the kept ones are selected as ranges."""
    _, _, sequence = _patterns()
    full = unicodedata.normalize("NFC", text)
    if len(full) == len(text):  # marks reordered or singletons replaced: one to one
        return full, runs
    pieces: list[str] = []
    kept: list[tuple[int, int]] = []
    position = 0
    for match in sequence.finditer(text):
        start, end = match.span()
        norm = unicodedata.normalize("NFC", match.group())
        pieces += (text[position:start], norm)
        kept.append((position, start + min(len(norm), end - start)))
        position = end
    pieces.append(text[position:])
    kept.append((position, len(text)))
    if "".join(pieces) != full:  # compositions between base characters (Hangul, Indic vowels)
        where = [orig + i for _, orig, n in runs for i in range(n)]
        out: list[Run] = []
        for i, orig in enumerate(_nfc_by_groups(text, where, full)):
            _append(out, (i, orig, 1))
        return full, out
    return full, _select(runs, kept)


def _select(runs: list[Run], ranges: list[tuple[int, int]]) -> list[Run]:
    """The runs of the text made by concatenating ``text[a:b]`` for the sorted ``ranges``."""
    out: list[Run] = []
    size = 0
    i = 0
    for a, b in ranges:
        while a < b:
            while runs[i][0] + runs[i][2] <= a:
                i += 1
            clean, orig, n = runs[i]
            stop = min(b, clean + n)
            _append(out, (size, orig + a - clean, stop - a))
            size += stop - a
            a = stop
    return out


def _nfc_text(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _nfc_by_groups(text: str, where: list[int], full: str) -> list[int]:
    """Original index of each character of ``full``, growing groups until they normalise alone."""
    groups: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if groups and unicodedata.combining(ch):
            groups[-1] = (groups[-1][0], i + 1)
            continue
        if groups:
            s, e = groups[-1]
            a = text[s:e]
            if _nfc_text(a + ch) != _nfc_text(a) + _nfc_text(ch):
                groups[-1] = (s, i + 1)
                continue
        groups.append((i, i + 1))
    out: list[int] = []
    for s, e in groups:
        out.extend(where[s + min(i, e - s - 1)] for i in range(len(unicodedata.normalize("NFC", text[s:e]))))
    if len(out) != len(full):  # cannot happen with consistent Unicode tables; stay total anyway
        out = [where[min(i * len(where) // max(len(full), 1), len(where) - 1)] for i in range(len(full))]
    return out


def _append(runs: list[Run], run: Run) -> None:
    """Add ``run``, merging it into the last one when both sides continue."""
    if runs:
        clean, orig, n = runs[-1]
        if clean + n == run[0] and orig + n == run[1]:
            runs[-1] = (clean, orig, n + run[2])
            return
    runs.append(run)


def _slice(runs: list[Run], start: int, end: int) -> list[Run]:
    out: list[Run] = []
    for clean, orig, n in runs:
        s, e = max(clean, start), min(clean + n, end)
        if s < e:
            out.append((s - start, orig + s - clean, e - s))
    return out


@dataclass
class _Line:
    text: str
    runs: list[Run]
    end: int  # original index of the line break after it
    soft_hyphen: bool = False  # the original line ended in U+00AD


def _finish(line: _Line, removed: list[str]) -> _Line | None:
    """Cut glued ad markers; None when the line is blank or debris (recorded in ``removed``)."""
    start, end = debris.glued_span(line.text)
    if start or end != len(line.text):
        removed += [t for t in (line.text[:start].strip(), line.text[end:].strip()) if t]
        line = _Line(line.text[start:end], _slice(line.runs, start, end), line.end, line.soft_hyphen)
    if not line.text:
        return None
    if debris.is_debris(line.text):
        removed.append(line.text)
        return None
    return line


def _join(first: _Line, second: _Line) -> _Line | None:
    """``first`` and ``second`` as one line when ``first`` ends in a word broken by a hyphen
    (``forhold-`` + ``ene``), else None. The hyphen goes unless the broken part has a capital
    (``EU-`` + ``kommisjonen``) or is one letter. Only a line starting with a lower-case letter
    joins the one before, so a dash quote (``- Vi har``) never does."""
    text, nxt = first.text, second.text
    if len(text) + len(nxt) > MAX_JOINED or not nxt[:1].islower() or unicodedata.combining(nxt[0]):
        return None
    if nxt.split(" ", 1)[0].rstrip(",.") in _CONJUNCTIONS:
        return None
    if first.soft_hyphen and text[-1:].isalpha():
        cut = len(text)
    elif broken := _BROKEN_WORD.search(text, max(0, len(text) - 64)):
        fragment = broken.group(1)
        cut = len(text) if len(fragment) == 1 or fragment.lower() != fragment else len(text) - 1
    else:
        return None
    # Both parts are NFC and the second starts with a letter that composes with nothing before
    # it, so the joined line is NFC too. The first line is dropped: its runs are reused.
    runs = first.runs
    while runs and runs[-1][0] + runs[-1][2] > cut:
        clean, orig, n = runs.pop()
        if clean < cut:
            runs.append((clean, orig, cut - clean))
    for clean, orig, n in second.runs:
        _append(runs, (clean + cut, orig, n))
    joined = text[:cut] + nxt
    return _Line(joined, runs, second.end, second.soft_hyphen)


def clean_text(text: str) -> Cleaned:
    """Debris lines dropped, Unicode and whitespace normalised, broken hyphenation mended, one
    blank line between paragraphs; with offsets back to ``text``. Debris inside a paragraph is
    dropped without splitting it."""
    paragraphs: list[list[_Line]] = [[]]
    removed: list[str] = []
    for start, end, blank_before in _line_spans(text):
        if blank_before and paragraphs[-1]:
            paragraphs.append([])
        raw = text[start:end]
        normal, runs = ("", []) if raw.isspace() else _normalise_line(raw, start)
        if not normal:  # only spaces and invisible characters: a blank line
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        line = _finish(_Line(normal, runs, end, raw.rstrip(" \t").endswith(_SOFT_HYPHEN)), removed)
        current = paragraphs[-1]
        if line is None:
            continue
        joined = _join(current[-1], line) if current else None
        if joined is None:
            current.append(line)
            continue
        current.pop()
        joined = _finish(joined, removed)
        if joined is not None:
            current.append(joined)
    return _assemble([p for p in paragraphs if p], removed)


def _assemble(paragraphs: list[list[_Line]], removed: list[str]) -> Cleaned:
    pieces: list[str] = []
    runs: list[Run] = []
    size = 0
    previous_end = 0
    for p, paragraph in enumerate(paragraphs):
        for k, line in enumerate(paragraph):
            if p or k:
                first_orig = line.runs[0][1]
                gap = [previous_end] if k else [previous_end, min(previous_end + 1, max(first_orig - 1, previous_end))]
                for orig in gap:
                    _append(runs, (size, orig, 1))
                    size += 1
                pieces.append("\n" * len(gap))
            pieces.append(line.text)
            for clean, orig, n in line.runs:
                _append(runs, (size + clean, orig, n))
            size += len(line.text)
            previous_end = line.end
    return Cleaned("".join(pieces), tuple(runs), tuple(removed))


def to_original(cleaned: Cleaned, pos: int) -> int:
    """The index in the original input of character ``pos`` of ``cleaned.text``
    (``pos == len(cleaned.text)`` gives the index just after the last character)."""
    if not 0 <= pos <= len(cleaned.text):
        raise IndexError(f"position {pos} is outside the cleaned text (length {len(cleaned.text)})")
    if not cleaned.offsets:
        return 0
    if pos == len(cleaned.text):
        clean, orig, n = cleaned.offsets[-1]
        return orig + n
    clean, orig, _ = cleaned.offsets[bisect_right(cleaned.offsets, pos, key=itemgetter(0)) - 1]
    return orig + pos - clean


def span_to_original(cleaned: Cleaned, start: int, end: int) -> tuple[int, int]:
    """The original span covering ``cleaned.text[start:end]``."""
    if start >= end:
        return to_original(cleaned, start), to_original(cleaned, start)
    return to_original(cleaned, start), to_original(cleaned, end - 1) + 1


# ---------------------------------------------------------------------------------------------
# Dates

_MONTH_NAMES = {  # lower case, any language; abbreviations without the dot
    1: "january jan januar janvier janv janvier januari stycznia styczeń январь января янв січень січня січ",
    2: "february feb februar février févr fevrier februari lutego luty февраль февраля фев лютий лютого лют",
    3: "march mar mars märz maerz mär marzec marca март марта мар березень березня бер",
    4: "april apr avril avr kwiecień kwietnia апрель апреля апр квітень квітня квіт",
    5: "may mai maj maja май мая травень травня трав",
    6: "june jun juni juin czerwiec czerwca июнь июня июн червень червня черв",
    7: "july jul juli juillet juil lipiec lipca июль июля июл липень липня лип",
    8: "august aug augusti août aout sierpień sierpnia август августа авг серпень серпня серп",
    9: "september sep sept septembre wrzesień września сентябрь сентября сен вересень вересня вер",
    10: "october oct oktober okt octobre październik października октябрь октября жовтень жовтня жовт",
    11: "november nov novembre listopad listopada ноябрь ноября ноя листопада лист",
    12: "december dec dezember dez desember des décembre decembre grudzień grudnia декабрь декабря дек грудень "
        "грудня груд",
}
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()}

_YEAR_SUFFIX = r"(?:\s*(?:г|р|года|року|roku)\.?)?"
_CLOCK = r"(?:,?\s*(?:kl\.?|klokka|klockan|at|um|à|в|о|o|godz\.?)?\s*\d{1,2}[:.]\d{2}(?::\d{2})?)?"
_ISO_PARTIAL = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?")
_ISO_FULL = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?")
_NUMERIC = re.compile(rf"(\d{{1,2}})[./-](\d{{1,2}})[./-](\d{{4}}){_CLOCK}")
_DAY_MONTH_YEAR = re.compile(
    rf"(\d{{1,2}})(?:\.|er|st|nd|rd|th)?\s+(?:de\s+)?([^\W\d_]+)\.?,?\s+(\d{{4}}){_YEAR_SUFFIX}{_CLOCK}")
_MONTH_DAY_YEAR = re.compile(rf"([^\W\d_]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}){_CLOCK}")
_MONTH_YEAR = re.compile(rf"([^\W\d_]+)\.?\s+(\d{{4}}){_YEAR_SUFFIX}")
_WEEKDAY = re.compile(r"([^\W\d_]+)\.?,?\s+")
WEEKDAYS = frozenset("""
    mandag tirsdag onsdag torsdag fredag lørdag søndag man tir ons tor fre lør søn tysdag laurdag sundag
    måndag tisdag lördag mån tis tors lör sön
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
    montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag mo di mi do fr sa so
    lundi mardi mercredi jeudi vendredi samedi dimanche lun mar mer jeu ven sam dim
    понедельник вторник среда четверг пятница суббота воскресенье пн вт ср чт пт сб вс
    понеділок вівторок середа четвер пʼятниця п'ятниця субота неділя нд
    poniedziałek wtorek środa czwartek piątek sobota niedziela pon wt śr czw pt sob niedz
""".split())


def _partial(year: str, month: str | int | None = None, day: str | int | None = None) -> str | None:
    y, m, d = int(year), int(month) if month else None, int(day) if day else None
    if not 1500 <= y <= 2500 or (m is not None and not 1 <= m <= 12):
        return None
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    datetime(y, m, d)  # ValueError for 31 April
    return f"{y:04d}-{m:02d}-{d:02d}"


def _parse_date(text: str) -> str | None:
    if _ISO_FULL.fullmatch(text):
        return datetime.fromisoformat(text.replace(",", ".")).isoformat()
    if m := _ISO_PARTIAL.fullmatch(text):
        return _partial(*m.groups())
    if m := _NUMERIC.fullmatch(text):
        first, second, year = (int(g) for g in m.groups())
        day, month = (second, first) if second > 12 >= first else (first, second)  # US order when it must be
        return _partial(str(year), month, day)
    lowered = text.lower()
    if (m := _DAY_MONTH_YEAR.fullmatch(lowered)) and m.group(2) in MONTHS:
        return _partial(m.group(3), MONTHS[m.group(2)], m.group(1))
    if (m := _MONTH_DAY_YEAR.fullmatch(lowered)) and m.group(1) in MONTHS:
        return _partial(m.group(3), MONTHS[m.group(1)], m.group(2))
    if (m := _MONTH_YEAR.fullmatch(lowered)) and m.group(1) in MONTHS:
        return _partial(m.group(2), MONTHS[m.group(1)])
    return None


def normalise_date(value: object) -> str | None:
    """``value`` as partial ISO 8601 (``2017``, ``2017-04``, ``2017-04-24`` or a full
    ``2017-04-24T10:00:00+02:00``), or None when it is not a date. Reads ISO forms,
    ``24.04.2017``, ``24/04/2017``, ``April 24, 2017``, ``24 April 2017``, RFC 2822, and month
    names in Norwegian, Swedish, Danish, English, German, French, Russian, Ukrainian and Polish
    (``24. april 2017``, ``24 апреля 2017 г.``), with or without a weekday. Never raises."""
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        return None
    text = " ".join(value.split()).strip(" ,")
    try:
        date = _parse_date(text)
        if date is None and (weekday := _WEEKDAY.match(text)) and weekday.group(1).lower() in WEEKDAYS:
            date = _parse_date(text[weekday.end():])
        if date is None and re.search(r"\d{1,2}:\d{2}", text) and re.search(r"[A-Za-z]", text):
            parsed = parsedate_to_datetime(text)  # RFC 2822: "Mon, 24 Apr 2017 10:00:00 +0200"
            date = parsed.isoformat() if 1500 <= parsed.year <= 2500 else None
        return date
    except (ValueError, TypeError, IndexError, OverflowError):
        return None


# ---------------------------------------------------------------------------------------------
# Header blocks of plain-text inputs

HEADER_KEYS = {"date": "date", "published": "date", "title": "title", "author": "author", "url": "url",
               "source": "source", "outlet": "outlet", "language": "language", "lang": "language"}
_HEADER_LINE = re.compile(r"[\ufeff \t]*([A-Za-z]+)(?:[ \t]*(:)[ \t]*|[ \t]+)(\S.*)", re.S)
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_LEADING_BLANK = re.compile(r"[\s\ufeff]*")


def _header_entry(line: str) -> tuple[str, str, int, bool] | None:
    """(key, value, where the rest of the line starts or -1, strong) for a header line, else None.
    ``strong``: the line cannot be a sentence (a colon, or a value that had to validate)."""
    m = _HEADER_LINE.fullmatch(line)
    if not m or m.group(1).lower() not in HEADER_KEYS:
        return None
    key, colon, value = HEADER_KEYS[m.group(1).lower()], bool(m.group(2)), m.group(3)
    if not colon and m.group(1) != m.group(1).lower():
        return None  # "Title of the report ..." is a sentence
    if key == "date":
        words = list(islice(re.finditer(r"\S+", value), 7))
        for n in range(min(len(words), 6), 0, -1):  # "2017-04 ANNONSE": the longest leading date
            date = normalise_date(value[:words[n - 1].end()])
            if date is None:
                continue
            rest = " ".join(value[words[n - 1].end():].split())
            if not rest or debris.is_debris(rest) or debris.glued_span("x " + rest) == (0, 1):
                return key, date, -1, True  # nothing, or only ad debris, after the date
            return key, date, m.start(3) + words[n].start(), True
        return None
    value = " ".join(value.split())
    start, end = debris.glued_span(value)
    value = value[start:end]
    if key == "language":
        return (key, value.lower(), -1, True) if _LANGUAGE.fullmatch(value) else None
    if key == "url":
        return (key, value, -1, True) if _URL.fullmatch(value) else None
    return key, value, -1, colon


def split_header(text: str) -> tuple[dict[str, str], str, int]:
    """A leading block of ``key value`` / ``key: value`` lines (date, published, title, author,
    url, source, outlet, language/lang), ended by a blank line or the first other line.

    Returns ``(header, body, offset)`` with ``body == text[offset:]``. Dates are normalised
    (:func:`normalise_date`); ad debris on a header line (``date 2017-04 ANNONSE``) is dropped.
    Without a colon a key must be lower case, and a block made only of free-text lines such as
    ``title ...`` is taken for prose unless one line validates (a date, URL or language code)."""
    header: dict[str, str] = {}
    strong = False
    offset = 0
    for start, end, blank_before in _line_spans(text):
        if header and blank_before:
            offset = start
            break
        line = text[start:end]
        if not line.strip(" \t\ufeff\u00a0"):
            if header:
                offset = end
                break
            continue
        entry = _header_entry(line)
        if entry is None:
            offset = start
            break
        key, value, rest, entry_strong = entry
        header.setdefault(key, value)
        strong = strong or entry_strong
        offset = end
        if rest >= 0:
            offset = start + rest
            break
    if not header or not strong:
        return {}, text, 0
    offset = _LEADING_BLANK.match(text, offset).end()
    return header, text[offset:], offset


# ---------------------------------------------------------------------------------------------
# HTML


@dataclass(frozen=True)
class Extracted:
    """Main text of a page (paragraphs separated by blank lines, not yet cleaned) and metadata."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    language_hint: str | None = None


MAX_HTML_BYTES = 10_000_000
MAX_DEPTH = 250  # libxml2's HTML parser stops nesting at 255 and drops what lies deeper
_DECLARED = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]{1,40})"""
                       rb"""|<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_\-:.]{1,40})""", re.I)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_WINDOWS_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                    "us-ascii": "cp1252", "ascii": "cp1252", "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8"}
# Codecs a page may name but a browser never applies (they would turn plain ASCII into markup).
_NOT_PAGE_CODECS = frozenset({"utf-7", "idna", "punycode", "raw-unicode-escape", "unicode-escape", "utf-16", "utf-16-le",
                              "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]")
FAST_OVER = 1_000_000  # characters of HTML past which trafilatura's fallback extractors are skipped
_TEXT_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n\r\f\x1b" + bytes(range(0x80, 0x100))


def _ungzip(data: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=47)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise Rejected("clean", "binary", f"gzip data that does not decompress: {exc}") from None
    if len(out) > max_bytes:
        raise Rejected("clean", "too-large", f"gzip data inflating past {max_bytes} bytes")
    return out


def decode_html(data: bytes, encoding: str | None = None) -> str:
    """Bytes of an HTML page as text. In order: a byte-order mark; ``encoding`` (from HTTP) or the
    charset the page declares, if the bytes are valid in it; UTF-8; UTF-8 with replacement
    characters when only a few sequences are broken; else the charset that fits best
    (charset-normalizer), so Latin-1 bytes declared as UTF-8 still read right. Raises
    ``Rejected``: ``binary`` (NUL bytes, mostly control bytes), ``bad-encoding`` (nothing fits)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _text_or_binary(data[len(bom):].decode(codec))
            except UnicodeDecodeError as exc:
                raise Rejected("clean", "bad-encoding", f"invalid {codec} after its byte-order mark: {exc}") from None
    if b"\x00" in data:
        raise Rejected("clean", "binary", "NUL bytes: not a text document")
    sample = data[:65536]
    if sample and len(sample.translate(None, _TEXT_BYTES)) > 0.05 * len(sample):
        raise Rejected("clean", "binary", "more than 5% control bytes: not a text document")
    declared = _DECLARED.search(data[:4096])
    names = [encoding] if encoding else []
    if declared:
        names.append((declared.group(1) or declared.group(2)).decode("ascii").lower())
    for name in [_WINDOWS_ALIASES.get(n.lower(), n) for n in names] + ["utf-8"]:
        try:
            if codecs.lookup(name).name in _NOT_PAGE_CODECS:
                continue
            return _text_or_binary(data.decode(name))
        except (LookupError, ValueError):  # unknown name, or not valid in it (UnicodeError)
            continue
    text = data.decode("utf-8", errors="replace")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if text.count("\ufffd") <= 0.1 * non_ascii:  # UTF-8 with a few damaged characters: keep it so
        return _text_or_binary(text)
    from charset_normalizer import from_bytes  # only for pages in no declared or valid charset

    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise Rejected("clean", "bad-encoding",
                       f"bytes valid in neither the declared charset {names or 'none'} nor UTF-8, and no charset fits")
    text = data.decode(best.encoding, errors="replace")
    if text.count("\ufffd") > 0.01 * len(text):
        raise Rejected("clean", "bad-encoding", f"even the best-fitting charset ({best.encoding}) leaves bytes undecodable")
    return _text_or_binary(text)


def _text_or_binary(text: str) -> str:
    """``text``, unless more than 5% of its start is controls, private-use or replacement characters."""
    sample = text[:100_000]
    if len(_NOT_TEXT.findall(sample)) > 0.05 * len(sample):
        raise Rejected("clean", "binary", "more than 5% control or private-use characters: not a text document")
    return text


def _depth(root) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest


def _parse(text: str):
    """The lxml tree of ``text`` as trafilatura loads it; a fragment is wrapped in a page first."""
    from lxml.etree import ParserError, XMLSyntaxError
    from trafilatura.utils import load_html

    if "<html" not in text[:2048].lower():
        text = f"<html><body>{text}</body></html>"
    try:
        tree = load_html(text)
    except (ValueError, TypeError, ParserError, XMLSyntaxError) as exc:
        raise Rejected("clean", "unparsable-html", f"{type(exc).__name__}: {exc}"[:300]) from None
    if tree is None:
        raise Rejected("clean", "unparsable-html", "the HTML parser found no document in it")
    if _depth(tree) >= MAX_DEPTH:
        raise Rejected("clean", "unparsable-html", f"elements nested {MAX_DEPTH}+ deep: the parser drops what lies deeper")
    return tree


def _page_text(body, title: str | None) -> str:
    """Paragraphs of trafilatura's body tree, one blank line apart; a leading heading that repeats
    the title is metadata, not text; list items are marked "•" so they never look like dash quotes."""
    from trafilatura.xml import xmltotxt

    paragraphs: list[str] = []
    for child in body:
        text = xmltotxt(child, False).strip()
        if child.tag == "list":
            text = re.sub(r"(?m)^(\s*)- ", r"\1• ", text)
        if not text or (not paragraphs and child.tag == "head" and title and text.split() == title.split()):
            continue
        paragraphs.append(text)
    return "\n\n".join(paragraphs)


def _meta(tree, *xpaths: str) -> str | None:
    for xpath in xpaths:
        for value in tree.xpath(xpath):
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def _language_hint(tree) -> str | None:
    value = _meta(tree, "/html/@lang", "/html/@xml:lang", "//meta[@property='og:locale']/@content",
                  "//meta[@http-equiv='content-language' or @http-equiv='Content-Language']/@content")
    m = re.match(r"[A-Za-z]{2,3}(?![A-Za-z])", value or "")
    return m.group().lower() if m else None


def _published(tree, found: str | None) -> str | None:
    """The date trafilatura found, made precise by a timestamp the page declares for that day."""
    declared = normalise_date(_meta(
        tree, "//meta[@property='article:published_time' or @name='article:published_time']/@content",
        "//meta[@itemprop='datePublished']/@content", "//time[@itemprop='datePublished']/@datetime"))
    date = normalise_date(found)
    if declared and (date is None or declared.startswith(date)):
        return declared
    return date


def _html_text(html: bytes | str, max_bytes: int, encoding: str | None) -> str:
    if isinstance(html, bytes):
        if len(html) > max_bytes:
            raise Rejected("clean", "too-large", f"{len(html)} bytes of HTML; the cap is {max_bytes}")
        if html.startswith(b"\x1f\x8b"):
            html = _ungzip(html, max_bytes)
        return decode_html(html, encoding)
    if len(html) > max_bytes or (len(html) * 4 > max_bytes and len(html.encode("utf-8", "surrogatepass")) > max_bytes):
        raise Rejected("clean", "too-large", f"HTML of more than {max_bytes} bytes")
    if "\x00" in html:
        raise Rejected("clean", "binary", "NUL characters: not a text document")
    _text_or_binary(html)
    return html.encode("utf-8", "replace").decode("utf-8") if re.search("[\ud800-\udfff]", html) else html


def extract_html(html: bytes | str, url: str | None = None, *, max_bytes: int = MAX_HTML_BYTES,
                 encoding: str | None = None) -> Extracted:
    """Main text and metadata of an HTML page (``encoding``: a charset from the HTTP headers).

    Raises ``Rejected("clean", reason)``: ``too-large`` (over ``max_bytes``), ``binary``,
    ``bad-encoding``, ``unparsable-html`` (no document, or nested too deep to parse whole) or
    ``no-main-text`` (empty, scripts only, or nothing but debris)."""
    import trafilatura

    text = _C0.sub("", _html_text(html, max_bytes, encoding))
    if not text.strip():
        raise Rejected("clean", "no-main-text", "the page is empty")
    tree = _parse(text)
    try:
        doc = trafilatura.bare_extraction(tree, url=url, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=True, fast=len(text) > FAST_OVER)
    except RecursionError:
        raise Rejected("clean", "unparsable-html", "the page is nested too deeply to walk") from None
    body = _page_text(doc.body, doc.title) if doc is not None and doc.body is not None else ""
    if not clean_text(body).text:
        raise Rejected("clean", "no-main-text", "no article text in the page (only scripts, navigation or debris)")
    return Extracted(
        text=body,
        title=doc.title or None,
        author=doc.author or None,
        date=_published(tree, doc.date),
        canonical_url=doc.url or url,
        site_name=doc.sitename or None,
        language_hint=_language_hint(tree),
    )
