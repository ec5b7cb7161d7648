"""The monitor, for a bounded time, against a local server whose feeds change while it runs: one gets
new items, one starts failing, one is too slow to answer. What it ingested, what it alerted and
notified (webhook and e-mail, to local sinks), that nothing was duplicated or lost, that a restart
picks up where it stopped, and that SIGTERM stops `disinfowatch watch` cleanly."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from disinfowatch import health
from disinfowatch.notify import Notifier
from disinfowatch.records import Source
from disinfowatch.settings import load
from disinfowatch.store import open_store
from disinfowatch.watch import Monitor
from httpserver import Response, http_server  # noqa: F401  (the fixture)
from smtpsink import SmtpSink

ITEMS_A = [
    ("a1", "Russisk TV om NATO", "I kveldssendingen blir det hevdet at NATO forbereder et angrep på Russland. "
                                  "Programlederen viste gamle bilder av stridsvogner fra en øvelse."),
    ("a2", "Været i Tromsø", "Det blir kaldt i Tromsø i helgen, med snø og sterk vind utover kvelden. "
                            "Meteorologen ber bilistene kjøre forsiktig på glatte veier."),
    ("a3", "Ny påstand om biolaboratorier", "På kanalen blir det hevdet at USA driver hemmelige biolaboratorier i "
                                            "Ukraina for å lage biologiske våpen. Påstanden er tilbakevist mange ganger."),
    ("a4", "Kommunestyret i Bodø", "Kommunestyret i Bodø vedtok torsdag et nytt budsjett for skoler og barnehager. "
                                   "Ordføreren var fornøyd med at alle partiene stemte for."),
]


def rss(items, base: str) -> bytes:
    """A feed of short entries: the monitor fetches each article from ``base``/<key>."""
    entries = "".join(
        f"<item><title>{title}</title><link>{base}/{key}</link><guid>{key}</guid>"
        f"<pubDate>Mon, 24 Apr 2017 10:00:00 +0000</pubDate><description>{text}</description>"
        f"<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded></item>" for key, title, text in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/'
            f'modules/content/"><channel><title>Nordlys</title><link>https://nordlys.example/</link>'
            f"<description>nyheter</description>{entries}</channel></rss>").encode("utf-8")


def serve_articles(server, items) -> None:
    for key, title, text in items:
        server.route(f"/art/{key}", f"<html lang='nb'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                                    f"<p>{text}</p></article></body></html>", headers={"Content-Type": "text/html"})


@pytest.fixture
def feeds(http_server):
    """/a.xml grows while the monitor runs; /b.xml answers once, then fails; /c.xml is too slow."""
    state = {"a": 2, "b_hits": 0}
    base = http_server.url("/art")
    item_b = ("b1", "Bergen", "Bybanen i Bergen får nye vogner til neste år, sier byrådet i kommunen. "
                              "Arbeidet med sporet starter i mars.")
    serve_articles(http_server, ITEMS_A + [item_b])

    def a(request):
        return Response(200, {"Content-Type": "application/rss+xml"}, rss(ITEMS_A[:state["a"]], base))

    def b(request):
        state["b_hits"] += 1
        if state["b_hits"] == 1:
            return Response(200, {"Content-Type": "application/rss+xml"}, rss([item_b], base))
        return Response(500, {"Content-Type": "text/plain"}, b"broken")

    http_server.handler("/a.xml", a)
    http_server.handler("/b.xml", b)
    http_server.route("/c.xml", rss([], base), headers={"Content-Type": "application/rss+xml"}, delay=3.0)
    http_server.route("/hook", "", status=204)
    http_server.state = state
    return http_server


def _settings(tmp_path, server, sink, **kw):
    return load(overrides={"db": f"sqlite:///{tmp_path / 'watch.db'}", "allow_private_addresses": True,
                           "host_delay": 0, "fetch_timeout": 1.0, "fetch_retries": 0, "respect_robots": False,
                           "watch_failures_alert": 2, "watch_jitter": 0.0, "notify_webhook": server.url("/hook"),
                           "notify_smtp_host": "127.0.0.1", "notify_smtp_port": sink.port,
                           "notify_email_to": "desk@example.org", "health_quiet_hours": 1, **kw}, read_env=False)


@pytest.mark.slow
def test_the_monitor_follows_changing_feeds_and_loses_nothing(feeds, tmp_path):
    with SmtpSink() as sink:
        settings = _settings(tmp_path, feeds, sink)
        store = open_store(settings.db)
        for name in ("a", "b", "c"):
            store.add_source(Source(name=f"feed-{name}", url=feeds.url(f"/{name}.xml"), language="nb",
                                    outlet=f"Outlet {name}", interval_minutes=1))
        stop = threading.Event()
        ticks = []

        def on_tick(result):
            ticks.append(result)
            if len(ticks) == 1:
                feeds.state["a"] = 4  # two new items while the monitor runs
            states = store.source_states()
            done = (store.count_documents() == 5 and states.get("feed-b", {}).get("failures", 0) >= 2
                    and not store.documents_to_analyze("extract-2", 1) and len(feeds.hits("/hook")) >= 3)
            if done or len(ticks) > 40:
                stop.set()

        monitor = Monitor(store, settings, stop=stop, minute=1.0, seed=1)  # a "minute" of one second
        started = time.monotonic()
        monitor.run(seconds=90, on_tick=on_tick)
        assert time.monotonic() - started < 90, "the conditions were not reached in time"

        # Ingested: every item of A (old and new) and B's one, once each.
        docs = store.search_documents("Tromsø") + store.search_documents("NATO")
        assert store.count_documents() == 5 and len({d["id"] for d in docs}) == 2
        polls_a = [r for r in store.source_runs("feed-a") if r["ok"]]
        assert len(polls_a) >= 2 and sum(r["documents"] for r in polls_a) == 4
        # B: one good poll, then failures with backoff; C: timeouts; both alerted as failing.
        runs_b = store.source_runs("feed-b")[::-1]
        assert runs_b[0]["ok"] and not runs_b[-1]["ok"] and "http-500" in runs_b[-1]["error"]
        assert all("timeout" in r["error"] for r in store.source_runs("feed-c"))
        failing = {e["subject"] for e in store.open_health() if e["kind"] == "failing"}
        assert {"feed-b", "feed-c"} <= failing
        gaps = [(b["started_at"] - a["started_at"]).total_seconds() for a, b in zip(runs_b[1:], runs_b[2:])]
        assert all(later >= earlier * 0.9 for earlier, later in zip(gaps, gaps[1:])), gaps  # backing off

        # Alerted and notified: the NATO claim (a confirm-level narrative alert), each once per channel.
        alerts = store.alerts_to_notify(settings.notify_min_score)
        assert any(a["target"] == "nato-aggression" for a in alerts)
        posts = [json.loads(r.body) for r in feeds.hits("/hook")]
        keys = [(p["kind"], p["id"]) for p in posts]
        assert len(keys) == len(set(keys)), "a notification was sent twice"
        assert {("alert", a["id"]) for a in alerts} <= set(keys)
        assert {p["subject"] for p in posts if p["kind"] == "health"} >= {"feed-b", "feed-c"}
        assert len(sink.messages) == len(posts)
        assert any("nato" in (m["Subject"] or "").lower() or "NATO" in m.get_payload() for m in sink.messages)

        # A restart: same schedule, nothing new, nothing sent again.
        before = (store.count_documents(), len(feeds.hits("/hook")), len(sink.messages))
        again = Monitor(store, settings, minute=1.0, seed=2)
        result = again.tick()
        assert (store.count_documents(), len(feeds.hits("/hook")), len(sink.messages)) == before
        assert all(p.source != "feed-a" or p.documents == 0 for p in result["polls"])
        store.close()


def test_health_opens_and_resolves_quiet_and_failing(tmp_path):
    from datetime import timedelta

    import sqlalchemy as sa

    from disinfowatch.records import utcnow
    from disinfowatch.store import schema as t

    settings = load(overrides={"db": f"sqlite:///{tmp_path / 'h.db'}", "health_quiet_hours": 24,
                               "health_baseline_days": 7, "watch_failures_alert": 2}, read_env=False)
    store = open_store(settings.db)
    store.add_source(Source(name="tass", url="https://tass.example/rss", language="ru"))
    old = utcnow() - timedelta(days=3)
    with store.engine.begin() as conn:
        conn.execute(t.documents.insert(), [dict(content_hash=f"{i:064x}", url=f"https://tass.example/{i}", text="x" * 50,
                                                 raw_sha256=f"{i:064x}", paragraphs="[]", offsets="[]", source="tass",
                                                 language="ru", created_at=old) for i in range(20)])
    found = health.check(store, settings)
    assert {(e["kind"], e["subject_kind"], e["subject"]) for e in found["opened"]} == {
        ("quiet", "source", "tass"), ("quiet", "language", "ru")}
    assert health.check(store, settings)["opened"] == []  # not opened twice
    store.record_run("tass", utcnow(), False, 0, 0, "timeout: no answer", utcnow())
    store.record_run("tass", utcnow(), False, 0, 0, "timeout: no answer", utcnow())
    assert [e["kind"] for e in health.check(store, settings)["opened"]] == ["failing"]
    with store.engine.begin() as conn:
        conn.execute(t.documents.insert().values(content_hash="f" * 64, url="https://tass.example/new", text="y" * 50,
                                                 raw_sha256="f" * 64, paragraphs="[]", offsets="[]", source="tass",
                                                 language="ru", created_at=utcnow()))
    store.record_run("tass", utcnow(), True, 1, 0, None, utcnow())
    resolved = health.check(store, settings)["resolved"]
    assert {e["kind"] for e in resolved} == {"quiet", "failing"} and store.open_health() == []
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.health_events)).scalar() == 3  # kept as history
    store.close()


def test_a_failed_notification_is_tried_again(tmp_path, http_server):
    settings = load(overrides={"db": f"sqlite:///{tmp_path / 'n.db'}"}, read_env=False)
    store = open_store(settings.db)
    store.open_health_event("failing", "source", "tass", "3 polls in a row failed")
    calls = {"n": 0}

    def hook(request):
        calls["n"] += 1
        return Response(503 if calls["n"] == 1 else 200, {}, b"")

    http_server.handler("/hook", hook)
    notifier = Notifier(webhook=http_server.url("/hook"))
    assert notifier.send_pending(store) == {"webhook": 0}
    assert notifier.send_pending(store) == {"webhook": 1}
    assert notifier.send_pending(store) == {"webhook": 0}  # sent: not again
    store.close()


@pytest.mark.slow
def test_sigterm_stops_watch_cleanly(tmp_path, http_server):
    serve_articles(http_server, ITEMS_A)
    http_server.route("/a.xml", rss(ITEMS_A, http_server.url("/art")), headers={"Content-Type": "application/rss+xml"})
    db = tmp_path / "sig.db"
    store = open_store(f"sqlite:///{db}")
    store.add_source(Source(name="feed-a", url=http_server.url("/a.xml"), language="nb", interval_minutes=60))
    store.close()
    env = {**os.environ, "DISINFOWATCH_ALLOW_PRIVATE_ADDRESSES": "true", "DISINFOWATCH_HOST_DELAY": "0",
           "DISINFOWATCH_RESPECT_ROBOTS": "false"}
    process = subprocess.Popen([sys.executable, "-m", "disinfowatch", "watch", "--no-analyze", "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    deadline = time.monotonic() + 60
    store = open_store(f"sqlite:///{db}")
    while time.monotonic() < deadline and not store.source_runs("feed-a"):
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "stopping (SIGTERM)" in err and "stopped after" in err
    assert store.count_documents() == 4 and len(store.source_runs("feed-a")) == 1
    assert "feed-a: ok; 4 new" in out
    store.close()
