"""Optional natural-language inference: does what was said entail or contradict a report?

No NLI model is bundled (none small and multilingual enough ships in a package), so the default
verification stands on alignment and the polarity, number, subject and intent cues alone. A user who
has a cross-encoder NLI model on disk (for example a multilingual XNLI model saved with
sentence-transformers) can point ``verify_nli`` at its directory; verification then asks it about
the passage it aligned each report to, records the answer in the evidence, and calls a rendering
that the model finds contradicted ``divergent``.

    judge = get_judge("cross-encoder", path="/models/xnli")
    judge.judge([("NATO does not want confrontation with Russia", "NATO prepares an attack")])
    # [{"contradiction": 0.97, "entailment": 0.01, "neutral": 0.02}]

Backends are registered by name like embedders; models load on first use, never at import, and
nothing is downloaded (``local_files_only``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from .errors import ConfigError

LABELS = ("contradiction", "entailment", "neutral")


@runtime_checkable
class Judge(Protocol):
    id: str

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        """For each (premise, hypothesis): the probability of each of :data:`LABELS`."""
        ...


class CrossEncoderJudge:
    """A sentence-transformers cross-encoder with three NLI labels, from a local directory. The
    labels are read from the model's ``id2label`` (any case; "entails", "contradicts" accepted)."""

    def __init__(self, path: str | None = None, *, device: str | None = None, batch_size: int = 16):
        if not path:
            raise ConfigError("verify_nli", "the cross-encoder backend needs the directory of a saved model")
        directory = Path(path).expanduser()
        if not directory.is_dir():
            raise ConfigError("verify_nli", f"no model directory at {str(directory)!r}")
        try:
            from sentence_transformers import CrossEncoder
        except ImportError as exc:
            raise ConfigError("verify_nli", f"the cross-encoder backend needs sentence-transformers ({exc}); "
                                            "install it with: pip install 'disinfowatch[st]'") from None
        try:
            self._model = CrossEncoder(str(directory), device=device, local_files_only=True)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ConfigError("verify_nli", f"cannot load a cross-encoder from {str(directory)!r}: {first}") from None
        id2label = getattr(self._model.config, "id2label", None) or {}
        self._order = [_label(str(id2label.get(i, ""))) for i in range(len(id2label))]
        if not {"contradiction", "entailment"} <= set(self._order):
            raise ConfigError("verify_nli", f"the model at {str(directory)!r} has labels {list(id2label.values())}; "
                                            "an NLI model needs contradiction and entailment")
        self.batch_size = batch_size
        digest = hashlib.sha256()
        for file in sorted(p for p in directory.rglob("*") if p.is_file()):
            digest.update(f"{file.relative_to(directory)}\x00{file.stat().st_size}".encode())
        name = re.sub(r"[^\w.-]+", "_", directory.resolve().name)[:80]
        self.id = f"nli:{name}@{digest.hexdigest()[:12]}"

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        if not pairs:
            return []
        scores = self._model.predict([list(p) for p in pairs], batch_size=self.batch_size, apply_softmax=True,
                                     show_progress_bar=False)
        out = []
        for row in scores:
            found = {label: 0.0 for label in LABELS}
            for label, value in zip(self._order, row):
                if label in found:
                    found[label] += float(value)
            out.append({k: round(v, 4) for k, v in found.items()})
        return out


def _label(name: str) -> str:
    lowered = name.strip().lower()
    if lowered.startswith("contradict"):
        return "contradiction"
    if lowered.startswith("entail"):
        return "entailment"
    return "neutral" if lowered.startswith("neutral") else lowered


_REGISTRY: dict[str, Callable[..., Judge]] = {"cross-encoder": CrossEncoderJudge}
_LOADED: dict[tuple, Judge] = {}


def register(name: str, factory: Callable[..., Judge]) -> None:
    _REGISTRY[name] = factory


def get_judge(name: str = "cross-encoder", **options) -> Judge:
    """The named backend, loaded once per process and option set."""
    if name not in _REGISTRY:
        raise ConfigError("verify_nli", f"unknown NLI backend {name!r}; known: {', '.join(sorted(_REGISTRY))}")
    key = (name, tuple(sorted(options.items())))
    if key not in _LOADED:
        _LOADED[key] = _REGISTRY[name](**options)
    return _LOADED[key]
