"""Scale-out and reliability: the runners (local, process pool, a real local Dask cluster) give the
same results; batch mode streams shards in and out; a killed worker, a killed driver, a damaged
shard and a restarted database lose nothing and duplicate nothing; backup and restore round-trip."""

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from disinfowatch import batch
from disinfowatch.demo.generate import generate_corpus, generate_shards
from disinfowatch.runners import PoolRunner, get_runner
from disinfowatch.settings import load
from disinfowatch.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def slow_square(item, context):
    time.sleep(0.05)
    return item * item + context, os.getpid()


def _settings(tmp_path, db=None, **extra):
    return load(overrides={"db": db or f"sqlite:///{tmp_path / 'store.db'}", "archive_dir": str(tmp_path / "archive"),
                           **extra})


def _comparable(rows):
    """Output rows without what legitimately differs between runs (timings, fetch times)."""
    return sorted(({k: v for k, v in row.items() if k not in ("seconds", "fetched_at")} for row in rows),
                  key=lambda r: r["item"])


def _counts(url):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        out = {name: conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar()
               for name in ("documents", "analyses", "claims", "quotes", "sentences", "alerts", "appearances")}
        out["distinct_hashes"] = conn.execute(sa.text("SELECT count(DISTINCT content_hash) FROM documents")).scalar()
        out["urls"] = conn.execute(sa.text("SELECT count(DISTINCT url) FROM appearances")).scalar()
    engine.dispose()
    return out


# -- the runners ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["local", "pool", "dask"])
def test_every_runner_maps_in_order_with_a_shared_context(name):
    with get_runner(name, workers=2) as runner:
        results = list(runner.map(slow_square, range(30), 7))
    assert [value for value, _ in results] == [n * n + 7 for n in range(30)]
    processes = {pid for _, pid in results}
    assert (processes == {os.getpid()}) if name == "local" else (len(processes) == 2 and os.getpid() not in processes)


def test_a_killed_pool_worker_is_replaced_and_its_items_sent_again():
    with PoolRunner(2) as runner:
        results = []
        for n, (value, _) in enumerate(runner.map(slow_square, range(40), 0)):
            results.append(value)
            if n == 5:
                os.kill(runner.pids()[0], signal.SIGKILL)
        assert results == [n * n for n in range(40)]  # every item once, in order
        assert runner.restarts == 1


def test_a_killed_dask_worker_loses_no_item():
    with get_runner("dask", workers=2) as runner:
        results = []
        for n, (value, _) in enumerate(runner.map(slow_square, range(40), 0)):
            results.append(value)
            if n == 5:
                os.kill(next(iter(runner.worker_pids().values())), signal.SIGKILL)
        assert results == [n * n for n in range(40)]


def test_two_dask_runners_on_one_machine_do_not_collide():
    with get_runner("dask", workers=1) as first, get_runner("dask", workers=1) as second:
        assert first.address != second.address
        assert [v for v, _ in first.map(slow_square, range(3), 1)] == [v for v, _ in second.map(slow_square, range(3), 1)]


def test_an_unknown_runner_is_a_clear_error():
    with pytest.raises(Exception, match="unknown runner 'spark'"):
        get_runner("spark")
    with pytest.raises(Exception, match="runner"):
        load(overrides={"runner": "spark"})


