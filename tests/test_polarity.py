"""Polarity cues: a claim and its denial are told apart in every language with a cue table."""

import pytest

from disinfowatch.polarity import cues, languages, opposed, tokens


@pytest.mark.parametrize("language, claim, denial", [
    ("nb", "NATO forbereder et angrep på Russland", "NATO ønsker ikke konfrontasjon med Russland"),
    ("en", "NATO is preparing an attack on Russia", "NATO doesn't want confrontation with Russia"),
    ("ru", "НАТО готовит нападение на Россию", "НАТО не хочет конфронтации с Россией"),
    ("uk", "НАТО готує напад на Росію", "НАТО не хоче конфронтації з Росією"),
    ("de", "Die NATO bereitet einen Angriff auf Russland vor", "Die NATO will keine Konfrontation mit Russland"),
    ("fr", "L'OTAN prépare une attaque contre la Russie", "L'OTAN ne veut pas de confrontation avec la Russie"),
    ("pl", "NATO przygotowuje atak na Rosję", "NATO nie chce konfrontacji z Rosją"),
    ("sv", "Nato förbereder en attack mot Ryssland", "Nato vill inte ha konfrontation med Ryssland"),
])
def test_a_claim_and_its_negation_are_opposed(language, claim, denial):
    assert not cues(claim, language).negated
    assert cues(denial, language).negated
    assert opposed(claim, language, denial, language)
    assert not opposed(claim, language, claim, language)


def test_denial_verbs_count_and_a_double_flip_cancels():
    assert cues("Peskov denied that Russia planned an attack", "en").negated
    assert cues("Песков опроверг сообщения о нападении", "ru").negated
    assert not cues("It is not false that the report was published", "en").negated


def test_one_french_negation_is_one_flip_and_phrases_are_found():
    found = cues("L'OTAN ne veut plus la guerre, n'est-ce pas", "fr")
    assert found.negated and "ne" in found.negation
    assert "no longer" in cues("NATO no longer plans exercises there", "en").negation
    assert "n't" in tokens("It isn’t so")


def test_unknown_language_has_no_cues_and_the_tables_cover_the_required_languages():
    assert cues("nie ma", "xx") == cues("", None)
    assert {"nb", "en", "ru", "uk", "de", "fr", "pl"} <= set(languages())
