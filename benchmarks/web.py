"""Web app under load: requests per second and latency (p50, p95) of the review queue and the search
page with 10^5 documents and 10^4 alerts in the store, under concurrent clients on loopback.

    python benchmarks/web.py                               # 20 clients, 20 s per page (about 3 minutes)
    python benchmarks/web.py --clients 20 --seconds 10 --workers 2

The store (SQLite, or ``--db postgresql://...``) is filled directly through the schema: generated
multilingual articles (``disinfowatch.demo.generate``'s sentences), one claim each for 10^4 of them
and an alert on each claim, spread over narratives, languages, outlets and the last 180 days. The
app runs in its own processes (``uvicorn --workers``); the clients are one asyncio process with
``--clients`` connections, each sending its next request as soon as the last one is answered (a
closed loop: no think time, the hardest case), for ``--seconds`` per page. Pages: the queue's first
page, the queue filtered by narrative and language, and a full-text search for a word in about 1%
of the documents.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import sqlalchemy as sa  # noqa: E402

from disinfowatch import accounts  # noqa: E402
from disinfowatch.demo.generate import TEMPLATES  # noqa: E402
from disinfowatch.records import utcnow  # noqa: E402
from disinfowatch.store import open_store  # noqa: E402
from disinfowatch.store import schema as t  # noqa: E402

PASSWORD = "benchmark password"
NARRATIVES = ["nato-aggression", "nato-encirclement", "biolabs", "crimea-reunification", "nazi-ukraine", "russophobia"]
OUTLETS = ["nordlys", "baltic-ledger", "vesti-severa", "holos", "rheinischer-bote", "ostersjoposten", "courrier",
           "kurier"]


def fill(url: str, documents: int, alerts: int, seed: int = 3) -> float:
    rng = random.Random(seed)
    started = time.perf_counter()
    store = open_store(url)
    store.sync_bundled_narratives()
    accounts.add_user(store, "bench", PASSWORD, "analyst")
    languages = sorted(TEMPLATES)
    today = date.today()
    now = utcnow()
    with store.engine.begin() as conn:
        batch = []
        for n in range(documents):
            language = languages[n % len(languages)]
            sentences = rng.sample(TEMPLATES[language], 4)
            text = " ".join(s.format(place="Riga", n=rng.randint(2, 900), m=rng.randint(2, 40)) for s in sentences)
            if n % 100 == 0:
                text += " Kaliningrad-korridoren."
            text += f" ({n})"
            day = (today - timedelta(days=rng.randint(0, 180))).isoformat()
            batch.append(dict(content_hash=f"{n:064x}", url=f"https://{OUTLETS[n % 8]}.example/{n}", title=f"Article {n}",
                              published=day, source=OUTLETS[n % 8], language=language, language_score=0.9, text=text,
                              raw_sha256=f"{n:064x}", paragraphs="[]", offsets="[]", created_at=now, fetched_at=now))
            if len(batch) == 2000:
                conn.execute(t.documents.insert(), batch)
                batch = []
        if batch:
            conn.execute(t.documents.insert(), batch)
        ids = list(conn.execute(sa.select(t.documents.c.id).order_by(t.documents.c.id).limit(alerts)).scalars())
        conn.execute(t.analyses.insert(), [dict(document_id=i, version="bench", countries='["Russia"]', analyzed_at=now,
                                                matched="bench", verified="bench") for i in ids])
        texts = {r.id: r.text for r in conn.execute(sa.select(t.documents.c.id, t.documents.c.text)
                                                      .where(t.documents.c.id.in_(ids)))}
        conn.execute(t.claims.insert(), [dict(document_id=i, text=texts[i][:120], start=0, end=min(120, len(texts[i])),
                                              attributed_to="TASS", attributed_kind="outlet", attribution="ifølge",
                                              kind="according-to", checkworthiness=0.7) for i in ids])
        claims = list(conn.execute(sa.select(t.claims.c.id, t.claims.c.document_id, t.claims.c.text, t.documents.c.language,
                                             t.documents.c.source, t.documents.c.published)
                                   .join(t.documents, t.documents.c.id == t.claims.c.document_id)))
        rows = []
        for claim in claims:
            narrative = rng.choice(NARRATIVES)
            evidence = {"item_kind": "claim", "text": claim.text, "context": claim.text, "who": "TASS",
                        "attribution": "ifølge", "target_kind": "narrative", "target_title": narrative,
                        "matched_text": "NATO is preparing an attack on Russia.", "matched_language": "en",
                        "disproof": "NATO is a defensive alliance. " * 8, "probability": 0.5,
                        "why": "cosine 0.91 with the en exemplar"}
            rows.append(dict(kind="narrative", item_kind="claim", item_id=claim.id, document_id=claim.document_id,
                             language=claim.language, source=claim.source, published=claim.published,
                             target=narrative, score=round(rng.random(), 4), level=rng.choice(["suggest", "confirm"]),
                             status="open", evidence=json.dumps(evidence), created_at=now))
        conn.execute(t.alerts.insert(), rows)
    store.close()
    return time.perf_counter() - started


async def load(base: str, path: str, cookie: str, clients: int, seconds: float) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def client():
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, cookies={"dw_session": cookie}, timeout=30) as http:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                response = await http.get(path)
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    return {"path": path, "requests": len(latencies), "errors": errors, "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "max_ms": round(1000 * latencies[-1], 1)}


def login(base: str) -> str:
    import httpx

    with httpx.Client(base_url=base) as http:
        page = http.get("/login")
        token = re.search(r'action="/login">\s*<input type="hidden" name="csrf" value="([^"]+)"', page.text).group(1)
        http.post("/login", data={"csrf": token, "username": "bench", "password": PASSWORD})
        return http.cookies["dw_session"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", help="a store URL (default: a new SQLite file)")
    parser.add_argument("--reuse", help="a SQLite file filled by an earlier run (kept; filled when missing)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{args.reuse or Path(tmp) / 'web.db'}"
        print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}; {url.split('://')[0]}: "
              f"{args.documents} documents, {args.alerts} alerts", flush=True)
        if not (args.reuse and Path(args.reuse).exists()):
            print(f"filled in {fill(url, args.documents, args.alerts):.1f} s", flush=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "DISINFOWATCH_DB": url}
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "disinfowatch.web.serve:app",
                                   "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers),
                                   "--log-level", "warning"], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(base)
            cookie = login(base)
            for path in ("/queue", "/queue?narrative=biolabs&language=ru", "/search?q=Kaliningrad-korridoren"):
                single = asyncio.run(load(base, path, cookie, 1, 3))  # one client: the time a request takes alone
                row = asyncio.run(load(base, path, cookie, args.clients, args.seconds))
                print(" ".join(f"{k}={v}" for k, v in row.items()) + f" alone_p50_ms={single['p50_ms']}", flush=True)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


def _wait(base: str) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the app did not start")


if __name__ == "__main__":
    main()
