"""Polarity cues: negation, denial, modality and hedges, per language (data in ``polarity.toml``).

Two texts can be about the same thing and say opposite things: "NATO is preparing an attack on
Russia" and "NATO does not want confrontation with Russia". Embeddings put them close together; the
cues tell them apart. Pure functions over text; the cue lists load once.

    cues("NATO ønsker ikke konfrontasjon med Russland", "nb")
    # Cues(negation=('ikke',), denial=(), modality=('ønsker',), hedge=())
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

KINDS = ("negation", "denial", "modality", "hedge")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|n't", re.UNICODE)


@dataclass(frozen=True)
class Cues:
    negation: tuple[str, ...] = ()
    denial: tuple[str, ...] = ()
    modality: tuple[str, ...] = ()
    hedge: tuple[str, ...] = ()

    @property
    def negated(self) -> bool:
        """The text negates or denies, but not both ("ne ... pas" is one negation; "not false" is none)."""
        return bool(self.negation) != bool(self.denial)

    def as_dict(self) -> dict[str, list[str]]:
        return {kind: list(getattr(self, kind)) for kind in KINDS}


@functools.cache
def _table() -> dict[str, dict[str, tuple[frozenset[str], tuple[tuple[str, ...], ...]]]]:
    """Per language and kind: single-word cues, and multi-word phrases as token tuples."""
    data = tomllib.loads(resources.files(__package__).joinpath("polarity.toml").read_text(encoding="utf-8"))
    table = {}
    for language, kinds in data.items():
        table[language] = {}
        for kind in KINDS:
            entries = [entry.lower() for entry in kinds.get(kind, [])]
            words = frozenset(e for e in entries if " " not in e)
            phrases = tuple(tuple(e.split()) for e in entries if " " in e)
            table[language][kind] = (words, phrases)
    return table


def languages() -> list[str]:
    return sorted(_table())


def tokens(text: str) -> list[str]:
    """Lowercased word tokens; contractions keep their negation: "doesn't" -> "doesn't", "n't"."""
    out = []
    for match in _TOKEN.finditer(text.lower().replace("’", "'")):
        token = match.group()
        out.append(token)
        if token.endswith("n't") and token != "n't":
            out.append("n't")
        elif token.startswith("n'") and len(token) > 2:  # French: n'est -> n'
            out.append("n'")
    return out


def cues(text: str, language: str | None) -> Cues:
    """The polarity cues found in ``text``; none for a language without a cue table."""
    table = _table().get((language or "").split("-")[0])
    if table is None:
        return Cues()
    words = tokens(text)
    found: dict[str, list[str]] = {}
    for kind in KINDS:
        singles, phrases = table[kind]
        hits = [w for w in words if w in singles]
        for phrase in phrases:
            n = len(phrase)
            hits += [" ".join(phrase) for i in range(len(words) - n + 1) if tuple(words[i:i + n]) == phrase]
        found[kind] = tuple(hits)
    return Cues(**found)


def opposed(a: str, language_a: str | None, b: str, language_b: str | None) -> bool:
    """True when one text negates or denies and the other does not."""
    return cues(a, language_a).negated != cues(b, language_b).negated
