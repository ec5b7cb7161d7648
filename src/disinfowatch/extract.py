"""Extract: quotes with their speakers, claims with their sources, and what a text is about.

Rules on sentences and paragraphs, multilingual (nb/nn, sv, da, en, de, fr, ru, uk, pl), pure
functions. The principle: a speaker is named only when the text names it. A pronoun ("han",
"he", "он") becomes the last named person if that is unambiguous; otherwise the speaker is None.
"""

from __future__ import annotations

import re
from dataclasses import replace

from . import gazetteer as gz
from .records import Claim, Mention, Quote, Sentence

# Reporting verbs, by language group (lower case; matched as whole words).
VERBS = [
    # nb / nn / da / sv
    "sier", "sa", "sa til", "seier", "sagde", "siger", "säger", "sade", "uttalte", "uttaler", "forteller", "fortalte",
    "påpeker", "påpekte", "understreker", "understreket", "skriver", "skrev", "legger til", "la til", "mener",
    "hevder", "hevdet", "advarer", "advarte", "berättar", "berättade", "skriver", "tilføjer",
    # en
    "said", "says", "told", "added", "stated", "states", "claimed", "claims", "warned", "explained", "wrote", "insisted",
    "noted", "argued", "declared", "announced", "replied", "asked",
    # de
    "sagte", "sagt", "erklärte", "erklärt", "betonte", "betont", "meinte", "meint", "schreibt", "schrieb", "fügte hinzu",
    "warnte", "behauptete", "behauptet",
    # fr
    "a déclaré", "a dit", "dit", "déclare", "affirme", "a affirmé", "a ajouté", "ajoute", "explique", "a expliqué",
    "estime", "a estimé", "a souligné", "souligne",
    # ru
    "сказал", "сказала", "сказали", "заявил", "заявила", "заявили", "отметил", "отметила", "подчеркнул", "подчеркнула",
    "сообщил", "сообщила", "добавил", "добавила", "говорит", "пишет", "написал", "написала", "утверждает", "считает",
    "уточнил", "пояснил", "признал",
    # uk
    "сказав", "сказала", "заявив", "заявила", "заявили", "зазначив", "зазначила", "наголосив", "наголосила", "повідомив",
    "повідомила", "додав", "додала", "каже", "пише", "стверджує", "вважає", "пояснив",
    # pl
    "powiedział", "powiedziała", "stwierdził", "stwierdziła", "dodał", "dodała", "podkreślił", "podkreśliła", "mówi",
    "oświadczył", "oświadczyła", "napisał", "napisała", "twierdzi", "uważa", "zaznaczył",
]
PRONOUNS = {"han", "hun", "ho", "hon", "he", "she", "он", "она", "він", "вона", "er", "sie", "il", "elle", "on", "ona", "hen"}
# Role nouns that may stand as a speaker (lower case, as they appear after a reporting verb).
ROLES = [
    "generalsekretæren", "statsministeren", "ministeren", "utenriksministeren", "forsvarsministeren", "presidenten",
    "talspersonen", "journalisten", "ordføreren", "the minister", "the president", "the spokesman", "the spokeswoman",
    "the secretary general", "a spokesperson", "der minister", "der sprecher", "die sprecherin", "der präsident",
    "генсек", "генсекретарь", "министр", "президент", "представитель", "пресс-секретарь", "журналист",
    "генсек нато", "міністр", "президент", "речник", "генсекретар", "minister", "rzecznik", "prezydent",
]

_U = "A-ZÆØÅÄÖÜÉÈÀÇÑŁŚŻŹĆŃÓĘĄА-ЯЁІЇЄҐ"
_NAME = rf"[{_U}][\w'’\-]+(?:\s+(?:[{_U}][\w'’\-]+|\d+))" + "{0,3}"
# Names are matched case-sensitively (a capital letter starts them); verbs, roles and pronouns
# case-insensitively, through the scoped (?i:...) groups.
_VERB = "(?i:" + "|".join(re.escape(v) for v in sorted(set(VERBS), key=len, reverse=True)) + ")"
_ROLE = "(?i:" + "|".join(re.escape(r) for r in sorted(set(ROLES), key=len, reverse=True)) + ")"
_PRON = "(?i:" + "|".join(sorted(PRONOUNS, key=len, reverse=True)) + ")"
_SPEAKER = rf"(?P<speaker>{_NAME}|(?:{_ROLE})\b(?:\s+{_NAME})?|(?:{_PRON})\b)"

