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
_CLAUSE_END = re.compile(r"(?<=[;:])\s+|(?<=[.!?…])\s+(?=\S)")
MAX_SPAN_CLAUSES = 2
MIN_CLAUSE_WORDS = 5
CHUNK_WORDS = 4
CHUNK_STRIDE = 2
_CHUNK_WORD = re.compile(r"\w[\w'’-]*", re.UNICODE)
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
    clauses: tuple[str, ...] = ()  # the clauses it is made of

    @property
    def language(self) -> str | None:
        return self.source.get("source_language")


def clauses(text: str) -> list[str]:
    """Sentences of ``text``, cut again at semicolons and colons, and at commas between runs of at
    least :data:`MIN_CLAUSE_WORDS` words ("NATO does not want confrontation with Russia, NATO
    doesn't want a new Cold War, we don't want an arms race" is three clauses: a report often
    renders one or two of them)."""
    from .segment import _split

    out = []
    for start, end in _split(text) or [(0, len(text))]:
        sentence = text[start:end].strip()
        for part in _CLAUSE_END.split(sentence):
            out += _comma_clauses(part.strip())
    return [part for part in out if part]


def _comma_clauses(text: str) -> list[str]:
    pieces = [p for p in re.split(r"(?<=,)\s+", text) if p]
    out: list[str] = []
    for piece in pieces:
        if out and (len(out[-1].split()) < MIN_CLAUSE_WORDS or len(piece.split()) < MIN_CLAUSE_WORDS):
            out[-1] += " " + piece
        else:
            out.append(piece)
    if len(out) > 1 and len(out[-1].split()) < MIN_CLAUSE_WORDS:
        last = out.pop()
        out[-1] += " " + last
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
                " ".join(text for text, _ in units[:start]), " ".join(text for text, _ in units[end:]),
                tuple(text for text, _ in chosen))


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
def _phrases(language: str | None, kind: str) -> tuple[re.Pattern, ...]:
    """The ``kind`` entries (denial, hearsay) of ``verify.toml`` for ``language``, as patterns on
    lowercased text: a trailing "*" matches any ending."""
    out = []
    for entry in words_table().get((language or "").split("-")[0], {}).get(kind, []):
        entry = entry.lower()
        tail = r"\w*" if entry.endswith("*") else r"(?!\w)"
        out.append(re.compile(r"(?<!\w)" + re.escape(entry.rstrip("*")) + tail))
    return tuple(out)


def _found(text: str, patterns: Sequence[re.Pattern]) -> tuple[str, ...]:
    lowered = text.lower().replace("’", "'")
    return tuple(m.group() for pattern in patterns for m in pattern.finditer(lowered))


@functools.cache
def _contrasts() -> tuple[tuple[str, tuple[re.Pattern, ...], tuple[re.Pattern, ...]], ...]:
    def compile_side(entries):
        return tuple(re.compile(r"(?<!\w)" + re.escape(e.lower())) for e in entries)

    return tuple((c["name"], compile_side(c["a"]), compile_side(c["b"])) for c in words_table().get("contrast", []))


@functools.cache
def _number_words(language: str | None) -> dict[str, float]:
    """Number words (and two-word phrases such as "most of", joined by a space) with their values."""
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
    negation: tuple[str, ...]  # negation words (polarity.toml)
    denial: tuple[str, ...]  # "that is false" words (verify.toml)
    hearsay: tuple[str, ...]  # "some claim that" words (verify.toml)
    possibility: tuple[str, ...]
    text: str = ""

    @property
    def negated(self) -> bool:
        """Negates or says something is false ("This is a lie, and no evidence has been shown")."""
        return bool(self.negation) or bool(self.denial)


