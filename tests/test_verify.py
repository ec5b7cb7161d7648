"""Verification against primary sources: the differences, who and when is checked, the alerts, the
store, the seed scenario end to end from the CLI, and the optional NLI backend on a tiny model."""

import json
import re

import pytest
from click.testing import CliRunner

from disinfowatch import align, api
from disinfowatch.cli import main
from disinfowatch.primary import PrimaryOptions, from_text
from disinfowatch.records import Verification
from disinfowatch.settings import Settings, load
from disinfowatch.verify import Report, alerts_for, candidates_for, occasion, report_from_item, window
from shared_data import SEED_ARTICLE, SEED_TRANSCRIPT, require


def _kinds(report, report_language, passage, passage_language=None, **span):
    found = align.compare(report, report_language, _span(passage, passage_language or report_language, **span))
    return {d["kind"]: d for d in found.differences}


def _span(text, language, before="", after=""):
    row = {"key": "p1", "idx": 0, "turn": 0, "speaker": "X", "role": "answer", "text": text, "source_key": "s",
           "source_title": "t", "source_kind": "interview", "source_language": language, "source_published": "2020-01-01",
           "source_url": None, "source_work": "w"}
    return align.Span(text, ("p1",), row, before, after, tuple(align.clauses(text)))


# -- differences -------------------------------------------------------------------------------


def test_a_dropped_negation_is_a_difference_across_languages():
    found = _kinds("NATO forbereder et angrep på Russland", "nb", "NATO does not want confrontation with Russia", "en")
    assert set(found) == {"negation"}
    assert found["negation"]["passage"] == ["not"] and found["negation"]["report"] == []
    assert _kinds("NATO ønsker ikke konfrontasjon med Russland", "nb", "NATO does not want confrontation with Russia", "en") == {}
    # "fake sites" names false things; it does not deny anything.
    assert _kinds("Франція виявила сорок фейкових сайтів", "uk", "Nous avons identifié une quarantaine de faux sites", "fr") == {}


def test_numbers_are_compared_whatever_the_unit_of_thousands():
    found = _kinds("у Литві вже перебувають близько 8 тисяч німецьких військових", "uk",
                   "derzeit sind rund 800 Soldatinnen und Soldaten vor Ort", "de")
    assert found["quantity"]["report"] == ["8,000"] and found["quantity"]["passage"] == ["800"]
    assert "quantity" not in _kinds("zwiększy środki o 200 mln euro", "pl", "um 200 Millionen Euro aufstocken", "de")
    assert "quantity" not in _kinds("In 2023 we saw 3,000 troops", "en", "In 2024 there were 3 000 troops", "en")
    assert "quantity" in _kinds("most of Ukraine's grain exports", "en", "près de la moitié des céréales ukrainiennes", "fr")


def test_who_does_what_to_whom_possibility_and_intent():
    found = _kinds("Украина вновь атакует российские электростанции", "ru",
                   "Russia has again been attacking Ukraine's power plants", "en")
    assert found["subject"]["report"] == ["Ukraine", "Russia"] and found["subject"]["passage"] == ["Russia", "Ukraine"]
    found = _kinds("NATO will set up a maritime mission", "en", "NATO is considering a maritime mission", "en")
    assert found["possibility"]["passage"] == ["considering"]
    found = _kinds("Наша цель — подготовиться к войне в Европе", "ru", "Unser Ziel ist es, einen Krieg in Europa zu verhindern", "de")
    assert "intent" in found and "verhinder" in found["intent"]["what"]


def test_a_quote_cut_from_its_denial_or_from_what_others_claim():
    found = _kinds("NATO is planning to deploy nuclear weapons in the Baltic states", "en",
                   "NATO is planning to deploy nuclear weapons in the Baltic states.", "en", after="That is simply untrue.")
    assert found["context"]["what"] == "the speaker goes on: «That is simply untrue.»"
    found = _kinds("Україна має поступитися територіями", "uk", "Il y a ceux qui disent que l'Ukraine devrait céder des territoires", "fr")
    assert "ceux qui disent" in found["context"]["passage"]
    # Qualifying what one said is not denying it.
    assert "context" not in _kinds("our gas storage is 99 percent full", "en", "our gas storage is 99 percent full.", "en",
                                   after="That does not mean we can be complacent.")


