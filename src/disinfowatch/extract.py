"""Extract: quotes with their speakers, claims with their sources, and what a text is about.

Rules on paragraphs and sentences, multilingual (the language tables are ``attribution.toml``),
pure functions, linear in the length of the text. The principle: a speaker is named only when the
text names it. A pronoun ("han", "he", "он") becomes the last named person if that is unambiguous;
otherwise the speaker is None. Claims are in :mod:`disinfowatch.claims`; ``claims`` is re-exported
here so the pipeline has one entry point.

Quotes come in two shapes:

- dash quotes: a paragraph opening with a dash (``- ``, ``– ``, ``— ``), the quote running to its
  attribution (``, sier Stoltenberg``, ``, — заявил Песков``, `` – powiedział Tusk``);
- quotation marks: «», »«, “”, ”” (Swedish), „“, „”, "", ‹›, ‘’, with the attribution after the
  closing mark or before the opening one; a quote interrupted by its attribution is joined.

A paragraph opening with a dash without an attribution is a quote only when it continues the
attributed dash quote just before it (and then it is the same speaker's) or reads like a spoken
sentence; list items ("- 2019 – 2021: ...") are not. A quoted term of one or two words is never a
quote, and an unattributed quoted phrase shorter than six words is a title or a scare quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import islice

from . import gazetteer as gz
from .attribution import Rules, Speaker, Spans, resolve, rules, speaker_after, speaker_before, tokens_after
from .claims import claims  # re-exported: the pipeline calls extract.claims
from .records import Mention, Quote

__all__ = ["claims", "mentions", "quotes"]

# Opening mark -> (closing marks, form). »« is Danish, ”” Swedish, „“ German, „” Polish.
QUOTE_MARKS = {"«": ("»", "guillemets"), "»": ("«", "guillemets"), "“": ("”", "curly"), "”": ("”", "curly"),
               "„": ("“”", "low-high"), '"': ('"', "straight"), "‹": ("›", "angle"), "›": ("‹", "angle"),
               "‘": ("’", "single"), "‚": ("‘’", "single")}
ALWAYS_OPEN = "«„‹‚"  # marks that never close a quote in any language we read
MIN_UNATTRIBUTED_WORDS = 6  # a quoted phrase without attribution this short is a title or scare quote
MIN_QUOTE_WORDS = 3  # one or two quoted words are a term, never a quote
MAX_QUOTE_CHARS = 3000  # a closing mark further away than this is not this quote's
JOIN_GAP = 60  # characters between two parts of one interrupted quote
PRE_WINDOW = 100  # characters before an opening mark searched for "Stoltenberg sa:"
MAX_CANDIDATES = 24  # reporting verbs tried per dash paragraph: bounded work on odd paragraphs

_OPEN = re.compile("[" + re.escape("".join(QUOTE_MARKS)) + "]")
_CLOSE = {closers: re.compile("[" + re.escape(closers) + "]") for closers, _ in QUOTE_MARKS.values()}
_DASH_START = re.compile(r"\s*[-–—]\s+(?=\S)")  # used with match(text, start)
_LEAD = re.compile(r"[ \t]*[,.!?…]?[ \t]*(?:[-–—][ \t]*)?")
_PRE_END = re.compile(r"[ \t]*[,:]?[ \t]*[-–—]?[ \t]*$")
_CLAUSE_STOP = re.compile(r"[.!?\n]")


@dataclass(frozen=True)
class _Patterns:
    dash_attribution: re.Pattern  # where a dash quote ends and its attribution starts
    post_verb: re.Pattern  # a reporting verb right after a closing mark


@lru_cache(maxsize=64)
def _patterns(langs: tuple[str, ...]) -> _Patterns:
    verb = rules(*langs).verb.pattern
    return _Patterns(
        re.compile(rf"(?:(?P<end>[,.!?…])[ \t]*(?:[-–—][ \t]*)?|[ \t][-–—][ \t]+)(?P<verb>{verb})", re.I),
        re.compile(rf"{_LEAD.pattern}(?P<verb>{verb})", re.I))


@dataclass
class _Found:
    """A quote before its speaker is resolved."""

    start: int
    end: int
    text: str
    form: str
    speaker: Speaker | None = None
    verb: str | None = None
    attribution: str | None = None
    continues: bool = False  # an unattributed dash paragraph continuing the dash quote before it


def _verb_speaker(text: str, start: int, end: int, r: Rules, gaz, lang) -> Speaker | None:
    """The speaker of the reporting verb at ``text[start:end]``: the pronoun of an inverted form
    ("a-t-il dit"), else the words after it."""
    pronoun = r.inverted_pronoun(text[start:end])
    if pronoun:
        return Speaker(pronoun, "pronoun", start, end)
    return speaker_after(text, end, r, gaz, lang)


def _clause_end(text: str, pos: int, end: int) -> int:
    m = _CLAUSE_STOP.search(text, pos, end)
    return m.start() if m else end


# -- dash quotes ------------------------------------------------------------------------------------

def _reads_like_speech(quoted: str) -> bool:
    """An unattributed dash paragraph that is a spoken sentence, not a list item or a heading."""
    words = quoted.split()
    return (len(words) >= MIN_UNATTRIBUTED_WORDS and quoted[:1].isalpha() and ":" not in quoted[:60]
            and quoted.rstrip("»”\"'’ ")[-1:] in ".!?…")


def _dash_quotes(text: str, paragraphs, r: Rules, gaz, lang) -> list[_Found]:
    out: list[_Found] = []
    pattern = _patterns(r.langs).dash_attribution
    previous: _Found | None = None  # the dash quote of the paragraph just before
    for start, end in paragraphs:
        m = _DASH_START.match(text, start, end)
        if not m:
            previous = None
            continue
        body = m.end()
        found = None
        for att in islice(pattern.finditer(text, body, end), MAX_CANDIDATES):
            speaker = _verb_speaker(text, att.start("verb"), att.end("verb"), r, gaz, lang)
            if speaker is not None:
                found = (att, speaker)
                break
        if found:
            att, speaker = found
            q_end = att.start("end") + (att.group("end") in "!?…") if att.group("end") else att.start()
            tail = max(speaker.end, att.end("verb"))
            attribution = text[att.start("verb"):_clause_end(text, tail, end)].strip()
            quote = _Found(body, q_end, "", "dash", speaker, att.group("verb"), attribution)
        else:
            q_end = end
            while q_end > body and text[q_end - 1].isspace():
                q_end -= 1
            quote = _Found(body, q_end, "", "dash")
            if previous is not None and (previous.speaker is not None or previous.continues):
                quote.continues = True
            elif not _reads_like_speech(text[body:q_end]):
                previous = None
                continue
        quoted = text[quote.start:quote.end].strip().rstrip(",")
        if not quoted:
            previous = None
            continue
        quote.end = quote.start + len(quoted)
        quote.text = quoted
        out.append(quote)
        previous = quote
    return out


# -- quotation marks --------------------------------------------------------------------------------

def _can_open(text: str, a: int, mark: str) -> bool:
    nxt = text[a + 1:a + 2]
    if not nxt or nxt == "\n":
        return False
    if mark in ALWAYS_OPEN:
        return True
    prev = text[a - 1:a]
    return (not prev or not (prev.isalnum() or prev in ".,;:!?%")) and not nxt.isspace()


def _find_close(text: str, a: int, mark: str, limit: int) -> int | None:
    closers, _ = QUOTE_MARKS[mark]
    for m in _CLOSE[closers].finditer(text, a + 1, limit):
        b = m.start()
        before, after = text[b - 1:b], text[b + 1:b + 2]
        if text[b] in "’'" and before.isalnum() and after.isalnum():
            continue  # an apostrophe: don't, Kremlin’s
        if mark not in "«»" and before.isspace():
            return None  # the next quote's opening mark: this one is never closed
        return b
    return None


def _mark_spans(text: str, paragraphs) -> list[tuple[int, int, str]]:
    """Quoted spans (open index, close index, form), outermost, in order, within paragraphs."""
    spans = []
    for start, end in paragraphs:
        i = start
        while True:
            m = _OPEN.search(text, i, end)
            if not m:
                break
            a, mark = m.start(), m.group()
            b = _find_close(text, a, mark, min(end, a + MAX_QUOTE_CHARS)) if _can_open(text, a, mark) else None
            if b is None or b - a <= 1:
                i = a + 1
                continue
            spans.append((a, b, QUOTE_MARKS[mark][1]))
            i = b + 1
    return spans


def _speaker_then_verb(text: str, pos: int, r: Rules, gaz, lang) -> tuple[Speaker, re.Match] | None:
    """'...," Foreign Minister Sergey Lavrov said' / '...," he said' / '...», generalsekretæren sa'."""
    toks = tokens_after(text, pos, limit=9)
    verb = next((m for m in (r.verb.match(text, t.start) for t in toks[1:8]) if m), None)
    if verb is None:
        return None
    speaker = speaker_before(text, verb.start(), r, gaz, lang)
    if speaker is None or speaker.start < toks[0].start:
        return None
    return speaker, verb


def _attribution_after(text: str, b: int, r: Rules, gaz, lang):
    """(speaker, verb, attribution) after a closing mark at ``b``: '», sa han', '," Peskov said'."""
    line_end = text.find("\n", b + 1, b + 161)
    end = line_end if line_end >= 0 else min(len(text), b + 161)
    m = _patterns(r.langs).post_verb.match(text, b + 1, end)
    if m:
        speaker = _verb_speaker(text, m.start("verb"), m.end("verb"), r, gaz, lang)
        if speaker is not None:
            return speaker, m.group("verb"), text[m.start("verb"):max(speaker.end, m.end("verb"))]
    lead = _LEAD.match(text, b + 1, end)
    found = _speaker_then_verb(text, lead.end(), r, gaz, lang)
    if found:
        speaker, verb = found
        return speaker, verb.group(), text[speaker.start:verb.end()]
    return None


def _attribution_before(text: str, a: int, r: Rules, gaz, lang):
    """(speaker, verb, attribution) ending right before an opening mark at ``a``: 'Stoltenberg sa: «',
    'sagte Bundeskanzler Olaf Scholz am Montag: „'."""
    lowest = max(0, a - PRE_WINDOW)
    newline = text.rfind("\n", lowest, a)
    start = newline + 1 if newline >= 0 else lowest
    k = a
    while k > start and text[k - 1] in " \t-–—":
        k -= 1
    if k == start or not (text[k - 1] in ",:" or text[k - 1].isalnum()):
        return None  # the attribution would end right before the opening mark: "sagte er: „"
    verbs = list(r.verb.finditer(text, start, a))
    for m in reversed(verbs[-3:]):
        after = _verb_speaker(text, m.start(), m.end(), r, gaz, lang)
        tail = after.end if after is not None and after.kind != "subjectless" else m.end()
        for tok in tokens_after(text, tail):
            if not (r.has("fillers", tok.word) or r.has("prepositions", tok.word)):
                break
            tail = tok.end
        if not _PRE_END.match(text, tail, a):
            continue
        speaker = after if after is not None and after.kind != "subjectless" else None
        speaker = speaker or speaker_before(text, m.start(), r, gaz, lang) or after
        if speaker is not None:
            return speaker, m.group(), text[min(speaker.start, m.start()):tail].strip()
    return None


def _mark_quotes(text: str, paragraphs, r: Rules, gaz, lang) -> list[_Found]:
    found: list[_Found] = []
    for a, b, form in _mark_spans(text, paragraphs):
        inner = text[a + 1:b].strip().rstrip(",").strip()
        attribution = _attribution_after(text, b, r, gaz, lang) or _attribution_before(text, a, r, gaz, lang)
        speaker, verb, said = attribution if attribution else (None, None, None)
        prev = found[-1] if found else None
        if prev is not None and prev.form == form and 0 <= a - prev.end <= JOIN_GAP and "\n" not in text[prev.end:a]:
            between = text[prev.end + 1:a].strip(" ,.—–-\"«»“”„")
            same = speaker is not None and prev.speaker is not None and speaker.text == prev.speaker.text
            if (same and between.count(" ") <= 4) or (speaker is None and prev.speaker is not None):
                # "First part," he said, "second part." -> one quote
                found[-1] = replace(prev, text=prev.text + " " + inner, end=b)
                continue
        found.append(_Found(a + 1, b, inner, form, speaker, verb, said.strip(" ,.—–-") if said else None))
    return [q for q in found if len(q.text.split()) >= MIN_QUOTE_WORDS
            and (q.speaker is not None or len(q.text.split()) >= MIN_UNATTRIBUTED_WORDS)]


def quotes(text: str, paragraphs: list[tuple[int, int]], lang: str | None,
           gaz: gz.Gazetteer | None = None) -> list[Quote]:
    """Every quote in ``text``: dash quotes by paragraph, then quotation marks."""
    gaz = gaz or gz.default()
    r = rules(lang)
    paragraphs = sorted(paragraphs)
    dash = _dash_quotes(text, paragraphs, r, gaz, lang)
    in_dash = Spans((q.start, q.end) for q in dash)
    marks = [q for q in _mark_quotes(text, paragraphs, r, gaz, lang) if not in_dash.inside(q.start)]
    found = sorted(dash + marks, key=lambda q: q.start)
    masked = Spans((q.start, q.end) for q in found)
    out: list[Quote] = []
    for q in found:
        if q.continues and out and out[-1].form == "dash":
            speaker = out[-1].speaker
        else:
            at = min(q.speaker.start, q.start) if q.speaker is not None else q.start
            speaker = resolve(q.speaker, text, at, gaz, lang, masked)
        speaker_text = q.speaker.text if q.speaker is not None else None
        out.append(Quote(q.text, q.start, q.end, speaker, speaker_text, q.verb, q.attribution, q.form))
    return out


def mentions(text: str, lang: str | None, gaz: gz.Gazetteer | None = None) -> list[Mention]:
    return (gaz or gz.default()).find(text, lang)
