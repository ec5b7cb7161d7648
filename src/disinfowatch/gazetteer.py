"""The gazetteer: countries, regions, institutions, outlets and people, in many languages.

The data is ``gazetteer.toml`` in the package (or any file of the same shape). Words are matched on
their surface form, their lemma (simplemma) and listed stems, so inflected forms count: Russlands,
России, Росії. Longest match wins: "Rossija 1" is the outlet, not the country. People are matched
only where their name is written with a capital letter ("Tusk", never "tusk").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .records import Mention
from .segment import lemma

_TOKEN = re.compile(r"[\w'’.]+(?:-[\w']+)*", re.UNICODE)
MAX_STEM_SUFFIX = 3


@dataclass(frozen=True)
class Entity:
    name: str
    kind: str
    forms: tuple[str, ...]
    stems: tuple[str, ...]


class Gazetteer:
    def __init__(self, entities: list[Entity]):
        self.entities = {e.name: e for e in entities}
        self._phrases: dict[str, list[tuple[tuple[str, ...], Entity]]] = {}
        self._stems: dict[str, list[tuple[str, Entity]]] = {}
        for entity in entities:
            for form in (entity.name.lower(), *entity.forms):
                words = tuple(w.lower().strip(".") for w in _TOKEN.findall(form)) or (form,)
                self._phrases.setdefault(words[0], []).append((words, entity))
            for stem in entity.stems:
                self._stems.setdefault(stem[:3], []).append((stem, entity))
        for options in self._phrases.values():
            options.sort(key=lambda item: -len(item[0]))

    @classmethod
    def load(cls, path: Path | None = None) -> "Gazetteer":
        text = path.read_text(encoding="utf-8") if path else resources.files(__package__).joinpath("gazetteer.toml").read_text(encoding="utf-8")
        data = tomllib.loads(text)
        return cls([Entity(e["name"], e["kind"], tuple(f.lower() for f in e.get("forms", [])),
                           tuple(s.lower() for s in e.get("stems", []))) for e in data.get("entity", [])])

    def _stem_match(self, word: str) -> Entity | None:
        for stem, entity in self._stems.get(word[:3], ()):
            suffix = word[len(stem):]
            if word.startswith(stem) and len(suffix) <= MAX_STEM_SUFFIX and (not suffix or suffix.isalpha()):
                return entity
        return None

    def lookup(self, word: str, lang: str | None = None) -> Entity | None:
        """The entity a single word names (surface form, lemma or stem), if any."""
        lower = word.lower().strip(".'’")
        for key in (lower, lemma(lower, lang)):
            for words, entity in self._phrases.get(key, ()):
                if len(words) == 1:
                    return entity
        return self._stem_match(lower)

    def find(self, text: str, lang: str | None = None) -> list[Mention]:
        """Every mention in ``text``, longest match first, no overlaps."""
        tokens = [(m.group().rstrip("."), m.start(), m.end() - (len(m.group()) - len(m.group().rstrip(".")))) for m in _TOKEN.finditer(text)]
        tokens = [t for t in tokens if t[0]]
        words = [t[0].lower().strip(".'’") for t in tokens]
        out: list[Mention] = []
        i = 0
        while i < len(tokens):
            found = None
            for phrase, entity in self._phrases.get(words[i], ()):
                if tuple(words[i:i + len(phrase)]) == phrase:
                    found = (len(phrase), entity)
                    break
            if found is None:
                entity = self.lookup(tokens[i][0], lang)
                if entity is None and "-" in tokens[i][0]:  # Øst-Ukraina, Krim-halvøya
                    parts = [p for p in tokens[i][0].split("-") if p]
                    entity = next((e for e in (self.lookup(p, lang) for p in parts) if e), None)
                if entity is not None:
                    found = (1, entity)
            if found and found[1].kind == "person" and not tokens[i][0][:1].isupper():
                found = None  # people are written with a capital: "tusk" is not Donald Tusk
            if found:
                n, entity = found
                start, end = tokens[i][1], tokens[i + n - 1][2]
                out.append(Mention(entity.name, entity.kind, start, end, text[start:end]))
                i += n
            else:
                i += 1
        return out

    def normalise(self, name: str, lang: str | None = None, kinds: tuple[str, ...] | None = None) -> str | None:
        """The canonical name for a written name ("Столтенберга" -> "Jens Stoltenberg")."""
        for mention in self.find(name, lang):
            if kinds is None or mention.kind in kinds:
                return mention.entity
        return None


@lru_cache(maxsize=1)
def default() -> Gazetteer:
    return Gazetteer.load()


def countries_discussed(mentions: list[Mention]) -> list[str]:
    """Countries and regions mentioned, most mentioned first (as EUvsDisinfo cases list them)."""
    counts: dict[str, int] = {}
    for m in mentions:
        if m.kind in ("country", "region"):
            counts[m.entity] = counts.get(m.entity, 0) + 1
    return sorted(counts, key=lambda name: (-counts[name], name))
