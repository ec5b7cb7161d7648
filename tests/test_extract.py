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


# -- rule by rule: each test names the rule it pins -------------------------------------------------

def _quotes(text, lang):
    return [(q.text, q.speaker) for q in extract.quotes(text, [(0, len(text))], lang)]


def _claims(text, lang):
    from disinfowatch.records import Paragraph

    sents = segment.sentences(text, (Paragraph(0, len(text), lang, 1.0),), lang, None)
    return [(c.text, c.attributed_to, c.kind) for c in extract.claims(text, sents, lang, extract.quotes(text, [(0, len(text))], lang))]


@pytest.mark.parametrize("lang, text, expected", [
    ("sv", "”Ryssland sprider lögner om Natoansökan”, säger Magdalena Andersson.",
     [("Ryssland sprider lögner om Natoansökan", "Magdalena Andersson")]),
    ("da", "»Det er ren propaganda fra Kreml«, siger Mette Frederiksen.",
     [("Det er ren propaganda fra Kreml", "Mette Frederiksen")]),
    ("en", "‘We don’t want a war with anyone,’ said Putin’s spokesman Dmitry Peskov.",
     [("We don’t want a war with anyone", "Dmitry Peskov")]),
    ("de", "„Wir lassen uns nicht erpressen“, sagte Scholz.", [("Wir lassen uns nicht erpressen", "Olaf Scholz")]),
])
def test_quote_marks_of_every_language(lang, text, expected):
    assert _quotes(text, lang) == expected


def test_quote_marks_never_pair_across_paragraphs_or_quotes():
    text = "«Aftenposten» skrev om saken.\n\n«Vi tar dette på største alvor, og vi følger med», sa Stoltenberg."
    assert _quotes(text, "nb") == [("Vi tar dette på største alvor, og vi følger med", "Jens Stoltenberg")]
    danish_then_norwegian = "»Vi står sammen om det her«, siger han. «Det gjør vi også i Norge», sa Støre."
    assert [q for q, _ in _quotes(danish_then_norwegian, "nb")] == ["Vi står sammen om det her", "Det gjør vi også i Norge"]


@pytest.mark.parametrize("lang, text, speaker", [
    ("nb", "– Russland bruker desinformasjon som våpen, sier utenriksminister Espen Barth Eide (Ap).", "Espen Barth Eide"),
    ("de", "„Wir lassen uns von Moskau nicht erpressen“, sagte Bundeskanzler Olaf Scholz.", "Olaf Scholz"),
    ("en", '"The West is waging a hybrid war," said Foreign Minister Sergey Lavrov.', "Sergey Lavrov"),
    ("ru", "«Запад накачивает Украину оружием», — заявил министр иностранных дел России Сергей Лавров.", "Sergey Lavrov"),
    ("ru", "— Мы готовы к переговорам, — заявил журналистам Песков.", "Dmitry Peskov"),
    ("en", '"We are ready to defend every inch," said on Tuesday Stoltenberg.', "Jens Stoltenberg"),
    ("sv", "”Det här är en samordnad kampanj mot valet”, säger Säpos presschef Karl Melin.", "Karl Melin"),
    ("en", '"Russia is testing our resolve," Defence Secretary John Healey told reporters.', "John Healey"),
    ("en", '"This is a blatant provocation," the Russian Foreign Ministry said.', "Russian Foreign Ministry"),
    ("en", '"We have to take disinformation seriously," the mayor of Riga said.', "the mayor of Riga"),
    ("sv", "– Vi måste ta desinformation på allvar, säger kommunalrådet i Visby.", "kommunalrådet"),
])
def test_titles_and_words_between_verb_and_name(lang, text, speaker):
    (quote,) = extract.quotes(text, [(0, len(text))], lang)
    assert quote.speaker == speaker
    assert speaker.split()[-1] not in quote.text, "the attribution is not part of the quote"


def test_polish_dash_attribution_without_comma():
    text = "– Nie pozwolimy, by Kreml zastraszył Polskę – powiedział Władysław Kosiniak-Kamysz."
    assert _quotes(text, "pl") == [("Nie pozwolimy, by Kreml zastraszył Polskę", "Władysław Kosiniak-Kamysz")]


def test_french_inversion_and_selon_lui():
    text = ("Sergueï Lavrov a répondu aux journalistes. « L'Occident cherche à isoler la Russie », a-t-il dit. "
            "Selon lui, les sanctions occidentales ont renforcé l'économie russe.")
    assert _quotes(text, "fr") == [("L'Occident cherche à isoler la Russie", "Sergey Lavrov")]
    assert _claims(text, "fr") == [("les sanctions occidentales ont renforcé l'économie russe", "Sergey Lavrov", "according-to")]


def test_subjectless_verb_resolves_like_a_pronoun():
    one = "Wołodymyr Zełenski przyjechał do Warszawy. „Polska jest naszym najważniejszym sojusznikiem”, powiedział."
    two = "Donald Tusk rozmawiał z Emmanuelem Macronem. „Musimy wzmocnić wschodnią flankę NATO”, powiedział."
    assert _quotes(one, "pl") == [("Polska jest naszym najważniejszym sojusznikiem", "Volodymyr Zelensky")]
    assert _quotes(two, "pl") == [("Musimy wzmocnić wschodnią flankę NATO", None)]
    assert _quotes("«Мы не угрожаем никому в Европе», — сказал он.", "ru")[0][1] is None  # nobody named before


