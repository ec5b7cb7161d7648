"""Load: ingest and analyse many small documents into SQLite and PostgreSQL in one run, then check
the counts: every document stored once, every URL an appearance, every rejection with a reason.

    python benchmarks/load.py                                          # 100,000 documents, SQLite and PostgreSQL
    python benchmarks/load.py --docs 20000 --pg ''                     # SQLite only
    python benchmarks/load.py --pg postgresql://postgres@127.0.0.1:5432/postgres --checkworthiness

The documents are short generated news items (two to four sentences in one of eight languages, a
quote or a claim in most), written as JSON Lines shards of 5,000, with 2% exact republications and
0.5% broken lines (bad JSON, no text) that must end as rejections with their reasons. The run is
batch mode on the process pool (``--workers``, default 2): ``analyze --input`` then ``load``, as a
team would backfill an archive. By default the check-worthiness model is off (``--checkworthiness``
turns it on; on two cores it embeds about 50 sentences a second, so 100,000 documents take hours)
and matching runs against the bundled catalogue (it embeds the claims and quotes only; ``--no-match``
leaves the analysis at extraction, which is what fits 100,000 documents in minutes). Peak memory
is the driver's and the largest worker's resident set. On PostgreSQL a fresh database is created
and dropped.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from disinfowatch import batch  # noqa: E402
from disinfowatch.runners import get_runner  # noqa: E402
from disinfowatch.settings import load  # noqa: E402
from disinfowatch.store import open_store  # noqa: E402

ITEMS = {
    "nb": ["Forsvaret opplyser at {n} soldater deltar i øvelsen i {p}.", "- Vi følger situasjonen nøye, sier ordføreren i {p}.",
           "Ifølge politiet ble {n} personer kontrollert ved grensen.", "Det blir hevdet at NATO forbereder et angrep."],
    "en": ["The ministry said {n} troops would take part in the exercise near {p}.",
           "\"We are watching this closely,\" the mayor of {p} said.", "Police checked {n} people at the border.",
           "State television claimed that NATO is preparing an attack on Russia."],
    "ru": ["Министерство сообщило, что в учениях под {p} примут участие {n} военных.",
           "«Мы внимательно следим за ситуацией», — заявил мэр {p}.", "Полиция проверила {n} человек на границе.",
           "По словам телеведущего, НАТО готовит нападение на Россию."],
    "uk": ["Міністерство повідомило, що в навчаннях біля {p} візьмуть участь {n} військових.",
           "«Ми уважно стежимо за ситуацією», — сказав мер {p}.", "Поліція перевірила {n} осіб на кордоні."],
    "de": ["Das Ministerium teilte mit, dass {n} Soldaten an der Übung bei {p} teilnehmen.",
           "„Wir beobachten die Lage genau“, sagte der Bürgermeister von {p}.", "Die Polizei kontrollierte {n} Personen."],
    "pl": ["Ministerstwo podało, że w ćwiczeniach pod {p} weźmie udział {n} żołnierzy.",
           "Policja sprawdziła {n} osób na granicy.", "„Uważnie obserwujemy sytuację” – powiedział burmistrz {p}."],
    "sv": ["Försvaret uppger att {n} soldater deltar i övningen vid {p}.", "Polisen kontrollerade {n} personer vid gränsen."],
    "fr": ["Le ministère a indiqué que {n} soldats participeront à l'exercice près de {p}.",
           "La police a contrôlé {n} personnes à la frontière."],
}
PLACES = ["Tromsø", "Riga", "Narva", "Kiel", "Gdańsk", "Visby", "Lille", "Kharkiv"]


def write_corpus(folder: Path, docs: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    expected = {"lines": 0, "broken": 0, "republished": 0}
    made: list[dict] = []
    shard, handle = -1, None
    for i in range(docs):
        if i % 5000 == 0:
            if handle:
                handle.close()
            shard += 1
            handle = (folder / f"items-{shard:04d}.jsonl").open("w", encoding="utf-8")
        roll = rng.random()
        if roll < 0.005:
            handle.write(rng.choice(['{"url": "https://broken.example/', '{"url": "https://notext.example/%d"}' % i]) + "\n")
            expected["broken"] += 1
            continue
        if made and roll < 0.025:
            row = dict(rng.choice(made), url=f"https://mirror.example/{i}")
            expected["republished"] += 1
        else:
            language = rng.choice(list(ITEMS))
            sentences = [rng.choice(ITEMS[language]).format(n=rng.randint(2, 900), p=rng.choice(PLACES))
                         for _ in range(rng.randint(2, 4))]
            row = {"url": f"https://news{i % 40}.example/{i}", "title": f"Item {i}", "text": " ".join(sentences) + f" ({i})",
                   "published": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "source": f"news{i % 40}"}
            if len(made) < 2000:
                made.append(row)
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        expected["lines"] += 1
    if handle:
        handle.close()
    return expected


def one_store(db: str, corpus: Path, tmp: Path, expected: dict, args) -> None:
    settings = load(overrides={"db": db, "archive_dir": str(tmp / f"archive-{uuid.uuid4().hex[:6]}"),
                               "min_document_chars": 20})
    store = open_store(db)
    context = batch.context_from_store(store, settings, checkworthiness=args.checkworthiness,
                                       matching=not args.no_match)
    out = tmp / f"out-{uuid.uuid4().hex[:6]}"
    start = time.perf_counter()
    with get_runner("pool", workers=args.workers) as runner:
        analysed = batch.analyze_shards([str(corpus)], out, settings, runner, context)
    middle = time.perf_counter()
    batch.load_shards(out, store, settings, batch=500, retry_seconds=settings.db_retry_seconds)
    end = time.perf_counter()
    with store.engine.connect() as conn:
        def count(sql):
            return conn.execute(sa.text(sql)).scalar()

        documents = count("SELECT count(*) FROM documents")
        distinct = count("SELECT count(DISTINCT content_hash) FROM documents")
        urls = count("SELECT count(DISTINCT url) FROM appearances")
        analyses = count("SELECT count(*) FROM analyses")
        claims, quotes, alerts = (count(f"SELECT count(*) FROM {t}") for t in ("claims", "quotes", "alerts"))
        rejections = count("SELECT count(*) FROM rejections")
        unexplained = count("SELECT count(*) FROM rejections WHERE reason IS NULL OR reason = '' OR detail IS NULL "
                            "OR detail = ''")
    store.close()
    driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    dialect = db.split(":")[0]
    print(f"\n{dialect}: {analysed['documents'] + analysed['rejected']:,} items in {end - start:.0f} s "
          f"(analyse {middle - start:.0f} s on {args.workers} pool workers, load {end - middle:.0f} s); "
          f"{(analysed['documents']) / (end - start):.0f} documents/s overall")
    print(f"  documents {documents:,} (distinct hashes {distinct:,}), URLs {urls:,}, analyses {analyses:,}, "
          f"claims {claims:,}, quotes {quotes:,}, alerts {alerts:,}, rejections {rejections:,} ({unexplained} without a reason)")
    print(f"  peak memory: driver {driver:.0f} MB, largest worker {worker:.0f} MB")
    checks = {
        "no duplicate documents": documents == distinct,
        "every document analysed": analyses == documents,
        "every line stored or rejected": urls + rejections >= expected["lines"] + expected["broken"] - 1
        and rejections >= expected["broken"],
        "every rejection has a reason": unexplained == 0,
        "republications are appearances, not documents": documents <= expected["lines"] - expected["republished"],
    }
    for name, ok in checks.items():
        print(f"  {'ok ' if ok else 'FAIL'} {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server's admin URL ('' to skip); a scratch database is made and dropped")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--checkworthiness", action="store_true", help="also score every sentence (slow on CPU)")
    parser.add_argument("--no-match", action="store_true", help="skip matching (it embeds every claim and quote)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        started = time.perf_counter()
        expected = write_corpus(tmp / "corpus", args.docs)
        print(f"corpus: {args.docs:,} lines ({expected['republished']:,} republications, {expected['broken']} broken) "
              f"in {time.perf_counter() - started:.1f} s")
        if not args.no_sqlite:
            one_store(f"sqlite:///{tmp / 'load.db'}", tmp / "corpus", tmp, expected, args)
        if args.pg:
            admin = sa.create_engine(args.pg, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
            database = f"dw_load_{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
            try:
                one_store(sa.make_url(args.pg).set(database=database).render_as_string(hide_password=False),
                          tmp / "corpus", tmp, expected, args)
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
