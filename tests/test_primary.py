"""Primary sources: reading transcripts into turns and passages, speakers across scripts, language
versions, bad input, and the store verbs (on SQLite and PostgreSQL)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disinfowatch import api
from disinfowatch.errors import StoreError
from disinfowatch.primary import (PrimaryOptions, PrimarySourceError, date_range, fold, from_text, read_primary,
                                  same_speaker, speaker_key, work_key)
from disinfowatch.settings import load
from shared_data import SEED_TRANSCRIPT, require


def test_the_seed_transcript_is_two_linked_language_versions_with_turns():
    sources, skipped = read_primary(require(SEED_TRANSCRIPT).read_bytes(), SEED_TRANSCRIPT.name)
    assert skipped == []
    by_language = {s.language: s for s in sources}
    assert set(by_language) == {"en", "ru"}
    en, ru = by_language["en"], by_language["ru"]
    assert en.work == ru.work  # ?selectedLocale=ru is the same interview
    assert en.published == "2017-04-24" and en.kind == "interview" and en.speakers == ("Jens Stoltenberg",)
    roles = {p.key: (p.speaker, p.role, p.turn) for p in en.passages}
    assert roles["nato_russia24_2017_q1"] == ("Russia24 interviewer", "question", 0)
    # An answer going on over several lines is one turn of the same speaker.
    assert roles["nato_russia24_2017_a1_coldwar"] == ("Jens Stoltenberg", "answer", 1)
    assert roles["nato_russia24_2017_a1_noconfrontation"] == ("Jens Stoltenberg", "answer", 1)
    assert roles["nato_russia24_2017_q2_tanks_crimea"][1:] == ("question", 2)
    assert [p.role for p in ru.passages] == ["question", "answer"]  # Вопрос: / Ответ:


TRANSCRIPT = """Q. Secretary General, is NATO preparing for war?
A. No. NATO does not want confrontation with Russia.
We are a defensive alliance. Our battlegroups are small, they rotate, and they are there to deter. They
are not there to provoke.