def test_same_language_polarity_is_read_on_the_words_the_report_quotes():
    text = "Nous ne partageons pas cette position : c'est aux Ukrainiens, et à eux seuls, de décider."
    found = align.compare("c'est aux Ukrainiens, et à eux seuls, de décider", "fr", _span(text, "fr"))
    assert found.verbatim >= 95 and found.differences == ()


def test_spans_are_runs_of_clauses_within_a_turn():
    rows = [{"key": f"p{i}", "idx": i, "turn": 0 if i < 2 else 1, "speaker": "X", "role": "answer", "text": text,
             "source_key": "s", "source_title": "t", "source_kind": "interview", "source_language": "en",
             "source_published": "2020-01-01", "source_url": None, "source_work": "w"}
            for i, text in enumerate(["A. One two three; four five.", "Six seven.", "Eight nine ten."])]
    spans = align.spans_of(rows)
    texts = [s.text for s in spans]
    assert "One two three; four five. Six seven." not in texts  # at most two clauses...
    assert "One two three; four five." in texts and "four five. Six seven." in texts  # ...across passages of a turn
    assert "Six seven. Eight nine ten." not in texts  # never across turns
    assert next(s for s in spans if s.text == "four five. Six seven.").passages == ("p0", "p1")
    assert align.chunks("one two three four five six seven") == ["one two three four", "three four five six",
                                                                 "four five six seven"]


# -- who and when ----------------------------------------------------------------------------------


def test_the_occasion_a_report_names_and_claims_about_a_source():
    assert occasion("sier Stoltenberg i intervjuet", "nb") == ("interview", False)
    assert occasion("sa Stoltenberg i en uttalelse etter møtet", "nb") == ("statement", False)
    assert occasion("заявила міністерка оборони", "uk") == (None, False)  # "declared", not "a statement"
    assert occasion("Når statseide Rossija 1 presenterte klipp fra intervjuet", "nb") == ("interview", True)
    document = {"document_id": 1, "published": "2017-04", "people": ["Jens Stoltenberg"]}
    claim = {"item_kind": "claim", "item_id": 7, "text": "NATO forbereder et angrep på Russland", "who": "Rossiya 1",
             "who_kind": "outlet", "attribution": "blir det hevdet at", "language": "nb",
             "sentence": "Når statseide Rossija 1 presenterte klipp fra intervjuet blir det hevdet at NATO forbereder et "
                         "angrep på Russland."}
    report = report_from_item(claim, document)
    assert report.about_source and report.speakers == ("Jens Stoltenberg",) and report.occasion == "interview"
    plain = report_from_item({**claim, "sentence": "Det blir hevdet at NATO forbereder et angrep."}, document)
    assert plain.speakers == () and not plain.about_source  # an outlet's own claim names no speaker


def test_a_report_naming_another_occasion_is_not_checked_against_an_interview():
    passages = [{"speaker": "Jens Stoltenberg", "source_kind": "interview"}]
    report = Report("quote", 1, 1, "Vi hadde en ærlig diskusjon", "nb", ("Jens Stoltenberg",), "2017-04",
                    occasion="statement")
    mine, reason = candidates_for(report, passages)
    assert mine == [] and "names a statement" in reason and "interview" in reason
    assert candidates_for(Report("quote", 1, 1, "x", "nb", ("Vladimir Putin",), "2017-04"), passages)[1].startswith(
        "no registered source of Vladimir Putin")
    settings = Settings()
    assert window("2017-04", settings) == ("2017-01-31", "2017-05-02")
    assert window(None, settings) == (None, None)


def test_only_divergent_and_not_found_raise_alerts_and_only_as_suggestions():
    results = [Verification("quote", i, 1, relation, "Jens Stoltenberg", "p1", "s", 0.9,
                            {"aligned_text": "a", "passage_text": "b"}) for i, relation in
               enumerate(["verbatim", "faithful", "divergent", "not_found", "unchecked"])]
    alerts = alerts_for(results)
    assert [(a.kind, a.level, a.target) for a in alerts] == [("divergent", "suggest", "p1"),
                                                             ("not_found", "suggest", "speaker:jens stoltenberg")]


# -- the store and the pipeline -----------------------------------------------------------------


def _seed_settings(tmp_path, **overrides):
    return load(overrides={"db": f"sqlite:///{tmp_path / 'seed.db'}", **overrides}, read_env=False)


