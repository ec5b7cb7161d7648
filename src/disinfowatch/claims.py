"""Claims: what a source is said to claim, sentence by sentence, with the source when it is named.

Three kinds, tried in this order on each sentence (the first that fits wins):

- ``reported``: an impersonal marker (``blir det hevdet at``, ``hævdes det, at``, ``it has been
  alleged that``, ``стверджується, що``; or an aside: ``як стверджують у Кремлі, ...``), attributed
  to the outlet, person or institution named before it in the sentence, else to nobody;
- ``indirect``: a speaker and a verb of indirect speech, then the conjunction, with at most a few
  filler words between (``Stoltenberg sa til NTB at``, ``Biden told reporters on Tuesday that``,
  ``Scholz sagte am Montag im Fernsehen, dass``); the speaker may follow the verb (``I går sa
  Stoltenberg at``) or be a pronoun or, in pro-drop languages, missing (``Powiedział, że``);
- ``according-to``: ``ifølge X, ...``, ``Ifølge RT har ...`` (no comma at a sentence start),
  ``Nach Angaben der Agentur TASS ...``, ``selon lui, ...``, ``Som RT skriver, ...``, and trailing
  ``..., enligt TASS.`` / ``..., skriver RT.`` (the latter for known outlets only).

A trailing reporting clause (``, skriver TV 2 som først omtalte saken``) is cut from the claim.
Direct speech is a quote, never also a claim: markers inside quotes, and claims that are mostly a
quote, are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from . import gazetteer as gz
from .attribution import (Rules, Speaker, Spans, kind_of, last_person, name_run, normalise, resolve, rules,
                          speaker_after, speaker_before, tokens_after)
from .records import Claim, Quote, Sentence

MIN_CLAIM_CHARS = 10
MAX_GAP_WORDS = 6  # words between a verb of indirect speech and its conjunction
MAX_CANDIDATES = 12  # markers tried per sentence: bounded work on a sentence without full stops
_SENTENCE_START = re.compile(r"[\s\"'«»“”„‘’(\[–—-]*")
_END = re.compile(r"[\s.!?…\"'»”“’)]*")
_COMMA = re.compile(r"[ \t]*,")
_OPTIONAL_COMMA = re.compile(r"[ \t]*,?")
_GAP_PUNCTUATION = re.compile(r"[.;:!?«»“”„\"]")


@dataclass(frozen=True)
class _Context:
    text: str
    sentence: Sentence
    r: Rules
    gaz: gz.Gazetteer
    lang: str | None
    quotes: Spans

    @property
    def start(self) -> int:
        return self.sentence.start

    @property
    def end(self) -> int:
        return self.sentence.end

    def quoted(self, pos: int) -> bool:
        return self.quotes.inside(pos)

    def quoted_share(self, a: int, b: int) -> float:
        return self.quotes.share(a, b)

    def at_start(self, pos: int) -> bool:
        return _SENTENCE_START.fullmatch(self.text, self.start, pos) is not None

    def claim(self, a: int, who: str | None, attribution: str, kind: str) -> Claim | None:
        """The claim from ``a`` to the sentence end (a trailing reporting clause cut), if it is one."""
        a, b = _clause(self, a)
        if b - a < MIN_CLAIM_CHARS or self.quoted_share(a, b) > 0.5:
            return None
        return Claim(self.text[a:b], a, b, who, kind_of(who, self.gaz) if who else "unknown",
                     " ".join(attribution.split()), kind)


class _Patterns(NamedTuple):
    gap_that: re.Pattern  # " til NTB at", " reporters on Tuesday that"
    as_reported_tail: re.Pattern  # " skriver,", after "Som RT"
    trailing_outlet: re.Pattern  # ", skriver RT."


@lru_cache(maxsize=64)
def _patterns(langs: tuple[str, ...]) -> _Patterns:
    r = rules(*langs)
    return _Patterns(
        re.compile(rf"(?P<gap>(?:[ \t]*,?[ \t]+[\w'’\-]+){{0,{MAX_GAP_WORDS}}}?){r.that.pattern}", re.I),
        re.compile(rf"[ \t]+(?:{r.as_reported_verb.pattern})[ \t]*,", re.I),
        re.compile(rf",[ \t]*(?:[-–—][ \t]*)?(?P<verb>{r.trailing_verb.pattern})", re.I))


def _trailing_clause(ctx: _Context, comma: int) -> bool:
    """Whether the text after ``comma`` is a reporting clause: ", skriver TV 2 ...", ", enligt TASS"."""
    pos = comma + 1
    while pos < ctx.end and ctx.text[pos] in " \t–—-":
        pos += 1
    r = ctx.r
    for pattern in (r.verb, r.trailing_verb, r.according):
        m = pattern.match(ctx.text, pos, ctx.end)
        if m:
            if pattern is r.according:
                return _source_after(ctx, m.end()) is not None
            speaker = speaker_after(ctx.text, m.end(), r, ctx.gaz, ctx.lang)
            return speaker is not None and speaker.kind != "subjectless"
    return False


def _clause(ctx: _Context, start: int) -> tuple[int, int]:
    """The claim's span from ``start``: to the sentence end, without a trailing reporting clause or
    the final punctuation."""
    text = ctx.text
    while start < ctx.end and text[start].isspace():
        start += 1
    end = _rstrip_at(text, start, ctx.end)
    comma = text.rfind(",", start, end)
    for _ in range(3):  # the last three commas: ", skriver TV 2, som først omtalte saken"
        if comma < 0:
            break
        if _trailing_clause(ctx, comma):
            end = comma
        comma = text.rfind(",", start, comma)
    while end > start and text[end - 1] in ".!?…;: ":
        end -= 1
    return start, end


def _rstrip_at(text: str, start: int, end: int) -> int:
    """``end`` moved back over whitespace, not before ``start``."""
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _source_after(ctx: _Context, pos: int) -> tuple[str, int] | None:
    """The named source after an according-to marker ("der Agentur TASS", "RT France", "Столтенберга")."""
    toks = tokens_after(ctx.text, pos, limit=10)
    i = 0
    while i < len(toks) and i < 4 and (ctx.r.has("source_words", toks[i].word) or ctx.r.is_title(toks[i].word)):
        i += 1
    n = name_run(toks, i, ctx.r) if i < len(toks) else 0
    if not n:
        return None
    return " ".join(t.word for t in toks[i:i + n]), toks[i + n - 1].end


def _attribute_in(ctx: _Context, a: int, b: int) -> str | None:
    """The last outlet, else person, else institution named in ``text[a:b]``; never one inside a
    compound such as "pro-Kremlin"."""
    mentions = [m for m in ctx.gaz.find(ctx.text[a:b], ctx.lang) if m.kind in ("outlet", "institution", "person")
                and not ("-" in m.surface and m.surface[:1].islower()) and not ctx.quoted(a + m.start)]
    for kind in ("outlet", "person", "institution"):
        hits = [m for m in mentions if m.kind == kind]
        if hits:
            return hits[-1].entity
    return None


# -- the finders, in order --------------------------------------------------------------------------

def _reported(ctx: _Context) -> Claim | None:
    for m in islice(ctx.r.reported.finditer(ctx.text, ctx.start, ctx.end), MAX_CANDIDATES):
        if not ctx.quoted(m.start()):
            return ctx.claim(m.end(), _attribute_in(ctx, ctx.start, m.start()), m.group(), "reported")
    m = ctx.r.reported_aside.search(ctx.text, ctx.start, ctx.end)
    if m and not ctx.quoted(m.start()) and (ctx.at_start(m.start()) or ctx.text[m.start() - 2:m.start()] == ", "):
        comma = ctx.text.find(",", m.end(), ctx.end)
        if comma > 0:
            who = _attribute_in(ctx, m.end(), comma) or _attribute_in(ctx, ctx.start, m.start())
            return ctx.claim(comma + 1, who, ctx.text[m.start():comma], "reported")
    return None


def _gap_allowed(ctx: _Context, a: int, b: int) -> bool:
    for tok in tokens_after(ctx.text, a, limit=MAX_GAP_WORDS + 2, span=b - a + 1) if a < b else []:
        if tok.end > b:
            break
        r = ctx.r
        if not (tok.capital or tok.word.isdigit() or r.has("fillers", tok.word) or r.has("prepositions", tok.word)
                or r.has("auxiliaries", tok.word)):
            return False
    return not _GAP_PUNCTUATION.search(ctx.text, a, b)


def _indirect(ctx: _Context) -> Claim | None:
    r, text = ctx.r, ctx.text
    gap_that = _patterns(r.langs).gap_that
    for m in islice(r.indirect.finditer(text, ctx.start, ctx.end), MAX_CANDIDATES):
        if ctx.quoted(m.start()):
            continue
        conj = gap_that.match(text, m.end(), ctx.end)
        if not conj:
            continue
        gap_end = conj.end("gap")
        speaker = speaker_before(text, m.start(), r, ctx.gaz, ctx.lang)
        if speaker is not None and not _gap_allowed(ctx, m.end(), gap_end):
            continue
        if speaker is None:
            after = speaker_after(text, m.end(), r, ctx.gaz, ctx.lang)
            if after is not None and after.kind != "subjectless" and after.end <= gap_end \
                    and _gap_allowed(ctx, after.end, gap_end):
                speaker = after
            elif r.pro_drop and ctx.at_start(m.start()) and _gap_allowed(ctx, m.end(), gap_end):
                speaker = Speaker(None, "subjectless", m.start(), m.start())
            else:
                continue
        who = resolve(speaker, text, min(speaker.start, m.start()), ctx.gaz, ctx.lang, ctx.quotes)
        said = text[min(speaker.start, m.start()):conj.end()]
        claim = ctx.claim(conj.end(), who, said, "indirect")
        if claim:
            return claim
    return None


def _according(ctx: _Context) -> Claim | None:
    r, text = ctx.r, ctx.text
    m = r.according_self.search(text, ctx.start, ctx.end)
    if m and not ctx.quoted(m.start()) and (ctx.at_start(m.start()) or text[m.start() - 2:m.start()] == ", "):
        after = _OPTIONAL_COMMA.match(text, m.end())
        who = last_person(text, m.start(), ctx.gaz, ctx.lang, ctx.quotes)
        return ctx.claim(after.end(), who, m.group(), "according-to")
    for m in islice(r.according.finditer(text, ctx.start, ctx.end), MAX_CANDIDATES):
        if ctx.quoted(m.start()) or not (m.start() == 0 or text[m.start() - 1] in " \t(\n\"«“„–—"):
            continue
        source = _source_after(ctx, m.end())
        if source is None:
            continue
        name, end = source
        comma = _COMMA.match(text, end, ctx.end)
        trailing = _END.fullmatch(text, end, ctx.end)
        who = normalise(name, ctx.gaz, ctx.lang)
        said = text[m.start():end]
        before = _rstrip_at(text, ctx.start, m.start())
        if trailing and before > ctx.start and text[before - 1] == ",":  # "..., enligt TASS."
            return _until(ctx, before - 1, who, said)
        if comma:
            return ctx.claim(comma.end(), who, said, "according-to")
        if ctx.at_start(m.start()):  # "Ifølge RT har ...", "Laut Sputnik soll ..."
            return ctx.claim(end, who, said, "according-to")
    return _as_reported(ctx) or _trailing_outlet(ctx)


def _until(ctx: _Context, end: int, who: str | None, said: str) -> Claim | None:
    """The claim from the sentence start to ``end`` (a comma before a trailing attribution)."""
    a = ctx.start
    while a < end and ctx.text[a].isspace():
        a += 1
    b = end
    while b > a and ctx.text[b - 1] in ".!?…;: ":
        b -= 1
    if b - a < MIN_CLAIM_CHARS or ctx.quoted_share(a, b) > 0.5:
        return None
    return Claim(ctx.text[a:b], a, b, who, kind_of(who, ctx.gaz) if who else "unknown", said, "according-to")


def _as_reported(ctx: _Context) -> Claim | None:
    """'Som RT skriver, ...' / 'Wie Sputnik berichtet, ...' / 'As TASS reported, ...'."""
    r, text = ctx.r, ctx.text
    m = r.as_reported.match(text, _SENTENCE_START.match(text, ctx.start, ctx.end).end(), ctx.end)
    if not m:
        return None
    source = _source_after(ctx, m.end())
    if source is None:
        return None
    name, end = source
    verb = _patterns(r.langs).as_reported_tail.match(text, end, ctx.end)
    if not verb:
        return None
    who = normalise(name, ctx.gaz, ctx.lang)
    return ctx.claim(verb.end(), who, text[m.start():verb.end() - 1], "according-to")


def _trailing_outlet(ctx: _Context) -> Claim | None:
    """'..., skriver RT.' closing a sentence, for an outlet the gazetteer knows."""
    r, text = ctx.r, ctx.text
    comma = text.rfind(",", ctx.start, ctx.end)
    if comma < 0:
        return None
    m = _patterns(r.langs).trailing_outlet.match(text, comma, ctx.end)
    if not m:
        return None
    source = _source_after(ctx, m.end())
    if source is None or not _END.fullmatch(text, source[1], ctx.end):
        return None
    who = normalise(source[0], ctx.gaz, ctx.lang)
    if kind_of(who, ctx.gaz) != "outlet":
        return None
    return _until(ctx, comma, who, text[m.start("verb"):source[1]])


_FINDERS = (_reported, _indirect, _according)


def claims(text: str, sentences: tuple[Sentence, ...], lang: str | None, quoted: list[Quote] | None = None,
           gaz: gz.Gazetteer | None = None) -> list[Claim]:
    """Reported claims, indirect speech and according-to claims, at most one per sentence."""
    gaz = gaz or gz.default()
    spans = Spans((q.start, q.end) for q in quoted or [])
    out: list[Claim] = []
    for s in sentences:
        slang = s.language or lang
        ctx = _Context(text, s, rules(slang, lang), gaz, slang, spans)
        if ctx.quoted_share(s.start, s.end) > 0.8:
            continue  # direct speech is a quote, not a claim
        for find in _FINDERS:
            claim = find(ctx)
            if claim is not None:
                out.append(claim)
                break
    return out
