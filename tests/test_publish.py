"""Publishing: the weekly review (figures, charts, HTML, Markdown, PDF, languages), ClaimReview,
the Atom feeds and public pages, and the streamed exports."""

import json
import os
import re
import tracemalloc
from datetime import date, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from disinfowatch import accounts, claimreview, digest, review
from disinfowatch.export import export, rows
from disinfowatch.settings import load
from disinfowatch.store import schema as t
from disinfowatch.web import create_app
from webdata import XSS, add_alert, add_document, seed

ANALYST, EDITOR = accounts.User(2, "analyst", "analyst"), accounts.User(3, "editor", "editor")
WEEK = "2017-W17"  # 24 to 30 April 2017


def _released(store, case_id, when: datetime):
    with store.engine.begin() as conn:
        conn.execute(t.cases.update().where(t.cases.c.id == case_id).values(released_at=when))


@pytest.fixture
def published(store):
    """Three published cases in 2017-W17 (one of hostile markup), one three weeks before, one draft."""
    ids = seed(store)
    first, _ = digest.week_range(WEEK)
    cases = []
    for n, alert in enumerate([ids["alert"], ids["xss_alert"]]):
        case_id = review.confirm(store, alert, ANALYST)
        review.edit_case(store, case_id, {"outlets": ["Rossija 1"] if n == 0 else [XSS[2]], "languages": ["ru", "nb"],
                                          "countries": ["Russia", "Norway"]}, ANALYST)
        review.set_status(store, case_id, "published", EDITOR)
        _released(store, case_id, datetime.combine(first + timedelta(days=n + 1), datetime.min.time(), timezone.utc))
        cases.append(case_id)
    doc, claim = add_document(store, "Andre sak", "Det blir hevdet at USA driver biolaboratorier i Ukraina nå.",
                              url="https://news.example/b", claim="USA driver biolaboratorier i Ukraina")
    old = review.confirm(store, add_alert(store, doc, claim, "USA driver biolaboratorier i Ukraina", target="biolabs",
                                          title="US biolabs in Ukraine develop biological weapons"), ANALYST)
    review.set_status(store, old, "published", EDITOR)
    _released(store, old, datetime.combine(first - timedelta(days=20), datetime.min.time(), timezone.utc))
    doc2, claim2 = add_document(store, "Utkast", "Det blir hevdet at NATO forbereder krig mot Russland i nord.",
                                url="https://news.example/c", claim="NATO forbereder krig mot Russland")
    draft = review.confirm(store, add_alert(store, doc2, claim2, "NATO forbereder krig mot Russland"), ANALYST)
    store.save_cover_note(WEEK, "nb", "Russisk TV brukte igjen klipp fra NATO-intervjuer.\n\nTo nye saker.", "editor")
    return {"week": cases, "old": old, "draft": draft}


# -- the weekly review ---------------------------------------------------------------------------


def test_the_digest_counts_the_week_against_the_four_before(store, published):
    built = digest.build(store, WEEK, language="nb")
    assert built.first == date(2017, 4, 24) and built.last == date(2017, 4, 30)
    assert built.figures["cases"] == 2 and built.figures["previous_average"] == 0.25
    assert [title for title, _, _ in built.figures["per_narrative"]] == ["NATO is preparing an attack on Russia"]
    assert built.figures["new_narratives"] == ["NATO is preparing an attack on Russia"]  # biolabs came earlier
    assert dict(built.figures["languages"]) == {"ru": 2, "nb": 2}
    assert built.figures["weeks"][-1] == (WEEK, 2) and sum(n for _, n in built.figures["weeks"]) == 3
    assert [c.id for _, _, cases in built.groups for c in cases] == published["week"]  # the draft is not in it
    assert set(built.images) == {"narratives.png", "weeks.png"}
    assert all(data.startswith(b"\x89PNG") for data in built.images.values())
    with pytest.raises(Exception, match="bad week"):
        digest.build(store, "2017-17")
    with pytest.raises(Exception, match="no boilerplate"):
        digest.build(store, WEEK, language="xx")