Q: And the exercises?
A: They are announced in advance.
"""


def test_q_and_a_lines_are_split_into_turns_and_passages_with_speakers():
    source = from_text(TRANSCRIPT, PrimaryOptions(speakers=("Jens Stoltenberg",), interviewer="Anna Reporter",
                                                  date="2019-11-18", title="Interview", url="https://nato.example/i"))
    assert source.kind == "interview" and source.language == "en" and source.speakers == ("Jens Stoltenberg",)
    assert [(p.speaker, p.role, p.turn) for p in source.passages] == [
        ("Anna Reporter", "question", 0), ("Jens Stoltenberg", "answer", 1), ("Jens Stoltenberg", "answer", 1),
        ("Anna Reporter", "question", 2), ("Jens Stoltenberg", "answer", 3)]
    # A long answer is cut into passages of at most three sentences, evenly.
    assert source.passages[1].text == "No. NATO does not want confrontation with Russia. We are a defensive alliance."
    assert source.passages[2].text.startswith("Our battlegroups are small")


def test_speaker_lines_name_their_speakers_and_questioners():
    text = ("MODERATOR: Good afternoon, the Secretary General will take questions.\n"
            "JENS STOLTENBERG: Thank you. NATO does not want a new Cold War.\n"
            "Question (Reuters): Are you preparing for war?\n"
            "STOLTENBERG: No. We are preparing to prevent one.\n")
    source = from_text(text, PrimaryOptions(speakers=("Jens Stoltenberg",), date="2019-05-02", kind="press-conference"))
    assert [(p.speaker, p.role) for p in source.passages] == [
        ("Moderator", "question"), ("Jens Stoltenberg", "statement"), ("Question", "question"),
        ("Jens Stoltenberg", "statement")]
    assert source.kind == "press-conference"


def test_russian_labels_and_a_speech_without_labels():
    text = "Вопрос: Готовит ли НАТО нападение?\nОтвет: Нет. НАТО не хочет конфронтации с Россией."
    source = from_text(text, PrimaryOptions(speakers=("Йенс Столтенберг",), date="2017-04-24"))
    assert [(p.speaker, p.role) for p in source.passages] == [("Interviewer", "question"), ("Jens Stoltenberg", "answer")]
    assert source.language == "ru"
    speech = from_text("Allies, friends. We will defend every inch of allied territory.",
                       PrimaryOptions(speakers=("Jens Stoltenberg",), date="2018-07-11", kind="speech"))
    assert [(p.speaker, p.role) for p in speech.passages] == [("Jens Stoltenberg", "statement")]


def test_bad_lines_are_skipped_with_reasons_and_a_source_needs_a_date(tmp_path):
    lines = [json.dumps({"source_id": "s-1", "speaker": "A B", "date": "2020-01-02", "lang": "en", "url": "https://x.example/t",
                         "text": "We will not send troops."}),
             "{not json", json.dumps({"source_id": "s-2", "text": ""}), json.dumps(["a list"])]
    sources, skipped = read_primary("\n".join(lines).encode(), "t.jsonl")
    assert len(sources) == 1 and len(sources[0].passages) == 1
    assert [s.where for s in skipped] == ["t.jsonl:2", "t.jsonl:3", "t.jsonl:4"]
    assert "not JSON" in skipped[0].reason and skipped[1].reason == "no text"
    with pytest.raises(PrimarySourceError, match="no date"):
        from_text("A. We will not send troops.", PrimaryOptions(speakers=("A B",)))
    with pytest.raises(PrimarySourceError, match="no passages"):
        read_primary(b"{broken", "empty.jsonl")
    with pytest.raises(PrimarySourceError, match="unknown kind"):
        from_text("text", PrimaryOptions(date="2020-01-01", kind="tweet"))
    with pytest.raises(PrimarySourceError, match="NUL bytes"):
        read_primary(b"\x00\x01\x02binary", "scan.txt", PrimaryOptions(date="2020-01-01"))
    with pytest.raises(PrimarySourceError, match="cap"):
        read_primary(b"x" * 2000, "big.txt", PrimaryOptions(date="2020-01-01"), max_bytes=1000)


def test_names_match_across_scripts_spellings_and_forms():
    for a, b in [("Jens Stoltenberg", "Столтенберг"), ("Katrin Wellhausen", "Веллгаузен"),
                 ("Вероника Селезнёва", "Weronika Sielezniowa"), ("Вероника Селезнёва", "Selesnjowa"),
                 ("Hélène Castaing-Morel", "Елен Кастен-Морель"), ("Andrzej Rembowski", "Рембовський"),
                 ("Ingrid Solhaug Brekke", "Solhaug Brekke"), ("Jens Stoltenberg", "J. Stoltenberg"),
                 ("Andrzej Rembowski", "Lt Gen Andrzej Rembowski")]:
        assert same_speaker(a, b), (a, b)
        assert speaker_key(a) == speaker_key(b)
    for a, b in [("Anna Berg", "Per Berg"), ("Jens Stoltenberg", "Thorvald Stoltenberg"), ("Jens Stoltenberg", "Putin"),
                 ("", "Putin"), (None, "Putin")]:
        assert not same_speaker(a, b), (a, b)


@given(st.text(max_size=40))
def test_name_keys_never_fail_and_a_name_is_its_own_speaker(name):
    key = speaker_key(name)
    assert isinstance(key, str) and key == speaker_key(name)
    if key:
        assert same_speaker(name, name)
    assert isinstance(fold(name), str)


def test_dates_and_language_versions():
    assert [d.isoformat() for d in date_range("2017-04")] == ["2017-04-01", "2017-04-30"]
    assert [d.isoformat() for d in date_range("2020-02-29")] == ["2020-02-29", "2020-02-29"]
    assert [d.isoformat() for d in date_range("2017-04-28T09:30:00+02:00")] == ["2017-04-28", "2017-04-28"]
    assert date_range("someday") is None and date_range("2021-02-30") is None
    assert work_key("https://www.nato.int/cps/en/natohq/opinions_143290.htm?selectedLocale=ru") == \
        work_key("https://nato.int/cps/en/natohq/opinions_143290.htm")
    assert work_key("https://x.example/interview/ru") == work_key("https://x.example/interview")
    assert work_key("https://x.example/interview") != work_key("https://x.example/speech")


# -- the store -----------------------------------------------------------------------------------


def test_sources_are_stored_replaced_listed_and_removed(store):
    sources, _ = read_primary(require(SEED_TRANSCRIPT).read_bytes(), SEED_TRANSCRIPT.name)
    en = next(s for s in sources if s.language == "en")
    assert store.upsert_primary_source(en, origin="seed") == "new"
    assert store.upsert_primary_source(en, origin="seed") == "unchanged"
    listed = store.list_primary_sources()
    assert [(r["key"], r["passages"], r["speakers"]) for r in listed] == [(en.key, 6, ["Jens Stoltenberg"])]
    assert store.get_primary_source(en.key).passages == en.passages
    # Candidates: the speaker's answers in the date window, never the questions.
    found = store.candidate_passages({speaker_key("Столтенберг")}, "2017-03-01", "2017-04-30")
    assert [p["key"] for p in found][:2] == ["nato_russia24_2017_a1_coldwar", "nato_russia24_2017_a1_deterioration"]
    assert all(p["role"] != "question" for p in found) and len(found) == 4
    assert store.candidate_passages({speaker_key("Stoltenberg")}, "2017-05-01", "2017-06-30") == []
    # Another source may not take a passage key that is taken.
    from dataclasses import replace

    with pytest.raises(StoreError, match="already a passage of"):
        store.upsert_primary_source(replace(en, key="copy-of-seed"))
    assert store.remove_primary_source(en.key) and not store.remove_primary_source(en.key)
    assert store.list_primary_sources() == []


def test_api_registers_files_and_marks_documents_for_verification_again(tmp_path):
    settings = load(overrides={"db": f"sqlite:///{tmp_path / 'p.db'}", "embedder": "fake"}, read_env=False)
    path = tmp_path / "speech.txt"
    path.write_text("date 2019-11-18\ntitle Speech on deterrence\n\nNATO does not want confrontation. We keep talking.",
                    encoding="utf-8")
    added = api.add_primary_sources(settings, [str(path)], PrimaryOptions(speakers=("Jens Stoltenberg",), kind="speech"))
    assert [(a["title"], a["kind"], a["published"], a["passages"], a["outcome"]) for a in added] == [
        ("Speech on deterrence", "speech", "2019-11-18", 1, "new")]
    assert added[0]["spans"] >= 1
    shown = api.get_primary_source(settings, added[0]["key"])
    assert shown["source"].passages[0].speaker == "Jens Stoltenberg" and shown["verifications"] == []
    from disinfowatch.errors import DisinfowatchError

    with pytest.raises(DisinfowatchError, match="cannot read"):
        api.add_primary_sources(settings, [str(tmp_path / "missing.jsonl")])
    with pytest.raises(DisinfowatchError, match="no primary source"):
        api.get_primary_source(settings, "nope")


def test_passages_are_searchable_in_any_language(tmp_path):
    settings = load(overrides={"db": f"sqlite:///{tmp_path / 's.db'}"}, read_env=False)
    api.add_primary_sources(settings, [str(require(SEED_TRANSCRIPT))])
    found = api.search_passages(settings, "NATO ønsker ikke konfrontasjon med Russland", speaker="Столтенберг", limit=3)
    assert found[0]["key"] == "nato_russia24_2017_a1_noconfrontation"
    assert {row["speaker"] for row in found} == {"Jens Stoltenberg"}
    assert api.search_passages(settings, "   ") == []
