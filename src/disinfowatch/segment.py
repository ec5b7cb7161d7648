"""Segment: sentences with their spans and their own language, and lemmas.

razdel splits sentences well in Russian, Norwegian and most European languages but not across
blank lines, so each paragraph is split on its own; a few abbreviations razdel does not know
(Norwegian "kl.", "ca.", "bl.a.", Russian "г.", "ул.") are re-joined. Pure functions.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .records import Paragraph, Sentence

# Abbreviations after which razdel may wrongly end a sentence (lower case, with the dot).
ABBREVIATIONS = {
    "kl.", "ca.", "bl.a.", "m.fl.", "dvs.", "f.eks.", "nr.", "jf.", "mht.", "evt.", "ev.", "pga.", "iht.", "tlf.",
    "st.", "dr.", "prof.", "mr.", "mrs.", "ms.", "gen.", "sen.", "rep.", "no.", "vs.", "etc.", "e.g.", "i.e.",
    "z.b.", "bzw.", "ca.", "nr.", "bzw.", "u.a.", "s.", "vgl.", "mme.", "m.", "ul.", "г.", "гг.", "т.е.", "т.д.",
    "т.п.", "им.", "ул.", "пр.", "тыс.", "млн.", "млрд.", "руб.", "ст.", "вул.", "р.", "тис.", "np.", "tzw.", "ok.",
    "godz.", "tj.", "ds.", "św.", "gen.", "płk.",
}
_LAST_WORD = re.compile(r"(\S+)$")
_MIN_LANGUAGE_CHARS = 40  # shorter sentences take the paragraph's language


@lru_cache(maxsize=1)
def _razdel():
    from razdel import sentenize

    return sentenize


def _split(text: str) -> list[tuple[int, int]]:
    spans = [(s.start, s.stop) for s in _razdel()(text)]
    merged: list[tuple[int, int]] = []
    for start, stop in spans:
        if merged:
            last = _LAST_WORD.search(text[merged[-1][0]:merged[-1][1]])
            if last and last.group(1).lower() in ABBREVIATIONS:
                merged[-1] = (merged[-1][0], stop)
                continue
        merged.append((start, stop))
    return merged


def sentences(text: str, paragraphs: tuple[Paragraph, ...], document_language: str | None,
              languages: tuple[str, ...] | None = None) -> tuple[Sentence, ...]:
    """Sentences of ``text`` paragraph by paragraph. A sentence long enough to tell gets its own
    language (quotes are often in another language than the article); others inherit."""
    from . import language

    out: list[Sentence] = []
    paras = paragraphs or (Paragraph(0, len(text), document_language, 0.0),)
    for p_index, para in enumerate(paras):
        chunk = text[para.start:para.end]
        for start, stop in _split(chunk):
            sentence = chunk[start:stop]
            lang, score = para.language or document_language, para.language_score
            if languages and len(sentence) >= _MIN_LANGUAGE_CHARS:
                found, found_score = language.detect(sentence, languages)
                if found and found != lang and found_score >= 0.8:
                    lang, score = found, found_score
            out.append(Sentence(len(out), para.start + start, para.start + stop, sentence, lang, round(score, 4), p_index))
    return tuple(out)


@lru_cache(maxsize=200_000)
def lemma(word: str, lang: str | None) -> str:
    """simplemma's lemma of ``word`` in ``lang`` (lower case); the word itself when unknown.
    The first call per language loads its dictionary (a second or two)."""
    import simplemma

    lower = word.lower()
    if not lang:
        return lower
    try:
        return simplemma.lemmatize(lower, lang=lang).lower()
    except ValueError:  # a language simplemma does not have
        return lower
