"""Export throughput and memory: 10^6 claims to CSV, JSON Lines and Parquet, streamed.

    python benchmarks/export.py                  # 10^6 claims (store built in about a minute)
    python benchmarks/export.py --rows 100000
    python benchmarks/export.py --db postgresql://postgres@127.0.0.1:5432/exportbench   # an empty database

A SQLite store (or the PostgreSQL database given, which must be empty) is filled with ``rows``
generated claims over ``rows / 100`` documents, inserted in bulk. Then each format is exported in
its own child process, so each figure is that export's alone: rows per second, wall time, file
size, and the child's peak resident memory next to the same child's memory before the export began
(the difference is what the export held). A streamed export's peak does not grow with the rows:
run with ``--rows 100000`` and ``--rows 1000000`` and compare.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from disinfowatch.store import open_store  # noqa: E402
from disinfowatch.store import schema as t  # noqa: E402

WORDS = ("NATO Russia alliance troops border attack exercise sanctions Kyiv Moscow Brussels Oslo "
         "government minister said claims preparing defence budget percent soldiers Arctic").split()
LANGUAGES = ("nb", "ru", "uk", "en", "de", "pl")


def build(db: str, rows: int) -> None:
    store = open_store(db)
    rng = random.Random(7)
    documents = max(1, rows // 100)
    now = datetime.now(timezone.utc)
    with store.engine.begin() as conn:
        conn.execute(t.documents.insert(), [
            {"id": i, "content_hash": f"{i:064x}", "url": f"https://news.example/{i}", "title": f"Article {i}",
             "published": f"2017-{1 + i % 12:02d}-{1 + i % 28:02d}", "source": f"source-{i % 50}",
             "language": LANGUAGES[i % len(LANGUAGES)], "text": "generated", "raw_sha256": f"{i:064x}",
             "paragraphs": "[]", "offsets": "[]", "created_at": now} for i in range(1, documents + 1)])
    batch = []
    with store.engine.begin() as conn:
        for i in range(1, rows + 1):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
            batch.append({"id": i, "document_id": 1 + (i - 1) % documents, "text": text, "start": 0, "end": len(text),
                          "attributed_to": rng.choice([None, "Jens Stoltenberg", "Rossija 1"]),
                          "attributed_kind": "person", "attribution": "said", "kind": "statement",
                          "checkworthiness": rng.random()})
            if len(batch) == 20000:
                conn.execute(t.claims.insert(), batch)
                batch = []
        if batch:
            conn.execute(t.claims.insert(), batch)
    store.close()


def child(db: str, fmt: str, path: str) -> None:
    from disinfowatch.export import export

    store = open_store(db)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    count = export(store, "claims", fmt, path)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"count": count, "seconds": seconds, "before_kib": before, "peak_kib": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", help="an empty PostgreSQL database (default: a new SQLite file)")
    parser.add_argument("--child", nargs=3, metavar=("DB", "FORMAT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{tmp}/export.db"
        start = time.perf_counter()
        build(db, args.rows)
        print(f"store: {args.rows:,} claims over {max(1, args.rows // 100):,} documents in "
              f"{time.perf_counter() - start:.1f} s ({db.split(':')[0]})")
        print(f"{'format':8} {'rows':>10} {'seconds':>8} {'rows/s':>9} {'file MB':>8} {'RSS before MB':>14} "
              f"{'peak MB':>8} {'held MB':>8}")
        for fmt in ("csv", "jsonl", "parquet"):
            path = f"{tmp}/claims.{fmt}"
            out = subprocess.run([sys.executable, __file__, "--child", db, fmt, path], check=True,
                                 capture_output=True, text=True).stdout
            figures = json.loads(out.strip().splitlines()[-1])
            assert figures["count"] == args.rows, figures
            size = Path(path).stat().st_size / 1e6
            before, peak = figures["before_kib"] / 1024, figures["peak_kib"] / 1024
            print(f"{fmt:8} {figures['count']:>10,} {figures['seconds']:>8.1f} "
                  f"{figures['count'] / figures['seconds']:>9,.0f} {size:>8.1f} {before:>14.0f} {peak:>8.0f} "
                  f"{peak - before:>8.0f}")


if __name__ == "__main__":
    main()
