"""Fit the hybrid ranker's fusion (``disinfowatch/models/retrieval.npz``) on CheckThat! 2020 Task 2.

    .venv/bin/python scripts/calibrate_retrieval.py [--data ../shared/data] [--cache DIR] [--out PATH]

With the embeddings cached (``--cache``, the folder ``disinfowatch eval retrieval`` fills: its
``embeddings`` child) it takes about 5 minutes on 2 cores; without, embedding the 10,375 claims
and 1,000 tweets first takes about half an hour.

Only the train and dev tweets are used; the test tweets are never read. For each tweet the
candidates are the ``depth`` best claims by cosine and by BM25 (see ``HybridRanker.candidates``);
each candidate is one training row (its :data:`~disinfowatch.rank.FEATURES`, label 1 when the
qrels pair it with the tweet). Every tweet also enters a second time with its relevant claims
removed from the collection, all candidates negative, so the model also sees queries that have
no match in the catalogue: without them the "gap to the best candidate" features would teach it
that the best candidate always matches, and its probabilities would be useless for thresholds.
Rows are weighted so each query counts once. Weights are kept non-negative (a feature whose
weight comes out negative is dropped and the model refitted), so the probability never falls when
the cosine or the BM25 of a candidate rises.

Model selection: every feature set, depth and L2 strength in the grid is fitted on train and
scored on dev (MAP@5, then MRR, then calibration error); the best is refitted on train + dev and
saved with the vector-only model (cosine features only, used across languages) fitted the same way.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

from disinfowatch.evaluate_retrieval import Benchmark, load_benchmark, measures, relevant_ranks
from disinfowatch.rank import FEATURES, VECTOR_FEATURES, Fusion, FusionModel, clean_post

FEATURE_SETS = {
    "relative": ("vector", "vector_gap", "lexical_relative"),
    "gaps": ("vector", "vector_gap", "lexical", "lexical_gap", "lexical_relative"),
    "ranks": FEATURES,
}
SHIPPED = Path(__file__).resolve().parents[1] / "src" / "disinfowatch" / "models" / "retrieval.npz"
DEPTHS = (10, 20, 30, 50)
L2 = (1e-6, 1e-4, 1e-2)


def candidate_sets(benchmark: Benchmark, split: str, depth: int, without_relevant: bool = False):
    """Per tweet: (candidates, labels). ``without_relevant`` ranks a collection without the
    tweet's relevant claims."""
    ranker = benchmark.ranker
    out = []
    for query, vector in zip(benchmark.queries[split], benchmark.query_vectors[split]):
        relevant = benchmark.relevant(query)
        candidates = ranker.candidates(clean_post(query.text), vector, "en", depth=depth,
                                       exclude=relevant if without_relevant else None)
        out.append((candidates, np.isin(candidates.indices, relevant).astype(float)))
    return out


def stack(sets, features):
    columns = {name: [] for name in features}
    labels, weights = [], []
    for candidates, y in sets:
        values = candidates.features()
        for name in features:
            columns[name].append(values[name])
        labels.append(y)
        weights.append(np.full(len(y), 1.0 / len(y)))
    weights = np.concatenate(weights)
    return ({name: np.concatenate(parts) for name, parts in columns.items()}, np.concatenate(labels),
            weights * len(weights) / weights.sum())


def fit(sets, features, l2):
    """Fit with non-negative weights, so the probability never falls when a part of the score
    rises: while a weight comes out negative, drop that feature and refit."""
    features = list(features)
    columns, labels, weights = stack(sets, features)
    while True:
        model = FusionModel.fit(columns, labels, features, l2=l2, sample_weight=weights)
        if (model.weights >= 0).all() or len(features) == 1:
            return model
        features.pop(int(np.argmin(model.weights)))


