"""Ingest throughput: documents per second and peak memory through clean + language + dedup + store.

    python benchmarks/ingest.py [--pages 2000] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

Generates a directory of synthetic multilingual news pages with the bundled generator, then ingests
it once into a fresh SQLite file and once into a fresh PostgreSQL database (each in its own process,
so peak memory is that run's own), and prints the figures side by side.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path


def run_one(corpus: Path, db: str, archive: Path) -> dict:
    from disinfowatch.pipeline import Ingester
    from disinfowatch.settings import Settings
    from disinfowatch.store import open_store

    settings = Settings(db=db, archive_dir=str(archive))
    store = open_store(db)
    started = time.perf_counter()
    ingester = Ingester(store, settings)
    report = ingester.ingest([str(corpus)])
    elapsed = time.perf_counter() - started
    pages = sum(1 for p in corpus.iterdir() if p.is_file())
    store.close()
    return {
        "pages": pages,
        "seconds": round(elapsed, 2),
        "docs_per_s": round(pages / elapsed, 1),
        "stored": report.documents,
        "exact_duplicates": report.exact_duplicates,
        "near_duplicates": report.near_duplicates,
        "rejected": report.rejected,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _pg_database(admin_url: str):
    import sqlalchemy as sa

    name = f"dw_bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = admin_url.rsplit("/", 1)[0]
    return engine, name, f"{base}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="admin URL of a PostgreSQL server; '' to skip PostgreSQL")
    parser.add_argument("--one", nargs=3, metavar=("CORPUS", "DB", "ARCHIVE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(Path(args.one[0]), args.one[1], Path(args.one[2]))))
        return

    from disinfowatch.demo.generate import generate_corpus

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = tmp / "pages"
        t = time.perf_counter()
        generate_corpus(corpus, args.pages, seed=7)
        print(f"generated {args.pages} pages in {time.perf_counter() - t:.1f}s")
        runs = {"sqlite": f"sqlite:///{tmp / 'bench.db'}"}
        cleanup = None
        if args.pg:
            try:
                engine, name, url = _pg_database(args.pg)
                runs["postgresql"] = url
                cleanup = (engine, name)
            except Exception as exc:  # the benchmark still reports SQLite
                print(f"PostgreSQL skipped: {exc}")
        results = {}
        try:
            for backend, db in runs.items():
                out = subprocess.run([sys.executable, __file__, "--one", str(corpus), db, str(tmp / f"archive-{backend}")],
                                     check=True, capture_output=True, text=True)
                results[backend] = json.loads(out.stdout.strip().splitlines()[-1])
                r = results[backend]
                print(f"{backend:<10} {r['docs_per_s']:>7} docs/s  {r['seconds']:>7}s  peak {r['peak_rss_mb']} MB  "
                      f"stored {r['stored']}, exact dup {r['exact_duplicates']}, near dup {r['near_duplicates']}, rejected {r['rejected']}")
        finally:
            if cleanup:
                import sqlalchemy as sa

                with cleanup[0].connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{cleanup[1]}" WITH (FORCE)'))
        if len(results) == 2:
            ratio = results["postgresql"]["docs_per_s"] / results["sqlite"]["docs_per_s"]
            print(f"postgresql/sqlite throughput ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
