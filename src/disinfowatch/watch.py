"""The monitor: polls every active source on its own schedule, ingests and analyses what is new,
checks the coverage's health and sends notifications, until it is told to stop.

    monitor = Monitor(store, settings)
    monitor.run(seconds=None)            # `disinfowatch watch`; SIGTERM / SIGINT stop it cleanly

Each source is due every ``interval_minutes``, give or take ``watch_jitter`` (so sources on one
host do not all come at once); a failing source waits twice as long after each failure in a row,
at most ``watch_max_backoff_minutes``. A poll's result goes into the source's history
(``source_runs``) and its next due time into ``source_state``, so a restarted monitor picks up the
schedule where it stopped. Every document is stored in its own transaction and URLs already stored
are not fetched again, so stopping in the middle of a feed loses nothing and duplicates nothing: the
rest comes with the next poll. One failure (a feed that times out, a page that cannot be parsed)
is recorded and the monitor goes on.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import health
from .notify import Notifier
from .pipeline import Ingester
from .records import Rejection, Source, utcnow
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Poll:
    source: str
    ok: bool
    documents: int
    rejected: int
    error: str | None
    next_due_at: datetime


class Monitor:
    def __init__(self, store, settings: Settings, *, fetcher=None, notifier: Notifier | None = None,
                 analyze: bool = True, stop: threading.Event | None = None, seed: int | None = None,
                 minute: float = 60.0):
        """``minute``: how many seconds a source's ``interval_minutes`` minute lasts (the tests run
        the schedule faster)."""
        self.minute = minute
        self.store = store
        self.settings = settings
        self.ingester = Ingester(store, settings, fetcher=fetcher)
        self.notifier = notifier if notifier is not None else Notifier.from_settings(settings)
        self.analyze = analyze
        self.stop = stop or threading.Event()
        self.random = random.Random(seed)
        self.polls: list[Poll] = []
        self.analysis: list[dict] = []

    # -- one poll -------------------------------------------------------------------------------

    def due(self, now: datetime | None = None) -> list[Source]:
        """Active sources whose time has come (never polled ones first), oldest due first."""
        now = now or utcnow()
        states = self.store.source_states()
        sources = [s for s in self.store.list_sources() if s.active]
        due = [s for s in sources if s.name not in states or states[s.name]["next_due_at"] <= now]
        return sorted(due, key=lambda s: (s.name in states, states.get(s.name, {}).get("next_due_at") or now, s.name))

    def next_due(self, source: Source, failures: int) -> datetime:
        minutes = source.interval_minutes * (1 + self.settings.watch_jitter * (2 * self.random.random() - 1))
        if failures:
            minutes = min(source.interval_minutes * 2 ** failures, self.settings.watch_max_backoff_minutes)
        return utcnow() + timedelta(seconds=max(minutes, 0.01) * self.minute)

    def poll(self, source: Source) -> Poll:
        """Fetch one source and store what is new; a failure of the source itself (unreachable,
        timed out, an error status) is recorded as a failed poll, not raised."""
        started = utcnow()
        before = self.ingester.report.as_dict()
        error = None
        try:
            for item in self.ingester.expand(source.url, source.name):
                if self.stop.is_set():
                    break
                if isinstance(item, Rejection) and item.item == source.url and item.stage in ("fetch", "read"):
                    error = f"{item.reason}: {item.detail}"
                self.ingester.consume(item)
        except Exception as exc:  # one source's surprise must not stop the monitor
            log.exception("polling %s failed", source.name)
            error = f"error:{type(exc).__name__}: {exc}"
        after = self.ingester.report.as_dict()
        documents = after["documents"] - before["documents"]
        rejected = after["rejected"] - before["rejected"]
        state = self.store.source_states().get(source.name)
        failures = 0 if error is None else (state["failures"] if state else 0) + 1
        next_due = self.next_due(source, failures)
        self.store.record_run(source.name, started, error is None, documents, rejected, error, next_due)
        poll = Poll(source.name, error is None, documents, rejected, error, next_due)
        self.polls.append(poll)
        return poll

    # -- the loop -------------------------------------------------------------------------------

    def tick(self) -> dict:
        """Poll what is due, analyse what came, check health, notify. Returns what happened."""
        polls = []
        for source in self.due():
            if self.stop.is_set():
                break
            polls.append(self.poll(source))
        new = sum(p.documents for p in polls)
        from .analyze import VERSION

        pending = new or self.store.documents_to_analyze(VERSION, 1)
        analysis = self._analyze() if self.analyze and pending else None
        checked = health.check(self.store, self.settings)
        sent = self.notifier.send_pending(self.store)
        return {"polls": polls, "documents": new, "analysis": analysis, "health": checked, "notified": sent}

    def _analyze(self) -> dict | None:
        from .analyze import Analyzer, default_scorer
        from .api import _match, _verify

        try:
            result = Analyzer(self.store, self.settings, scorer=default_scorer()).run()
            result["matching"] = _match(self.store, self.settings)
            result["verification"] = _verify(self.store, self.settings)
        except Exception:  # the analysis resumes on the next tick; the monitor goes on
            log.exception("analysis failed; it is tried again on the next round")
            return None
        self.analysis.append(result)
        return result

    def seconds_to_next(self) -> float:
        states = self.store.source_states()
        sources = [s for s in self.store.list_sources() if s.active]
        if not sources:
            return 60.0
        if any(s.name not in states for s in sources):
            return 0.0
        soonest = min(states[s.name]["next_due_at"] for s in sources)
        return max(0.0, (soonest - utcnow()).total_seconds())

    def run(self, *, seconds: float | None = None, max_ticks: int | None = None,
            on_tick=None) -> int:
        """Run until stopped (``stop`` set), for ``seconds``, or for ``max_ticks`` rounds; the
        number of rounds run."""
        import time

        deadline = None if seconds is None else time.monotonic() + seconds
        ticks = 0
        try:
            while not self.stop.is_set():
                result = self.tick()
                ticks += 1
                if on_tick is not None:
                    on_tick(result)
                if max_ticks is not None and ticks >= max_ticks:
                    break
                wait = min(self.seconds_to_next(), 60.0)
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    wait = min(wait, left)
                self.stop.wait(max(wait, 0.05))
        finally:
            self.ingester.close()
        return ticks
