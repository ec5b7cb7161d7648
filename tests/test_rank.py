"""The lexical index, the fusion of lexical and vector scores, and its probabilities."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disinfowatch.embed import get_embedder
from disinfowatch.rank import (
    FEATURES,
    VECTOR_FEATURES,
    Candidates,
    Fusion,
    FusionModel,
    HybridRanker,
    LexicalIndex,
    bundled_fusion,
    clean_post,
    fusion_features,
    language_code,
    terms,
)


# --- terms and the lexical index -------------------------------------------------------------

@pytest.mark.parametrize("inflected, base, language", [
    ("Russlands", "Russland", "nb"),
    ("России", "Россия", "ru"),
    ("Росії", "Росія", "uk"),
    ("Angriffs", "Angriff", "de"),
    ("claims", "claim", "en"),
])
def test_inflected_forms_share_a_term(inflected, base, language):
    assert set(terms(inflected, language)) & set(terms(base, language))


def test_terms_without_a_language_guess_from_the_script():
    assert "россия" in terms("России")
    assert "prisoner" in terms("Prisoners")


def test_terms_are_lowercased_words_without_single_letters_or_links_markup():
    assert terms("NATO's &amp; EU-plans, 2017 a") == ["nato", "eu", "plans", "plan", "2017"]


def test_inflected_query_finds_its_base_form():
    index = LexicalIndex(["Russland og NATO", "Vær og vind i Bergen", "Россия и НАТО"], ["nb", "nb", "ru"])
    assert int(np.argmax(index.scores("Russlands grenser", "nb"))) == 0
    assert int(np.argmax(index.scores("России", "ru"))) == 2
    assert index.scores("России", "ru")[:2].tolist() == [0.0, 0.0]


def test_rare_terms_weigh_more_than_common_ones():
    texts = ["the cat sat", "the dog sat", "the bird sat", "the cow flew"]
    index = LexicalIndex(texts, "en")
    scores = index.scores("the cow sat", "en")
    assert int(np.argmax(scores)) == 3
    indices, best = index.top("the cow sat", k=2, language="en")
    assert indices[0] == 3 and best[0] == pytest.approx(scores[3]) and len(indices) == 2


def test_shares_are_the_idf_weighted_share_of_query_words():
    index = LexicalIndex(["alpha beta", "gamma delta", "epsilon zeta"], "en")
    shares = index.shares("alpha beta", "en")
    assert shares[0] == pytest.approx(1.0, abs=0.15)
    assert shares[1] == shares[2] == 0.0
    half = index.shares("alpha omega", "en")[0]
    assert 0.2 < half < 0.7


def test_empty_queries_and_empty_indexes_score_nothing():
    assert LexicalIndex([]).scores("anything").shape == (0,)
    assert LexicalIndex(["some text"]).scores("").tolist() == [0.0]
    assert LexicalIndex(["some text"]).shares("!!!").tolist() == [0.0]
    with pytest.raises(ValueError, match="2 texts but 1 languages"):
        LexicalIndex(["a b", "c d"], ["en"])


def test_clean_post_drops_links_and_keeps_who_said_it():
    post = "Big news https://t.co/x pic.twitter.com/AbC &amp; more — Jane (@jane) May 1, 2019"
    assert clean_post(post) == "Big news & more — Jane (@jane) May 1, 2019"


# --- fusion ----------------------------------------------------------------------------------

def test_fusion_features_measure_each_candidate_against_the_best():
    features = fusion_features(np.array([0.9, 0.8]), np.array([0.1, 0.5]), np.array([1.0, 4.0]))
    assert set(features) == set(FEATURES)
    assert features["vector_gap"].tolist() == pytest.approx([0.0, -0.1])
    assert features["lexical_gap"].tolist() == pytest.approx([-0.4, 0.0])
    assert features["lexical_relative"].tolist() == pytest.approx([0.25, 1.0])
    assert fusion_features(np.zeros(2), np.zeros(2), np.zeros(2))["lexical_relative"].tolist() == [0.0, 0.0]


def _probability_of_first(model, vector, lexical):
    """Probability of candidate 0 among fixed rivals, as its vector and lexical parts vary."""
    rivals_vector, rivals_lexical = np.array([0.85, 0.8]), np.array([0.3, 0.1])
    mass = 10.0
    lexicals = np.concatenate([[lexical], rivals_lexical])
    features = fusion_features(np.concatenate([[vector], rivals_vector]), lexicals, lexicals * mass)
    return model.probability(features)[0]


@pytest.mark.parametrize("which", ["hybrid", "vector"])
def test_shipped_fusion_is_monotone_in_each_part(which):
    model = getattr(bundled_fusion(), which)
    grid = np.linspace(0.0, 1.0, 41)
    for lexical in (0.0, 0.2, 0.6):
        by_vector = [_probability_of_first(model, v, lexical) for v in grid]
        assert np.all(np.diff(by_vector) >= -1e-12)
    for vector in (0.7, 0.8, 0.9):
        by_lexical = [_probability_of_first(model, vector, x) for x in grid]
        assert np.all(np.diff(by_lexical) >= -1e-12)


def test_shipped_fusion_weights_are_not_negative():
    for model in (bundled_fusion().hybrid, bundled_fusion().vector):
        assert np.all(model.weights >= 0), model.effective_weights()
    assert set(bundled_fusion().vector.features) <= set(VECTOR_FEATURES)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(-1, 1), st.floats(0, 5), st.floats(0, 50)), min_size=1, max_size=20))
def test_probabilities_are_in_the_unit_interval(rows):
    vector, lexical, bm25 = (np.array(column) for column in zip(*rows))
    for model in (bundled_fusion().hybrid, bundled_fusion().vector):
        p = model.probability(fusion_features(vector, lexical, bm25))
        assert p.shape == (len(rows),) and np.all((p >= 0) & (p <= 1))


def test_fusion_model_fits_saves_and_loads(tmp_path):
    rng = np.random.default_rng(0)
    vector = rng.uniform(0.6, 1.0, 400)
    lexical = rng.uniform(0, 1, 400)
    labels = (vector + 0.5 * lexical + rng.normal(0, 0.1, 400) > 1.2).astype(float)
    columns = fusion_features(vector, lexical, lexical)
    model = FusionModel.fit(columns, labels, ("vector", "lexical"))
    assert all(weight > 0 for name, weight in model.effective_weights().items() if name != "intercept")
    fusion = Fusion(model, FusionModel.fit(columns, labels, ("vector",)), depth=7, metadata={"note": "test"})
    fusion.save(tmp_path / "fusion.npz")
    loaded = Fusion.load(tmp_path / "fusion.npz")
    assert loaded.depth == 7 and loaded.metadata == {"note": "test"}
    assert loaded.hybrid.probability(columns) == pytest.approx(model.probability(columns))
    with pytest.raises(ValueError, match="unknown fusion feature.*known: vector"):
        FusionModel(("cosine",), [1.0], 0.0)


# --- the ranker ------------------------------------------------------------------------------

CATALOGUE = [
    ("NATO is preparing an attack on Russia", "en"),
    ("NATO forbereder et angrep på Russland", "nb"),
    ("НАТО готовит нападение на Россию", "ru"),
    ("Ukraine is a failed state", "en"),
    ("Sanctions hurt only Europe, not Russia", "en"),
]


@pytest.fixture(scope="module")
def ranker():
    texts, languages = zip(*CATALOGUE)
    return HybridRanker.build(texts, get_embedder("fake"), languages)


def test_rank_reports_the_parts_of_each_score(ranker):
    embedder = get_embedder("fake")
    query = "NATO prepares an attack against Russia"
    matches = ranker.rank_texts([query], embedder, "en", k=5)[0]
    assert [m.probability for m in matches] == sorted((m.probability for m in matches), reverse=True)
    assert matches[0].index == 0
    vector = embedder.embed([query], mode="query")[0]
    shares = ranker.index.shares(query, "en")
    for match in matches:
        assert match.vector == pytest.approx(float(ranker.vectors[match.index] @ vector), abs=1e-5)
        assert match.lexical == pytest.approx(shares[match.index])
        assert 0 <= match.probability <= 1
        assert set(match.as_dict()) == {"index", "probability", "vector", "lexical", "bm25", "words", "model"}


def test_candidates_in_another_language_use_the_vector_model(ranker):
    matches = ranker.rank_texts(["NATO prepares an attack against Russia"], get_embedder("fake"), "en", k=5)[0]
    models = {CATALOGUE[m.index][1]: m.model for m in matches}
    assert models == {"en": "hybrid", "nb": "vector", "ru": "vector"}
    unknown = ranker.rank_texts(["NATO prepares an attack"], get_embedder("fake"), None, k=5)[0]
    assert {m.model for m in unknown} == {"hybrid"}


def test_candidates_can_leave_texts_out(ranker):
    vector = get_embedder("fake").embed(["NATO attack"], mode="query")[0]
    candidates = ranker.candidates("NATO attack", vector, "en", exclude=[0, 1])
    assert isinstance(candidates, Candidates)
    assert candidates.indices.tolist() == [2, 3, 4]


def test_queries_must_come_from_the_catalogue_embedder(ranker):
    with pytest.raises(ValueError, match="never compared"):
        ranker.rank_texts(["x"], get_embedder("fake", dim=32))


def test_matches_name_the_query_words_they_contain(ranker):
    matches = ranker.rank_texts(["NATO prepares attacks against Russia"], get_embedder("fake"), "en", k=5)[0]
    words = {CATALOGUE[m.index][0]: m.words for m in matches}
    assert words["NATO is preparing an attack on Russia"] == ("nato", "prepares", "attacks", "russia")
    assert words["Ukraine is a failed state"] == ()


def test_matched_words_follow_lemmas():
    index = LexicalIndex(["Russland og NATO", "Россия и НАТО"], ["nb", "ru"])
    assert index.matched_words("Russlands grenser mot NATO", 0, "nb") == ["russlands", "nato"]
    assert index.matched_words("России", 1, "ru") == ["россии"]
    assert index.matched_words("России", 0, "ru") == []


@pytest.mark.parametrize("given, expected", [("en-GB", "en"), ("NO", "nb"), ("nb_NO", "nb"), ("", None), (None, None)])
def test_language_codes(given, expected):
    assert language_code(given) == expected


def test_ranker_needs_one_vector_per_text():
    with pytest.raises(ValueError, match="2 texts need 2 vector rows"):
        HybridRanker(["a b", "c d"], np.zeros((3, 4)))
