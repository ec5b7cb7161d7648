"""Language identification, per document and per paragraph.

lingua-language-detector, restricted to the configured languages, decides among the languages a
team monitors; py3langid (97 languages) names the language when lingua is unsure, so text in an
unmonitored language is labelled rather than forced into the closest monitored one.
Models load on first use and are cached per language set.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from .errors import ConfigError
from .records import Paragraph

# lingua's ISO 639-1 names that differ from the code in upper case: none today, but keep one place.
_MIN_CHARS = 12  # below this nothing is reliable
_LINGUA_SURE = 0.5  # confidence at or above which lingua's answer stands
_FALLBACK_SURE = 0.9  # py3langid probability needed to overrule lingua with an unmonitored language
_LETTERS = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()


def _lingua_language(code: str):
    from lingua import IsoCode639_1, Language

    iso = getattr(IsoCode639_1, code.upper(), None)
    if iso is None:
        return None
    return Language.from_iso_code_639_1(iso)


def check_languages(codes: tuple[str, ...]) -> None:
    """Raise ConfigError unless every code is an ISO 639-1 code lingua knows."""
    unknown = [c for c in codes if _lingua_language(c) is None]
    if unknown:
        from lingua import Language

        known = sorted(lang.iso_code_639_1.name.lower() for lang in Language.all())
        raise ConfigError("languages", f"unknown language code(s) {unknown}; known: {', '.join(known)}")
    if len(codes) < 2:
        raise ConfigError("languages", "name at least two languages")


@lru_cache(maxsize=4)
def _detector(codes: tuple[str, ...]):
    from lingua import LanguageDetectorBuilder

    with _lock:
        languages = [_lingua_language(c) for c in codes]
        return LanguageDetectorBuilder.from_languages(*languages).build()


@lru_cache(maxsize=1)
def _fallback():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _enough(text: str) -> bool:
    return len(_LETTERS.findall(text[:400])) >= _MIN_CHARS


def _decide(text: str, values, languages: tuple[str, ...]) -> tuple[str | None, float]:
    """lingua's best guess if it is sure; else py3langid's, if that names an unmonitored language."""
    code, score = None, 0.0
    if values:
        code, score = values[0].language.iso_code_639_1.name.lower(), float(values[0].value)
        if score >= _LINGUA_SURE:
            return code, score
    other, probability = _fallback().classify(text)
    other = "nb" if other == "no" else other
    if other not in languages and probability >= _FALLBACK_SURE:
        return other, float(probability)
    return code, score


def detect(text: str, languages: tuple[str, ...]) -> tuple[str | None, float]:
    """Return (ISO 639-1 code, confidence in [0, 1]) for ``text``, or (None, 0.0) if unsure."""
    sample = text[:4000]
    if not _enough(sample):
        return None, 0.0
    return _decide(sample, _detector(tuple(languages)).compute_language_confidence_values(sample), languages)


def paragraphs(text: str, languages: tuple[str, ...]) -> tuple[Paragraph, ...]:
    """Split on blank lines and detect each paragraph's language (in one parallel call);
    spans index into ``text``."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text)]
    samples = [text[a:min(b, a + 2000)] for a, b in spans]
    todo = [i for i, sample in enumerate(samples) if _enough(sample)]
    results: dict[int, tuple[str | None, float]] = {}
    if todo:
        values = _detector(tuple(languages)).compute_language_confidence_values_in_parallel([samples[i] for i in todo])
        for i, vals in zip(todo, values):
            results[i] = _decide(samples[i], vals, languages)
    return tuple(Paragraph(a, b, *(lambda r: (r[0], round(r[1], 4)))(results.get(i, (None, 0.0))))
                 for i, (a, b) in enumerate(spans))


def document_language(text: str, paras: tuple[Paragraph, ...], languages: tuple[str, ...]) -> tuple[str | None, float]:
    """The document's language: the one with most characters (weighted by confidence) among its
    paragraphs; its score is that share. Texts with no confident paragraph are detected whole."""
    weight: dict[str, float] = {}
    for p in paras:
        if p.language:
            weight[p.language] = weight.get(p.language, 0.0) + (p.end - p.start) * p.language_score
    if not weight:
        code, score = detect(text, languages)
        return code, round(score, 4)
    best = max(weight, key=weight.get)
    return best, round(weight[best] / sum(weight.values()), 4)