def test_verifications_are_replaced_per_document_and_decisions_survive(store):
    from disinfowatch.records import Alert

    doc_id = _a_document(store)
    result = Verification("quote", 1, doc_id, "divergent", "X", "p1", "s", 0.8, {"text": "t"})
    alert = Alert("divergent", "quote", 1, doc_id, "p1", 0.8, "suggest", {"text": "t"})
    assert store.save_verifications(doc_id, [result], [alert], "v1") == 1
    assert store.save_verifications(doc_id, [result], [alert], "v1") == 1  # replaced, not added
    assert [r["relation"] for r in store.verifications(document_id=doc_id)] == ["divergent"]
    [row] = store.alerts(kind="divergent", status=None)
    store.decide_alert(row["id"], "dismissed", "analyst")
    assert store.save_verifications(doc_id, [result], [alert], "v1") == 0  # a dismissed alert is not raised again
    assert store.documents_to_verify("v1") == [] and store.documents_to_verify("v2") == [doc_id]


def _a_document(store) -> int:
    from disinfowatch.records import Analysis, Document

    doc = Document(url="https://x.example/a", text="Some text here for the test.", content_hash="h1", raw_sha256="r1")
    doc_id, _ = store.add_document(doc)
    store.save_analysis(Analysis(doc_id, (), (), (), (), ()))
    return doc_id


@pytest.mark.slow
def test_seed_scenario_from_the_command_line(tmp_path):
    """Ingest the seed article, register NATO's transcript, analyze: Stoltenberg's Norwegian quotes
    are faithful renderings of the English passages, the Rossija 1 claim is set against "NATO does
    not want confrontation with Russia" as divergent with the differing words, next to its
    narrative alert; nothing is duplicated on a second run, and an analyst's decision stays."""
    db = str(tmp_path / "seed.db")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(require(SEED_ARTICLE)), "--db", db]).exit_code == 0
    added = runner.invoke(main, ["sources", "primary", "add", str(require(SEED_TRANSCRIPT)), "--db", db])
    assert added.exit_code == 0, added.output
    assert "new nato_russia24_2017-en" in added.output and "6 passages by Jens Stoltenberg" in added.output
    result = runner.invoke(main, ["analyze", "--db", db])
    assert result.exit_code == 0, result.output
    out = result.output
    blocks = re.split(r"\n(?=[A-Z][A-Z ]+ \d\.\d\d  )", out)

    # (a) the dash quotes, aligned to the English passages they render
    faithful = [b for b in blocks if b.startswith("FAITHFUL") and "Vi har et vanskelig forhold" in b]
    assert faithful and "«NATO does not want confrontation with Russia, NATO doesn’t want a new Cold War" in faithful[0]
    assert "nato_russia24_2017_a1_noconfrontation" in faithful[0]
    arms_race = [b for b in blocks if "Vi vil ikke ha et våpenkappløp" in b]
    assert arms_race and arms_race[0].startswith("FAITHFUL")
    assert "Norwegian politician" in arms_race[0]  # its second sentence renders the next passage

    # (b) the Rossija 1 claim, divergent, with the passage and the differing words of both sides
    divergent = [b for b in blocks if b.startswith("DIVERGENT") and "NATO altså forbereder et angrep på Russland" in b]
    assert divergent, out
    block = divergent[0]
    assert "claim by Rossiya 1 about what Jens Stoltenberg said" in block
    assert "passage: «NATO does not want confrontation with Russia" in block
    assert "differs: negation" in block and "passage «not»" in block
    assert "report «forbereder», «angrep»" in block
    # (c) next to it, the narrative alert of matching on the same claim
    assert re.search(r"also: narrative alert #\d+ confirm \d\.\d\d: NATO is preparing an attack on Russia "
                     r"\[nato-aggression\]", block)

    settings = load(overrides={"db": f"sqlite:///{db}"}, read_env=False)
    rows = api.verifications(settings, limit=None)
    claim = next(r for r in rows if r["item_kind"] == "claim" and "forbereder" in r["evidence"]["text"])
    assert claim["relation"] == "divergent" and claim["passage_key"] == "nato_russia24_2017_a1_noconfrontation"
    assert claim["evidence"]["differences"][0]["kind"] == "negation"
    mine = [a for a in api.alerts(settings, status=None, limit=None) if a["kind"] in ("divergent", "not_found")]
    alerts = [a for a in mine if a["kind"] == "divergent" and a["item_id"] == claim["item_id"]]
    assert len(alerts) == 1 and {a["level"] for a in mine} == {"suggest"}  # never confirmed without an analyst
    # The quote from a statement after a meeting is not checked against the interview.
    unchecked = api.verifications(settings, relation="unchecked", checked_only=False, limit=None)
    assert any("Vi hadde en ærlig" in r["evidence"]["text"] and "names a statement" in r["evidence"]["why"]
               for r in unchecked)

    # Run again: nothing new. Dismiss the divergent alert, register the transcript again (which
    # marks every document for verification), analyze: the same results, the decision kept.
    again = runner.invoke(main, ["analyze", "--db", db, "--json"])
    assert json.loads(again.output)["verification"]["verified"] == 0
    with api.store(settings) as st:
        st.decide_alert(alerts[0]["id"], "dismissed", "analyst")
        st.upsert_primary_source(from_text("A. Something else entirely.", PrimaryOptions(
            speakers=("Jens Stoltenberg",), date="2017-04-20", key="other-interview")))
    third = json.loads(runner.invoke(main, ["analyze", "--db", db, "--json"]).output)
    assert third["verification"]["verified"] == 1 and third["verification"]["alerts"] == len(
        [a for a in api.alerts(settings, status="open", limit=None) if a["kind"] in ("divergent", "not_found")])
    assert len(api.verifications(settings, checked_only=False, limit=None)) == len(
        api.verifications(settings, checked_only=False, limit=None, document_id=1))
    assert [a["status"] for a in api.alerts(settings, kind="divergent", status=None, limit=None)
            if a["id"] == alerts[0]["id"]] == ["dismissed"]
    assert len([a for a in api.alerts(settings, kind="divergent", status=None, limit=None)
                if a["item_id"] == claim["item_id"] and a["item_kind"] == "claim"]) == 1
    listed = runner.invoke(main, ["sources", "primary", "show", "nato_russia24_2017-en", "--db", db])
    assert "Reports checked against it" in listed.output and "NATO altså forbereder" in listed.output