def test_the_html_is_email_ready_and_escapes_everything(store, published):
    html, files = digest.to_html(digest.build(store, WEEK, language="nb"), public_url="https://monitor.example")
    assert files == {}
    assert "Desinformasjonsoversikt" in html and "Uke 2017-W17: 2017-04-24 til 2017-04-30" in html
    assert "Russisk TV brukte igjen klipp" in html and "To nye saker." in html  # the cover note, in paragraphs
    assert "NATO altså forbereder et angrep på Russland" in html and "Tilsvar:" in html
    assert "NATO is a defensive alliance." in html and 'href="https://news.example/a"' in html
    assert 'href="https://monitor.example/public/cases/' in html and "arkivert kopi" in html
    assert html.count("data:image/png;base64,") == 2
    assert "<script" not in html and "<style" not in html and "<link" not in html  # inline styles only
    assert "&lt;svg onload" in html and "<svg onload" not in html and "<img src=x" not in html
    linked, files = digest.to_html(digest.build(store, WEEK), images="linked")
    assert set(files) == {"narratives.png", "weeks.png"} and 'src="weeks.png"' in linked
    assert "Disinformation Review" in linked  # English by default


@pytest.mark.parametrize("language,title", [("en", "Disinformation Review"), ("nb", "Desinformasjonsoversikt"),
                                            ("ru", "Обзор дезинформации"), ("uk", "Огляд дезінформації"),
                                            ("de", "Desinformationsübersicht")])
def test_the_boilerplate_comes_in_five_languages(store, published, language, title):
    html, _ = digest.to_html(digest.build(store, WEEK, language=language))
    assert title in html and f'lang="{language}"' in html


def test_markdown_keeps_the_structure_and_escapes_html(store, published):
    text, files = digest.to_markdown(digest.build(store, WEEK, language="de"))
    assert text.startswith("# Desinformationsübersicht") and "## NATO is preparing an attack on Russia (2)" in text
    assert "![Fälle pro Woche](weeks.png)" in text and set(files) == {"narratives.png", "weeks.png"}
    assert "<https://news.example/a>" in text and "**Richtigstellung:**" in text
    assert "<script" not in text and "<svg" not in text and "&lt;svg onload" in text


def test_the_pdf_is_printed_and_not_blank(store, published, tmp_path):
    if digest.chromium() is None:
        message = "no chromium to print PDFs (apt-get install chromium)"
        if os.environ.get("DISINFOWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; DISINFOWATCH_REQUIRE_BROWSER=1 makes this a failure", pytrace=False)
        pytest.skip(message)
    import numpy as np
    import pypdfium2 as pdfium

    data = digest.to_pdf(digest.to_html(digest.build(store, WEEK, language="nb"))[0])
    assert data.startswith(b"%PDF")
    document = pdfium.PdfDocument(data)
    image = document[0].render(scale=1.5).to_pil().convert("L")
    pixels = np.asarray(image)
    assert (pixels < 200).mean() > 0.02  # ink: text, the dark header, the charts
    image.save(tmp_path / "digest-page1.png")
    assert "Desinformasjonsoversikt" in document[0].get_textpage().get_text_range()


def test_review_digest_from_the_command_line(store, published, tmp_path):
    from click.testing import CliRunner

    from disinfowatch.cli import main

    out = tmp_path / "review.md"
    result = CliRunner().invoke(main, ["review-digest", "--week", WEEK, "--format", "md", "--language", "nb", "-o",
                                       str(out), "--db", store.url])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# Desinformasjonsoversikt")
    assert (tmp_path / "weeks.png").is_file()
    html = CliRunner().invoke(main, ["review-digest", "--from", "2017-04-24", "--to", "2017-04-30", "--db", store.url])
    assert html.exit_code == 0 and "Disinformation Review" in html.output


# -- ClaimReview, feeds, public pages ----------------------------------------------------------------


def test_claimreview_has_every_required_property(store, published):
    case = store.get_case(published["week"][0])
    data = claimreview.from_case(case, store.get_released_at(case.id), url="https://monitor.example/public/cases/1",
                                 publisher="EU vs Disinfo", publisher_url="https://monitor.example",
                                 base_url="https://monitor.example/public")
    assert claimreview.problems(data) == []
    assert data["claimReviewed"] == "NATO altså forbereder et angrep på Russland"
    assert data["reviewRating"]["alternateName"] == "Disinformation" and data["author"]["name"] == "EU vs Disinfo"
    assert data["itemReviewed"]["@type"] == "Claim"
    assert data["itemReviewed"]["firstAppearance"]["url"] == "https://news.example/a"
    assert data["itemReviewed"]["appearance"][0]["archivedAt"].startswith("https://monitor.example/public/archive/")
    assert data["datePublished"] == "2017-04-25"
    broken = {**data, "reviewRating": {"@type": "Rating"}, "itemReviewed": {"@type": "Claim", "appearance": []}}
    del broken["claimReviewed"]
    assert {"missing claimReviewed", "reviewRating needs @type Rating and an alternateName",
            "itemReviewed needs at least one appearance", "itemReviewed needs a firstAppearance"} <= set(
        claimreview.problems(broken))


