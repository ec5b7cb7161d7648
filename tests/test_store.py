"""The store on real databases: SQLite (file and memory) and PostgreSQL (see conftest.py).

Every test taking ``store`` or ``store_url`` runs on both backends. Texts are written for these
tests.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

from disinfowatch.archive import Archive
from disinfowatch.errors import StoreError
from disinfowatch.records import Document, Page, Paragraph, Rejection, Source, sha256_hex
from disinfowatch.store import open_store

NORWEGIAN = ("Forsvarsministeren sa torsdag at øvelsen i Finnmark skal gjennomføres som planlagt, "
             "selv om værmeldingen lover storm langs kysten.")
RUSSIAN = ("Министр заявил журналистам, что учения в Заполярье пройдут по плану, "
           "несмотря на штормовое предупреждение.")
ENGLISH = "The council agreed on Tuesday to publish the full transcript of the interview next week."


def doc(text: str, url: str, **fields) -> Document:
    return Document(url=url, text=text, content_hash=sha256_hex(text.encode()),
                    raw_sha256=sha256_hex(b"raw " + text.encode()), **fields)


def hostile_queries() -> list[str]:
    return ['"NATO AND', "-", '"', "'", "*", "NEAR(", "a OR", "AND", "^", ":", "()", "title:", "\x00",
            '""""', "NOT -x", "{title}: x", "x + y", "øvelsen*", "учения\"", "", "   ", "\\", "%_"]


# -- opening and migrating ------------------------------------------------------------------

def test_migrations_apply_on_every_open_without_error(store_url):
    with open_store(store_url) as first:
        first.add_source(Source("kept", "https://example.org/feed.xml"))
    with open_store(store_url) as again, open_store(store_url) as third:
        assert again.get_source("kept") is not None and third.list_sources() == again.list_sources()
        with again.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [_head()]


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from disinfowatch.store.sql import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_migrations_create_exactly_the_schema_module(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from disinfowatch.store.schema import metadata

    def full_text_search(diff) -> bool:  # FTS5 tables and the tsvector column live outside schema.py
        text = repr(diff)
        return "documents_fts" in text or "tsv" in text

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, metadata) if not full_text_search(d)]
    assert diffs == []


def test_sqlite_file_is_created_with_its_directories_in_wal_mode(tmp_path):
    path = tmp_path / "new" / "dir" / "monitor.db"
    with open_store(f"sqlite:///{path}") as store:
        assert path.is_file() and store.dialect == "sqlite"
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_memory_store_is_one_database_shared_by_all_connections():
    with open_store("sqlite:///:memory:") as store:
        doc_id, _ = store.add_document(doc(NORWEGIAN, "https://example.no/a"))
        seen = []
        reader = threading.Thread(target=lambda: seen.append(store.get_document(doc_id)))
        reader.start()
        reader.join()
        assert seen[0].text == NORWEGIAN
        assert store.search_documents("Finnmark")[0]["id"] == doc_id


def test_new_sqlite_file_opened_by_many_threads_at_once_migrates_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'race.db'}"
    errors, stores = [], []

    def opener():
        try:
            stores.append(open_store(url))
        except StoreError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(stores) == 6
    for store in stores:
        store.close()