# -- the optional NLI backend ----------------------------------------------------------------------

NLI_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "nato", "does", "not", "want", "confrontation", "with",
             "russia", "vi", "har", "et", "forhold"]


@pytest.fixture(scope="module")
def nli_model_dir(tmp_path_factory):
    """A tiny BERT cross-encoder with three NLI labels whose classifier always says contradiction."""
    pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed "
                                                         "(optional extra: pip install -e '.[st]')")
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    root = tmp_path_factory.mktemp("nli") / "tiny-nli"
    words = Tokenizer(models.WordPiece({w: i for i, w in enumerate(NLI_VOCAB)}, unk_token="[UNK]"))
    words.normalizer = normalizers.BertNormalizer(lowercase=True)
    words.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    words.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=words, unk_token="[UNK]", pad_token="[PAD]",
                                        cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(NLI_VOCAB), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=512, num_labels=3,
                        id2label={0: "CONTRADICTION", 1: "ENTAILMENT", 2: "NEUTRAL"},
                        label2id={"CONTRADICTION": 0, "ENTAILMENT": 1, "NEUTRAL": 2})
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([8.0, 0.0, 0.0]))
    model.save_pretrained(root)
    tokenizer.save_pretrained(root)
    return root


@pytest.mark.slow
def test_an_nli_model_from_a_local_path_is_consulted(nli_model_dir, tmp_path):
    from disinfowatch.nli import get_judge

    judge = get_judge("cross-encoder", path=str(nli_model_dir))
    [answer] = judge.judge([("NATO does not want confrontation with Russia", "Vi har et forhold")])
    assert answer["contradiction"] > 0.99 and judge.id.startswith("nli:tiny-nli@")
    settings = _seed_settings(tmp_path, verify_nli=str(nli_model_dir))
    api.ingest([str(require(SEED_ARTICLE))], settings)
    api.add_primary_sources(settings, [str(require(SEED_TRANSCRIPT))])
    api.analyze(settings)
    quote = next(r for r in api.verifications(settings, limit=None) if "Vi har et vanskelig forhold" in r["evidence"]["text"])
    # The model contradicts everything: the faithful rendering becomes divergent, saying why.
    assert quote["relation"] == "divergent" and quote["evidence"]["nli"]["model"] == judge.id
    assert quote["evidence"]["differences"][-1]["kind"] == "nli"


def test_a_missing_nli_model_is_a_clear_error(tmp_path):
    from disinfowatch.errors import ConfigError
    from disinfowatch.nli import get_judge

    with pytest.raises(ConfigError, match="no model directory"):
        get_judge("cross-encoder", path=str(tmp_path / "nothing"))
    with pytest.raises(ConfigError, match="unknown NLI backend"):
        get_judge("oracle")
