"""Dedup primitives and language identification."""

from hypothesis import given, settings as hsettings, strategies as st

from disinfowatch import dedup, language
from disinfowatch.settings import DEFAULT_LANGUAGES


def test_canonical_url_drops_tracking_fragment_default_port_and_case():
    a = dedup.canonical_url("HTTPS://Example.ORG:443/news/article/?utm_source=x&b=2&a=1#comments")
    assert a == "https://example.org/news/article?a=1&b=2"
    assert dedup.canonical_url("https://example.org/") == "https://example.org/"
    assert dedup.canonical_url("file:///tmp/x.txt") == "file:///tmp/x.txt"


@given(st.text(max_size=200))
@hsettings(max_examples=150, deadline=None)
def test_canonical_url_never_raises_and_is_idempotent(text):
    url = "https://example.org/" + text
    once = dedup.canonical_url(url)
    assert dedup.canonical_url(once) == once


def test_content_hash_ignores_case_and_whitespace_only():
    assert dedup.content_hash("NATO  sier\n\nnei") == dedup.content_hash("nato sier nei")
    assert dedup.content_hash("NATO sier nei") != dedup.content_hash("NATO sier ja")


def test_near_duplicate_index_finds_edited_copy_and_not_other_text():
    words = [f"w{i}" for i in range(400)]
    original = " ".join(words)
    edited = " ".join(words[:200] + ["changed"] + words[201:])
    other = " ".join(reversed(words))
    index = dedup.NearDuplicateIndex(threshold=0.8)
    index.add(1, dedup.fingerprint(original))
    hit = index.nearest(dedup.fingerprint(edited))
    assert hit is not None and hit[0] == 1 and 0.8 <= hit[1] < 1.0
    assert index.nearest(dedup.fingerprint(other)) is None
    # a signature made with other settings is never compared
    assert index.nearest(dedup.fingerprint(original, num_perm=64)) is None


SAMPLES = {
    "nb": "Regjeringen sier at den nye grenseovergangen skal åpne til våren, og at kontrollen blir enklere.",
    "nn": "Regjeringa seier at den nye grenseovergangen skal opne til våren, og at kontrollen vert enklare for folk.",
    "sv": "Regeringen säger att den nya gränsövergången ska öppna i vår och att kontrollerna blir enklare.",
    "da": "Regeringen siger, at den nye grænseovergang skal åbne til foråret, og at kontrollen bliver lettere.",
    "en": "The government says the new border crossing will open in spring and checks will become simpler.",
    "de": "Die Regierung sagt, dass der neue Grenzübergang im Frühjahr öffnen und die Kontrolle einfacher wird.",
    "ru": "Правительство заявило, что новый пограничный переход откроется весной, а проверки станут проще.",
    "uk": "Уряд заявив, що новий прикордонний перехід відкриється навесні, а перевірки стануть простішими.",
    "pl": "Rząd twierdzi, że nowe przejście graniczne zostanie otwarte wiosną, a kontrole będą prostsze.",
    "fr": "Le gouvernement affirme que le nouveau poste frontière ouvrira au printemps et que les contrôles seront simplifiés.",
}


def test_detects_monitored_languages():
    for code, text in SAMPLES.items():
        found, score = language.detect(text, DEFAULT_LANGUAGES)
        assert found == code, (code, found, score)
        assert 0.0 < score <= 1.0


def test_unmonitored_language_is_named_by_the_fallback_and_short_text_is_unknown():
    japanese = "政府は、新しい国境検問所が春に開設され、検査が簡素化されると述べた。これは地域住民にとって朗報だ。"
    assert language.detect(japanese, ("nb", "en", "ru"))[0] == "ja"
    assert language.detect("OK!", DEFAULT_LANGUAGES) == (None, 0.0)


def test_paragraph_languages_and_majority_document_language():
    text = SAMPLES["nb"] + " " + SAMPLES["nb"] + "\n\n" + SAMPLES["en"]
    paras = language.paragraphs(text, DEFAULT_LANGUAGES)
    assert [p.language for p in paras] == ["nb", "en"]
    assert text[paras[1].start:paras[1].end] == SAMPLES["en"]
    assert language.document_language(text, paras, DEFAULT_LANGUAGES)[0] == "nb"
