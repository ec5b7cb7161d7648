"""Scraper debris, as data: the lines the clean stage drops, per language.

A line is dropped only when it is debris as a whole:

read-also   a "read also" teaser with its link text        ``Les også: Russiske hackere ...``
ad          an advertisement marker and nothing else        ``ANNONSE``, ``Реклама.``
embed       a placeholder left where a video/clip was       ``Se klipp fra intervjuet her:``
chrome      share bars and cookie banners                   ``Del på Facebook``, ``We use cookies ...``

A sentence that merely contains such a word stays. Ad markers glued by a scraper to the start or
end of a real line (``date 2017-04 ANNONSE``) are cut off by :func:`glued_span`: only ALL-CAPS
markers, or a capitalised marker after the end of a sentence, so "annonse" inside a sentence is
never touched.

To support another language, add its phrases (lower case) under its code in the tables below.
Lines are compared case-insensitively after whitespace normalisation; surrounding punctuation
(``- Les også -``, ``» Read more``) is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# "Read also: <link text>" teasers; the phrase must be followed by a separator (: | » > – —)
# or end the line.
READ_ALSO: Mapping[str, list[str]] = {
    "nb": ["les også", "les mer", "les hele saken", "les flere saker", "se også", "relaterte saker",
           "relatert", "mer om saken", "anbefalt"],
    "nn": ["les òg", "les også", "les meir", "sjå også", "sjå òg", "relaterte saker"],
    "sv": ["läs också", "läs även", "läs mer", "se även", "relaterat", "relaterade artiklar"],
    "da": ["læs også", "læs mere", "se også", "relaterede artikler"],
    "en": ["read also", "also read", "read more", "see also", "related", "related articles",
           "related article", "related stories", "related content", "more on this story", "more on this",
           "recommended", "recommended for you", "you may also like", "you might also like"],
    "de": ["lesen sie auch", "lesen sie mehr", "lies auch", "mehr zum thema", "auch interessant",
           "das könnte sie auch interessieren", "weiterlesen", "siehe auch"],
    "fr": ["lire aussi", "à lire aussi", "a lire aussi", "à lire également", "voir aussi",
           "lire la suite", "sur le même sujet", "sur le même thème"],
    "ru": ["читайте также", "читайте далее", "читать также", "смотрите также", "по теме", "подробнее",
           "ещё по теме", "еще по теме", "по теме также"],
    "uk": ["читайте також", "читайте більше", "дивіться також", "за темою", "детальніше", "більше за темою"],
    "pl": ["czytaj też", "czytaj także", "czytaj więcej", "zobacz też", "zobacz także", "przeczytaj też",
           "przeczytaj także", "polecamy"],
}
# Teasers whose link text follows with no separator ("À lire aussi Le Kremlin dément ...").
READ_ALSO_BARE: Mapping[str, list[str]] = {
    "fr": ["à lire aussi", "a lire aussi", "lire aussi"],
}

# Advertisement markers: the line holds these and punctuation only.
AD_MARKERS: Mapping[str, list[str]] = {
    "nb": ["annonse", "annonser", "annonsørinnhold", "reklame", "sponset", "sponset innhold", "betalt innhold"],
    "nn": ["annonse", "annonsørinnhald", "reklame", "sponsa innhald"],
    "sv": ["annons", "annonser", "reklam", "sponsrat", "sponsrat innehåll"],
    "da": ["annonce", "reklame", "sponsoreret", "sponsoreret indhold"],
    "en": ["advertisement", "advertising", "ad", "ads", "sponsored", "sponsored content", "paid content",
           "partner content", "promoted", "paid post"],
    "de": ["anzeige", "werbung", "gesponsert", "sponsored post"],
    "fr": ["publicité", "publicite", "pub", "sponsorisé", "contenu sponsorisé"],
    "ru": ["реклама", "на правах рекламы", "партнерский материал", "партнёрский материал", "промо"],
    "uk": ["реклама", "на правах реклами", "партнерський матеріал", "промо"],
    "pl": ["reklama", "materiał sponsorowany", "artykuł sponsorowany", "materiał partnera"],
}
# Markers a scraper glues onto a real line, matched case-sensitively: ALL-CAPS anywhere at the
# start or end, or capitalised at the end after a finished sentence ("... sa han. Annonse").
GLUED_MARKERS: tuple[str, ...] = (
    "ANNONSE", "ANNONS", "ANNONCE", "REKLAME", "REKLAM", "SPONSET", "ADVERTISEMENT", "SPONSORED",
    "ANZEIGE", "WERBUNG", "PUBLICITÉ", "PUBLICITE", "РЕКЛАМА", "REKLAMA",
)

# Embed placeholders: a short line starting with one of these and ending with ":" (or ".", "↓"),
# or the phrase alone.
EMBED: Mapping[str, list[str]] = {
    "nb": ["se klipp", "se klippet", "se video", "se videoen", "se hele intervjuet", "se intervjuet",
           "se bildene", "se innslaget", "se opptak", "se sendingen", "video"],
    "nn": ["sjå klipp", "sjå video", "sjå videoen", "sjå intervjuet"],
    "sv": ["se klipp", "se klippet", "se videon", "titta på klippet", "titta på videon", "se inslaget"],
    "da": ["se klip", "se klippet", "se videoen", "se indslaget"],
    "en": ["watch the video", "watch video", "watch", "video", "watch the full interview", "watch the clip",
           "click here to watch", "watch below"],
    "de": ["sehen sie das video", "sehen sie hier das video", "video ansehen", "zum video", "video",
           "sehen sie hier"],
    "fr": ["regardez la vidéo", "voir la vidéo", "vidéo", "regarder la vidéo"],
    "ru": ["смотрите видео", "смотрите видеоматериал", "видео", "смотрите сюжет", "смотрите запись"],
    "uk": ["дивіться відео", "відео", "дивіться сюжет"],
    "pl": ["zobacz wideo", "zobacz film", "obejrzyj", "wideo", "zobacz nagranie"],
}
# "Se <anything> her:" and its kin: a short line that points at an embed.
EMBED_PATTERN_VERBS = ("se", "sjå", "titta på", "watch", "sehen sie", "regardez", "смотрите", "дивіться", "zobacz",
                       "obejrzyj")
EMBED_PATTERNS: tuple[str, ...] = (
    rf"(?:{'|'.join(EMBED_PATTERN_VERBS)})\b[^.!?]{{0,80}}"
    r"\b(?:her|här|here|below|hier|unten|ici|здесь|ниже|тут|нижче|tutaj|poniżej)\s*[:↓▼]?",
)

# Share bars and similar chrome: the line holds these (and separators) only.
CHROME: Mapping[str, list[str]] = {
    "nb": ["del", "del på facebook", "del på twitter", "del på x", "del på e-post", "del på linkedin",
           "del artikkelen", "del saken", "kopier lenke", "skriv ut", "tips oss", "del på messenger"],
    "nn": ["del på facebook", "del artikkelen", "del saka"],
    "sv": ["dela", "dela på facebook", "dela på twitter", "dela artikeln", "kopiera länk", "skriv ut"],
    "da": ["del", "del på facebook", "del artiklen", "kopier link"],
    "en": ["share", "share this", "share this article", "share this story", "share on facebook",
           "share on twitter", "share on x", "share on linkedin", "share via email", "email", "tweet",
           "print", "print this article", "copy link", "facebook", "twitter", "linkedin", "whatsapp"],
    "de": ["teilen", "artikel teilen", "auf facebook teilen", "auf twitter teilen", "drucken", "link kopieren"],
    "fr": ["partager", "partager sur facebook", "partager sur twitter", "imprimer", "copier le lien"],
    "ru": ["поделиться", "поделиться в соцсетях", "скопировать ссылку", "распечатать"],
    "uk": ["поділитися", "поділитись", "скопіювати посилання"],
    "pl": ["udostępnij", "udostępnij na facebooku", "skopiuj link", "drukuj"],
}
# Cookie banners and consent text: the line starts with one of these.
CHROME_PREFIXES: Mapping[str, list[str]] = {
    "nb": ["vi bruker informasjonskapsler", "vi bruker cookies", "denne nettsiden bruker", "dette nettstedet bruker"],
    "nn": ["vi nyttar informasjonskapslar", "vi bruker informasjonskapslar"],
    "sv": ["vi använder cookies", "vi använder kakor", "den här webbplatsen använder"],
    "da": ["vi bruger cookies", "denne hjemmeside bruger cookies"],
    "en": ["we use cookies", "this website uses cookies", "this site uses cookies", "by continuing to use this site"],
    "de": ["wir verwenden cookies", "wir nutzen cookies", "diese website verwendet cookies",
           "diese webseite verwendet cookies"],
    "fr": ["nous utilisons des cookies", "ce site utilise des cookies"],
    "ru": ["мы используем файлы cookie", "мы используем cookie", "этот сайт использует cookie",
           "этот сайт использует файлы cookie"],
    "uk": ["ми використовуємо файли cookie", "ми використовуємо cookie", "цей сайт використовує"],
    "pl": ["używamy plików cookie", "ta strona używa plików cookie", "ta strona korzysta z plików cookie"],
}

MAX_DEBRIS_CHARS = 400  # a longer line is text, whatever it starts with
MAX_READ_ALSO_WORDS = 40
MAX_EMBED_WORDS = 12
MAX_EMBED_BARE_WORDS = 4  # "Se video" with no colon
MAX_AD_CHARS = 80

_EDGE = "-–—:;.,!?·•*|/\\»«›‹<>\"'“”„()[]#→↓▼►▶ "  # punctuation around a marker
_SEPARATOR = r"[:：|»>›→–—-]"


def _phrases(table: Mapping[str, Iterable[str]]) -> str:
    """A regex alternation of every phrase in ``table``, longest first."""
    phrases = {p for values in table.values() for p in values}
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))


_LEAD = r"[\s\-–—:;.·•*|»›>▶►#]*"
_READ_ALSO_RE = re.compile(rf"{_LEAD}(?:{_phrases(READ_ALSO)})\s*(?:{_SEPARATOR}|$)", re.I)
_READ_ALSO_BARE_RE = re.compile(rf"{_LEAD}(?:{_phrases(READ_ALSO_BARE)})\s+\w", re.I)
_AD_RE = re.compile(rf"(?:{_phrases(AD_MARKERS)})(?!\w)", re.I)
_EMBED_RE = re.compile(rf"{_LEAD}(?:{_phrases(EMBED)})(?!\w)", re.I)
_EMBED_PATTERN_RE = re.compile(rf"{_LEAD}(?:{'|'.join(EMBED_PATTERNS)})$", re.I)
_CHROME_RE = re.compile(rf"(?:{_phrases(CHROME)})(?!\w)", re.I)
_CHROME_PREFIX_RE = re.compile(rf"{_LEAD}(?:{_phrases(CHROME_PREFIXES)})(?!\w)", re.I)
_FIRST_WORD = re.compile(rf"{_LEAD}(\w+)")
_FIRST_WORDS = frozenset(  # every kind of debris starts with one of these words
    phrase.split()[0]
    for table in (READ_ALSO, READ_ALSO_BARE, AD_MARKERS, EMBED, CHROME, CHROME_PREFIXES)
    for phrases in table.values() for phrase in phrases
) | {verb.split()[0] for verb in EMBED_PATTERN_VERBS}
_GLUED = frozenset(GLUED_MARKERS)
_GLUED_TITLE = frozenset(m.capitalize() for m in GLUED_MARKERS)
_SENTENCE_END = tuple(".!?»\"”)")


def _only(pattern: re.Pattern[str], line: str) -> bool:
    """True when ``line`` is nothing but phrases of ``pattern`` and punctuation between them.
    Greedy, no backtracking: linear in the line."""
    pos, end, found = 0, len(line), False
    while True:
        while pos < end and line[pos] in _EDGE:
            pos += 1
        if pos == end:
            return found
        match = pattern.match(line, pos)
        if not match:
            return False
        pos, found = match.end(), True


def is_debris(line: str) -> str | None:
    """The kind of debris ``line`` is (``read-also``, ``ad``, ``embed``, ``chrome``), or None to
    keep it. ``line`` must be whitespace-normalised (single spaces, stripped)."""
    if not line or len(line) > MAX_DEBRIS_CHARS:
        return None
    first = _FIRST_WORD.match(line)
    if not first or first.group(1).lower() not in _FIRST_WORDS:
        return None
    words = line.count(" ") + 1
    if words <= MAX_READ_ALSO_WORDS and (_READ_ALSO_RE.match(line) or _READ_ALSO_BARE_RE.match(line)):
        return "read-also"
    if len(line) <= MAX_AD_CHARS and _only(_AD_RE, line):
        return "ad"
    if words <= MAX_EMBED_WORDS and _is_embed(line, words):
        return "embed"
    if _only(_CHROME_RE, line) or (words <= 80 and _CHROME_PREFIX_RE.match(line)):
        return "chrome"
    return None


def _is_embed(line: str, words: int) -> bool:
    if _EMBED_PATTERN_RE.match(line):
        return True
    match = _EMBED_RE.match(line)
    if not match:
        return False
    rest = line[match.end():].strip(_EDGE)
    return not rest or line.rstrip().endswith((":", "：", "↓", "▼")) or (
        words <= MAX_EMBED_BARE_WORDS and line.endswith("."))


def glued_span(line: str) -> tuple[int, int]:
    """``(start, end)`` of ``line`` once ad markers glued to its start or end are cut off
    (``(0, len(line))`` when there are none). ``line`` must be whitespace-normalised. A marker is
    cut only when the rest is not itself ALL-CAPS (where the word may belong to a heading)."""
    start, end = 0, len(line)
    while True:
        space = line.find(" ", start, end)
        if space < 0:
            return start, end
        if line[start:space].strip(_EDGE) in _GLUED and not line[space + 1:end].isupper():
            start = space + 1
            continue
        space = line.rfind(" ", start, end)
        token, rest = line[space + 1:end].strip(_EDGE), line[start:space]
        if (token in _GLUED and not rest.isupper()) or (token in _GLUED_TITLE and rest.endswith(_SENTENCE_END)):
            end = space
            continue
        return start, end
