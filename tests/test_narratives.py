"""The narrative catalogue: the bundled file is complete and valid, bad user files fail naming the
field, the store syncs it idempotently (both backends), and the CLI round-trips. Texts written here."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from disinfowatch.cli import main
from disinfowatch.narratives import CatalogueError, load_bundled, parse, read_file
from disinfowatch.store import schema as t

REQUIRED_LANGUAGES = ("en", "ru", "uk", "de", "nb")


# -- the bundled catalogue --------------------------------------------------------------------

def test_bundled_catalogue_has_the_narratives_and_languages_asked_for():
    catalogue = load_bundled()
    ids = [n.id for n in catalogue]
    assert len(catalogue) >= 24 and len(set(ids)) == len(ids)
    for expected in ("nato-aggression", "nato-encirclement", "crimea-reunification", "ukraine-nazis", "biolabs",
                     "mh17-ukraine", "skripal-staged", "syria-chemical-staged", "russophobia", "ukraine-failed-state",
                     "sanctions-backfire", "maidan-coup", "baltic-persecution", "colour-revolutions", "eu-collapse",
                     "western-elections-rigged", "donbas-genocide", "western-media-lie", "nato-occupiers",
                     "migrants-weapon", "covid-bioweapon", "staged-atrocities"):
        assert expected in ids
    for narrative in catalogue:
        assert narrative.origin == "bundled"
        for language in REQUIRED_LANGUAGES:
            assert len(narrative.exemplars_in(language)) >= 3, (narrative.id, language)
        assert 2 <= narrative.description.count(". ") + 1 <= 6, narrative.id
        assert re.search(r"https://\S+", narrative.disproof), f"{narrative.id}: the response needs a reference URL"
        assert narrative.keywords and narrative.title


def test_exemplars_are_distinct_within_and_across_narratives():
    owner: dict[str, str] = {}
    for narrative in load_bundled():
        for _, text in narrative.exemplars:
            assert text not in owner, f"{text!r} is in {owner.get(text)} and {narrative.id}"
            owner[text] = narrative.id


def test_the_nato_aggression_narrative_names_the_denial_as_not_the_narrative():
    nato = next(n for n in load_bundled() if n.id == "nato-aggression")
    assert "Not this narrative" in nato.description
    assert any("ikke konfrontasjon" in text for lang, text in nato.counterexamples if lang == "nb")
    assert not any("ikke" in text for text in nato.exemplars_in("nb"))


# -- validation of user files -----------------------------------------------------------------

GOOD = {"id": "grain-deal", "title": "The West wrecked the grain deal", "description": "A test narrative.",
        "exemplars": {"en": ["The West wrecked the grain deal."], "nb": "Vesten ødela kornavtalen."}}


@pytest.mark.parametrize("change, fragments", [
    ({"id": None}, ["narrative #1", "field 'id'", "missing"]),
    ({"id": "Grain Deal"}, ["'Grain Deal'", "field 'id'", "not a slug"]),
    ({"title": ""}, ["'grain-deal'", "field 'title'"]),
    ({"description": 3}, ["'grain-deal'", "field 'description'", "expected text"]),
    ({"exemplars": {}}, ["'grain-deal'", "field 'exemplars'", "at least one"]),
    ({"exemplars": {"english": ["x"]}}, ["field 'exemplars'", "'english'", "ISO 639"]),
    ({"exemplars": {"en": [""]}}, ["field 'exemplars'", "non-empty"]),
    ({"exemplars": [{"lang": "en", "text": "x"}]}, ["field 'exemplars'", '"language"']),
    ({"keywords": "grain"}, ["field 'keywords'", "list of strings"]),
    ({"counterexamples": {"xx-toolongsubtag": ["x"]}}, ["field 'counterexamples'"]),
    ({"colour": "red"}, ["unknown field", "'colour'"]),
])
def test_bad_narratives_fail_naming_the_narrative_and_the_field(change, fragments):
    entry = {**GOOD, **change}
    entry = {k: v for k, v in entry.items() if v is not None}
    with pytest.raises(CatalogueError) as info:
        parse([entry], "my.json")
    message = str(info.value)
    assert message.startswith("my.json: ")
    for fragment in fragments:
        assert fragment in message, message


def test_duplicate_ids_and_empty_files_are_errors():
    with pytest.raises(CatalogueError, match=r"'grain-deal': field 'id': duplicate \(also narrative #1\)"):
        parse([GOOD, GOOD], "x.toml")
    with pytest.raises(CatalogueError, match="no narratives"):
        parse([], "x.toml")


def test_user_files_in_toml_json_and_jsonl_read_the_same(tmp_path):
    toml = tmp_path / "n.toml"
    toml.write_text('[[narratives]]\nid = "grain-deal"\ntitle = "The West wrecked the grain deal"\n'
                    'description = "A test narrative."\n[narratives.exemplars]\n'
                    'en = ["The West wrecked the grain deal."]\nnb = "Vesten ødela kornavtalen."\n', encoding="utf-8")
    as_json = tmp_path / "n.json"
    as_json.write_text(json.dumps({"narratives": [GOOD]}, ensure_ascii=False), encoding="utf-8")
    as_list = tmp_path / "list.json"
    as_list.write_text(json.dumps([{**GOOD, "exemplars": [{"language": "en", "text": "The West wrecked the grain deal."},
                                                          {"language": "nb", "text": "Vesten ødela kornavtalen."}]}]),
                       encoding="utf-8")
    lines = tmp_path / "n.jsonl"
    lines.write_text(json.dumps(GOOD) + "\n\n", encoding="utf-8")
    read = [read_file(p) for p in (toml, as_json, as_list, lines)]
    assert all(r == read[0] for r in read)
    assert read[0][0].exemplars == (("en", "The West wrecked the grain deal."), ("nb", "Vesten ødela kornavtalen."))
    assert read[0][0].origin == "user"


def test_unreadable_files_say_why(tmp_path):
    with pytest.raises(CatalogueError, match="no such file"):
        read_file(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[narratives]\nid = ", encoding="utf-8")
    with pytest.raises(CatalogueError, match="bad.toml: not valid TOML"):
        read_file(bad)
    nothing = tmp_path / "nothing.toml"
    nothing.write_text('title = "x"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"no \[\[narratives\]\] tables"):
        read_file(nothing)
    lines = tmp_path / "bad.jsonl"
    lines.write_text(json.dumps(GOOD) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="bad.jsonl line 2: not valid JSON"):
        read_file(lines)


# -- the store (SQLite and PostgreSQL) ---------------------------------------------------------

def _exemplar_rows(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t.narrative_exemplars)).scalar_one()


def test_sync_is_idempotent_and_round_trips_the_catalogue(store):
    bundled = load_bundled()
    first = store.sync_bundled_narratives()
    assert first == {"new": len(bundled), "updated": 0, "unchanged": 0, "kept": 0}
    rows = _exemplar_rows(store)
    assert rows == sum(len(n.exemplars) + len(n.counterexamples) for n in bundled)
    assert store.sync_bundled_narratives() == {"new": 0, "updated": 0, "unchanged": len(bundled), "kept": 0}
    assert _exemplar_rows(store) == rows
    stored = {n.id: n for n in store.list_narratives()}
    for narrative in bundled:
        assert stored[narrative.id] == narrative
    assert store.get_narrative("nato-aggression").exemplars_in("nb") == bundled[0].exemplars_in("nb")
    assert store.get_narrative("no-such-narrative") is None


def test_sync_restores_changed_bundled_narratives_but_keeps_user_edits(store):
    store.sync_bundled_narratives()
    with store.engine.begin() as conn:
        conn.execute(t.narratives.update().where(t.narratives.c.id == "biolabs").values(title="stale"))
        conn.execute(t.narrative_exemplars.delete().where(t.narrative_exemplars.c.narrative_id == "mh17-ukraine"))
    assert store.sync_bundled_narratives()["updated"] == 2
    assert store.get_narrative("biolabs").title == "US biolabs in Ukraine develop biological weapons"
    edited = parse([{"id": "biolabs", "title": "Biolabs (our wording)", "description": "Edited by the team.",
                     "exemplars": {"en": ["The labs make weapons."]}}], "team.toml")
    assert store.upsert_narratives(edited) == {"new": 0, "updated": 1, "unchanged": 0, "kept": 0}
    counts = store.sync_bundled_narratives()
    assert counts["kept"] == 1 and counts["updated"] == 0
    kept = store.get_narrative("biolabs")
    assert (kept.origin, kept.title, kept.exemplars) == ("user", "Biolabs (our wording)", (("en", "The labs make weapons."),))
    assert [n.id for n in store.list_narratives(origin="user")] == ["biolabs"]


def test_add_refuses_existing_ids_and_writes_nothing(store):
    new = parse([GOOD, {**GOOD, "id": "nato-aggression"}], "mine.json")
    store.sync_bundled_narratives()
    with pytest.raises(Exception, match="'nato-aggression' exists"):
        store.add_narratives(new)
    assert store.get_narrative("grain-deal") is None
    assert store.add_narratives(new[:1]) == ["grain-deal"]


# -- CLI -----------------------------------------------------------------------------------

def test_cli_list_show_add_import_round_trip(tmp_path, store_url):
    runner = CliRunner()
    listed = runner.invoke(main, ["narratives", "list", "--db", store_url, "--json"])
    assert listed.exit_code == 0, listed.output
    assert {n["id"] for n in json.loads(listed.output)} == {n.id for n in load_bundled()}
    table = runner.invoke(main, ["narratives", "list", "--db", store_url])
    assert table.output.startswith("ID") and "nato-aggression" in table.output
    shown = runner.invoke(main, ["narratives", "show", "nato-aggression", "--db", store_url])
    assert shown.exit_code == 0 and "[nb] NATO forbereder seg på å angripe Russland." in shown.output
    as_json = json.loads(runner.invoke(main, ["narratives", "show", "crimea-reunification", "--json", "--db", store_url]).output)
    assert set(as_json["exemplars"]) >= set(REQUIRED_LANGUAGES)

    mine = tmp_path / "mine.toml"
    mine.write_text('[[narratives]]\nid = "grain-deal"\ntitle = "The West wrecked the grain deal"\n'
                    'description = "A test narrative."\n[narratives.exemplars]\nen = ["The West wrecked it."]\n',
                    encoding="utf-8")
    added = runner.invoke(main, ["narratives", "add", str(mine), "--db", store_url])
    assert added.exit_code == 0 and "added 1 narratives: grain-deal" in added.output
    again = runner.invoke(main, ["narratives", "add", str(mine), "--db", store_url])
    assert again.exit_code == 1 and "'grain-deal' exists" in again.output and "Traceback" not in again.output
    imported = runner.invoke(main, ["narratives", "import", str(mine), "--db", store_url])
    assert imported.exit_code == 0 and "0 new, 0 updated, 1 unchanged" in imported.output
    missing = runner.invoke(main, ["narratives", "show", "nope", "--db", store_url])
    assert missing.exit_code == 1 and "no narrative with id 'nope'" in missing.output

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{**GOOD, "exemplars": {"English": ["x"]}}]), encoding="utf-8")
    failed = runner.invoke(main, ["narratives", "import", str(bad), "--db", store_url])
    assert failed.exit_code == 1 and "field 'exemplars'" in failed.output and "'English'" in failed.output