def words_of(text: str, language: str | None) -> Words:
    from . import gazetteer

    language = (language or "").split("-")[0] or None
    raw = [m.group() for m in _WORD.finditer(text)]
    tokens = tuple(w.lower() for w in raw)
    cues = polarity.cues(text, language)
    denial, hearsay = _found(text, _phrases(language, "denial")), _found(text, _phrases(language, "hearsay"))
    cue_words = {w for kind in polarity.KINDS for cue in getattr(cues, kind) for w in cue.split()}
    cue_words |= {w for cue in denial + hearsay for w in cue.split()}
    stop = _stopwords(language)
    numbers = _numbers(tokens, language)
    mentions = gazetteer.default().find(text, language)
    in_entity = {w.lower() for m in mentions for w in _WORD.findall(m.surface)}
    entities = [(m.start, m.entity) for m in mentions]
    for match in _WORD.finditer(text):  # adjectives of places: российские, russiske, polnische
        word = match.group().lower()
        if word not in in_entity:
            entity = _adjective_entity(word, language)
            if entity is not None:
                entities.append((match.start(), entity))
                in_entity.add(word)
    entities = tuple(e for _, e in sorted(entities))
    content = tuple(t for t in tokens if not t[0].isdigit() and t not in stop and t not in cue_words
                    and t not in _FILLER and t not in in_entity and len(t) >= 3 and t not in _number_words(language))
    singles, phrases = _possibility(language)
    possible = [t for t in tokens if t in singles]
    for phrase in phrases:
        n = len(phrase)
        possible += [" ".join(phrase) for i in range(len(tokens) - n + 1) if tokens[i:i + n] == phrase]
    return Words(tokens, content, entities, numbers, cues.negation, denial, hearsay, tuple(possible), text)


_ADJECTIVE_ENDING = re.compile(r"^(?:i?sk|i?sch|ijsk|ск|йск|ськ|зьк|ьк|ien|ian|ais|ese|ic|y?jsk)\w{0,4}$")


@functools.cache
def _adjective_entity(word: str, language: str | None) -> str | None:
    """The country or region an adjective names, from the gazetteer's forms: without an
    adjective ending, the word begins one of them ("российские" -> "росси" -> Russia,
    "ukrainsk" -> "ukrain", "французьких" -> "франц")."""
    from . import gazetteer

    entities = [e for e in gazetteer.default().entities.values() if e.kind in ("country", "region")]
    for cut in range(len(word) - 2, 3, -1):
        if not _ADJECTIVE_ENDING.match(word[cut:]):
            continue
        stem = word[:cut]
        for entity in entities:
            if any(f.startswith(stem) for f in (*entity.forms, *entity.stems)):
                return entity.name
    return None


def _numbers(tokens: Sequence[str], language: str | None) -> tuple[float, ...]:
    """Numbers written in digits or words, with multipliers: "30 000", "30,000", "30 thousand",
    "тридцать тысяч" all read 30000; years and other digits are kept as they are."""
    words = _number_words(language)
    out: list[float] = []
    previous_was_number = False
    for i, token in enumerate(tokens):
        value = None
        pair = f"{tokens[i - 1]} {token}" if i else ""
        if pair in words:  # "most of", "большая часть"
            out.append(words[pair])
            previous_was_number = False
            continue
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


def chunks(text: str) -> list[str]:
    """Overlapping runs of :data:`CHUNK_WORDS` words (every :data:`CHUNK_STRIDE` words) of ``text``:
    the pieces whose embeddings show how much of a report is in a passage, across languages, where
    single words are too short for the model and whole sentences blur what differs."""
    words = _CHUNK_WORD.findall(text)
    if len(words) <= CHUNK_WORDS:
        return [" ".join(words)] if words else []
    starts = list(range(0, len(words) - CHUNK_WORDS + 1, CHUNK_STRIDE))
    if starts[-1] != len(words) - CHUNK_WORDS:
        starts.append(len(words) - CHUNK_WORDS)
    return [" ".join(words[i:i + CHUNK_WORDS]) for i in starts]


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
    notes: tuple[str, ...] = ()  # what else the verdict took into account, for people


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
    region, before, after = b, "", ""
    if same:
        # The report's words found in the span: the whole span (ratio) or, for a report shorter than
        # the span, its best-matching stretch (partial_ratio); a span shorter than the report never
        # makes the report verbatim. The stretch is what the report's polarity is compared with.
        left, right = " ".join(a.tokens), " ".join(b.tokens)
        similarity = fuzz.ratio(left, right)
        if 12 <= len(left) <= len(right):
            found = fuzz.partial_ratio_alignment(left, right)
            if found is not None and found.score > similarity:
                similarity = found.score
                if found.score >= 80:
                    before, after = right[:found.dest_start], right[found.dest_end:]
                    region = words_of(right[found.dest_start:found.dest_end], span_language)
    context = (span.before + " " + before, after + " " + span.after) if isinstance(span, Span) else (before, after)
    return Comparison(round(shared, 4), round(covered, 4), round(similarity, 1), same,
                      tuple(missing_a), tuple(missing_b), tuple(differences(a, region, context, span_language, b)))


