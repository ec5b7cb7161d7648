"""The records that flow between stages. Plain frozen dataclasses: no database, no I/O.

Source      a monitored feed, site, sitemap or URL, with its outlet name, language and label
Page        bytes as they were fetched or read, with their headers and sha256
Document    cleaned text and metadata of one article, ready to store
Rejection   an item a stage refused, with the stage and the reason
PrimarySource, Passage   what a person really said: a transcript, speech or communiqué, in turns
Verification  a quote or claim set against the passage it renders (or should render)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Source:
    """Something monitored: a feed, OPML list, sitemap, single URL or local path."""

    name: str
    url: str
    kind: str = "feed"  # feed | opml | sitemap | url | file
    language: str | None = None
    label: str | None = None  # e.g. "state media" (a description of where, never a verdict)
    outlet: str | None = None
    active: bool = True
    interval_minutes: int = 60


@dataclass(frozen=True)
class Page:
    """Raw bytes of one item, fetched from the web or read from a file or archive."""

    url: str  # where it came from: http(s) URL or file:// URL
    content: bytes
    content_type: str = ""
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    final_url: str | None = None
    fetched_at: datetime = field(default_factory=utcnow)
    source: str | None = None  # Source.name
    # Metadata known before cleaning (from a feed entry, a JSONL/CSV row or a WARC record).
    meta: tuple[tuple[str, str], ...] = ()

    @property
    def sha256(self) -> str:
        return sha256_hex(self.content)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def meta_value(self, name: str) -> str | None:
        for key, value in self.meta:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a cleaned document with its detected language."""

    start: int
    end: int
    language: str | None
    language_score: float


@dataclass(frozen=True)
class Document:
    """One cleaned article."""

    url: str
    text: str
    content_hash: str  # sha256 of the normalised text: the identity used for dedup and resume
    raw_sha256: str  # sha256 of the Page bytes it came from (the archived evidence)
    title: str | None = None
    author: str | None = None
    published: str | None = None  # ISO 8601, possibly partial: "2017", "2017-04", "2017-04-24", ...
    canonical_url: str | None = None
    site_name: str | None = None
    source: str | None = None
    language: str | None = None
    language_score: float = 0.0
    paragraphs: tuple[Paragraph, ...] = ()
    # Runs (clean_start, original_start, length) mapping cleaned text back to the original text.
    offsets: tuple[tuple[int, int, int], ...] = ()
    fetched_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Rejection:
    """An item a stage could not use, kept with the reason so nothing disappears silently."""

    item: str  # URL, path, "path:line" or similar
    stage: str
    reason: str
    detail: str = ""
    source: str | None = None
    at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document: its span in ``Document.text`` and its own language."""

    index: int
    start: int
    end: int
    text: str
    language: str | None
    language_score: float = 0.0
    paragraph: int = 0


@dataclass(frozen=True)
class Quote:
    """Direct speech: the quoted words, who said them (normalised name when known) and how."""

    text: str
    start: int  # span of the quoted words in Document.text
    end: int
    speaker: str | None  # normalised ("Jens Stoltenberg") or as written; None when unknown
    speaker_text: str | None  # as written in the attribution ("Stoltenberg", "han")
    verb: str | None  # reporting verb as written ("sier", "заявил")
    attribution: str | None  # the attribution clause ("sier Stoltenberg i intervjuet")
    form: str  # dash | guillemets | curly | low-high | straight | single | angle


@dataclass(frozen=True)
class Claim:
    """A claim attributed to a source: indirect speech, a reported claim, or an outlet's claim."""

    text: str
    start: int
    end: int
    attributed_to: str | None  # normalised person, outlet or institution; None when unknown
    attributed_kind: str  # person | outlet | institution | unknown
    attribution: str  # the text that attributes it ("blir det hevdet at", "gjorde det klart at")
    kind: str  # indirect | reported | according-to
    checkworthiness: float = 0.0


@dataclass(frozen=True)
class Mention:
    """A gazetteer entity found in a document (country, region, institution, outlet, person)."""

    entity: str  # canonical name
    kind: str
    start: int
    end: int
    surface: str


@dataclass(frozen=True)
class Analysis:
    """Everything the analysis stages found in one document."""

    document_id: int
    sentences: tuple[Sentence, ...]
    quotes: tuple[Quote, ...]
    claims: tuple[Claim, ...]
    mentions: tuple[Mention, ...]
    countries: tuple[str, ...]  # countries and regions discussed, most mentioned first
    checkworthiness: tuple[float, ...] = ()  # one score per sentence, in order
    version: str = ""


@dataclass(frozen=True)
class Alert:
    """A claim, quote or sentence matched to a narrative or known case (or, later, a primary
    source), with the evidence that made the call. ``level`` is "suggest" (for the review queue)
    or "confirm" (linked automatically); an analyst's decision is kept in the store."""

    kind: str  # narrative | case | divergent | not_found
    item_kind: str  # claim | quote | sentence
    item_id: int
    document_id: int
    target: str  # narrative id, case key, passage id
    score: float  # calibrated probability of a match
    level: str  # suggest | confirm
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Passage:
    """One passage of a primary source: part of a turn, with who said it."""

    key: str  # stable id: the source file's own id for it, or "<source key>#<index>"
    index: int  # order within its source
    speaker: str | None  # as normalised by the gazetteer where it knows the name
    role: str  # question | answer | statement
    text: str  # as published, with any "Q." / "Answer:" label
    turn: int = 0  # passages of one turn (one speaker speaking) share this number


@dataclass(frozen=True)
class PrimarySource:
    """What was really said: a transcript, speech, press conference, communiqué or interview, in one
    language. Language versions of one source share ``work``."""

    key: str  # stable slug
    title: str
    kind: str  # interview | speech | press-conference | statement | communique | transcript
    language: str | None
    published: str | None  # ISO 8601 date, possibly partial
    url: str | None
    speakers: tuple[str, ...]  # everyone who speaks in it, normalised, first speaker first
    work: str  # the same for every language version of one source
    passages: tuple[Passage, ...] = ()


@dataclass(frozen=True)
class Verification:
    """A quote or claim set against what its speaker really said, with the evidence for the call.

    ``relation`` is verbatim | faithful | divergent | not_found, or unchecked when no registered
    source of the speaker fits (no source near the date, or the report names another occasion).
    """

    item_kind: str  # quote | claim
    item_id: int
    document_id: int
    relation: str
    speaker: str | None
    passage: str | None  # Passage.key of the best passage, if any
    source: str | None  # PrimarySource.key of that passage
    score: float  # confidence in the relation, 0..1
    evidence: dict = field(default_factory=dict)