def test_last_person_counts_names_the_gazetteer_does_not_know():
    known = "Kari Nordmann leder arbeidet i Faktisk. «Vi ser stadig flere falske skjermbilder», sier hun."
    assert _quotes(known, "nb") == [("Vi ser stadig flere falske skjermbilder", "Kari Nordmann")]
    two = "Ulf Kristersson tog emot Alexander Stubb i Stockholm. ”Vårt samarbete blir allt starkare”, sade han."
    assert _quotes(two, "sv")[0][1] is None
    joined = "Путин и Лукашенко провели переговоры в Минске. «Мы договорились об учениях», — сказал он."
    assert _quotes(joined, "ru")[0][1] is None
    single_with_and = "Путин и Пригожин провели переговоры в Минске. «Мы договорились об учениях», — сказал он."
    assert _quotes(single_with_and, "ru")[0][1] is None, "a capitalised word joined to a person by 'and' is a person"
    inside_quote = "«Putin lyver om alt», sa Kari Nordmann. «Og det vet han selv godt», la hun til."
    assert _quotes(inside_quote, "nb")[-1][1] == "Kari Nordmann", "names inside quotes do not count"


@pytest.mark.parametrize("lang, text, claim, source", [
    ("nb", "Ifølge RT har amerikanske styrker flyttet atomvåpen til Andøya.",
     "har amerikanske styrker flyttet atomvåpen til Andøya", "RT"),
    ("de", "Laut Sputnik soll die Bundeswehr geheime Biolabore betreiben.", "soll die Bundeswehr geheime Biolabore betreiben", "Sputnik"),
    ("sv", "Ryska trupper har samlats nära den finska gränsen, enligt TASS.", "Ryska trupper har samlats nära den finska gränsen", "TASS"),
    ("de", "Nach Angaben der Agentur TASS sollen Drohnen ein Depot getroffen haben.", "sollen Drohnen ein Depot getroffen haben", "TASS"),
    ("fr", "D'après Sputnik, des militaires français seraient déployés en Ukraine.",
     "des militaires français seraient déployés en Ukraine", "Sputnik"),
    ("pl", "Jak podaje agencja TASS, polscy żołnierze przekroczyli granicę.", "polscy żołnierze przekroczyli granicę", "TASS"),
    ("nb", "Som RT skriver, skal norske myndigheter ha planlagt provokasjoner.", "skal norske myndigheter ha planlagt provokasjoner", "RT"),
    ("uk", "Польща нібито готує окупацію західних областей України, пише RT.",
     "Польща нібито готує окупацію західних областей України", "RT"),
    ("ru", "По мнению Захаровой, западные СМИ искажают события.", "западные СМИ искажают события", "Maria Zakharova"),
])
def test_according_to_and_outlet_attributions(lang, text, claim, source):
    assert _claims(text, lang) == [(claim, source, "according-to")]


def test_trailing_report_of_an_unknown_outlet_is_not_a_claim():
    assert _claims("Tre personer ble pågrepet i Oslo i natt, skriver VG.", "nb") == []


@pytest.mark.parametrize("lang, text, claim, speaker", [
    ("nb", "Stoltenberg sa til NTB at alliansen ikke har planer om nye baser.", "alliansen ikke har planer om nye baser", "Jens Stoltenberg"),
    ("en", "Biden told reporters on Tuesday that the United States would send more systems.",
     "the United States would send more systems", "Joe Biden"),
    ("de", "Scholz sagte am Montag im Fernsehen, dass Deutschland keine Raketen liefern werde.",
     "Deutschland keine Raketen liefern werde", "Olaf Scholz"),
    ("nb", "I går sa Stoltenberg at NATO står samlet.", "NATO står samlet", "Jens Stoltenberg"),
    ("nb", "Utenriksminister Espen Barth Eide sier at Norge ikke vil utvise flere diplomater.",
     "Norge ikke vil utvise flere diplomater", "Espen Barth Eide"),
    ("de", "Kremlsprecher Peskow sagte, dass Russland keine Angriffspläne habe.", "Russland keine Angriffspläne habe", "Dmitry Peskov"),
])
def test_indirect_speech_with_words_before_the_conjunction(lang, text, claim, speaker):
    assert _claims(text, lang) == [(claim, speaker, "indirect")]


@pytest.mark.parametrize("lang, text", [
    ("en", "Biden said the report that Russia had published was false."),
    ("nb", "Stoltenberg sier det er usant at NATO planlegger angrep."),
    ("sv", "Kristersson säger sig vara redo att skicka fler system."),
])
def test_that_after_other_words_is_not_indirect_speech(lang, text):
    assert _claims(text, lang) == []


