"""The ingest pipeline end to end on a real store: seed acceptance, formats, dedup, rejections, resume."""

import gzip
import json

import pytest

from disinfowatch import pipeline
from disinfowatch.pipeline import Ingester
from disinfowatch.settings import Settings
from shared_data import SEED_ARTICLE, require

DEBRIS = ("ANNONSE", "Les også:", "Se klipp fra intervjuet her:")


def _settings(store_url, tmp_path):
    return Settings(db=store_url, archive_dir=str(tmp_path / "archive"))


@pytest.fixture
def inputs(tmp_path):
    """A folder for the files a test ingests, apart from the store and the archive."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    return folder


def _paragraphs_of(original: str) -> list[str]:
    keep = []
    for line in original.splitlines()[1:]:
        line = " ".join(line.split())
        if line and not line.startswith(DEBRIS):
            keep.append(line)
    return keep


def test_seed_article_is_stored_clean_dated_and_norwegian(store, tmp_path):
    seed = require(SEED_ARTICLE)
    ingester = Ingester(store, _settings(store.url, tmp_path))
    report = ingester.ingest([str(seed)])
    assert report.documents == 1 and report.rejected == 0
    doc = store.get_document(report.stored_ids[0])
    assert doc.published == "2017-04"
    assert doc.language == "nb"
    assert doc.language_score > 0.5
    for debris in DEBRIS:
        assert debris not in doc.text
    original = seed.read_text(encoding="utf-8")
    positions = [doc.text.find(p) for p in _paragraphs_of(original)]
    assert -1 not in positions, "every article paragraph is kept"
    assert positions == sorted(positions), "in order"
    # Offsets lead back to the same words in the original file.
    start = doc.text.index("Vi har et vanskelig forhold")
    run = next(r for r in doc.offsets if r[0] <= start < r[0] + r[2])
    orig = run[1] + (start - run[0])
    assert original[orig:orig + 27] == "Vi har et vanskelig forhold"
    # Raw bytes archived, content-addressed.
    assert ingester.archive.get(doc.raw_sha256) == seed.read_bytes()
    assert store.search_documents("Stoltenberg")[0]["id"] == report.stored_ids[0]


def test_reingest_is_idempotent_and_links_copies(store, tmp_path):
    seed = require(SEED_ARTICLE)
    settings = _settings(store.url, tmp_path)
    Ingester(store, settings).ingest([str(seed)])
    copy = tmp_path / "republished.txt"
    copy.write_bytes(seed.read_bytes())
    report = Ingester(store, settings).ingest([str(seed), str(copy)])
    assert report.documents == 0 and report.exact_duplicates == 2
    assert store.count_documents() == 1
    doc_id = store.document_id_for_url(copy.resolve().as_uri())
    assert doc_id is not None
    relations = {a["url"].rsplit("/", 1)[-1]: a["relation"] for a in store.appearances(doc_id)}
    assert relations["republished.txt"] == "exact-duplicate"


def _article(words: int, salt: str) -> str:
    base = ("The ministry said on Monday that the new border crossing will open in spring and that "
            "traffic controls will be simplified for residents of the region ")
    text = " ".join((base + salt).split() * (words // 20 + 1))
    return "\n\n".join(text[i:i + 400] for i in range(0, len(text), 400))


def test_near_duplicate_is_linked_not_stored_twice(store, tmp_path):
    original = _article(300, "alpha")
    edited = original.replace("simplified", "made simpler", 1)
    (tmp_path / "a.txt").write_text(original, encoding="utf-8")
    (tmp_path / "b.txt").write_text(edited, encoding="utf-8")
    report = Ingester(store, _settings(store.url, tmp_path)).ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert (report.documents, report.near_duplicates) == (1, 1)
    doc_id = report.stored_ids[0]
    near = [a for a in store.appearances(doc_id) if a["relation"] == "near-duplicate"]
    assert len(near) == 1 and 0.85 <= near[0]["similarity"] < 1.0


def test_formats_and_bad_input_become_documents_or_recorded_rejections(store, inputs, tmp_path):
    good = {"url": "https://example.org/a", "title": "Grensen", "published": "2024-03-05", "source": "example",
            "text": "Regjeringen sier at den nye grenseovergangen skal åpne til våren, og at kontrollen blir enklere for innbyggerne i regionen."}
    lines = [json.dumps(good, ensure_ascii=False), "{not json", json.dumps({"url": "https://example.org/b"}), json.dumps([1, 2])]
    (inputs / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (inputs / "docs.csv").write_text(
        'url,title,text,published\nhttps://example.org/c,Wetter,"Der Wetterdienst sagte am Dienstag, dass es in der Nacht\nim ganzen Land Frost geben wird und die Straßen glatt sein können.",05.03.2024\n',
        encoding="utf-8")
    (inputs / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (inputs / "empty.html").write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    (inputs / "latin1.txt").write_bytes("Været i Trøndelag blir kaldt og vått hele uken, sier meteorologen på vakt i Trondheim.".encode("latin-1"))
    (inputs / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * 3_000_000))
    settings = Settings(db=store.url, archive_dir=str(inputs / "archive"), max_input_bytes=1_000_000)
    report = Ingester(store, settings).ingest([str(inputs)])
    assert report.documents == 3  # jsonl good row, csv row, latin-1 text decoded
    reasons = {(r.item.rsplit("/", 1)[-1], r.reason) for r in store.rejections(limit=100)}
    assert ("docs.jsonl#L2", "bad-json") in reasons
    assert ("docs.jsonl#L3", "no-text") in reasons
    assert ("docs.jsonl#L4", "bad-record") in reasons
    assert ("binary.txt", "binary") in reasons
    assert ("bomb.txt.gz", "too-large") in reasons
    assert any(item == "empty.html" for item, _ in reasons)
    csv_doc = store.get_document(store.document_id_for_url("https://example.org/c"))
    assert csv_doc.language == "de" and csv_doc.published == "2024-03-05"
    jsonl_doc = store.get_document(store.document_id_for_url("https://example.org/a"))
    assert (jsonl_doc.language, jsonl_doc.source, jsonl_doc.title) == ("nb", "example", "Grensen")


def test_interrupted_run_resumes_without_duplicates(store, inputs, tmp_path):
    for i in range(6):
        (inputs / f"{i}.txt").write_text(_article(120, f"doc{i} " * 30 + f" unique{i}"), encoding="utf-8")
    settings = _settings(store.url, tmp_path)
    ingester = Ingester(store, settings)
    items = ingester.expand(str(inputs), None)
    for _ in range(3):  # the run dies after three items
        ingester.consume(next(items))
    assert store.count_documents() == 3
    report = Ingester(store, settings).ingest([str(inputs)])
    assert store.count_documents() == 6
    assert report.documents == 3 and report.exact_duplicates == 3


def test_unexpected_failure_is_recorded_and_the_batch_goes_on(store, inputs, tmp_path, monkeypatch):
    for name in ("a", "b"):
        (inputs / f"{name}.txt").write_text(_article(100, name * 40), encoding="utf-8")
    real = pipeline.language.paragraphs

    def flaky(text, languages):
        if "aaaa" in text:
            raise RuntimeError("detector exploded")
        return real(text, languages)

    monkeypatch.setattr(pipeline.language, "paragraphs", flaky)
    report = Ingester(store, _settings(store.url, tmp_path)).ingest([str(inputs)])
    assert report.documents == 1 and report.rejected == 1
    (rej,) = store.rejections()
    assert rej.reason == "error:RuntimeError" and "detector exploded" in rej.detail
    with pytest.raises(RuntimeError):
        Ingester(store, _settings(store.url, tmp_path), debug=True).ingest([str(inputs / "a.txt")])


def test_documents_without_a_source_get_the_registered_source_of_their_site(store, tmp_path):
    from disinfowatch.demo.generate import news_page
    from disinfowatch.records import Source

    store.add_source(Source(name="nordlys", url="https://nordlys.example/rss.xml", kind="feed", language="nb",
                            outlet="Nordlys Nyheter", label="independent"))
    body = ["Kommunestyret i Bodø vedtok torsdag et nytt budsjett for skolene i hele kommunen."] * 3
    (tmp_path / "a.html").write_text(news_page("Budsjett", body, date="2024-03-01", author="A", site_name="Nordlys",
                                               canonical_url="https://www.nordlys.example/lokalt/budsjett", lang="nb"))
    (tmp_path / "b.html").write_text(news_page("Annet", [b.replace("Bodø", "Narvik") + " Annen sak." for b in body],
                                               date="2024-03-01", author="A", site_name="Annet", lang="nb",
                                               canonical_url="https://elsewhere.example/sak"))
    with Ingester(store, _settings(store.url, tmp_path)) as ingester:
        report = ingester.ingest([str(tmp_path / "a.html"), str(tmp_path / "b.html")])
    sources = {store.get_document(i).canonical_url: store.get_document(i).source for i in report.stored_ids}
    assert sources == {"https://www.nordlys.example/lokalt/budsjett": "nordlys", "https://elsewhere.example/sak": None}
