"""Known-case importers on small files written here (every format, bad rows, sniffing, encodings),
idempotent upserts on both store backends, the CLI, and the two real EUvsDisinfo files."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from disinfowatch import api
from disinfowatch.cases import CaseFileError, KnownCase, Link, read_cases, sniff_format
from disinfowatch.cli import main
from disinfowatch.errors import StoreError

from shared_data import DATA, require

EUVS = DATA / "euvsdisinfo"

# -- fixtures: files in each layout, texts written for these tests ----------------------------

EUVS_2017 = (
    '"issue";"date";"outlet";"language";"origin";"reported by";"keywords";"source";"title";"summary";"disproof"\n'
    '"90";"14.11.2017";"Example TV";"Russian, English";"Ukraine, US";"A monitor";"NATO, Military";'
    '"https://tv.example/a";"NATO prepares a war";"The host said NATO\nprepares a war.";"No evidence given."\n'
    '"90";"14.11.2017";"Example TV";"Russian, English";"Ukraine, US";"A monitor";"NATO, Military";'
    '"https://tv.example/a";"NATO prepares a war";"The host said NATO\nprepares a war.";"No evidence given."\n'
    '"90";"31.02.2017";"Example TV";"Russian";"Ukraine";"A monitor";"NATO";"https://tv.example/b";"Bad date";"x";"y"\n'
    '"90";"15.11.2017";"Example TV";"Bulgaria";"EU";"A monitor";"EU";"https://tv.example/c";"";"No title here";"z"\n'
    '"90";"15.11.2017";"Example TV";"Russian";"EU";"A monitor";"EU";"https://tv.example/d";"Extra";"s";"d";"surplus"\n'
    '"91";"16.11.2017";"Radio Example";"Bulgaria";"EU";"A monitor";"EU";"https://radio.example/e";"The EU will fall";'
    '"The EU is about to fall apart.";"The EU has not fallen apart."\n'
)

POSTS = (
    "date,id,title,countries,keywords,languages,outlets\n"
    "2020-05-04,https://euvsdisinfo.eu/report/nato-is-a-threat/,NATO is a threat,Russia+US,NATO+Military,"
    "Russian+English,Outlet One+Outlet Two\n"
    '2020-05-05,https://euvsdisinfo.eu/report/spain-story/,"Spain, again",Spain,EU,Spanish+Castilian,Outlet Three\n'
    "2020-05-06,https://example.org/not-a-case/,Not a case URL,Spain,EU,Spanish,Outlet Four\n"
    "2020-05-07,https://euvsdisinfo.eu/report/no-title/,,Spain,EU,Spanish,Outlet Four\n"
)
PUBLICATIONS = (
    "id,publication,archive\n"
    "https://euvsdisinfo.eu/report/nato-is-a-threat/,https://outlet-one.example/story,https://archive.example/1\n"
    "https://euvsdisinfo.eu/report/nato-is-a-threat/,https://outlet-one.example/story,https://archive.example/1\n"
    "https://euvsdisinfo.eu/report/nato-is-a-threat/,https://outlet-two.example/story,\n"
    "https://euvsdisinfo.eu/report/gone/,https://outlet-five.example/story,\n"
)

GENERIC_CSV = (
    "key;title;claim;published;languages;countries;outlets;links;rating;colour\n"
    "fc:1;NATO plans an attack;NATO is preparing an attack on Russia;2024-03-01;English|ru;Russia;Example TV;"
    "https://tv.example/1 https://tv.example/2;False;red\n"
    'fc:2;"Biolabs, again";Labs make weapons;01.04.2024;["uk", "ru"];Ukraine;Example Radio;;Misleading;blue\n'
    "fc:3;;No title;2024-04-02;en;;;;;\n"
    "fc:4;Bad date;x;yesterday;en;;;;;\n"
    "fc:5;Too many;x;2024-04-03;en;;;;;;;\n"
)

GENERIC_JSONL = "\n".join([
    json.dumps({"id": "fc:10", "title": "Sanctions hurt only Europe", "languages": ["de"], "narrative": "sanctions-backfire",
                "links": [{"url": "https://news.example/s", "archived": "https://archive.example/s"}]}),
    "{not json",
    json.dumps({"title": "No key"}),
    json.dumps(["not", "an", "object"]),
    json.dumps({"key": "fc:11", "title": "Unknown narrative", "narrative": "no-such-narrative"}),
    json.dumps({"key": "fc:12", "title": "Draft", "status": "drafty"}),
]) + "\n"


def review(url: str, claim: str, rating: str = "False", **extra) -> dict:
    return {"@context": "https://schema.org", "@type": "ClaimReview", "url": url, "claimReviewed": claim,
            "datePublished": "2023-02-01T09:30:00+01:00", "inLanguage": "nb",
            "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "alternateName": rating},
            "author": {"@type": "Organization", "name": "Faktisk Example"},
            "itemReviewed": {"@type": "Claim", "author": {"@type": "Organization", "name": "Rossija Example"},
                             "firstAppearance": {"@type": "CreativeWork", "url": "https://tv.example/clip"},
                             "appearance": [{"@type": "CreativeWork", "url": "https://blog.example/post",
                                             "publisher": {"name": "Blog Example"}}, "https://forum.example/t/1"]},
            **extra}


CLAIMREVIEW_HTML = f"""<!doctype html><html><head><title>Faktasjekk</title>
<script type="application/ld+json">{json.dumps({"@context": "https://schema.org", "@graph": [
    {"@type": "WebPage", "name": "Faktasjekk"},
    review("https://factcheck.example/nato", "NATO forbereder et angrep på Russland", name="Nei, NATO planlegger ikke angrep"),
]}, ensure_ascii=False)}</script>
<script type='application/ld+json'>{{ "@type": "ClaimReview", "url": "https://factcheck.example/broken", </script>
<script type="application/ld+json">{json.dumps(review("https://factcheck.example/nato", "Russland blir omringet"),
                                               ensure_ascii=False)}</script>
<script type="application/ld+json">{json.dumps({"@type": "ClaimReview", "claimReviewed": "No URL here"})}</script>
</head><body><p>Artikkelen.</p></body></html>"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def reasons(result) -> dict[str, str]:
    return {skip.where: skip.reason for skip in result.skipped}


# -- the importers ----------------------------------------------------------------------------

def test_euvsdisinfo_2017_layout(tmp_path):
    result = read_cases(write(tmp_path / "full_dataset.csv", EUVS_2017))
    assert result.format == "euvsdisinfo-2017" and result.rows == 6
    assert [c.title for c in result.cases] == ["NATO prepares a war", "The EU will fall"]
    first = result.cases[0]
    assert first.key.startswith("euvsdisinfo-2017:") and first.origin == "euvsdisinfo" and first.status == "published"
    assert (first.published, first.languages, first.countries) == ("2017-11-14", ("ru", "en"), ("Ukraine", "US"))
    assert first.summary == "The host said NATO prepares a war." and first.claim == first.title
    assert first.keywords == ("NATO", "Military") and first.outlets == ("Example TV",)
    assert first.links == (Link("https://tv.example/a", "publication"),)
    assert result.cases[1].languages == ("Bulgaria",)  # a country in the language column is kept as written
    skipped = reasons(result)
    assert skipped["full_dataset.csv row 2 (line 4)"].startswith("duplicate key euvsdisinfo-2017:")
    assert "of full_dataset.csv row 1 (line 2) (same content)" in skipped["full_dataset.csv row 2 (line 4)"]
    assert skipped["full_dataset.csv row 3 (line 6)"] == "date '31.02.2017' is not a real date"
    assert skipped["full_dataset.csv row 4 (line 7)"] == "missing title"
    assert skipped["full_dataset.csv row 5 (line 8)"].startswith("expected 11 fields, found 12")
    assert any("reported by" in note for note in result.notes)


def test_euvsdisinfo_index_joins_publications_beside_it(tmp_path):
    folder = tmp_path / "case_index"
    folder.mkdir()
    write(folder / "posts.csv", POSTS)
    write(folder / "publications_2020-09.csv", PUBLICATIONS)
    for target in (folder, folder / "posts.csv"):
        result = read_cases(target)
        assert result.format == "euvsdisinfo-index"
        nato, spain = result.cases
        assert nato.key == "euvsdisinfo:nato-is-a-threat" and nato.published == "2020-05-04"
        assert nato.languages == ("ru", "en") and nato.outlets == ("Outlet One", "Outlet Two")
        assert nato.links == (Link("https://euvsdisinfo.eu/report/nato-is-a-threat/", "case"),
                              Link("https://outlet-one.example/story", "publication", "https://archive.example/1"),
                              Link("https://outlet-two.example/story", "publication", None))
        assert spain.title == "Spain, again" and spain.languages == ("es",)
        skipped = reasons(result)
        assert "is not a euvsdisinfo.eu/report/ URL" in skipped["posts.csv row 3 (line 4)"]
        assert skipped["posts.csv row 4 (line 5)"] == "missing title"
        assert skipped["publications_2020-09.csv row 2 (line 3)"] == "duplicate of row 1"
        assert "not in posts.csv" in skipped["publications_2020-09.csv row 4 (line 5)"]
        assert "joined 2 publication links from publications_2020-09.csv" in result.notes


def test_generic_csv_documented_fields_and_bad_rows(tmp_path):
    result = read_cases(write(tmp_path / "factchecks.csv", GENERIC_CSV))
    assert result.format == "csv"
    first, second = result.cases
    assert first == KnownCase(key="fc:1", origin="generic", title="NATO plans an attack",
                              claim="NATO is preparing an attack on Russia", rating="False", published="2024-03-01",
                              languages=("en", "ru"), countries=("Russia",), outlets=("Example TV",),
                              links=(Link("https://tv.example/1"), Link("https://tv.example/2")))
    assert second.published == "2024-04-01" and second.languages == ("uk", "ru") and second.links == ()
    skipped = reasons(result)
    assert skipped["factchecks.csv row 3 (line 4)"] == "missing title"
    assert "is not a date" in skipped["factchecks.csv row 4 (line 5)"]
    assert skipped["factchecks.csv row 5 (line 6)"].startswith("expected 10 fields, found 12")
    assert "ignored unknown field(s): colour" in result.notes


def test_generic_jsonl_and_json(tmp_path):
    result = read_cases(write(tmp_path / "cases.jsonl", GENERIC_JSONL))
    assert result.format == "jsonl"
    assert [c.key for c in result.cases] == ["fc:10", "fc:11"]
    assert result.cases[0].narrative_id == "sanctions-backfire"
    assert result.cases[0].links == (Link("https://news.example/s", "publication", "https://archive.example/s"),)
    skipped = reasons(result)
    assert skipped["cases.jsonl line 2"].startswith("not valid JSON")
    assert skipped["cases.jsonl line 3"] == "missing key (or id)"
    assert skipped["cases.jsonl line 4"] == "expected an object, got list"
    assert skipped["cases.jsonl line 6"].startswith("unknown status 'drafty'")
    as_json = write(tmp_path / "cases.json", json.dumps({"cases": [json.loads(GENERIC_JSONL.splitlines()[0])]}))
    assert read_cases(as_json).format == "json" and read_cases(as_json).cases == result.cases[:1]


def test_claimreview_embedded_in_html(tmp_path):
    result = read_cases(write(tmp_path / "faktasjekk.html", CLAIMREVIEW_HTML))
    assert result.format == "claimreview"
    first, second = result.cases
    assert first.key == "https://factcheck.example/nato" and first.origin == "claimreview"
    assert first.title == "Nei, NATO planlegger ikke angrep" and first.claim == "NATO forbereder et angrep på Russland"
    assert (first.rating, first.published, first.languages) == ("False", "2023-02-01", ("nb",))
    assert first.outlets == ("Rossija Example", "Blog Example")
    assert [link.kind for link in first.links] == ["review", "first-appearance", "appearance", "appearance"]
    assert second.key.startswith("https://factcheck.example/nato#") and second.title == "Russland blir omringet"
    skipped = reasons(result)
    assert skipped["faktasjekk.html script 2"].startswith("not valid JSON-LD")
    assert skipped["faktasjekk.html script 4 review 1"].startswith("ClaimReview without url")


def test_claimreview_json_single_list_graph_and_lines(tmp_path):
    one = review("https://fc.example/1", "Claim one")
    shapes = {
        "single.json": json.dumps(one),
        "list.json": json.dumps([one, review("https://fc.example/2", "Claim two", rating="Mostly false")]),
        "graph.jsonld": json.dumps({"@context": "https://schema.org", "@graph": [one]}),
        "lines.jsonl": json.dumps(one) + "\n" + json.dumps(review("https://fc.example/2", "Claim two")) + "\n",
    }
    for name, text in shapes.items():
        result = read_cases(write(tmp_path / name, text))
        assert result.format == "claimreview", name
        assert result.cases[0].key == "https://fc.example/1" and result.cases[0].claim == "Claim one", name
        assert not result.skipped, name
    no_alternate = review("https://fc.example/3", "Claim three")
    no_alternate["reviewRating"] = {"@type": "Rating", "ratingValue": 2, "bestRating": 5}
    assert read_cases(write(tmp_path / "r.json", json.dumps(no_alternate))).cases[0].rating == "2/5"


def test_sniffing_and_format_override(tmp_path):
    assert sniff_format(Path("x.csv"), EUVS_2017) == "euvsdisinfo-2017"
    assert sniff_format(Path("x.csv"), POSTS) == "euvsdisinfo-index"
    assert sniff_format(Path("x.txt"), GENERIC_CSV) == "csv"
    assert sniff_format(Path("x.txt"), GENERIC_JSONL) == "jsonl"
    assert sniff_format(Path("x.txt"), CLAIMREVIEW_HTML) == "claimreview"
    assert sniff_format(Path("x.txt"), json.dumps([{"key": "a", "title": "b"}])) == "json"
    assert sniff_format(Path("x.json"), json.dumps([{"key": "a", "title": "Our ClaimReview policy"}])) == "json"
    renamed = write(tmp_path / "export.dat", GENERIC_CSV)
    assert read_cases(renamed, "csv").format == "csv"
    with pytest.raises(CaseFileError, match="unknown case format 'xml'; available: euvsdisinfo-2017"):
        read_cases(renamed, "xml")
    with pytest.raises(CaseFileError, match="no such file"):
        read_cases(tmp_path / "missing.csv")
    with pytest.raises(CaseFileError, match="needs 'key' \\(or 'id'\\) and 'title'"):
        read_cases(write(tmp_path / "other.csv", "a,b\n1,2\n"))
    with pytest.raises(CaseFileError, match="folder without posts.csv"):
        read_cases(tmp_path)


def test_legacy_encodings_are_detected_and_noted(tmp_path):
    text = ("key,title,languages\n"
            "ru:1,НАТО готовит нападение на Россию и стягивает войска к границам,ru\n"
            "ru:2,Западные СМИ лгут о России по указке своих правительств,ru\n")
    result = read_cases(write(tmp_path / "cp1251.csv", text, "cp1251"))
    assert [c.title for c in result.cases] == [line.split(",")[1] for line in text.splitlines()[1:]]
    assert any(note.startswith("not UTF-8: read as") for note in result.notes)
    bom = read_cases(write(tmp_path / "bom.csv", "\ufeff" + text))
    assert [c.key for c in bom.cases] == ["ru:1", "ru:2"] and not bom.notes


# -- the store: idempotent upserts (SQLite and PostgreSQL) -------------------------------------

def _settings(store_url: str):
    return api.load_settings(None, {"db": store_url})


def test_import_is_idempotent_and_updates_changed_rows(tmp_path, store_url):
    settings = _settings(store_url)
    path = write(tmp_path / "full_dataset.csv", EUVS_2017)
    first = api.import_cases(settings, [path]).as_dict()
    assert (first["new"], first["updated"], first["unchanged"], first["skipped"]) == (2, 0, 0, 4)
    again = api.import_cases(settings, [path]).as_dict()
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 2)
    write(path, EUVS_2017.replace("The EU has not fallen apart.", "The EU is still there."))
    changed = api.import_cases(settings, [path]).as_dict()
    assert (changed["new"], changed["updated"], changed["unchanged"]) == (0, 1, 1)
    stored = api.list_cases(settings)
    assert [c.title for c in stored] == ["The EU will fall", "NATO prepares a war"]  # newest first
    assert stored[0].disproof == "The EU is still there." and stored[0].id is not None
    assert api.get_case(settings, str(stored[1].id)) == stored[1] == api.get_case(settings, stored[1].key)


def test_reimport_keeps_analyst_status_and_narrative_link(store):
    case = KnownCase(key="fc:1", origin="generic", title="NATO plans an attack", languages=("en",),
                     links=(Link("https://tv.example/1", "publication", "https://archive.example/1"),))
    store.sync_bundled_narratives()
    assert store.upsert_cases([case]) == {"new": 1, "updated": 0, "unchanged": 0}
    assert store.get_case("fc:1") == case
    from disinfowatch.store import schema as t

    with store.engine.begin() as conn:
        conn.execute(t.cases.update().values(status="withdrawn", narrative_id="nato-aggression"))
    assert store.upsert_cases([case]) == {"new": 0, "updated": 0, "unchanged": 1}
    kept = store.get_case("fc:1")
    assert (kept.status, kept.narrative_id) == ("withdrawn", "nato-aggression")
    relinked = KnownCase(**{**case.__dict__, "narrative_id": "biolabs", "id": None})
    assert store.upsert_cases([relinked])["updated"] == 1 and store.get_case("fc:1").narrative_id == "biolabs"
    assert store.count_cases() == 1 and store.count_cases(origin="claimreview") == 0
    stray = KnownCase(key="fc:2", origin="generic", title="Linked to nothing", narrative_id="no-such-narrative")
    with pytest.raises(StoreError, match="unknown narrative id\\(s\\) no-such-narrative"):
        store.upsert_cases([stray])
    assert store.get_case("fc:2") is None
    assert store.list_cases(narrative="biolabs")[0].key == "fc:1"


_words = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=12)
_texts = st.lists(_words, min_size=1, max_size=6).map(" ".join)
_cases = st.builds(
    KnownCase, key=_texts.map(lambda t: f"k:{t}"[:300]), origin=st.sampled_from(["generic", "claimreview"]),
    title=_texts, claim=st.none() | _texts, summary=st.none() | _texts, rating=st.none() | _texts,
    published=st.none() | st.dates().map(lambda d: d.isoformat()),
    languages=st.lists(st.sampled_from(["en", "ru", "uk", "de", "nb"]), max_size=3, unique=True).map(tuple),
    keywords=st.lists(_texts, max_size=3, unique=True).map(tuple),
    links=st.lists(st.builds(Link, url=_words.map(lambda w: f"https://example.org/{w}"),
                             archived=st.none() | st.just("https://archive.example/x")),
                    max_size=3, unique_by=lambda link: link.url).map(tuple))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(_cases, max_size=5, unique_by=lambda c: c.key))