def test_two_stores_writing_the_same_documents_at_once_store_each_once(store_url):
    texts = [f"{ENGLISH} Paragraph number {i}." for i in range(40)]
    errors: list[Exception] = []
    with open_store(store_url) as one, open_store(store_url) as two:

        def writer(store, offset):
            try:
                for i, text in enumerate(texts):
                    store.add_document(doc(text, f"https://example.org/{offset}/{i}"))
                    store.add_rejection(Rejection(f"item-{i}", "clean", "empty-text"))
            except Exception as exc:  # collected and asserted empty below
                errors.append(exc)

        threads = [threading.Thread(target=writer, args=(store, n)) for n, store in enumerate([one, two, one, two])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert one.count_documents() == 40 and two.count_rejections() == 40
        ids = {two.document_id_for_hash(sha256_hex(text.encode())) for text in texts}
        assert len(ids) == 40 and all(len(one.appearances(doc_id)) == 4 for doc_id in ids)


def test_unreachable_server_names_the_url_with_the_password_masked():
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://analyst:hunter2@127.0.0.1:1/monitor")
    message = str(caught.value)
    assert "postgresql://analyst:***@127.0.0.1:1/monitor" in message and "hunter2" not in message


@pytest.mark.parametrize("url", ["not a url", "mysql://analyst:hunter2@db/monitor", "sqlite:////proc/none/x.db"])
def test_bad_urls_raise_store_errors_that_name_them(url):
    with pytest.raises(StoreError, match="sqlite|mysql|not a url") as caught:
        open_store(url)
    assert "hunter2" not in str(caught.value)


def test_a_file_that_is_not_a_database_is_refused_clearly(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="cannot open the store at sqlite:///.*notes.db"):
        open_store(f"sqlite:///{path}")


# -- sources --------------------------------------------------------------------------------

def test_sources_add_get_list_upsert_remove(store):
    feed = Source("nettavis", "https://example.no/rss", kind="feed", language="nb", label="news site",
                  outlet="Example Nettavis", interval_minutes=30)
    store.add_source(feed)
    store.add_source(Source("arkiv", "/data/arkiv", kind="file", active=False))
    assert store.get_source("nettavis") == feed
    assert [s.name for s in store.list_sources()] == ["arkiv", "nettavis"]
    assert store.get_source("arkiv").active is False
    with pytest.raises(StoreError, match="'nettavis' exists"):
        store.add_source(feed)
    changed = Source("nettavis", "https://example.no/rss2", language="nn")
    store.upsert_source(changed)
    assert store.get_source("nettavis") == changed
    store.upsert_source(Source("ny", "https://example.org/sitemap.xml", kind="sitemap"))
    assert store.remove_source("ny") is True and store.remove_source("ny") is False
    assert store.get_source("ny") is None and store.get_source("never") is None


# -- pages and fetch state ------------------------------------------------------------------

def test_pages_are_recorded_once_per_url_and_content(store):
    page = Page(url="https://example.no/a", content=b"<html>a</html>", content_type="text/html",
                headers=(("ETag", '"v1"'),), source="nettavis")
    first = store.add_page(page)
    assert isinstance(first, int) and store.add_page(page) == first
    assert store.add_page(Page(url="https://example.no/a", content=b"<html>changed</html>")) != first
    with store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT sha256, headers FROM pages WHERE id = :i"), {"i": first}).one()
    assert row.sha256 == page.sha256 and json.loads(row.headers) == [["ETag", '"v1"']]


def test_fetch_state_keeps_validators_across_a_304(store):
    url = "https://example.no/rss"
    assert store.get_fetch_state(url) is None
    store.set_fetch_state(url, '"abc"', "Mon, 24 Apr 2017 10:00:00 GMT", 200)
    assert store.get_fetch_state(url) == ('"abc"', "Mon, 24 Apr 2017 10:00:00 GMT")
    store.set_fetch_state(url, None, None, 304)
    assert store.get_fetch_state(url) == ('"abc"', "Mon, 24 Apr 2017 10:00:00 GMT")
    store.set_fetch_state(url, '"def"', None, 200)
    assert store.get_fetch_state(url) == ('"def"', None)


# -- documents ------------------------------------------------------------------------------

def test_document_round_trips_every_field(store):
    original = doc(NORWEGIAN, "https://example.no/a?utm_source=x", canonical_url="https://example.no/a",
                   title="Øvelse i nord", author="Kari Nordmann", published="2017-04", site_name="Example",
                   source="nettavis", language="nb", language_score=0.97,
                   paragraphs=(Paragraph(0, 60, "nb", 0.9), Paragraph(61, len(NORWEGIAN), None, 0.0)),
                   offsets=((0, 12, 60), (60, 90, 40)),
                   fetched_at=datetime(2017, 4, 24, 12, 30, tzinfo=timezone(timedelta(hours=2))))
    doc_id, created = store.add_document(original, minhash=b"\x00\x01signature")
    assert created and store.get_document(doc_id) == original
    assert store.get_document(doc_id).fetched_at.tzinfo == timezone.utc
    assert store.get_document(doc_id + 1000) is None


def test_add_document_is_idempotent_and_records_the_appearance_once(store):
    article = doc(NORWEGIAN, "https://example.no/a", source="nettavis")
    first = store.add_document(article)
    assert store.add_document(article) == (first[0], False)
    assert first[1] is True and store.count_documents() == 1
    (appearance,) = store.appearances(first[0])
    assert appearance["url"] == "https://example.no/a" and appearance["relation"] == "original"
    assert appearance["source"] == "nettavis" and appearance["seen_at"].tzinfo == timezone.utc


def test_same_text_elsewhere_is_stored_once_and_linked_as_exact_duplicate(store):
    doc_id, _ = store.add_document(doc(RUSSIAN, "https://example.ru/1", source="one"))
    again, created = store.add_document(doc(RUSSIAN, "https://mirror.example/copy", source="mirror"))
    assert (again, created) == (doc_id, False) and store.count_documents() == 1
    assert store.document_id_for_hash(sha256_hex(RUSSIAN.encode())) == doc_id
    assert store.document_id_for_hash("0" * 64) is None
    relations = {a["url"]: (a["relation"], a["source"]) for a in store.appearances(doc_id)}
    assert relations == {"https://example.ru/1": ("original", "one"),
                         "https://mirror.example/copy": ("exact-duplicate", "mirror")}
    assert [r["url"] for r in store.republished()] == ["https://mirror.example/copy"]


def test_appearances_link_near_duplicates_and_refuse_bad_links(store):
    doc_id, _ = store.add_document(doc(ENGLISH, "https://example.org/a"))
    store.add_appearance(doc_id, "https://copy.example/b", "copier", "near-duplicate", 0.91)
    store.add_appearance(doc_id, "https://copy.example/b", "copier", "exact-duplicate")  # already linked: kept
    near = store.appearances(doc_id)[1]
    assert (near["relation"], near["similarity"]) == ("near-duplicate", pytest.approx(0.91))
    with pytest.raises(ValueError, match="unknown appearance relation 'copy'"):
        store.add_appearance(doc_id, "https://copy.example/c", None, "copy")
    with pytest.raises(StoreError, match="no such document"):
        store.add_appearance(doc_id + 1000, "https://copy.example/d", None, "same-url")


def test_lookup_by_url_canonical_url_or_appearance(store):
    doc_id, _ = store.add_document(doc(ENGLISH, "https://example.org/a?ref=feed", canonical_url="https://example.org/a"))
    store.add_appearance(doc_id, "https://syndicated.example/a", "partner", "exact-duplicate")
    for url in ("https://example.org/a?ref=feed", "https://example.org/a", "https://syndicated.example/a"):
        assert store.document_id_for_url(url) == doc_id
    assert store.document_id_for_url("https://example.org/other") is None


def test_add_documents_in_one_batch_and_minhashes_come_back(store):
    docs = [doc(f"{ENGLISH} Item {i}.", f"https://example.org/{i}") for i in range(30)]
    results = store.add_documents([(d, bytes([i])) for i, d in enumerate(docs)] + [docs[0]])
    assert [created for _, created in results] == [True] * 30 + [False]
    assert results[-1][0] == results[0][0] and store.count_documents() == 30
    assert list(store.iter_minhashes()) == [(doc_id, bytes([i])) for i, (doc_id, _) in enumerate(results[:30])]
    store.add_document(doc(NORWEGIAN, "https://example.no/no-signature"))
    assert len(list(store.iter_minhashes())) == 30


# -- full-text search -----------------------------------------------------------------------

@pytest.fixture
def searchable(store):
    ids = {
        "nb": store.add_document(doc(NORWEGIAN, "https://example.no/a", title="Øvelse i Finnmark", language="nb"))[0],
        "ru": store.add_document(doc(RUSSIAN, "https://example.ru/b", title="Учения", language="ru"))[0],
        "en": store.add_document(doc(ENGLISH, "https://example.org/c", language="en"))[0],
    }
    return store, ids


def test_search_finds_norwegian_and_russian_words(searchable):
    store, ids = searchable
    (hit,) = store.search_documents("værmeldingen")
    assert hit["id"] == ids["nb"] and "[værmeldingen]" in hit["snippet"] and hit["url"] == "https://example.no/a"
    assert [h["id"] for h in store.search_documents("журналистам")] == [ids["ru"]]
    assert [h["id"] for h in store.search_documents("ЖУРНАЛИСТАМ")] == [ids["ru"]]  # case-insensitive
    assert [h["id"] for h in store.search_documents("Finnmark")] == [ids["nb"]]  # in title and text
    assert set(store.search_documents("Учения")[0]) >= {"id", "title", "url", "snippet", "rank"}


def test_search_needs_every_word(searchable):
    store, ids = searchable
    assert [h["id"] for h in store.search_documents("transcript interview")] == [ids["en"]]
    assert store.search_documents("transcript Finnmark") == []
    assert [h["id"] for h in store.search_documents("the council", limit=1)] == [ids["en"]]


def test_search_ranks_the_better_match_first(store):
    weak = store.add_document(doc(ENGLISH + " A storm was forecast.", "https://example.org/weak"))[0]
    strong = store.add_document(doc("Storm. Storm warnings again: the storm reached the coast in a storm.",
                                    "https://example.org/strong", title="Storm"))[0]
    hits = store.search_documents("storm")
    assert [h["id"] for h in hits] == [strong, weak] and hits[0]["rank"] > hits[1]["rank"]


@pytest.mark.parametrize("query", hostile_queries())
def test_hostile_queries_never_raise(searchable, query):
    store, _ = searchable
    assert isinstance(store.search_documents(query), list)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
       | st.lists(st.sampled_from(['"', "-", "*", "AND", "OR", "NOT", "NEAR", "(", ")", ":", "^", "+", "øvelsen",
                                   "учения", "\x00", " ", "'", "{", "}"]), max_size=8).map("".join))
