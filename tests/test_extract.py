"""Extraction on the seed article, and robustness on arbitrary text."""

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from disinfowatch import extract, gazetteer, segment
from disinfowatch.analyze import analyze_document
from disinfowatch.pipeline import Ingester
from disinfowatch.settings import DEFAULT_LANGUAGES, Settings
from shared_data import SEED_ARTICLE, require


@pytest.fixture(scope="module")
def seed_analysis(tmp_path_factory):
    from disinfowatch.store import open_store

    tmp = tmp_path_factory.mktemp("seed")
    settings = Settings(db=f"sqlite:///{tmp / 's.db'}", archive_dir=str(tmp / "a"))
    store = open_store(settings.db)
    with Ingester(store, settings) as ingester:
        (doc_id,) = ingester.ingest([str(require(SEED_ARTICLE))]).stored_ids
    doc = store.get_document(doc_id)
    store.close()
    return doc, analyze_document(doc_id, doc, settings)


def test_seed_dash_quotes_with_speaker(seed_analysis):
    doc, analysis = seed_analysis
    quotes = [q for q in analysis.quotes if q.form == "dash"]
    assert len(quotes) == 4
    assert {q.speaker for q in quotes} == {"Jens Stoltenberg"}
    assert [q.verb for q in quotes] == ["sier", "sier", "sa", "sa"]
    assert quotes[0].text.startswith("Vi har et vanskelig forhold, men NATO ønsker ikke konfrontasjon med Russland")
    assert quotes[0].text.endswith("ny kald krig")
    assert quotes[0].attribution == "sier Stoltenberg i intervjuet"
    assert quotes[1].text.endswith("klarte å ha det med Sovjetunionen"), "a quote spanning two sentences"
    assert quotes[2].attribution.startswith("sa Stoltenberg i en uttalelse")
    assert quotes[3].text == "De allierte og Russland er dypt uenige om krisen"
    for q in quotes:
        assert doc.text[q.start:q.end] == q.text


def test_seed_claims(seed_analysis):
    doc, analysis = seed_analysis
    by_text = {c.text: c for c in analysis.claims}
    stoltenberg = next(c for c in analysis.claims if c.text.startswith("hensikten med NATOs militære nærvær"))
    assert stoltenberg.text.endswith("ikke er å provosere frem en konflikt, men å forhindre en")
    assert (stoltenberg.attributed_to, stoltenberg.attributed_kind, stoltenberg.kind) == ("Jens Stoltenberg", "person", "indirect")
    rossija = by_text["NATO altså forbereder et angrep på Russland"]
    assert (rossija.attributed_to, rossija.attributed_kind, rossija.kind) == ("Rossiya 1", "outlet", "reported")
    assert rossija.attribution == "blir det hevdet at"
    for c in analysis.claims:
        assert doc.text[c.start:c.end] == c.text
    assert not any(c.text.startswith("Vi har et vanskelig") for c in analysis.claims), "direct speech is not a claim"


def test_seed_countries_discussed(seed_analysis):
    _, analysis = seed_analysis
    assert {"Russia", "Ukraine", "Crimea", "Norway"} <= set(analysis.countries)
    assert analysis.countries[0] == "Russia"


def test_sentences_keep_spans_and_abbreviations():
    text = "Møtet starter kl. 10 i Oslo. Det varer ca. to timer.\n\n— Мы готовы, — заявил он. Потом ушёл."
    paras = ((0, 52), (54, len(text)))
    from disinfowatch.records import Paragraph

    sents = segment.sentences(text, tuple(Paragraph(a, b, None, 0.0) for a, b in paras), "nb", DEFAULT_LANGUAGES)
    assert [s.text for s in sents] == ["Møtet starter kl. 10 i Oslo.", "Det varer ca. to timer.", "— Мы готовы, — заявил он.", "Потом ушёл."]
    assert all(text[s.start:s.end] == s.text for s in sents)
    assert [s.paragraph for s in sents] == [0, 0, 1, 1]


def test_sentence_language_differs_from_document():
    from disinfowatch.records import Paragraph

    text = ("Statsministeren kommenterte saken på en pressekonferanse i Oslo i dag. "
            "The government will not accept any attempt to interfere in our elections, she said in English.")
    sents = segment.sentences(text, (Paragraph(0, len(text), "nb", 0.9),), "nb", DEFAULT_LANGUAGES)
    assert [s.language for s in sents] == ["nb", "en"]


def test_gazetteer_inflections_and_longest_match():
    g = gazetteer.default()
    found = {(m.surface, m.entity) for m in g.find("Russlands og Russland-skandalen, России, Росії, Krim, Крыма, Rossija 1 og RT.", "nb")}
    assert {("Russlands", "Russia"), ("России", "Russia"), ("Росії", "Russia"), ("Krim", "Crimea"), ("Крыма", "Crimea"),
            ("Rossija 1", "Rossiya 1"), ("RT", "RT")} <= found
    assert g.normalise("Столтенберга", "ru") == "Jens Stoltenberg"
    assert g.normalise("Stoltenbergs", "nb") == "Jens Stoltenberg"
    assert g.find("A rossiyskiy reporter", "en") == []


def test_pronoun_speaker_only_when_unambiguous():
    one = 'Stoltenberg møtte pressen. "Vi ønsker ikke en ny kald krig med noen," sa han.'
    two = 'Putin møtte Merkel i går. "Vi ønsker ikke en ny kald krig med noen," sa han.'
    assert extract.quotes(one, [(0, len(one))], "nb")[0].speaker == "Jens Stoltenberg"
    assert extract.quotes(two, [(0, len(two))], "nb")[0].speaker is None


@given(st.text(max_size=400))
@hsettings(max_examples=150, deadline=None)
def test_extraction_never_raises(text):
    from disinfowatch.records import Document, Paragraph

    doc = Document(url="u", text=text, content_hash="0" * 64, raw_sha256="0" * 64, language="nb",
                   paragraphs=(Paragraph(0, len(text), "nb", 0.5),))
    analysis = analyze_document(1, doc, Settings(languages=("nb", "en", "ru")))
    for item in (*analysis.quotes, *analysis.claims, *analysis.mentions):
        assert 0 <= item.start <= item.end <= len(text)