def ranking_quality(benchmark: Benchmark, split: str, sets, model: FusionModel) -> dict[str, float]:
    """MAP@k and MRR on ``split`` when candidates are ordered by ``model`` and the rest by cosine."""
    ranks = []
    for (candidates, _), query, vector in zip(sets, benchmark.queries[split], benchmark.query_vectors[split]):
        scores = benchmark.ranker.vectors @ vector - 10.0
        scores[candidates.indices] = model.probability(candidates.features())
        ranks.append(relevant_ranks(scores, benchmark.relevant(query)))
    return measures(ranks)


def calibration(sets_with, sets_without, model: FusionModel, bins: int = 10) -> dict:
    """How well the top candidate's probability says whether it matches, over tweets with and
    without their relevant claims: expected calibration error, Brier score, and the share of tweets
    with/without a match whose top probability is at least 0.5."""
    top_p, top_y = [], []
    for candidates, labels in [*sets_with, *sets_without]:
        p = model.probability(candidates.features())
        best = int(np.argmax(p))
        top_p.append(p[best])
        top_y.append(labels[best])
    top_p, top_y = np.asarray(top_p), np.asarray(top_y)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(top_p, edges) - 1, 0, bins - 1)
    ece = sum(abs(top_p[which == b].mean() - top_y[which == b].mean()) * np.mean(which == b)
              for b in range(bins) if np.any(which == b))
    n = len(sets_with)
    return {"ece": round(float(ece), 4), "brier": round(float(np.mean((top_p - top_y) ** 2)), 4),
            "matched_at_0.5": round(float(np.mean(top_p[:n] >= 0.5)), 3),
            "unmatched_at_0.5": round(float(np.mean(top_p[n:] >= 0.5)), 3)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--cache", default=None, help="embedding cache folder")
    parser.add_argument("--out", default=str(SHIPPED), help="where to write the fusion (default: the shipped file)")
    args = parser.parse_args(argv)

    # Loading the benchmark only gathers candidates and their features; this cosine-only fusion is
    # what it ranks with while doing so (the fitted one does not exist yet).
    cosine_only = Fusion(FusionModel(("vector",), [1.0], 0.0), FusionModel(("vector",), [1.0], 0.0))
    benchmark = load_benchmark(Path(args.data), Path(args.cache) if args.cache else None, ("train", "dev"),
                               fusion=cosine_only, progress=lambda message: print(message, file=sys.stderr))
    started = time.time()
    results = []
    for depth in DEPTHS:
        sets = {split: (candidate_sets(benchmark, split, depth), candidate_sets(benchmark, split, depth, True))
                for split in ("train", "dev")}
        for (name, features), l2 in itertools.product(FEATURE_SETS.items(), L2):
            model = fit([*sets["train"][0], *sets["train"][1]], features, l2)
            quality = ranking_quality(benchmark, "dev", sets["dev"][0], model)
            results.append({"depth": depth, "features": name, "kept": list(model.features), "l2": l2,
                            **{k: round(v, 4) for k, v in quality.items()},
                            **calibration(*sets["dev"], model)})
            print(json.dumps(results[-1]), file=sys.stderr)
    best = max(results, key=lambda r: (r["map@5"], r["mrr"], -r["ece"]))
    print("best on dev:", json.dumps(best), file=sys.stderr)

    depth, features, l2 = best["depth"], best["kept"], best["l2"]
    both = [row for split in ("train", "dev") for sets_ in (candidate_sets(benchmark, split, depth),
                                                             candidate_sets(benchmark, split, depth, True))
            for row in sets_]
    hybrid = fit(both, features, l2)
    vector = fit(both, VECTOR_FEATURES, l2)
    fusion = Fusion(hybrid, vector, depth, {
        "trained_on": "CheckThat! 2020 Task 2 v3.0 train + dev tweets (test never read)",
        "selection": json.dumps(best), "embedder": benchmark.ranker.embedder_id})
    fusion.save(args.out)
    print(json.dumps({"saved": args.out, "hybrid": hybrid.effective_weights(), "vector": vector.effective_weights(),
                      "depth": depth, "seconds": round(time.time() - started, 1)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