# "..., sier Stoltenberg i intervjuet." / "..., — заявил Столтенберг." / "«...», sa han."
_POST_VERB_SPEAKER = re.compile(rf"^\s*[,.!?…]?\s*(?:[-–—]\s*)?(?P<verb>{_VERB})\s+{_SPEAKER}")
# '..." Stoltenberg said.' / '...", he said.'
_POST_SPEAKER_VERB = re.compile(rf"^\s*[,.!?…]?\s*{_SPEAKER}\s+(?P<verb>{_VERB})\b")
# 'Stoltenberg said: "...' / 'Путин заявил: «...' / 'sagte Stoltenberg: „...'
_PRE = re.compile(rf"(?:{_SPEAKER}\s+(?P<verb>{_VERB})|(?P<verb2>{_VERB})\s+(?P<speaker2>{_NAME}))\s*[,:]?\s*[-–—]?\s*$")

_DASH_START = re.compile(r"^\s*[-–—]\s+(?=\S)")
_DASH_ATTRIBUTION = re.compile(rf"(?P<end>[,.!?…])\s*(?:[-–—]\s*)?(?P<verb>{_VERB})\s+{_SPEAKER}(?P<rest>[^.!?\n]*)")

QUOTE_MARKS = [("«", "»", "guillemets"), ("“", "”", "curly"), ("„", "“", "low-high"), ("„", "”", "low-high"),
               ('"', '"', "straight"), ("‹", "›", "angle"), ("‘", "’", "single")]
MIN_UNATTRIBUTED_WORDS = 6  # a quoted phrase without attribution this short is a title or scare quote

# Reported claims without a named source: the marker, then the claim.
REPORTED = [
    "blir det hevdet at", "det hevdes at", "hevdes det at", "det blir påstått at", "påstås det at", "blir det påstått at",
    "det påstås att", "hävdas det att", "det hävdas att", "det hævdes at", "hævdes det at",
    "it is claimed that", "it was claimed that", "it is alleged that", "it was alleged that", "it is said that",
    "it was reported that", "claims that", "es wird behauptet, dass", "wird behauptet, dass", "es heißt, dass",
    "on affirme que", "il est affirmé que", "on prétend que", "утверждается, что", "говорится, что", "заявляется, что",
    "сообщается, что", "утверждалось, что", "стверджується, що", "йдеться про те, що", "повідомляється, що",
    "twierdzi się, że", "twierdzono, że", "podaje się, że",
]
_REPORTED = re.compile("|".join(re.escape(m) for m in sorted(REPORTED, key=len, reverse=True)), re.I)

# Indirect speech: SPEAKER VERB-PHRASE that/at/dass/что CLAUSE.
INDIRECT_VERBS = [
    "gjorde det klart", "gjør det klart", "sier", "sa", "mener", "hevder", "hevdet", "påpeker", "påpekte", "understreker",
    "understreket", "uttalte", "uttaler", "forteller", "fortalte", "har uttalt", "har sagt", "säger", "sade", "hävdar",
    "menar", "siger", "sagde", "said", "says", "claims", "claimed", "stated", "argued", "insisted", "made it clear",
    "warned", "believes", "sagte", "erklärte", "behauptete", "betonte", "meint", "sagt", "a déclaré", "affirme",
    "a affirmé", "a dit", "estime", "заявил", "заявила", "сказал", "сказала", "утверждает", "отметил", "отметила",
    "подчеркнул", "считает", "заявив", "заявила", "сказав", "стверджує", "зазначив", "наголосив", "вважає",
    "powiedział", "powiedziała", "stwierdził", "stwierdziła", "twierdzi", "podkreślił", "uważa",
]
_CONJ = r"(?:,\s*)?(?:at|att|that|dass|que|что|що|że)\b"
_INDIRECT = re.compile(
    rf"(?:^|[\s(])(?P<speaker>{_NAME}|{_PRON})\s+(?i:(?:har|hat|has|had|hadde|har\s+tidligere)\s+)?"
    rf"(?P<verb>(?i:{'|'.join(re.escape(v) for v in sorted(set(INDIRECT_VERBS), key=len, reverse=True))}))\s*(?i:{_CONJ})\s*")
ACCORDING = ["ifølge", "i følge", "enligt", "ifølge", "according to", "laut", "zufolge", "selon", "по словам", "по данным",
             "как сообщает", "как заявил", "за словами", "за даними", "як повідомляє", "według", "zdaniem"]