# -- batch mode: the same results on every runner --------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Two Parquet shards and one JSON Lines shard of generated articles (with republications and
    near-copies), and a context whose catalogue is the bundled narratives (embedded once)."""
    folder = tmp_path_factory.mktemp("corpus")
    shards = generate_shards(folder / "in", 16, per_shard=8, seed=5)
    rows = [json.loads(line) for line in
            (generate_shards(folder / "jsonl", 6, per_shard=6, seed=9, fmt="jsonl")[0]).read_text().splitlines()]
    for row in rows:  # other sites' URLs than the Parquet shards' (the generator numbers from 0)
        row["url"] = row["url"].replace("/news/", "/jsonl/")
    (folder / "in" / "extra.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    settings = _settings(folder)
    store = open_store(settings.db)
    context = batch.context_from_store(store, settings)
    store.close()
    return {"folder": folder, "shards": shards, "settings": settings, "context": context}


@pytest.mark.slow
def test_batch_output_is_identical_on_the_local_runner_and_a_dask_cluster(corpus, tmp_path):
    settings, context, inputs = corpus["settings"], corpus["context"], [str(corpus["folder"] / "in")]
    with get_runner("local") as runner:
        local = batch.analyze_shards(inputs, tmp_path / "local", settings, runner, context)
    with get_runner("dask", workers=2) as runner:
        assert runner.workers == 2
        dask = batch.analyze_shards(inputs, tmp_path / "dask", settings, runner, context)
    assert local["documents"] == dask["documents"] == 22 and local["shards"] == dask["shards"] == 3
    for name in ("shard-00000", "shard-00001", "extra"):
        a = _comparable(batch.read_rows(tmp_path / "local" / f"{name}.parquet"))
        b = _comparable(batch.read_rows(tmp_path / "dask" / f"{name}.parquet"))
        assert a == b
    every = [r for name in ("shard-00000", "shard-00001", "extra") for r in
             batch.read_rows(tmp_path / "dask" / f"{name}.parquet")]
    assert sum(len(json.loads(r["analysis"])["claims"]) for r in every) > 20
    assert any(json.loads(r["alerts"]) for r in every)  # matched against the narratives, in the workers
    assert all(json.loads(r["analysis"])["scores"] for r in every)  # check-worthiness scored there too
    assert {"clean", "extract", "embed", "match"} <= set(dask["seconds"])

    # Loading either output gives the same store; loading again adds nothing.
    counts = []
    for name in ("local", "dask"):
        db = f"sqlite:///{tmp_path / f'{name}.db'}"
        store = open_store(db)
        first = batch.load_shards(tmp_path / name, store, _settings(tmp_path, db))
        again = batch.load_shards(tmp_path / name, store, _settings(tmp_path, db))
        store.close()
        assert first["documents"] + first["duplicates"] == 22 and again["documents"] == 0 and again["alerts"] == 0
        counts.append(_counts(db))
    assert counts[0] == counts[1]
    assert counts[0]["documents"] == counts[0]["distinct_hashes"] == counts[0]["analyses"]
    assert counts[0]["urls"] == 22  # every URL is an appearance, duplicates included
    assert counts[0]["alerts"] > 0


@pytest.mark.slow
def test_the_store_mode_runners_give_the_same_store(tmp_path):
    pages = tmp_path / "pages"
    generate_corpus(pages, 12, seed=21)
    results = []
    for name in ("local", "pool", "dask"):
        settings = _settings(tmp_path / name, runner=name, workers=2)
        from disinfowatch import api

        report = api.ingest([str(pages)], settings)
        analysed = api.analyze(settings, verify=False)
        assert analysed["analyzed"] == report.documents and analysed["rejected"] == 0
        engine = sa.create_engine(settings.db)
        with engine.connect() as conn:
            results.append({
                "documents": conn.execute(sa.text("SELECT content_hash, language, text FROM documents ORDER BY content_hash")).all(),
                "claims": conn.execute(sa.text("SELECT d.content_hash, c.text, c.checkworthiness FROM claims c JOIN documents d "
                                               "ON d.id = c.document_id ORDER BY 1, 2")).all(),
                "alerts": conn.execute(sa.text("SELECT d.content_hash, a.target, round(a.score, 6) FROM alerts a JOIN documents d "
                                               "ON d.id = a.document_id ORDER BY 1, 2, 3")).all()})
        engine.dispose()
    assert results[0]["documents"] and results[0]["claims"]
    assert results[0] == results[1] == results[2]


# -- faults --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_worker_killed_mid_run_leaves_every_document_processed_exactly_once(tmp_path):
    generate_shards(tmp_path / "in", 120, per_shard=10, seed=3)
    settings = _settings(tmp_path)
    context = batch.Context(settings, checkworthiness=False)  # no model: the fault is the point
    killed = []
    with get_runner("dask", workers=2) as runner:
        def kill_once(path, counts):
            if not killed:
                pid = next(iter(runner.worker_pids().values()))
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        result = batch.analyze_shards([str(tmp_path / "in")], tmp_path / "out", settings, runner, context,
                                      progress=kill_once)
    assert killed and result["shards"] == 12 and result["documents"] == 120 and result["rejected"] == 0
    items = [r["item"] for p in sorted((tmp_path / "out").glob("*.parquet")) for r in batch.read_rows(p)]
    assert len(items) == len(set(items)) == 120


def test_a_damaged_shard_is_rejected_with_its_reason_and_the_rest_goes_on(tmp_path):
    good = generate_shards(tmp_path / "in", 20, per_shard=10, seed=4)
    truncated = tmp_path / "in" / "truncated.parquet"
    data = good[0].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    rows = [{"url": f"https://x.example/{n}", "text": "Russisk TV hevdet at NATO forbereder et angrep. " * 3}
            for n in range(5)]
    packed = gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode())
    (tmp_path / "in" / "cut.jsonl.gz").write_bytes(packed[: len(packed) - 12])
    (tmp_path / "in" / "lines.jsonl").write_text('{"url": "https://y.example/1", "text": "Fine text that is long '
                                                  'enough to be kept as a document here."}\nnot json\n{"url": 3}\n',
                                                  encoding="utf-8")
    (tmp_path / "in" / "garbage.warc").write_bytes(b"\x00\x01 not a warc at all" * 50)
    settings = _settings(tmp_path)
    with get_runner("local") as runner:
        result = batch.analyze_shards([str(tmp_path / "in")], tmp_path / "out", settings, runner,
                                      batch.Context(settings, checkworthiness=False))
    assert result["shards"] == 6
    rejected = {}
    for path in (tmp_path / "out").glob("*.rejections.jsonl"):
        for line in path.read_text().splitlines():
            r = json.loads(line)
            rejected.setdefault(path.name.split(".")[0], []).append((r["reason"], r["detail"]))
    assert rejected["truncated"][0][0] == "bad-shard" and "Parquet" in rejected["truncated"][0][1]
    assert rejected["cut"][-1][0] == "bad-shard"  # what came before the damage is kept
    assert [reason for reason, _ in rejected["lines"]] == ["bad-json", "no-text"]
    assert rejected["garbage"] and rejected["garbage"][0][0] in ("bad-warc", "unsupported-content-type")
    assert all(detail for found in rejected.values() for _, detail in found)
    assert sum(len(batch.read_rows(tmp_path / "out" / f"{n}.parquet")) for n in ("shard-00000", "shard-00001")) == 20
    store = open_store(settings.db)
    loaded = batch.load_shards(tmp_path / "out", store, settings)
    assert loaded["rejections"] == sum(len(v) for v in rejected.values())
    assert {r.reason for r in store.rejections(limit=50)} >= {"bad-shard", "bad-json", "no-text"}
    store.close()


@pytest.mark.slow
def test_a_driver_killed_mid_run_resumes_without_duplicates(tmp_path):
    generate_shards(tmp_path / "in", 160, per_shard=10, seed=8)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    env = {**os.environ, "DISINFOWATCH_ARCHIVE_DIR": str(tmp_path / "archive")}
    command = [sys.executable, "-m", "disinfowatch", "analyze", "--db", db, "--input", str(tmp_path / "in"),
               "--output", str(tmp_path / "out"), "--no-checkworthiness", "--no-match", "--runner", "pool",
               "--workers", "2"]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list((tmp_path / "out").glob("*.done.json")) and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    done_before = len(list((tmp_path / "out").glob("*.done.json")))
    assert 1 <= done_before < 16, "the driver was to be killed mid-run"
    again = subprocess.run(command + ["--json"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert result["skipped"] == done_before and result["skipped"] + result["shards"] == 16
    items = [r["item"] for p in sorted((tmp_path / "out").glob("*.parquet")) for r in batch.read_rows(p)]
    assert len(items) == len(set(items)) == 160
    assert not list((tmp_path / "out").glob("*.partial"))
    loaded = subprocess.run([sys.executable, "-m", "disinfowatch", "load", str(tmp_path / "out"), "--db", db, "--json"],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    counts = _counts(db)
    assert counts["documents"] == counts["distinct_hashes"] == json.loads(loaded.stdout)["documents"]
    assert counts["urls"] == 160


def _postgres(action: str) -> None:
    cluster = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", action]
                   + (["-m", "fast"] if action == "stop" else []), check=True, capture_output=True, timeout=60)


@pytest.mark.postgres
@pytest.mark.slow
def test_loading_survives_postgresql_restarting_during_the_run(pg_url, tmp_path, caplog):
    if os.environ.get("DISINFOWATCH_TEST_PG_RESTART") != "1":
        pytest.skip("stops and starts this machine's PostgreSQL server: set DISINFOWATCH_TEST_PG_RESTART=1 "
                    "to allow it (CI does)")
    if shutil.which("pg_ctlcluster") is None or os.geteuid() != 0 or not os.path.isdir("/etc/postgresql"):
        pytest.fail("restarting PostgreSQL needs root and the server's pg_ctlcluster on this machine", pytrace=False)
    generate_shards(tmp_path / "in", 600, per_shard=100, seed=12)
    settings = _settings(tmp_path, pg_url)
    with get_runner("local") as runner:
        batch.analyze_shards([str(tmp_path / "in")], tmp_path / "out", settings, runner,
                             batch.Context(settings, checkworthiness=False))
    store = open_store(pg_url)
    restarted = threading.Event()
    starter: list[threading.Thread] = []

    def stop_after_first_shard(shard, totals):
        if not restarted.is_set():
            restarted.set()
            _postgres("stop")  # the next batches find no server ...
            starter.append(threading.Timer(4.0, _postgres, ("start",)))  # ... until it is back, 4 s later
            starter[0].start()

    try:
        with caplog.at_level("WARNING", logger="disinfowatch.batch"):
            loaded = batch.load_shards(tmp_path / "out", store, settings, batch=20, retry_seconds=90,
                                       progress=stop_after_first_shard)
    finally:
        for thread in starter:
            thread.join()
        store.close()
    assert restarted.is_set()
    assert any("database unavailable" in r.getMessage() for r in caplog.records), "no retry happened"
    counts = _counts(pg_url)
    assert counts["documents"] == counts["distinct_hashes"] == loaded["documents"]
    assert counts["urls"] == 600 and loaded["documents"] + loaded["duplicates"] == 600


# -- backup and restore --------------------------------------------------------------------------


def test_sqlite_backup_while_writing_and_restore_round_trip(tmp_path):
    from disinfowatch import api
    from disinfowatch.backup import backup, restore

    pages = tmp_path / "pages"
    generate_corpus(pages, 8, seed=2)
    settings = _settings(tmp_path)
    api.ingest([str(pages)], settings)
    stop = threading.Event()

    def write_more():  # a monitor writing while the backup runs
        store = open_store(settings.db)
        n = 0
        while not stop.is_set():
            from disinfowatch.records import Rejection

            store.add_rejection(Rejection(f"item-{n}", "read", "bad-json", "while backing up"))
            n += 1
        store.close()

    writer = threading.Thread(target=write_more)
    writer.start()
    try:
        made = backup(settings, tmp_path / "backup.tar.gz")
    finally:
        stop.set()
        writer.join()
    assert made["archived_files"] >= 8
    target = _settings(tmp_path / "restored")
    restored = restore(target, tmp_path / "backup.tar.gz")
    assert restored["archived_files"] == made["archived_files"]
    before, after = _counts(settings.db), _counts(target.db)
    assert after["documents"] == before["documents"] == 8 and after["appearances"] == before["appearances"]
    archived = sorted(p.relative_to(tmp_path / "archive") for p in (tmp_path / "archive").rglob("*") if p.is_file())
    assert archived == sorted(p.relative_to(tmp_path / "restored" / "archive")
                              for p in (tmp_path / "restored" / "archive").rglob("*") if p.is_file())
    with pytest.raises(Exception, match="exists"):
        restore(target, tmp_path / "backup.tar.gz")
    (tmp_path / "not-a-backup.tar").write_bytes(b"nothing")
    with pytest.raises(Exception, match="not a disinfowatch backup"):
        restore(_settings(tmp_path / "other"), tmp_path / "not-a-backup.tar")


@pytest.mark.postgres
def test_postgresql_backup_and_restore_round_trip(pg_url, pg_admin, tmp_path):
    from click.testing import CliRunner

    from disinfowatch.cli import main

    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is not installed (apt-get install postgresql-client)")
    pages = tmp_path / "pages"
    generate_corpus(pages, 6, seed=6)
    cli = CliRunner()
    env = {"DISINFOWATCH_ARCHIVE_DIR": str(tmp_path / "archive")}
    assert cli.invoke(main, ["ingest", str(pages), "--db", pg_url], env=env).exit_code == 0
    made = cli.invoke(main, ["backup", str(tmp_path / "pg.tar"), "--db", pg_url], env=env)
    assert made.exit_code == 0, made.output
    # Damage the store, then restore it.
    engine = sa.create_engine(pg_url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM appearances"))
        conn.execute(sa.text("DELETE FROM documents"))
    engine.dispose()
    assert _counts(pg_url)["documents"] == 0
    done = cli.invoke(main, ["restore", str(tmp_path / "pg.tar"), "--db", pg_url], env=env)
    assert done.exit_code == 0, done.output
    assert _counts(pg_url)["documents"] == 6
    wrong = cli.invoke(main, ["restore", str(tmp_path / "pg.tar"), "--db", f"sqlite:///{tmp_path / 'x.db'}"], env=env)
    assert wrong.exit_code == 1 and "postgresql store" in wrong.output


def test_output_made_another_way_is_redone_and_unmatched_output_stays_pending(tmp_path):
    folder = tmp_path / "in"
    generate_shards(folder, 12, per_shard=6, seed=14)
    settings = _settings(tmp_path)
    out = folder / "out"  # inside the input folder: its own shards must not be read as input
    plain = batch.Context(settings, checkworthiness=False)
    with get_runner("local") as runner:
        first = batch.analyze_shards([str(folder)], out, settings, runner, plain)
        again = batch.analyze_shards([str(folder)], out, settings, runner, plain)
        scored = batch.analyze_shards([str(folder)], out, settings, runner, batch.Context(settings))
    assert (first["shards"], again["skipped"], again["shards"]) == (2, 2, 0)
    assert scored["shards"] == 2 and scored["skipped"] == 0  # check-worthiness on: not the same output
    with get_runner("local") as runner:
        batch.analyze_shards([str(folder)], out, settings, runner, plain)  # back to unmatched output
    store = open_store(settings.db)
    loaded = batch.load_shards(out, store, settings)
    assert loaded["documents"] >= 10
    # Not matched in batch mode: the store's matcher still has them to do.
    assert len(store.documents_to_match("match-1")) == loaded["documents"]
    store.close()