def test_public_pages_and_feeds_show_only_published_cases(store, published, tmp_path):
    settings = load(overrides={"db": store.url, "public_url": "https://monitor.example", "embedder": "fake",
                               "archive_dir": str(tmp_path)}, read_env=False)
    web = TestClient(create_app(settings, store=store))
    listing = web.get("/public/cases")
    assert listing.status_code == 200 and "NATO altså forbereder et angrep på Russland" in listing.text
    assert "NATO forbereder krig mot Russland" not in listing.text  # the draft
    assert web.get(f"/public/cases/{published['draft']}").status_code == 404
    page = web.get(f"/public/cases/{published['week'][0]}").text
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    embedded = json.loads(found.group(1))
    assert claimreview.problems(embedded) == [] and embedded["url"].startswith("https://monitor.example/public/cases/")
    hostile = web.get(f"/public/cases/{published['week'][1]}").text
    assert "<svg onload" not in hostile and "</script><script" not in hostile
    import feedparser

    feed = feedparser.parse(web.get("/feeds/cases.atom").content)
    assert not feed.bozo and len(feed.entries) == 3
    assert feed.entries[0].link.startswith("https://monitor.example/public/cases/")
    assert len(feedparser.parse(web.get("/feeds/cases.atom?narrative=biolabs").content).entries) == 1
    assert len(feedparser.parse(web.get("/feeds/cases.atom?language=ru").content).entries) == 2
    review.set_status(store, published["week"][0], "withdrawn", EDITOR, note="the clip was from another interview")
    withdrawn = web.get(f"/public/cases/{published['week'][0]}").text
    assert "This case was withdrawn" in withdrawn and "application/ld+json" not in withdrawn
    assert "the clip was from another interview" in withdrawn
    assert web.get("/public/archive/" + "0" * 64).status_code == 404


# -- exports -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_every_kind_exports_in_every_format_with_filters(store, published, tmp_path, fmt):
    import pyarrow.parquet as pq

    for kind in ("cases", "alerts", "documents", "claims"):
        path = tmp_path / f"{kind}.{fmt}"
        count = export(store, kind, fmt, path)
        assert count > 0 and path.stat().st_size > 0, kind
        if fmt == "parquet":
            assert pq.read_table(path).num_rows == count
        elif fmt == "jsonl":
            lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            assert len(lines) == count
            if kind == "cases":
                assert isinstance(lines[0]["links"], list)
        else:
            assert len(path.read_text(encoding="utf-8").splitlines()) >= count + 1
    assert export(store, "cases", fmt, tmp_path / f"published.{fmt}", status="published") == 3
    assert export(store, "cases", fmt, tmp_path / f"drafts.{fmt}", status="draft") == 1
    assert export(store, "cases", fmt, tmp_path / f"biolabs.{fmt}", narrative="biolabs") == 1
    assert export(store, "claims", fmt, tmp_path / f"since.{fmt}", since="2030-01-01") == 0
    with pytest.raises(Exception, match="unknown export"):
        export(store, "tweets", fmt, tmp_path / "x")


def test_exports_stream_instead_of_holding_the_rows(tmp_path):
    from disinfowatch.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'big.db'}")
    n = 60_000
    with store.engine.begin() as conn:
        conn.execute(t.documents.insert(), [dict(content_hash=f"{i:064x}", url=f"https://x.example/{i}", text="x" * 400,
                                                 raw_sha256=f"{i:064x}", paragraphs="[]", offsets="[]", language="ru",
                                                 created_at=datetime.now(timezone.utc)) for i in range(n)])
    tracemalloc.start()
    count = export(store, "documents", "jsonl", tmp_path / "docs.jsonl")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == n
    # The rows are 30 MB of text in all; streaming in batches of 5,000 keeps the peak far below.
    assert peak < 12_000_000, peak
    assert sum(1 for _ in rows(store, "documents", language="ru")) == n
    store.close()


def test_every_boilerplate_language_has_every_key_of_the_english_one():
    words = digest._words()
    assert {"en", "nb", "ru", "uk", "de"} <= set(words)
    for language, table in words.items():
        missing = sorted(set(words["en"]) - set(table))
        assert not missing, f"{language} lacks {missing}"
        assert all(str(v).strip() for v in table.values()), language