_ACCORDING = re.compile(rf"(?:^|[\s(])(?P<marker>(?i:{'|'.join(re.escape(a) for a in sorted(set(ACCORDING), key=len, reverse=True))}))\s+(?P<source>{_NAME}|[A-ZА-Я]{{2,}}(?:\s+\d+)?)\s*,\s*")
# A trailing reporting clause to cut from a claim: ", skriver TV 2 som først omtalte saken."
_TRAILING = re.compile(rf"\s*,\s*(?:{_VERB}|melder|meldet|skriver|writes|reports|berichtet|пишет|сообщает|пише|повідомляє|pisze)\s+[^,]*$", re.I)


def _norm_speaker(raw: str | None, gaz: gz.Gazetteer, lang: str | None) -> str | None:
    if not raw:
        return None
    return gaz.normalise(raw, lang, ("person", "outlet", "institution")) or raw.strip()


def _last_person(text: str, before: int, gaz: gz.Gazetteer, lang: str | None, window: int = 600) -> str | None:
    """The person named most recently before ``before`` if only one person is named in the window."""
    start = max(0, before - window)
    persons = [m.entity for m in gaz.find(text[start:before], lang) if m.kind == "person"]
    return persons[-1] if persons and len(set(persons[-3:])) == 1 else None


def _resolve(speaker_text: str | None, text: str, at: int, gaz, lang) -> str | None:
    if speaker_text is None:
        return None
    if speaker_text.lower() in PRONOUNS:
        return _last_person(text, at, gaz, lang)
    return _norm_speaker(speaker_text, gaz, lang)


def _trim_speaker(raw: str) -> str:
    """Drop trailing lower-case words a greedy name match took ("Stoltenberg i" -> "Stoltenberg")."""
    words = raw.split()
    while len(words) > 1 and not words[-1][:1].isupper():
        words.pop()
    return " ".join(words)


def _dash_quotes(text: str, paragraphs, gaz, lang) -> list[Quote]:
    out = []
    for start, end in paragraphs:
        para = text[start:end]
        m = _DASH_START.match(para)
        if not m:
            continue
        body_start = m.end()
        att = _DASH_ATTRIBUTION.search(para, body_start)
        if att:
            q_end = att.start("end") + (1 if att.group("end") in "!?…" else 0)
            speaker_text = _trim_speaker(att.group("speaker"))
            attribution = (att.group("verb") + " " + att.group("speaker") + att.group("rest")).strip()
            verb = att.group("verb")
        else:
            q_end, speaker_text, attribution, verb = len(para.rstrip()), None, None, None
        quoted = para[body_start:q_end].strip()
        if not quoted:
            continue
        q_start = start + body_start
        speaker = _resolve(speaker_text, text, q_start, gaz, lang)
        out.append(Quote(quoted, q_start, q_start + len(quoted), speaker, speaker_text, verb, attribution, "dash"))
    return out


def _mark_spans(text: str):
    """Quoted spans (open index, close index, form), outermost, non-overlapping, in order."""
    spans = []
    for open_, close, form in QUOTE_MARKS:
        i = 0
        while True:
            a = text.find(open_, i)
            if a < 0:
                break
            b = text.find(close, a + 1)
            if b < 0:
                break
            if form == "single" and (a > 0 and text[a - 1].isalnum()):
                i = a + 1  # an apostrophe, not a quote
                continue
            if "\n\n" not in text[a:b] and b - a > 1:
                spans.append((a, b, form))
            i = b + 1
    spans.sort()
    kept = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    return kept


def _mark_quotes(text: str, gaz, lang) -> list[Quote]:
    out: list[Quote] = []
    spans = _mark_spans(text)
    for k, (a, b, form) in enumerate(spans):
        inner = text[a + 1:b].strip().rstrip(",")
        after = text[b + 1:b + 160].split("\n", 1)[0]
        before = text[max(0, a - 160):a].rsplit("\n", 1)[-1]
        speaker_text = verb = attribution = None
        post = _POST_VERB_SPEAKER.match(after) or _POST_SPEAKER_VERB.match(after)
        if post:
            speaker_text, verb = _trim_speaker(post.group("speaker")), post.group("verb")
            attribution = after[:post.end()].strip(" ,.—–-")
        else:
            pre = _PRE.search(before)
            if pre:
                speaker_text = _trim_speaker(pre.group("speaker") or pre.group("speaker2"))
                verb = pre.group("verb") or pre.group("verb2")
                attribution = before[pre.start():].strip(" ,:—–-")
        # "First part," he said, "second part." -> one quote
        if out and speaker_text and out[-1].speaker_text and out[-1].end + 1 >= a - 60 and speaker_text == out[-1].speaker_text \
                and out[-1].form == form and not text[out[-1].end:a].strip(" ,.—–-\"«»“”„").count(" ") > 4:
            prev = out.pop()
            out.append(replace(prev, text=prev.text + " " + inner, end=b))
            continue
        # the continuation of an interrupted quote inherits the speaker
        if speaker_text is None and out and out[-1].speaker and 0 <= a - out[-1].end <= 60 and out[-1].form == form:
            prev = out.pop()
            out.append(replace(prev, text=prev.text + " " + inner, end=b))
            continue
        if speaker_text is None and len(inner.split()) < MIN_UNATTRIBUTED_WORDS:
            continue
        speaker = _resolve(speaker_text, text, a, gaz, lang)
        out.append(Quote(inner, a + 1, b, speaker, speaker_text, verb, attribution, form))
    return out