def _match(words: Sequence[str], others: Sequence[str], cross: bool) -> tuple[int, list[str]]:
    found, missing = 0, []
    for word in dict.fromkeys(words):
        if counterpart(word, others, cross) is not None:
            found += 1
        else:
            missing.append(word)
    return found, missing


def _same_number(a: float, b: float) -> bool:
    """The same number, or the same written with another unit of thousands: "200 mln" (read 200)
    and "200 Millionen" (read 200,000,000)."""
    if a == b:
        return True
    small, large = sorted((abs(a), abs(b)))
    return small > 0 and any(abs(small * 10 ** k - large) < 1e-6 * large for k in (3, 6, 9))


def differences(a: Words, b: Words, context: tuple[str, str] = ("", ""), span_language: str | None = None,
                whole: Words | None = None) -> list[dict]:
    """What the report (``a``) changes in what was said (``b``: the aligned part of the span;
    ``whole``: the span; ``context``: the speaker's words before and after it), each a dict of
    ``kind``, the words on each side (``report``, ``passage``) and a sentence for people (``what``):

    * ``negation``: one side negates or says false and the other does not;
    * ``quantity``: a number of the report is not in the passage;
    * ``subject``: the same two entities in the opposite order (who does what to whom);
    * ``possibility``: the passage says could / may / considering, the report does not;
    * ``intent``: opposite intents (prevent / prepare for, defensive / offensive, ...);
    * ``context``: the passage reports what others claim ("some claim"), or the speaker goes on
      to deny the words quoted ("That is simply false").
    """
    whole = whole or b
    out = []
    if a.negated != b.negated:
        out.append(dict(kind="negation", report=list(a.negation + a.denial), passage=list(b.negation + b.denial),
                        what="the passage " + ("negates or denies it" if b.negated else "does not negate it") +
                             ", the report " + ("does" if a.negated else "does not")))
    extra = [n for n in a.numbers if not any(_same_number(n, m) for m in whole.numbers) and not _is_year(n)]
    if extra and (whole.numbers or len(extra) == len([n for n in a.numbers if not _is_year(n)])):
        out.append(dict(kind="quantity", report=[_number(n) for n in extra], passage=[_number(n) for n in whole.numbers],
                        what="the report gives " + ", ".join(_number(n) for n in extra) +
                             (", the passage " + ", ".join(_number(n) for n in whole.numbers) if whole.numbers else
                              ", the passage no number")))
    # Who does what to whom: the same two entities, each named once on each side, in the opposite
    # order ("Russia must stop attacking Ukraine" / "Ukraine must stop attacking Russia").
    order_a = [e for e in a.entities if e in whole.entities]
    order_b = [e for e in whole.entities if e in a.entities]
    if len(order_a) == 2 == len(set(order_a)) and order_b == order_a[::-1]:
        out.append(dict(kind="subject", report=order_a, passage=order_b,
                        what=f"the report puts {order_a[0]} before {order_a[1]}, the passage the other way round"))
    if b.possibility and not a.possibility:
        out.append(dict(kind="possibility", report=[], passage=list(b.possibility),
                        what="the passage says it is possible or considered («" + "», «".join(b.possibility) +
                             "»), the report states it as fact"))
    for name, side_a, side_b in _contrasts():
        ra, rb = _found(a.text, side_a), _found(a.text, side_b)
        pa, pb = _found(whole.text, side_a), _found(whole.text, side_b)
        if (ra and pb and not rb and not pa) or (rb and pa and not ra and not pb):
            out.append(dict(kind="intent", report=list(ra or rb), passage=list(pa or pb),
                            what=f"opposite intents ({name}): the report «{(ra or rb)[0]}», the passage «{(pa or pb)[0]}»"))
            break
    if not a.negated and not a.hearsay:
        following = clauses(context[1].strip())[:1] if context[1].strip() else []
        after = words_of(following[0], span_language) if following else None
        if b.hearsay:
            out.append(dict(kind="context", report=[], passage=list(b.hearsay),
                            what="the speaker reports what others claim («" + "», «".join(b.hearsay) + "»)"))
        elif after is not None and after.denial and not b.negated and len(after.tokens) <= 14:
            out.append(dict(kind="context", report=[], passage=[following[0]],
                            what=f"the speaker goes on: «{following[0]}»"))
    return out


def _is_year(value: float) -> bool:
    return 1900 <= value <= 2100 and value == int(value)


def _number(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:g}"