def test_any_query_string_is_safe(searchable, query):
    store, _ = searchable
    for hit in store.search_documents(query):
        assert isinstance(hit["id"], int)


# -- rejections and stats -------------------------------------------------------------------

def test_rejections_are_idempotent_and_newest_first(store):
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    store.add_rejection(Rejection("https://example.org/404", "fetch", "http-404", "not found", "feed", at=start))
    store.add_rejection(Rejection("/data/empty.txt", "clean", "empty-text", at=start + timedelta(minutes=1)))
    store.add_rejection(Rejection("https://example.org/404", "fetch", "http-404", "still not found", "feed",
                                  at=start + timedelta(minutes=2)))
    assert store.count_rejections() == 2
    newest, older = store.rejections()
    assert (newest.item, newest.detail, newest.at) == ("https://example.org/404", "still not found",
                                                       start + timedelta(minutes=2))
    assert newest.source == "feed" and older.reason == "empty-text" and older.detail == ""
    assert [r.reason for r in store.rejections(stage="clean")] == ["empty-text"]
    assert len(store.rejections(limit=1)) == 1 and store.rejections(stage="dedup") == []


def test_stats_count_documents_per_source_and_language(store):
    store.add_documents([doc(NORWEGIAN, "https://example.no/1", source="nettavis", language="nb"),
                         doc(NORWEGIAN + " Mer.", "https://example.no/2", source="nettavis", language="nb"),
                         doc(RUSSIAN, "https://example.ru/1", source="kanal", language="ru"),
                         doc(ENGLISH, "/data/a.txt")])
    assert store.stats() == [
        {"source": "(none)", "language": "(unknown)", "documents": 1},
        {"source": "kanal", "language": "ru", "documents": 1},
        {"source": "nettavis", "language": "nb", "documents": 2},
    ]


