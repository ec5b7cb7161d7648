"""The clean stage: debris filters, normalisation, offsets, headers and dates, HTML extraction.

The seed article is read from ../shared/data at run time (never copied here); the news-site page
around it is built by ``tests/newssite.py``.
"""

from __future__ import annotations

import gzip
import random
import re
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disinfowatch import debris
from disinfowatch.clean import (
    Cleaned,
    clean_text,
    decode_html,
    extract_html,
    normalise_date,
    span_to_original,
    split_header,
    to_original,
)
from disinfowatch.errors import Rejected
from newssite import news_page

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEED = DATA / "seed" / "nettavisen_2017-04_stoltenberg.txt"
SEED_HEADINGS = {"Mulig med et pragmatisk forhold", "Dypt uenige"}
SEED_DEBRIS = re.compile(r"^(Les også:.*|Se klipp fra intervjuet her:)$")


def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED} (the shared data folder beside the repository)")
    return SEED.read_text(encoding="utf-8")


def words(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------
# The seed article, as plain text


def test_seed_header_gives_the_date_and_keeps_the_ad_out_of_the_body():
    text = seed_text()
    assert text.startswith(" date 2017-04 ANNONSE")
    header, body, offset = split_header(text)
    assert header == {"date": "2017-04"}
    assert body == text[offset:]
    assert body.startswith("Mandag denne uken")
    assert "ANNONSE" not in body


def test_seed_clean_drops_the_debris_and_keeps_every_paragraph():
    text = seed_text()
    _, body, offset = split_header(text)
    cleaned = clean_text(body)

    assert "ANNONSE" not in cleaned.text
    lines = cleaned.text.split("\n")
    assert not any(line.startswith("Les også:") for line in lines)
    assert "Se klipp fra intervjuet her:" not in lines
    assert sum(r.startswith("Les også:") for r in cleaned.removed) == 3
    assert "Se klipp fra intervjuet her:" in cleaned.removed

    kept = [words(line) for line in body.splitlines() if line.strip() and not SEED_DEBRIS.match(words(line))]
    paragraphs = cleaned.text.split("\n\n")
    assert paragraphs == kept  # every article line, in order, one paragraph each
    assert len(paragraphs) == 15
    assert "\n\n\n" not in cleaned.text
    assert "- Vi har et vanskelig forhold, men NATO ønsker ikke konfrontasjon med Russland" in cleaned.text
    assert "- De allierte og Russland er dypt uenige om krisen, sa Stoltenberg." in paragraphs
    assert "Krim- halvøya" in cleaned.text  # a real compound with a space is left alone
    assert SEED_HEADINGS <= set(paragraphs)

    position = 0
    for paragraph in paragraphs:  # offsets lead each paragraph back to the same text in the file
        start = cleaned.text.index(paragraph, position)
        a, z = span_to_original(cleaned, start, start + len(paragraph))
        assert text[offset + a:offset + z] == paragraph
        position = start + len(paragraph)


def test_seed_clean_is_idempotent():
    _, body, _ = split_header(seed_text())
    once = clean_text(body).text
    assert clean_text(once).text == once


# ---------------------------------------------------------------------------------------------
# The same article on a news site

PAGE = dict(date="2017-04-26T08:15:00+02:00", author="Ola Nordmann", site_name="Eksempelavisen", lang="nb",
            canonical_url="https://www.eksempelavisen.no/nyheter/stoltenberg-til-russisk-tv/12345")
TITLE = "Stoltenberg til russisk TV: – NATO ønsker ikke konfrontasjon"


def seed_cleaned() -> Cleaned:
    _, body, _ = split_header(seed_text())
    return clean_text(body)


@pytest.mark.parametrize("inline_debris", [False, True], ids=["boxed-debris", "inline-debris"])
def test_seed_page_gives_the_same_cleaned_text(inline_debris):
    """Subheadings are paragraphs of their own in both paths: the txt has them as lines, the page
    as <h2>. The <h1> title is metadata and is not repeated in the text."""
    cleaned = seed_cleaned()
    page = news_page(TITLE, cleaned.text.split("\n\n"), headings=SEED_HEADINGS, inline_debris=inline_debris, **PAGE)
    extracted = extract_html(page.encode("utf-8"), url="https://www.eksempelavisen.no/a/12345?utm_source=feed")

    assert clean_text(extracted.text).text == cleaned.text
    assert extracted.title == TITLE
    assert extracted.author == "Ola Nordmann"
    assert extracted.date == "2017-04-26T08:15:00+02:00"
    assert extracted.canonical_url == PAGE["canonical_url"]
    assert extracted.site_name == "Eksempelavisen"
    assert extracted.language_hint == "nb"
    chrome = ["dataLayer", "font-family", "informasjonskapsler", "Godta alle", "Del på Facebook", "Kommunen vil bygge",
              "Kari Nordmann", "Nyheter", "NewsArticle"]
    for text in chrome if inline_debris else chrome + ["Slik blir været", "ANNONSE"]:
        assert text not in extracted.text


def test_page_in_a_legacy_charset_decodes_by_its_declaration():
    """A page declaring ISO-8859-1 is read as Windows-1252, as browsers do (the title's en dash)."""
    cleaned = seed_cleaned()
    page = news_page(TITLE, cleaned.text.split("\n\n"), headings=SEED_HEADINGS, charset="iso-8859-1", **PAGE)
    extracted = extract_html(page.encode("cp1252"))
    assert extracted.title == TITLE
    assert clean_text(extracted.text).text == cleaned.text


# ---------------------------------------------------------------------------------------------
# Debris filters, per language

DEBRIS_LINES = [
    ("nb", "Les også: Russiske hackere beskyldes for dataangrep"),
    ("nb", "LES OGSÅ: Slik blir været"),
    ("nb", "Se klipp fra intervjuet her:"),
    ("nb", "ANNONSE"),
    ("nb", "Annonse"),
    ("nb", "Del på Facebook"),
    ("nb", "Del på Facebook Del på Twitter Del på e-post"),
    ("nn", "Les òg: Kommunen vil byggje ny skule"),
    ("sv", "Läs också: Regeringen presenterar budgeten"),
    ("sv", "Annons"),
    ("da", "Læs også: Statsministeren holder tale"),
    ("da", "Reklame"),
    ("en", "Read also: Russia denies the report"),
    ("en", "Read more: NATO summit in Brussels"),
    ("en", "Related: The Kremlin responds"),
    ("en", "ADVERTISEMENT"),
    ("en", "Advertisement"),
    ("en", "Sponsored"),
    ("en", "Watch the video:"),
    ("en", "Video:"),
    ("en", "Share this article"),
    ("en", "We use cookies to improve your experience on our site."),
    ("de", "Lesen Sie auch: Die Bundesregierung reagiert"),
    ("de", "Mehr zum Thema: Sanktionen gegen Russland"),
    ("de", "Anzeige"),
    ("de", "Werbung"),
    ("de", "Sehen Sie das Video:"),
    ("fr", "Lire aussi : Le Kremlin dément"),
    ("fr", "À lire aussi Le Kremlin dément toute ingérence"),
    ("fr", "Publicité"),
    ("fr", "Regardez la vidéo"),
    ("ru", "Читайте также: В Кремле ответили на заявление НАТО"),
    ("ru", "Реклама"),
    ("ru", "Реклама."),
    ("ru", "Смотрите видео:"),
    ("uk", "Читайте також: У НАТО відповіли Кремлю"),
    ("uk", "Дивіться відео:"),
    ("pl", "Czytaj też: Rosja zaprzecza"),
    ("pl", "Czytaj także: NATO odpowiada"),
    ("pl", "Zobacz też: Szczyt w Brukseli"),
    ("pl", "Reklama"),
    ("pl", "Zobacz wideo:"),
]

KEPT_LINES = [
    "Avisen tjente mer på hver annonse i fjor enn året før.",
    "Han sa at reklame rettet mot barn bør forbys.",
    "В Госдуме обсудили закон о реклама в соцсетях.",  # "реклама" mid-sentence
    "Реклама на телевидении подорожала на 20 процентов в этом году.",
    "Reklame er ikke noe problem, sa han.",
    "Les også gjerne rapporten selv, den er offentlig.",
    "Se for deg at du bor her.",
    "Video: Putin says NATO is preparing an attack on Russia",
    "Teilen der Bevölkerung ist das egal.",
    "- Vi har et vanskelig forhold, sier Stoltenberg.",
    "NATO SIER NEI ANNONSE",  # an all-caps line: the marker may belong to it
]


@pytest.mark.parametrize("lang, line", DEBRIS_LINES, ids=[f"{lang}:{line[:24]}" for lang, line in DEBRIS_LINES])
def test_debris_line_is_removed(lang, line):
    text = f"Første avsnitt er tekst.\n\n{line}\n\nAndre avsnitt er tekst."
    cleaned = clean_text(text)
    assert cleaned.text == "Første avsnitt er tekst.\n\nAndre avsnitt er tekst."
    assert cleaned.removed == (line,)


@pytest.mark.parametrize("line", KEPT_LINES)
def test_sentence_that_merely_mentions_a_marker_is_kept(line):
    assert debris.is_debris(line) is None
    assert clean_text(line).text == line


def test_glued_ad_markers_are_cut_from_a_line():
    assert clean_text("Mandag denne uken var det møte. ANNONSE").text == "Mandag denne uken var det møte."
    assert clean_text("ANNONSE Mandag denne uken var det møte.").text == "Mandag denne uken var det møte."
    assert clean_text("Han sa det. Annonse").text == "Han sa det."
    assert clean_text("РЕКЛАМА Генсек НАТО дал интервью.").text == "Генсек НАТО дал интервью."
    assert clean_text("Dette er en annonse").text == "Dette er en annonse"  # not capitalised after a sentence


def test_debris_inside_a_paragraph_does_not_split_it():
    assert clean_text("Første linje\nANNONSE\nandre linje").text == "Første linje\nandre linje"


# ---------------------------------------------------------------------------------------------
# Normalisation and offsets


def test_whitespace_controls_and_unicode_are_normalised():
    text = "  Tab\there\u00a0\u00a0nbsp\u200bzero\x07bell  \r\n\r\n\r\n\r\nNext\u2028line e\u0301\u2029"
    cleaned = clean_text(text)
    assert cleaned.text == "Tab here nbspzerobell\n\nNext\nline é"
    assert unicodedata.is_normalized("NFC", cleaned.text)
    assert to_original(cleaned, cleaned.text.index("é")) == text.index("e\u0301")
    assert to_original(cleaned, cleaned.text.index("Next")) == text.index("Next")


def test_blank_lines_collapse_to_one():
    assert clean_text("a\n\n\n\n\nb\n \n\t\n\nc\n").text == "a\n\nb\n\nc"


@pytest.mark.parametrize("text, expected", [
    ("forhold-\nene er vanskelige", "forholdene er vanskelige"),
    ("EU-\nkommisjonen sa", "EU-kommisjonen sa"),
    ("ut-\nog innførsel", "ut-\nog innførsel"),
    ("Han påpeker at det gjelder Krim- halvøya", "Han påpeker at det gjelder Krim- halvøya"),
    ("Det var et vanskelig forhold -\n- Vi har det bra, sa han.", "Det var et vanskelig forhold -\n- Vi har det bra, sa han."),
    ("sikker-\nhet", "sikkerhet"),
    ("sikker\u00ad\nhet", "sikkerhet"),
    ("forhold-\n\nene", "forhold-\n\nene"),  # never across a paragraph break
])
def test_broken_hyphenation_is_mended(text, expected):
    cleaned = clean_text(text)
    assert cleaned.text == expected
    assert clean_text(cleaned.text).text == expected


def test_to_original_bounds():
    cleaned = clean_text("  abc  ")
    assert cleaned.text == "abc"
    assert [to_original(cleaned, i) for i in range(4)] == [2, 3, 4, 5]
    with pytest.raises(IndexError):
        to_original(cleaned, 4)
    assert clean_text("").text == "" and clean_text("").offsets == ()


def test_big_inputs_are_linear():
    _, body, _ = split_header(seed_text())
    big = (body + "\n\n") * (5_000_000 // (len(body) + 2))
    started = time.perf_counter()
    cleaned = clean_text(big)
    assert len(cleaned.text) > 4_000_000
    line = clean_text("ord\u00a0" * 250_000)  # a single 1 MB line that needs normalising
    assert len(line.text) == 999_999
    newlines = clean_text("\n" * 2_000_000 + "x" + "\r\n" * 1_000_000)
    assert newlines.text == "x" and to_original(newlines, 0) == 2_000_000
    assert time.perf_counter() - started < 15


# ---------------------------------------------------------------------------------------------
# Headers and dates


@pytest.mark.parametrize("value, expected", [
    ("2017", "2017"),
    ("2017-04", "2017-04"),
    ("2017-04-24", "2017-04-24"),
    ("24.04.2017", "2017-04-24"),
    ("24/04/2017", "2017-04-24"),
    ("April 24, 2017", "2017-04-24"),
    ("24 April 2017", "2017-04-24"),
    ("2017-04-24T10:00:00+02:00", "2017-04-24T10:00:00+02:00"),
    ("2017-04-24T08:00:00Z", "2017-04-24T08:00:00+00:00"),
    ("24. april 2017", "2017-04-24"),
    ("24. April 2017", "2017-04-24"),
    ("24 апреля 2017", "2017-04-24"),
    ("24 апреля 2017 г.", "2017-04-24"),
    ("24 квітня 2017", "2017-04-24"),
    ("24 kwietnia 2017", "2017-04-24"),
    ("24 avril 2017", "2017-04-24"),
    ("mandag 24. april 2017", "2017-04-24"),
    ("Mon, 24 Apr 2017 10:00:00 +0200", "2017-04-24T10:00:00+02:00"),
    ("april 2017", "2017-04"),
    ("31.04.2017", None),
    ("2017-13", None),
    ("Spring 2017", None),
    ("ANNONSE", None),
    ("", None),
])
def test_normalise_date(value, expected):
    assert normalise_date(value) == expected


def test_header_key_value_forms():
    text = "title: Stoltenberg til russisk TV\nauthor: Ola Nordmann\ndate 24.04.2017\nlang nb\nurl https://example.no/a\n\nBody."
    header, body, offset = split_header(text)
    assert header == {"title": "Stoltenberg til russisk TV", "author": "Ola Nordmann", "date": "2017-04-24",
                      "language": "nb", "url": "https://example.no/a"}
    assert body == "Body." == text[offset:]


@pytest.mark.parametrize("text", [
    "Title of the report is misleading, he said.\n\nMore text.",
    "source of the leak is unknown\n\nMore text.",
    "Mandag denne uken hadde russisk TV et intervju.",
    "",
])
def test_prose_is_not_taken_for_a_header(text):
    assert split_header(text) == ({}, text, 0)


def test_header_ended_by_the_first_other_line():
    header, body, offset = split_header("date 2017-04-24\nMandag denne uken\n\nmer")
    assert header == {"date": "2017-04-24"}
    assert body == "Mandag denne uken\n\nmer"


# ---------------------------------------------------------------------------------------------
# Hostile and broken HTML


def rejected(html, **kwargs) -> str:
    with pytest.raises(Rejected) as info:
        extract_html(html, **kwargs)
    assert info.value.stage == "clean"
    return info.value.reason


ARTICLE = "<html><body><article><p>{}</p></article></body></html>"
SENTENCE = "Stoltenberg sier at NATO ikke ønsker konfrontasjon med Russland, og at det er mulig å ha et pragmatisk forhold. "


def test_script_only_page_has_no_main_text():
    page = ("<html><head><script>var teaser = 'Les også dette';</script><style>p { color: red }</style></head>"
            "<body><script>document.write('<p>' + 'Skrevet av et skript, ikke en artikkel. '.repeat(20) + '</p>')</script>"
            "</body></html>")
    assert rejected(page) == "no-main-text"


@pytest.mark.parametrize("page", ["", b"", "   \n ", "<html></html>", "<html><body><nav><a href='/'>Hjem</a></nav></body></html>",
                                  ARTICLE.format("ANNONSE</p><p>Les også: Noe helt annet")])
def test_empty_pages_have_no_main_text(page):
    assert rejected(page) == "no-main-text"


def test_deep_nesting_is_refused_without_crashing():
    page = "<html><body>" + "<div>" * 100_000 + "<p>" + SENTENCE * 3 + "</p>" + "</div>" * 100_000 + "</body></html>"
    assert rejected(page) == "unparsable-html"
    shallow = "<html><body>" + "<div>" * 200 + "<p>" + SENTENCE * 3 + "</p>" + "</div>" * 200 + "</body></html>"
    assert "pragmatisk forhold" in extract_html(shallow).text


def test_five_megabyte_single_line():
    page = "<html><head><title>Stor side</title></head><body><article><p>" + SENTENCE * 45_000 + "</p></article></body></html>"
    assert "\n" not in page and len(page.encode()) > 5_000_000
    extracted = extract_html(page)
    assert len(clean_text(extracted.text).text) > 4_500_000


def test_size_cap():
    assert rejected(ARTICLE.format(SENTENCE * 20).encode(), max_bytes=1_000) == "too-large"
    assert rejected(ARTICLE.format(SENTENCE * 20), max_bytes=1_000) == "too-large"
    assert rejected(gzip.compress(b"<html>" + b" " * 2_000_000), max_bytes=1_000_000) == "too-large"


def test_binary_input():
    assert rejected(ARTICLE.format(SENTENCE).encode().replace(b"NATO", b"NA\x00TO")) == "binary"
    assert rejected(random.Random(7).randbytes(50_000).replace(b"\x00", b"x")) == "binary"
    assert rejected(b"\x89PNG\r\n\x1a\n" + random.Random(8).randbytes(5_000)) == "binary"


def test_latin1_declared_as_utf8_is_read_as_latin1():
    """Decision: bytes invalid in the declared charset are decoded by the charset that fits them
    (here Windows-1252), not rejected; bad-encoding is for bytes nothing fits."""
    page = ARTICLE.format(SENTENCE * 3).replace("<html>", "<html><head><meta charset='utf-8'></head>")
    assert "ønsker konfrontasjon" in extract_html(page.encode("latin-1")).text


def test_mostly_utf8_with_a_broken_byte_stays_utf8():
    data = ARTICLE.format(SENTENCE * 3).encode("utf-8").replace(b"NATO", b"NA\xffTO", 1)
    assert "ønsker konfrontasjon" in decode_html(data)


def test_undecodable_bytes_are_bad_encoding():
    assert rejected(b"\xff\xfe" + "<html><body>".encode("utf-16-le") + b"\x00\xd8\x41\x00") == "bad-encoding"


def test_encodings_without_declaration():
    russian = "Генеральный секретарь НАТО заявил, что альянс не хочет конфронтации с Россией. "
    assert "не хочет конфронтации" in extract_html(ARTICLE.format(russian * 3).encode("cp1251")).text
    assert "pragmatisk" in extract_html(ARTICLE.format(SENTENCE * 3).encode("utf-16")).text


def test_html_fragment_and_control_characters():
    assert "pragmatisk" in extract_html("<p>" + SENTENCE * 3 + "</p>").text
    assert "\x0b" not in extract_html(ARTICLE.format("Hei \x0b" + SENTENCE * 3)).text


# ---------------------------------------------------------------------------------------------
# Properties

SNIPPETS = ["Les også: noe", "ANNONSE", "Annonse", "Реклама.", "Se video", "- Vi har", "forhold-", "ene", "EU-",
            "Reklame", "Rekla-", "me", "ANNONSE FOO-", "bar", "\u00ad", "e\u0301", "\u1100\u1161", "\u0345", " ", "\t",
            "\u00a0", "\u200b", "\r\n", "\n", "\n\n", "\r", "\u2028", "\x00", "\x1c", "date 2017-04", "Se klipp her:"]
TEXT = st.text(st.characters(exclude_categories=("Cs",)))
MIXED = st.lists(st.one_of(st.sampled_from(SNIPPETS), TEXT), max_size=30).map("".join)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.one_of(TEXT, MIXED))
def test_clean_text_never_raises_and_is_idempotent(text):
    cleaned = clean_text(text)
    assert clean_text(cleaned.text).text == cleaned.text
    assert "\n\n\n" not in cleaned.text and cleaned.text == cleaned.text.strip()
    assert unicodedata.is_normalized("NFC", cleaned.text)


@PROPERTY
@given(st.one_of(TEXT, MIXED))
def test_offsets_cover_the_text_and_point_at_the_same_characters(text):
    cleaned = clean_text(text)
    total, previous = 0, -1
    for clean_start, orig_start, length in cleaned.offsets:
        assert clean_start == total and length > 0
        total += length
    assert total == len(cleaned.text)
    for pos, ch in enumerate(cleaned.text):
        orig = to_original(cleaned, pos)
        assert 0 <= orig < len(text) and orig >= previous
        previous = orig
        if ch.isascii() and not ch.isspace():  # NFC may turn a KELVIN SIGN into "K"
            assert unicodedata.normalize("NFC", text[orig]) == ch


@PROPERTY
@given(st.one_of(TEXT, MIXED))
def test_split_header_never_raises_and_returns_a_suffix(text):
    header, body, offset = split_header(text)
    assert body == text[offset:]
    assert set(header) <= {"date", "title", "author", "url", "source", "outlet", "language"}


DATE_PARTS = st.lists(st.one_of(st.sampled_from(["24", "24.", "04", "2017", "april", "апреля", "Mon,", "-", "/", ".", ":",
                                                 "10:00", "+0200", "T", "Z", "kl.", "г."]),
                                TEXT), max_size=6).map(" ".join)


@PROPERTY
@given(st.one_of(TEXT, DATE_PARTS))
def test_normalise_date_never_raises(value):
    date = normalise_date(value)
    assert date is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2}(T[\d:.]+([+-]\d{2}:\d{2})?)?)?)?", date)