def test_cases_round_trip_through_the_store_and_the_generic_format(tmp_path, cases):
    from disinfowatch.store import open_store

    with open_store("sqlite:///:memory:") as store:
        assert store.upsert_cases(cases)["new"] == len(cases)
        assert [store.get_case(c.key) for c in cases] == cases
        assert store.upsert_cases(cases) == {"new": 0, "updated": 0, "unchanged": len(cases)}
    lines = tmp_path / "round.jsonl"
    lines.write_text("".join(json.dumps(c.as_dict(), ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    if cases:
        assert read_cases(lines, "jsonl").cases == cases


def test_import_across_files_skips_repeated_keys_and_unknown_narratives(tmp_path, store_url):
    settings = _settings(store_url)
    jsonl = write(tmp_path / "a.jsonl", GENERIC_JSONL)
    copy = write(tmp_path / "b.jsonl", GENERIC_JSONL.splitlines()[0] + "\n")
    report = api.import_cases(settings, [jsonl, copy])
    first, second = report.files
    assert (first.new, second.new) == (1, 0)
    assert any("unknown narrative 'no-such-narrative'" in s.reason for s in first.skips)
    assert [s.reason for s in second.skips] == ["duplicate key fc:10 of a.jsonl line 1"]
    assert api.get_case(settings, "fc:10").narrative_id == "sanctions-backfire"


# -- CLI -----------------------------------------------------------------------------------

def test_cli_import_list_show(tmp_path, store_url):
    runner = CliRunner()
    page = write(tmp_path / "faktasjekk.html", CLAIMREVIEW_HTML)
    csv_file = write(tmp_path / "factchecks.csv", GENERIC_CSV)
    out = runner.invoke(main, ["cases", "import", str(page), str(csv_file), "--db", store_url])
    assert out.exit_code == 0, out.output
    assert "imported 2 file(s)" in out.output and "4 new, 0 updated, 0 unchanged, 5 skipped" in out.output
    assert "skipped factchecks.csv row 3 (line 4): missing title" in out.output
    again = runner.invoke(main, ["cases", "import", str(page), str(csv_file), "--db", store_url, "--json"])
    data = json.loads(again.output)
    assert (data["new"], data["unchanged"], data["skipped"]) == (0, 4, 5)
    assert data["files"][0]["format"] == "claimreview" and data["files"][0]["skips"][0]["where"] == "faktasjekk.html script 2"
    forced = runner.invoke(main, ["cases", "import", str(csv_file), "--format", "jsonl", "--db", store_url, "--json"])
    assert json.loads(forced.output)["files"][0]["format"] == "jsonl"
    listed = runner.invoke(main, ["cases", "list", "--db", store_url, "--origin", "claimreview", "--json"])
    assert [c["key"] for c in json.loads(listed.output)][0] == "https://factcheck.example/nato"
    table = runner.invoke(main, ["cases", "list", "--db", store_url])
    assert table.output.startswith("ID") and "NATO plans an attack" in table.output
    shown = runner.invoke(main, ["cases", "show", "fc:1", "--db", store_url])
    assert shown.exit_code == 0 and "Claim: NATO is preparing an attack on Russia" in shown.output
    assert "https://tv.example/2" in shown.output
    missing = runner.invoke(main, ["cases", "show", "nope", "--db", store_url])
    assert missing.exit_code == 1 and "no case with key or id 'nope'" in missing.output
    bad = runner.invoke(main, ["cases", "import", str(tmp_path / "nothing.csv"), "--db", store_url])
    assert bad.exit_code == 2
    unreadable = runner.invoke(main, ["cases", "import", str(write(tmp_path / "x.csv", "a,b\n")), "--db", store_url])
    assert unreadable.exit_code == 1 and "needs 'key'" in unreadable.output and "Traceback" not in unreadable.output


# -- the real EUvsDisinfo files (../shared/data, read where they lie) ----------------------------

def test_real_euvsdisinfo_2015_2017_file():
    result = read_cases(require(EUVS / "cases_2015-2017" / "full_dataset.csv"))
    assert result.format == "euvsdisinfo-2017" and result.rows == 3071
    assert len(result.cases) + len(result.skipped) == 3071
    assert len(result.cases) > 2700
    assert all(s.reason.startswith("duplicate key") for s in result.skipped)  # the file repeats ~300 rows
    assert sum("same content" in s.reason for s in result.skipped) >= 290
    languages = {}
    for case in result.cases:
        for language in case.languages:
            languages[language] = languages.get(language, 0) + 1
    assert languages["ru"] > 1500 and languages["cs"] > 400 and languages["en"] > 250
    assert all(case.published and case.published[:4] in {"2015", "2016", "2017"} for case in result.cases)


def test_real_euvsdisinfo_case_index_with_publications():
    result = read_cases(require(EUVS / "case_index_2015-2021"))
    assert result.format == "euvsdisinfo-index" and result.rows == 10892
    assert len(result.cases) == 10892 and len({c.key for c in result.cases}) == 10892
    assert not [s for s in result.skipped if s.where.startswith("posts.csv")]
    publications = sum(1 for c in result.cases for link in c.links if link.kind == "publication")
    assert publications > 14000
    assert sum(1 for c in result.cases for link in c.links if link.archived) > 8000
    assert all(s.reason.startswith(("duplicate of row", "publication of a case not in posts.csv"))
               for s in result.skipped)


@pytest.mark.slow
def test_real_case_index_imports_fast_and_idempotently(store_url):
    settings = _settings(store_url)
    folder = require(EUVS / "case_index_2015-2021")
    started = time.perf_counter()
    first = api.import_cases(settings, [folder]).as_dict()
    seconds = time.perf_counter() - started
    assert first["new"] == 10892 and seconds < 60, seconds
    again = api.import_cases(settings, [folder]).as_dict()
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 10892)