# -- archive --------------------------------------------------------------------------------

def test_archive_put_get_is_content_addressed_and_idempotent(tmp_path):
    archive = Archive(tmp_path / "archive")
    data = NORWEGIAN.encode()
    sha = archive.put(data)
    assert sha == sha256_hex(data) and archive.put(data) == sha
    assert archive.path(sha) == tmp_path / "archive" / sha[:2] / sha[2:4] / sha
    assert archive.has(sha) and archive.get(sha) == data
    assert not archive.has("0" * 64)
    with pytest.raises(FileNotFoundError, match="0{64}"):
        archive.get("0" * 64)
    assert [p.name for p in archive.path(sha).parent.iterdir()] == [sha]  # no temp files left


def test_archive_rewrites_a_truncated_file(tmp_path):
    archive = Archive(tmp_path)
    sha = archive.put(RUSSIAN.encode())
    archive.path(sha).write_bytes(b"")  # as after an interrupted write
    assert archive.put(RUSSIAN.encode()) == sha and archive.get(sha) == RUSSIAN.encode()


@pytest.mark.parametrize("bad", ["../../etc/passwd", "/etc/passwd", "a" * 63, "a" * 64 + "\n", "A" * 64,
                                 "../" + "a" * 61, "a" * 32 + "/" + "a" * 31, "", "g" * 64])
def test_archive_refuses_anything_but_a_hex_digest(tmp_path, bad):
    archive = Archive(tmp_path)
    for verb in (archive.path, archive.has, archive.get):
        with pytest.raises(ValueError, match="sha256"):
            verb(bad)