def quotes(text: str, paragraphs: list[tuple[int, int]], lang: str | None, gaz: gz.Gazetteer | None = None) -> list[Quote]:
    """Every quote in ``text``: dash quotes by paragraph, then quotation marks."""
    gaz = gaz or gz.default()
    dash = _dash_quotes(text, paragraphs, gaz, lang)
    covered = [(q.start, q.end) for q in dash]
    marks = [q for q in _mark_quotes(text, gaz, lang) if not any(s <= q.start < e for s, e in covered)]
    return sorted(dash + marks, key=lambda q: q.start)


def _clause(sentence: str, start: int) -> tuple[int, int]:
    """The claim's span inside ``sentence`` from ``start``: to the end, without a trailing
    reporting clause or final punctuation."""
    while start < len(sentence) and sentence[start].isspace():
        start += 1
    end = len(sentence.rstrip())
    trailing = _TRAILING.search(sentence, start)
    if trailing:
        end = trailing.start()
    while end > start and sentence[end - 1] in ".!?…;: ":
        end -= 1
    return start, end


def _attribute_in(prefix: str, gaz, lang) -> tuple[str | None, str]:
    """The last outlet, institution or person named before a reported-claim marker."""
    mentions = [m for m in gaz.find(prefix, lang) if m.kind in ("outlet", "institution", "person")]
    for kind in ("outlet", "person", "institution"):
        hits = [m for m in mentions if m.kind == kind]
        if hits:
            return hits[-1].entity, kind
    return None, "unknown"


def _kind_of(name: str | None, gaz) -> str:
    entity = gaz.entities.get(name or "")
    if entity is None:
        return "person" if name else "unknown"
    return entity.kind if entity.kind in ("person", "outlet", "institution") else "institution"


def claims(text: str, sentences: tuple[Sentence, ...], lang: str | None, quoted: list[Quote] | None = None,
           gaz: gz.Gazetteer | None = None) -> list[Claim]:
    """Reported claims, indirect speech and according-to claims, sentence by sentence."""
    gaz = gaz or gz.default()
    inside_quote = [(q.start, q.end) for q in (quoted or [])]
    out: list[Claim] = []
    for s in sentences:
        if any(a <= s.start and s.end <= b + 2 for a, b in inside_quote):
            continue  # direct speech is a quote, not a claim
        slang = s.language or lang
        sent = s.text
        m = _REPORTED.search(sent)
        if m:
            a, b = _clause(sent, m.end())
            if b - a >= 10:
                who, kind = _attribute_in(sent[:m.start()], gaz, slang)
                out.append(Claim(sent[a:b], s.start + a, s.start + b, who, kind, m.group(), "reported"))
                continue
        m = _INDIRECT.search(sent)
        if m:
            a, b = _clause(sent, m.end())
            if b - a >= 10:
                speaker_text = _trim_speaker(m.group("speaker"))
                who = _resolve(speaker_text, text, s.start + m.start(), gaz, slang)
                out.append(Claim(sent[a:b], s.start + a, s.start + b, who, _kind_of(who, gaz) if who else "unknown",
                                 sent[m.start("speaker"):m.end()].strip(), "indirect"))
                continue
        m = _ACCORDING.search(sent)
        if m:
            a, b = _clause(sent, m.end())
            if b - a >= 10:
                who = _norm_speaker(_trim_speaker(m.group("source")), gaz, slang)
                out.append(Claim(sent[a:b], s.start + a, s.start + b, who, _kind_of(who, gaz),
                                 sent[m.start("marker"):m.end()].strip(" ,"), "according-to"))
    return out


def mentions(text: str, lang: str | None, gaz: gz.Gazetteer | None = None) -> list[Mention]:
    return (gaz or gz.default()).find(text, lang)
