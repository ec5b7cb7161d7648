"""Attribution: who said it. Language rules, speaker phrases, and pronoun resolution.

The words come from ``attribution.toml`` (one table per language); :func:`rules` compiles the
tables a text's language needs (its own, the related ones it lists, or all of them when the language
is unknown). Speakers are read token by token around a reporting verb:

- after the verb: a pronoun, a name behind titles and fillers (``sier utenriksminister Espen Barth
  Eide``, ``заявил журналистам Песков``, ``said on Tuesday Stoltenberg``) or a role noun;
- before the verb: the name that ends right there, titles stripped (``Foreign Minister Sergey
  Lavrov said``, ``Die Außenamtssprecherin Maria Sacharowa erklärte``).

A pronoun, or no subject at all in a pro-drop language (``„...”, powiedział.``), is the person
named in the nearest sentence before that names anyone, if it names exactly one: gazetteer people
and capitalised names the gazetteer does not know both count; two people mean no guess.
All functions are pure and bounded: they look at a fixed number of words around a position.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from . import gazetteer as gz
from .segment import lemma

PERSON_WINDOW = 600  # characters before a pronoun searched for the person it stands for
MAX_NAME_WORDS = 4
MAX_ROLE_WORDS = 6  # "säger kommunalrådet i Visby": a role phrase closing the sentence
_LIST_KEYS = ("verbs", "inverted_verbs", "pronouns", "roles", "titles", "title_endings", "fillers", "prepositions",
              "auxiliaries", "function_words", "and", "indirect_verbs", "that", "reported", "reported_aside",
              "according", "according_self", "source_words", "as_reported", "as_reported_verbs", "trailing_verbs")
_WORD = re.compile(r"\w+(?:['’]\w+)*(?:-\w+(?:['’]\w+)*)*")
_NAME_PARTICLES = {"von", "van", "der", "de", "den", "du", "la", "le", "al", "bin", "di", "da", "dos", "ter"}
_IN_RUN = frozenset(" \t_'’-")  # characters inside a run of words (newlines end it)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”“)\]]*\s+|\n+")
_CLAUSE_END = re.compile(r"[ \t]*(?:[.!?…]|\n|$)")
_COMMA = re.compile(r"[ \t]*,[ \t]*")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, dict], dict[str, str]]:
    data = tomllib.loads(resources.files(__package__).joinpath("attribution.toml").read_text(encoding="utf-8"))
    aliases = data.pop("aliases", {})
    return data, aliases


def languages() -> tuple[str, ...]:
    """The languages with attribution rules."""
    return tuple(sorted(_tables()[0]))


_GAP = " "  # a word break inside a phrase, in the trie


def _trie_pattern(node: dict) -> str:
    """The regex for a character trie: shared prefixes factored out, so matching a few hundred
    phrases costs a few steps per position, not one try per phrase."""
    end = "" in node
    branches = []
    for ch in sorted(k for k in node if k):
        head = r",?\s+" if ch == _GAP else re.escape(ch)
        branches.append(head + _trie_pattern(node[ch]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and len(branches[0]) == 1 else "(?:" + "|".join(branches) + ")"
    return body + "?" if end else body


def _phrases(words) -> str:
    """A pattern for any of ``words`` (phrases), whole words only, longest match first; a space is
    any whitespace, with an optional comma before it ("hævdes det, at" is "hævdes det at")."""
    trie: dict = {}
    for phrase in set(words):
        node = trie
        for ch in _GAP.join(phrase.lower().replace(",", " ").split()):
            node = node.setdefault(ch, {})
        node[""] = {}
    if not trie:
        return r"(?!x)x"
    return r"(?<![\w\-])" + _trie_pattern(trie) + r"(?![\w\-])"


@dataclass(frozen=True)
class Rules:
    """The compiled attribution rules for one language set."""

    langs: tuple[str, ...]
    words: dict[str, frozenset[str]]
    pro_drop: bool
    verb: re.Pattern  # any reporting verb (inverted forms included)
    indirect: re.Pattern  # verbs of indirect speech
    that: re.Pattern  # the conjunction, at a position
    reported: re.Pattern
    reported_aside: re.Pattern
    according: re.Pattern
    according_self: re.Pattern
    as_reported: re.Pattern
    as_reported_verb: re.Pattern
    trailing_verb: re.Pattern
    roles: dict[str, tuple[tuple[str, ...], ...]]  # role phrases as word tuples by first word, longest first

    def has(self, key: str, word: str) -> bool:
        return word.lower() in self.words[key]

    def is_title(self, word: str) -> bool:
        lower = word.lower()
        return lower in self.words["titles"] or any(lower.endswith(e) for e in self.words["title_endings"])

    def inverted_pronoun(self, verb: str) -> str | None:
        """The pronoun a verb form carries ("a-t-il dit" -> "il"), if any."""
        if verb.lower() not in self.words["inverted_verbs"]:
            return None
        parts = re.split(r"[\s\-]+", verb)
        return next((p for p in parts if p.lower() in self.words["pronouns"]), None)


@lru_cache(maxsize=64)
def rules(*langs: str | None) -> Rules:
    """The rules for texts in ``langs`` (their related languages included; all when none is known)."""
    tables, aliases = _tables()
    wanted: list[str] = []
    for lang in langs:
        code = aliases.get(lang or "", lang or "")
        if code in tables:
            for name in (code, *tables[code].get("also", [])):
                if name in tables and name not in wanted:
                    wanted.append(name)
    if not wanted:
        wanted = sorted(tables)
    words = {key: frozenset(w.lower() for name in wanted for w in tables[name].get(key, [])) for key in _LIST_KEYS}
    that = r"(?<![\w'’\-])(?:" + "|".join(re.escape(w) + ("" if w[-1] in "'’" else r"(?![\w\-])")
                             for w in sorted(words["that"], key=len, reverse=True)) + ")"
    return Rules(
        langs=tuple(wanted), words=words, pro_drop=any(tables[n].get("pro_drop", False) for n in wanted),
        verb=re.compile(_phrases(words["verbs"] | words["inverted_verbs"]), re.I),
        indirect=re.compile(_phrases(words["indirect_verbs"]), re.I),
        that=re.compile(r"[ \t]*,?[ \t]*" + that, re.I),
        reported=re.compile(_phrases(words["reported"]), re.I),
        reported_aside=re.compile(_phrases(words["reported_aside"]), re.I),
        according=re.compile(_phrases(words["according"]), re.I),
        according_self=re.compile(_phrases(words["according_self"]), re.I),
        as_reported=re.compile(_phrases(words["as_reported"]), re.I),
        as_reported_verb=re.compile(_phrases(words["as_reported_verbs"]), re.I),
        trailing_verb=re.compile(_phrases(words["trailing_verbs"]), re.I),
        roles=_by_first(tuple(r.split()) for r in words["roles"]),
    )


def _by_first(phrases) -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for phrase in sorted(set(phrases), key=len, reverse=True):
        out.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(options) for first, options in out.items()}


# -- tokens -----------------------------------------------------------------------------------------

class Token(NamedTuple):
    word: str
    start: int
    end: int
    lower: str
    capital: bool

    @classmethod
    def of(cls, word: str, start: int, end: int) -> "Token":
        return cls(word, start, end, word.lower(), word[:1].isupper())

    @property
    def acronym(self) -> bool:
        letters = [c for c in self.word if c.isalpha()]
        return len(letters) >= 2 and all(c.isupper() for c in letters)


def tokens_after(text: str, pos: int, limit: int = 12, span: int = 160) -> list[Token]:
    """Words from ``pos`` on, separated by spaces only: the first punctuation mark ends the list."""
    out: list[Token] = []
    at = pos
    for m in _WORD.finditer(text, pos, min(len(text), pos + span)):
        gap = text[at:m.start()]
        if gap.strip() or "\n" in gap:
            break
        out.append(Token.of(m.group(), m.start(), m.end()))
        at = m.end()
        if len(out) >= limit:
            break
    return out


def tokens_before(text: str, pos: int, limit: int = 12, span: int = 160) -> list[Token]:
    """Words ending at ``pos``, separated by spaces only, in text order (the last one ends nearest)."""
    start = max(0, pos - span)
    i = pos
    while i > start and (text[i - 1].isalnum() or text[i - 1] in _IN_RUN):
        i -= 1
    if i == start and start > 0 and text[start - 1].isalnum():
        i = next((k for k in range(start, pos) if not text[k].isalnum()), pos)  # cut in the middle of a word
    out = [Token.of(m.group(), m.start(), m.end()) for m in _WORD.finditer(text, i, pos)]
    if out and text[out[-1].end:pos].strip():
        return []
    return out[-limit:]


# -- speakers ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Speaker:
    """A speaker phrase as written: a name, a pronoun, a role, or nobody (pro-drop)."""

    text: str | None
    kind: str  # name | pronoun | role | subjectless
    start: int
    end: int


def _role_at(toks: list[Token], i: int, r: Rules) -> int:
    """How many words of a role phrase start at ``toks[i]`` (0 if none)."""
    for role in r.roles.get(toks[i].lower, ()):
        n = len(role)
        if tuple(t.lower for t in toks[i:i + n]) == role:
            return n
    return 0


def name_run(toks: list[Token], i: int, r: Rules) -> int:
    """How many words of a name start at ``toks[i]``: capitalised words (particles and a number
    after a name allowed), at most MAX_NAME_WORDS, never a filler or a title."""
    j, names = i, 0
    while j < len(toks) and names < MAX_NAME_WORDS:
        t = toks[j]
        if t.capital and not r.has("fillers", t.word) and not (r.is_title(t.word) and j > i):
            names += 1
            j += 1
        elif j > i and t.word.isdigit() and len(t.word) <= 3:
            j += 1
        elif j > i and t.lower in _NAME_PARTICLES and any(u.capital for u in toks[j + 1:j + 3]):
            j += 1  # "Ursula von der Leyen"
        else:
            break
    while j > i and not toks[j - 1].capital and not toks[j - 1].word.isdigit():
        j -= 1
    return j - i


def _is_entity(word: str, gaz: gz.Gazetteer, lang: str | None) -> bool:
    entity = gaz.lookup(word, lang)
    return entity is not None and entity.kind != "person"


def speaker_after(text: str, pos: int, r: Rules, gaz: gz.Gazetteer, lang: str | None) -> Speaker | None:
    """The speaker named right after a reporting verb ending at ``pos``."""
    toks = tokens_after(text, pos)
    if toks and r.has("pronouns", toks[0].word):
        return Speaker(toks[0].word, "pronoun", toks[0].start, toks[0].end)
    i, after_title = 0, False
    while i < len(toks) and i < 8:
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if r.is_title(t.word):
            after_title = True
        elif r.has("prepositions", t.word):
            if nxt is not None and nxt.capital and not r.is_title(nxt.word) and not r.has("fillers", nxt.word):
                i += 1  # "said in Moscow": a place, not the speaker
        elif r.has("fillers", t.word) or (after_title and not t.capital):
            pass  # "on Tuesday", "журналистам"; a title's complement: "министр иностранных дел"
        elif (t.acronym or _is_entity(t.word, gaz, lang)) and nxt is not None and (nxt.capital or r.is_title(nxt.word)):
            pass  # "Кремля", "NATO", "РИА" before the title or the name
        elif t.capital and nxt is not None and r.is_title(nxt.word):
            pass  # an organisation before a title: "Säpos presschef", "NATOs generalsekretær"
        else:
            break
        i += 1
    n = name_run(toks, i, r) if i < len(toks) else 0
    if n:
        return Speaker(" ".join(t.word for t in toks[i:i + n]), "name", toks[i].start, toks[i + n - 1].end)
    for k in range(min(len(toks), 3)):
        n = _role_at(toks, k, r)
        if n:
            return _apposition(text, toks[k + n - 1].end, r) or \
                Speaker(" ".join(t.word for t in toks[k:k + n]), "role", toks[k].start, toks[k + n - 1].end)
    loose = _clause_role(text, toks, r)
    if loose is not None:
        return loose
    if r.pro_drop and i >= len(toks):  # nothing but fillers follow: ", powiedział w czwartek."
        return Speaker(None, "subjectless", pos, pos)
    return None


def _apposition(text: str, pos: int, r: Rules) -> Speaker | None:
    """The name after a role and a comma, closing the sentence: "sier lederen av komiteen, Kari Nordmann."."""
    m = _COMMA.match(text, pos)
    if not m:
        return None
    toks = tokens_after(text, m.end(), limit=MAX_NAME_WORDS + 1)
    n = name_run(toks, 0, r)
    if n and n == len(toks) and _CLAUSE_END.match(text, toks[-1].end):
        return Speaker(" ".join(t.word for t in toks), "name", toks[0].start, toks[-1].end)
    return None


def _clause_role(text: str, toks: list[Token], r: Rules) -> Speaker | None:
    """A lowercase noun phrase that ends the sentence after a reporting verb, as a role:
    "säger kommunalrådet i Visby." -> "kommunalrådet" (or the name after it and a comma)."""
    if not toks or len(toks) > MAX_ROLE_WORDS:
        return None
    apposition = None if _CLAUSE_END.match(text, toks[-1].end) else _apposition(text, toks[-1].end, r)
    if apposition is None and not _CLAUSE_END.match(text, toks[-1].end):
        return None
    head = toks[0]
    if head.capital or head.word.isdigit() or r.has("prepositions", head.word) or r.has("fillers", head.word) \
            or r.has("auxiliaries", head.word) or r.has("that", head.word) or r.verb.fullmatch(head.word):
        return None
    n = next((k for k, t in enumerate(toks) if k and r.has("prepositions", t.word)), len(toks))
    return apposition or Speaker(" ".join(t.word for t in toks[:n]), "role", head.start, toks[n - 1].end)


def _strip_name(toks: list[Token], r: Rules, gaz: gz.Gazetteer, lang: str | None) -> list[Token]:
    """A name run without the titles, function words and institutions in front of it; a name the
    gazetteer knows as a whole ("Russian Foreign Ministry") is kept whole."""
    if len(toks) > 1:
        run_start = toks[0].start
        whole = " ".join(t.word for t in toks)
        for m in gaz.find(whole, lang):
            if m.end - m.start > len(toks[-1].word) and m.end == len(whole):
                return [t for t in toks if t.start - run_start >= m.start]
    while len(toks) > 1 and (r.is_title(toks[0].word) or r.has("function_words", toks[0].word)
                             or r.has("fillers", toks[0].word) or _is_entity(toks[0].word, gaz, lang)
                             or toks[0].lower in _NAME_PARTICLES):
        toks = toks[1:]
    return toks


def _between_subject_and_verb(t: Token, r: Rules) -> bool:
    """"har", "also", "on Tuesday": words between a subject and its verb."""
    return r.has("auxiliaries", t.word) or r.has("fillers", t.word) or r.has("prepositions", t.word)


def speaker_before(text: str, pos: int, r: Rules, gaz: gz.Gazetteer, lang: str | None) -> Speaker | None:
    """The speaker named right before a reporting verb starting at ``pos`` ("Stoltenberg har
    tidligere sagt", "Foreign Minister Sergey Lavrov said", "the mayor of Riga said")."""
    toks = tokens_before(text, pos)
    k = len(toks)
    while k > 1 and len(toks) - k < 4 and _between_subject_and_verb(toks[k - 1], r):
        k -= 1
    toks = toks[:k]
    if not toks:
        return None
    last = toks[-1]
    if r.has("pronouns", last.word):
        return Speaker(last.word, "pronoun", last.start, last.end)
    for n in range(min(4, len(toks)), 0, -1):
        if tuple(t.lower for t in toks[-n:]) in r.roles.get(toks[-n].lower, ()):
            return Speaker(" ".join(t.word for t in toks[-n:]), "role", toks[-n].start, last.end)
    run: list[Token] = []
    for t in reversed(toks):
        if t.capital or (run and t.word.isdigit()) or (run and t.lower in _NAME_PARTICLES):
            run.insert(0, t)
        else:
            break
        if len(run) > MAX_NAME_WORDS + 2:
            break
    while run and (run[0].lower in _NAME_PARTICLES or run[0].word.isdigit()):
        run = run[1:]
    k = len(toks) - len(run)  # the word before the name
    if run and k > 0 and r.has("prepositions", toks[k - 1].word):
        # "the mayor of Riga said": a complement, the speaker is the role before it
        for n in range(min(4, k - 1), 0, -1):
            if tuple(t.lower for t in toks[k - 1 - n:k - 1]) in r.roles.get(toks[k - 1 - n].lower, ()):
                return Speaker(" ".join(t.word for t in toks[k - 1 - n:]), "role", toks[k - 1 - n].start, last.end)
        return None
    run = _strip_name(run, r, gaz, lang)
    if not run or (len(run) == 1 and (r.has("function_words", run[0].word) or r.has("fillers", run[0].word)
                                      or r.is_title(run[0].word))):
        return None
    return Speaker(" ".join(t.word for t in run), "name", run[0].start, run[-1].end)


# -- resolution -------------------------------------------------------------------------------------

def normalise(name: str | None, gaz: gz.Gazetteer, lang: str | None) -> str | None:
    """The gazetteer's name for a speaker or source as written, else the text itself."""
    if not name:
        return None
    return gaz.normalise(name, lang, ("person", "outlet", "institution")) or name.strip()


def kind_of(name: str | None, gaz: gz.Gazetteer) -> str:
    """person | outlet | institution | unknown, for a normalised name."""
    entity = gaz.entities.get(name or "")
    if entity is None:
        return "person" if name else "unknown"
    return entity.kind if entity.kind in ("person", "outlet", "institution") else "institution"


class Spans:
    """Non-overlapping spans (quotes), sorted once, asked in O(log n)."""

    def __init__(self, spans=()):
        self.spans = sorted(spans)
        self.starts = [a for a, _ in self.spans]

    def inside(self, pos: int) -> bool:
        k = bisect_right(self.starts, pos) - 1
        return k >= 0 and self.spans[k][0] <= pos < self.spans[k][1]

    def share(self, a: int, b: int) -> float:
        """How much of ``[a, b)`` the spans cover, 0 to 1."""
        covered, k = 0, bisect_right(self.starts, b) - 1
        while k >= 0 and self.spans[k][1] > a:
            covered += max(0, min(b, self.spans[k][1]) - max(a, self.spans[k][0]))
            k -= 1
        return covered / max(1, b - a)


def _unknown_names(sentence: str, offset: int, known: list[tuple[int, int]], r: Rules, gaz: gz.Gazetteer,
                   lang: str | None) -> list[tuple[int, int, str]]:
    """Capitalised names of two or more words the gazetteer does not know ("Kari Nordmann",
    "Espen Barth Eide"), as (start, end, name)."""
    toks = [Token.of(m.group(), m.start() + offset, m.end() + offset) for m in _WORD.finditer(sentence)]
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(toks):
        run: list[Token] = []
        j = i
        while j < len(toks) and len(run) <= MAX_NAME_WORDS:
            t = toks[j]
            gap_ok = not run or sentence[run[-1].end - offset:t.start - offset] == " "
            if not gap_ok:
                break
            if t.capital and not t.acronym and not any(a <= t.start < b for a, b in known) and not (
                    r.has("function_words", t.word) or r.has("fillers", t.word) or r.is_title(t.word)
                    or _is_entity(t.word, gaz, lang)):
                run.append(t)
            elif run and t.lower in _NAME_PARTICLES and j + 1 < len(toks) and toks[j + 1].capital:
                run.append(t)
            else:
                break
            j += 1
        if 2 <= len(run) <= MAX_NAME_WORDS and _looks_like_name(run, sentence, offset, lang):
            out.append((run[0].start, run[-1].end, " ".join(t.word for t in run)))
        i = max(j, i + 1)
    return out


def _looks_like_name(run: list[Token], sentence: str, offset: int, lang: str | None) -> bool:
    """Not an inflected common word up front ("Russische Staatsmedien", "Viele Einwohner"); the
    check applies at a sentence start (and everywhere in German, where nouns are capitalised)."""
    first = run[0].word
    at_start = not sentence[:run[0].start - offset].strip(" \"'«»“”„–—-")
    if not at_start and lang != "de":
        return True
    base = lemma(first, lang)
    return not (base != first.lower() and base[:1].islower())


def _persons(sentence: str, offset: int, r: Rules, gaz: gz.Gazetteer, lang: str | None, masked: Spans) -> list[str]:
    """People named in one sentence, in order, outside quotes: gazetteer people, unknown names,
    and a capitalised word joined to a person by "and" ("Путин и Лукашенко")."""
    mentions = gaz.find(sentence, lang)
    known = [(m.start + offset, m.end + offset) for m in mentions]
    found = [(m.start + offset, m.end + offset, m.entity) for m in mentions if m.kind == "person"]
    found += _unknown_names(sentence, offset, known, r, gaz, lang)
    if found and r.words["and"]:
        toks = [Token.of(m.group(), m.start() + offset, m.end() + offset) for m in _WORD.finditer(sentence)]
        for k in range(1, len(toks) - 1):
            if toks[k].lower not in r.words["and"]:
                continue
            for near, other in ((toks[k - 1], toks[k + 1]), (toks[k + 1], toks[k - 1])):
                if any(a <= near.start < b for a, b, _ in found) and other.capital and not other.acronym \
                        and not any(a <= other.start < b for a, b in known) \
                        and not any(a <= other.start < b for a, b, _ in found) \
                        and not r.has("function_words", other.word):
                    found.append((other.start, other.end, other.word))
    return [name for a, _, name in sorted(found) if not masked.inside(a)]


def last_person(text: str, before: int, gaz: gz.Gazetteer, lang: str | None, masked: Spans | None = None) -> str | None:
    """The one person named in the nearest sentence before ``before`` that names anyone; None when
    that sentence names two or more (never a guess). Names inside ``masked`` spans (quotes) do
    not count."""
    r = rules(lang)
    masked = masked or Spans()
    start = max(0, before - PERSON_WINDOW)
    window = text[start:before]
    bounds = [0] + [m.end() for m in _SENTENCE_END.finditer(window)] + [len(window)]
    for k in range(len(bounds) - 1, 0, -1):
        a, b = bounds[k - 1], bounds[k]
        if not window[a:b].strip():
            continue
        persons = _persons(window[a:b], start + a, r, gaz, lang, masked)
        if persons:
            distinct = {normalise(p, gaz, lang) for p in persons}
            return distinct.pop() if len(distinct) == 1 else None
    return None


def resolve(speaker: Speaker | None, text: str, at: int, gaz: gz.Gazetteer, lang: str | None,
            masked: Spans | None = None) -> str | None:
    """The normalised speaker: a name through the gazetteer; a pronoun, or no subject, through the
    last person named before ``at``; a role as written."""
    if speaker is None:
        return None
    if speaker.kind in ("pronoun", "subjectless"):
        return last_person(text, at, gaz, lang, masked)
    return normalise(speaker.text, gaz, lang)
