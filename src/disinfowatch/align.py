"""Align: set a reported quote or claim against the words its speaker really said. Pure functions.

    spans = spans_of(passages)                 # runs of 1-2 clauses of each turn, plus whole passages
    pair = compare(report_text, report_language, span.text, span.language)

A report rarely renders a whole answer: it quotes a sentence or two, so it is aligned to *spans*,
runs of consecutive clauses of one turn (a clause ends at a sentence end or a semicolon), as well
as to whole passages. :func:`compare` gives what the verdict stands on, with no model: the words
of each side that have a counterpart on the other (the same word or lemma, a cognate across
languages such as konfrontasjon / confrontation, the same gazetteer entity: Russland / Россия /
Russia, the same number), the polarity cues of each side (:mod:`disinfowatch.polarity`), the
numbers, the "possibility" words (could, may, considering), the order in which the entities
appear, and for texts in one language the character-level similarity (rapidfuzz).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import polarity
from .primary import fold, spoken_text, words_table

_WORD = re.compile(r"\d+(?:[ .,\u00a0\u202f]\d{3})*(?:[.,]\d+)?|[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_CLAUSE_END = re.compile(r"(?<=;)\s+|(?<=[.!?…])\s+(?=\S)")
MAX_SPAN_CLAUSES = 2
COGNATE_PREFIX = 6
COGNATE_RATIO = 80.0
_JUSTEXT = {"en": "English", "nb": "Norwegian_Bokmal", "nn": "Norwegian_Nynorsk", "da": "Danish", "sv": "Swedish",
            "de": "German", "fr": "French", "pl": "Polish", "ru": "Russian", "uk": "Ukrainian", "cs": "Czech",
            "sk": "Slovak", "es": "Spanish", "it": "Italian", "fi": "Finnish", "et": "Estonian", "lv": "Latvian",
            "lt": "Lithuanian", "ro": "Romanian", "bg": "Bulgarian", "hu": "Hungarian", "ka": "Georgian",
            "hy": "Armenian"}
# Words too common in political speech to count as content, beyond the stop-word lists.
_FILLER = {"altså", "faktisk", "jo", "nok", "actually", "really", "indeed", "also", "very", "just", "ja", "doch",
           "eben", "also", "eigentlich", "вообще", "именно", "также", "ведь", "же", "саме", "також", "adalah",
           "właśnie", "także", "również", "effectivement", "vraiment", "aussi", "même", "også", "bara", "faktiskt",
           "även", "selv", "selbst", "itself", "himself"}


@dataclass(frozen=True)
class Span:
    """Consecutive clauses of one turn of a primary source: what a report is aligned to."""

    text: str
    passages: tuple[str, ...]  # keys of the passages it covers, in order
    source: dict  # the first passage's row (key, speaker, text, source_key, source_title, ...)
    before: str = ""  # the rest of the turn before and after it: a quote cut out of its context
    after: str = ""

    @property
    def language(self) -> str | None:
        return self.source.get("source_language")


def clauses(text: str) -> list[str]:
    """Sentences of ``text``, cut again at semicolons."""
    from .segment import _split

    out = []
    for start, end in _split(text) or [(0, len(text))]:
        sentence = text[start:end].strip()
        out += [part.strip() for part in _CLAUSE_END.split(sentence) if part.strip()]
    return out


def spans_of(passages: Sequence[dict]) -> list[Span]:
    """Every run of 1 to :data:`MAX_SPAN_CLAUSES` consecutive clauses within a turn, and every
    whole passage of more clauses than that; a turn is the consecutive passages of one source
    with the same ``turn`` number. Deterministic, so registration and verification embed the same
    texts (and the vector cache is shared)."""
    turns: dict[tuple, list[dict]] = {}
    for passage in passages:
        turns.setdefault((passage["source_key"], passage["turn"]), []).append(passage)
    out: list[Span] = []
    for rows in turns.values():
        rows = sorted(rows, key=lambda r: r["idx"])
        units: list[tuple[str, dict]] = []
        for row in rows:
            parts = clauses(spoken_text(row["text"]))
            units += [(part, row) for part in parts]
            if len(parts) > MAX_SPAN_CLAUSES:
                out.append(_span(units, len(units) - len(parts), len(units)))
        for start in range(len(units)):
            for length in range(1, MAX_SPAN_CLAUSES + 1):
                if start + length <= len(units):
                    out.append(_span(units, start, start + length))
    return out


def _span(units: list[tuple[str, dict]], start: int, end: int) -> Span:
    chosen = units[start:end]
    keys = tuple(dict.fromkeys(row["key"] for _, row in chosen))
    return Span(" ".join(text for text, _ in chosen), keys, chosen[0][1],
                " ".join(text for text, _ in units[:start]), " ".join(text for text, _ in units[end:]))


# -- words ---------------------------------------------------------------------------------------


@functools.cache
def _stopwords(language: str | None) -> frozenset[str]:
    name = _JUSTEXT.get((language or "").split("-")[0])
    if not name:
        return frozenset()
    import justext

    return frozenset(w.lower() for w in justext.get_stoplist(name))


@functools.cache
def _possibility(language: str | None) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    entries = [e.lower() for e in words_table().get((language or "").split("-")[0], {}).get("possibility", [])]
    return frozenset(e for e in entries if " " not in e), tuple(tuple(e.split()) for e in entries if " " in e)


@functools.cache
def _number_words(language: str | None) -> dict[str, float]:
    table = {}
    for entry in words_table().get((language or "").split("-")[0], {}).get("numbers", []):
        word, _, value = entry.rpartition(" ")
        table[word.lower()] = float(value)
    return table


@dataclass(frozen=True)
class Words:
    """What :func:`compare` needs of one text."""

    tokens: tuple[str, ...]  # lowercased words and numbers, in order
    content: tuple[str, ...]  # the tokens that carry meaning (no stop words, cues or fillers)
    entities: tuple[str, ...]  # gazetteer entities, in order of appearance
    numbers: tuple[float, ...]
    cues: polarity.Cues
    possibility: tuple[str, ...]


def words_of(text: str, language: str | None) -> Words:
    from . import gazetteer

    language = (language or "").split("-")[0] or None
    raw = [m.group() for m in _WORD.finditer(text)]
    tokens = tuple(w.lower() for w in raw)
    cues = polarity.cues(text, language)
    cue_words = {w for kind in polarity.KINDS for cue in getattr(cues, kind) for w in cue.split()}
    stop = _stopwords(language)
    numbers = _numbers(tokens, language)
    mentions = gazetteer.default().find(text, language)
    entities = tuple(m.entity for m in mentions)
    in_entity = {w.lower() for m in mentions for w in _WORD.findall(m.surface)}
    content = tuple(t for t in tokens if not t[0].isdigit() and t not in stop and t not in cue_words
                    and t not in _FILLER and t not in in_entity and len(t) >= 3 and t not in _number_words(language))
    singles, phrases = _possibility(language)
    possible = [t for t in tokens if t in singles]
    for phrase in phrases:
        n = len(phrase)
        possible += [" ".join(phrase) for i in range(len(tokens) - n + 1) if tokens[i:i + n] == phrase]
    return Words(tokens, content, entities, numbers, cues, tuple(possible))


def _numbers(tokens: Sequence[str], language: str | None) -> tuple[float, ...]:
    """Numbers written in digits or words, with multipliers: "30 000", "30,000", "30 thousand",
    "тридцать тысяч" all read 30000; years and other digits are kept as they are."""
    words = _number_words(language)
    out: list[float] = []
    previous_was_number = False
    for token in tokens:
        value = None
        if token[0].isdigit():
            value = _digits(token)
        elif token in words:
            value = words[token]
            if previous_was_number and value >= 100 and out:
                out[-1] = out[-1] * value  # "30 thousand", "три тысячи"
                continue
        if value is None:
            previous_was_number = False
            continue
        if previous_was_number and out and out[-1] >= 20 and value < 10 and out[-1] % 10 == 0:
            out[-1] += value  # "twenty five"
            continue
        out.append(value)
        previous_was_number = True
    return tuple(out)


def _digits(token: str) -> float | None:
    compact = re.sub(r"[ \u00a0\u202f]", "", token)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", compact):  # 30,000 / 30.000
        return float(re.sub(r"[.,]", "", compact))
    try:
        return float(compact.replace(",", "."))
    except ValueError:
        return None


def counterpart(word: str, others: Sequence[str], cross: bool) -> str | None:
    """The word of ``others`` that renders ``word``: the same word, or (across languages or for
    inflected forms) one sharing its folded first letters closely enough: a cognate."""
    from rapidfuzz import fuzz

    if word in others:
        return word
    folded = fold(word)
    for other in others:
        other_folded = fold(other)
        if folded == other_folded:
            return other
        if min(len(folded), len(other_folded)) >= 5:
            if fuzz.ratio(folded[:COGNATE_PREFIX], other_folded[:COGNATE_PREFIX]) >= COGNATE_RATIO or (
                    cross and fuzz.ratio(folded, other_folded) >= COGNATE_RATIO):
                return other
    return None


# -- one comparison --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """A report against one span: shared and unshared words, and the features the verdict uses."""

    shared: float  # share of the report's content words and entities found in the span
    covered: float  # share of the span's content words and entities found in the report
    verbatim: float  # same language: how nearly the report's words are the span's, 0..100; else 0
    same_language: bool
    report_only: tuple[str, ...]  # content words of the report with no counterpart in the span
    span_only: tuple[str, ...]
    differences: tuple[dict, ...] = field(default=())  # see :func:`differences`


def compare(report: str, report_language: str | None, span: Span | str, span_language: str | None = None,
            report_words: Words | None = None) -> Comparison:
    from rapidfuzz import fuzz

    text = span.text if isinstance(span, Span) else span
    span_language = span_language if span_language is not None or not isinstance(span, Span) else span.language
    a = report_words or words_of(report, report_language)
    b = words_of(text, span_language)
    same = bool(report_language and span_language and report_language.split("-")[0] == span_language.split("-")[0])
    found_a, missing_a = _match(a.content, b.content, not same)
    found_b, missing_b = _match(b.content, a.content, not same)
    entities_a, entities_b = set(a.entities), set(b.entities)
    numbers_a, numbers_b = set(a.numbers), set(b.numbers)
    size_a = len(a.content) + len(entities_a) + len(numbers_a)
    size_b = len(b.content) + len(entities_b) + len(numbers_b)
    shared = (found_a + len(entities_a & entities_b) + len(numbers_a & numbers_b)) / size_a if size_a else 0.0
    covered = (found_b + len(entities_a & entities_b) + len(numbers_a & numbers_b)) / size_b if size_b else 0.0
    similarity = 0.0
    if same:
        # The report's words found in the span: the whole span (ratio) or, for a report shorter than
        # the span, its best-matching stretch (partial_ratio); a span shorter than the report never
        # makes the report verbatim.
        left, right = " ".join(a.tokens), " ".join(b.tokens)
        similarity = fuzz.ratio(left, right)
        if 12 <= len(left) <= len(right):
            similarity = max(similarity, fuzz.partial_ratio(left, right))
    return Comparison(round(shared, 4), round(covered, 4), round(similarity, 1), same,
                      tuple(missing_a), tuple(missing_b), tuple(differences(a, b, span if isinstance(span, Span) else None,
                                                                            span_language)))


def _match(words: Sequence[str], others: Sequence[str], cross: bool) -> tuple[int, list[str]]:
    found, missing = 0, []
    for word in dict.fromkeys(words):
        if counterpart(word, others, cross) is not None:
            found += 1
        else:
            missing.append(word)
    return found, missing


def differences(a: Words, b: Words, span: Span | None, span_language: str | None) -> list[dict]:
    """What the report (``a``) changes in what was said (``b``), each a dict of ``kind``, the cue
    words on each side (``report``, ``passage``) and a sentence for people (``what``):

    * ``negation``: one side negates or denies and the other does not;
    * ``quantity``: a number of the report is not in the passage;
    * ``subject``: the same two entities in the opposite order (who does what to whom);
    * ``possibility``: the passage says could / may / considering, the report does not;
    * ``context``: the passage reports a claim of others ("some claim"), or the speaker goes on
      to deny the words quoted ("That is simply false").
    """
    out = []
    if a.cues.negated != b.cues.negated:
        out.append(dict(kind="negation", report=list(a.cues.negation + a.cues.denial),
                        passage=list(b.cues.negation + b.cues.denial),
                        what="the passage " + ("negates or denies it" if b.cues.negated else "does not negate it") +
                             ", the report " + ("does" if a.cues.negated else "does not")))
    extra = [n for n in a.numbers if n not in b.numbers and not _is_year(n)]
    if extra and (b.numbers or len(extra) == len([n for n in a.numbers if not _is_year(n)])):
        out.append(dict(kind="quantity", report=[_number(n) for n in extra], passage=[_number(n) for n in b.numbers],
                        what="the report gives " + ", ".join(_number(n) for n in extra) +
                             (", the passage " + ", ".join(_number(n) for n in b.numbers) if b.numbers else
                              ", the passage no number")))
    # Who does what to whom: the same two entities, each named once on each side, in the opposite
    # order ("Russia must stop attacking Ukraine" / "Ukraine must stop attacking Russia").
    order_a = [e for e in a.entities if e in b.entities]
    order_b = [e for e in b.entities if e in a.entities]
    if len(order_a) == 2 == len(set(order_a)) and order_b == order_a[::-1]:
        out.append(dict(kind="subject", report=order_a, passage=order_b,
                        what=f"the report puts {order_a[0]} before {order_a[1]}, the passage the other way round"))
    if b.possibility and not a.possibility:
        out.append(dict(kind="possibility", report=[], passage=list(b.possibility),
                        what="the passage says it is possible or considered («" + "», «".join(b.possibility) +
                             "»), the report states it as fact"))
    if span is not None and not a.cues.negated and not b.cues.negated:
        after = span.after.split(". ")[0] if span.after else ""
        following = polarity.cues(after, span_language) if after else polarity.Cues()
        if after and following.negated and len(after.split()) <= 12:
            out.append(dict(kind="context", report=[], passage=[after],
                            what=f"the speaker goes on: «{after.rstrip('.')}.»"))
        elif b.cues.hedge and not a.cues.hedge:
            out.append(dict(kind="context", report=[], passage=list(b.cues.hedge),
                            what="the speaker reports what others claim («" + "», «".join(b.cues.hedge) + "»)"))
    return out


def _is_year(value: float) -> bool:
    return 1900 <= value <= 2100 and value == int(value)


def _number(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:g}"