@pytest.mark.parametrize("lang, text, claim", [
    ("da", "På sociale medier hævdes det, at NATO har placeret atomvåben i Polen.", "NATO har placeret atomvåben i Polen"),
    ("sv", "I ryska statsmedier påstås det att svenska vapen har hamnat hos gäng.", "svenska vapen har hamnat hos gäng"),
    ("nb", "På Telegram hevdes det at norske fly har krenket russisk luftrom.", "norske fly har krenket russisk luftrom"),
    ("en", "Online, it has been alleged that Polish mercenaries are fighting in Kherson.", "Polish mercenaries are fighting in Kherson"),
    ("uk", "У соцмережах стверджується, що Україна готує провокацію.", "Україна готує провокацію"),
    ("uk", "Як стверджують російські пропагандисти, Україна готує провокацію.", "Україна готує провокацію"),
])
def test_impersonal_claims(lang, text, claim):
    assert _claims(text, lang) == [(claim, None, "reported")]


def test_reported_marker_is_a_whole_word():
    text = "I ett inslag från Sputnik påstås det att svenska myndigheter förbereder en evakuering."
    assert _claims(text, "sv") == [("svenska myndigheter förbereder en evakuering", "Sputnik", "reported")]


def test_hyphenated_compounds_are_not_sources_or_names():
    text = "On pro-Kremlin Telegram channels, it is claimed that NATO instructors command Ukrainian units."
    assert _claims(text, "en") == [("NATO instructors command Ukrainian units", None, "reported")]
    polish = "W prokremlowskich mediach twierdzi się, że Polska planuje aneksję Lwowa."
    assert _claims(polish, "pl") == [("Polska planuje aneksję Lwowa", None, "reported")]


@pytest.mark.parametrize("lang, text", [
    ("nb", "Regjeringen foreslår disse tiltakene:\n\n- 2025 – 2027: nye radarer i Finnmark\n\n- Flere soldater til Porsanger"),
    ("pl", "W latach 2014 – 2022 Rosja wydała miliardy na propagandę w Europie – wynika z raportu."),
    ("nb", "Analyse: Slik sprer russiske trollfabrikker falske nyheter\n\nLes også: «Russland truer Norge»"),
    ("de", "Moskau nennt den Krieg „Spezialoperation“ und spricht von „Entnazifizierung“. Kritiker sagen „Orwellsche Sprache“."),
    ("en", 'He is 6\'2" tall. The "so-called" experts disagree, said Reuters.'),
])
def test_no_quote_from_lists_ranges_headlines_or_scare_quotes(lang, text):
    paragraphs = [(m.start(), m.end()) for m in __import__("re").finditer(r"[^\n]+", text)]
    assert extract.quotes(text, paragraphs, lang) == []


def test_dash_paragraph_continuing_an_attributed_one_keeps_its_speaker():
    text = "– Vi vil ikke la oss presse av Moskva, sa Støre.\n\n– Norge står fast på sanksjonene, og det vil ikke endre seg."
    paragraphs = [(0, text.index("\n")), (text.index("– Norge"), len(text))]
    assert [(q.text, q.speaker) for q in extract.quotes(text, paragraphs, "nb")] == [
        ("Vi vil ikke la oss presse av Moskva", "Jonas Gahr Støre"),
        ("Norge står fast på sanksjonene, og det vil ikke endre seg.", "Jonas Gahr Støre")]


def test_gazetteer_people_need_a_capital_and_ukrainian_spellings():
    g = gazetteer.default()
    assert g.find("an elephant tusk", "en") == []
    assert [m.entity for m in g.find("Donald Tusk", "en")] == ["Donald Tusk"]
    assert g.normalise("Пєскова", "uk") == g.normalise("Пескова", "ru") == "Dmitry Peskov"
    assert g.normalise("Столтенбергові", "uk") == "Jens Stoltenberg"


def test_every_language_has_attribution_rules():
    from disinfowatch import attribution

    assert {"nb", "sv", "da", "en", "de", "fr", "ru", "uk", "pl"} <= set(attribution.languages())
    assert attribution.rules("nn").langs == attribution.rules("nb").langs, "Nynorsk reads with the Norwegian rules"
    assert set(attribution.rules("et").langs) == set(attribution.languages()), "an unknown language uses them all"
    for lang in attribution.languages():
        r = attribution.rules(lang)
        assert r.verb.search("x") is None and r.langs[0] == lang


@pytest.mark.slow
def test_extraction_is_linear_on_hostile_text():
    import time

    from disinfowatch.records import Sentence

    unit = '«„"” – sier Kari Nordmann, ifølge RT at Stoltenberg sa: »— сказал он, — Ifølge '
    times = []
    for size in (100_000, 400_000):
        text = (unit * (size // len(unit) + 1))[:size]
        sents = tuple(Sentence(i, a, min(a + 2000, size), text[a:a + 2000], "nb") for i, a in enumerate(range(0, size, 2000)))
        started = time.perf_counter()
        extract.claims(text, sents, "nb", extract.quotes(text, [(0, size)], "nb"))
        times.append(time.perf_counter() - started)
    assert times[1] < 8 * times[0] + 1, times
