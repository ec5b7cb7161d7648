"""Runners: where the pure stage functions run. One protocol, three engines.

    with get_runner("dask", workers=2) as runner:          # or "local", "pool"; address="tcp://host:8786"
        for result in runner.map(analyze_chunk, chunks, context):
            store_it(result)                                # the driver alone writes, in batches

``map(fn, items, context)`` calls ``fn(item, context)`` for every item and yields the results in
the order of the items, with a bounded number in flight (the input is read lazily, so a corpus of
any size streams through). ``context`` is what every call shares (the settings, the catalogue):
sent once per pool worker, with each task on Dask (so that a task re-run elsewhere has it). Functions and items must be picklable; functions are
module-level and pure (records in, records out), so every engine gives the same results.

* ``local``: in this process, one item after the other.
* ``pool``: a local process pool (``concurrent.futures``, start method *spawn*, so workers hold no
  copy of the driver's state); each worker loads the models once, on its first item. A worker that
  dies (killed, out of memory) breaks the pool: the pool is started again and the items in flight
  are sent again, at most ``retries`` times each.
* ``dask``: ``dask.distributed``: a local cluster it starts itself (``workers`` processes, one
  thread each) or an existing scheduler (``address``). Dask re-runs the tasks of a worker that dies
  on the others. The context travels with each task, so a re-run elsewhere has it.

Workers of ``pool`` and of the local Dask cluster run one thread each (``OMP_NUM_THREADS=1`` unless
set), so N workers use N cores and no more; ``local`` leaves the engines their default threads.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from .errors import InvalidAction

log = logging.getLogger(__name__)

RUNNERS = ("local", "pool", "dask")


class Runner(Protocol):
    name: str
    workers: int

    def map(self, fn: Callable[[Any, Any], Any], items: Iterable[Any], context: Any = None) -> Iterator[Any]: ...

    def close(self) -> None: ...


class _Base:
    name = "base"
    workers = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        pass


class LocalRunner(_Base):
    name = "local"

    def map(self, fn, items, context=None):
        for item in items:
            yield fn(item, context)


_CONTEXT: Any = None
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def one_thread_per_worker() -> None:
    """A worker process is one core's worth: the embedding engine (OpenMP) and BLAS get one thread
    each, unless the user set their own. Called in the worker before any model loads."""
    for name in _THREAD_VARIABLES:
        os.environ.setdefault(name, "1")


def _init_worker(context) -> None:
    global _CONTEXT
    one_thread_per_worker()
    _CONTEXT = context
    _exit_with_parent()


def _exit_with_parent() -> None:
    """A pool worker whose driver died (killed with SIGKILL, out of memory) exits instead of idling
    on with its models in memory."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _call(fn, item):
    return fn(item, _CONTEXT)


class PoolRunner(_Base):
    name = "pool"

    def __init__(self, workers: int = 2, *, retries: int = 2, ahead: int = 2):
        self.workers = max(1, int(workers))
        self.retries = retries
        self.ahead = ahead
        self._pool: ProcessPoolExecutor | None = None
        self._context: Any = None
        self.restarts = 0

    def _start(self, context) -> ProcessPoolExecutor:
        if self._pool is None or context is not self._context:
            self.close()
            self._context = context
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init_worker, initargs=(context,))
        return self._pool

    def pids(self) -> list[int]:
        """The worker processes' ids (for tests that kill one)."""
        return list(getattr(self._pool, "_processes", {}) or {})

    def map(self, fn, items, context=None):
        pool = self._start(context)
        source = iter(items)
        window: deque[tuple[Any, Future, int]] = deque()
        limit = self.workers * self.ahead

        def submit(item) -> Future:
            try:
                return pool.submit(_call, fn, item)
            except BrokenProcessPool as exc:  # a worker died while we were away: the loop restarts
                broken: Future = Future()
                broken.set_exception(exc)
                return broken

        def fill() -> None:
            while len(window) < limit:
                try:
                    item = next(source)
                except StopIteration:
                    return
                window.append((item, submit(item), 0))

        fill()
        while window:
            item, future, tries = window[0]
            try:
                result = future.result()
            except BrokenProcessPool:
                if tries >= self.retries:
                    raise
                log.warning("a pool worker died; starting the pool again and resending %d items", len(window))
                self.restarts += 1
                self.close()
                pool = self._start(context)
                # Every unfinished item had a try; results already in are kept, not recomputed.
                window = deque((it, f if f.done() and not f.cancelled() and f.exception() is None else submit(it), n + 1)
                               for it, f, n in window)
                continue
            window.popleft()
            yield result
            fill()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._context = None


def _dask_call(fn, item, context):
    one_thread_per_worker()  # also on workers restarted after a crash (before any model loads)
    return fn(item, context)


class DaskRunner(_Base):
    name = "dask"

    def __init__(self, workers: int = 2, *, address: str | None = None, ahead: int = 2, memory_limit: str = "auto"):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise InvalidAction("the dask runner needs dask.distributed (pip install 'dask[distributed]')") from exc
        self.ahead = ahead
        self._cluster = None
        if address:
            self.client = Client(address, timeout=30)
        else:
            # The scheduler serves HTTP (health, metrics) even without the dashboard, on :8787 unless
            # told otherwise: a random port, so two runs on one machine do not collide.
            self._cluster = LocalCluster(n_workers=max(1, int(workers)), threads_per_worker=1, processes=True,
                                         dashboard_address=":0", memory_limit=memory_limit, silence_logs=logging.WARNING)
            self.client = Client(self._cluster)
            self.client.run(one_thread_per_worker)
        self.workers = len(self.client.scheduler_info(n_workers=-1).get("workers", {})) or int(workers)

    @property
    def address(self) -> str:
        return self.client.scheduler.address

    def worker_pids(self) -> dict[str, int]:
        return self.client.run(os.getpid)

    def map(self, fn, items, context=None):
        # The context goes with every task rather than scattered once: a scattered copy dies with
        # its worker, while a task's own arguments survive for its re-run elsewhere. (It is small:
        # settings and the catalogue's vectors, against tasks of seconds.)
        shared = context
        source = iter(items)
        window: deque = deque()
        limit = max(1, self.workers) * self.ahead
        counter, run = 0, uuid.uuid4().hex  # keys unique across calls and drivers sharing a scheduler

        def fill() -> None:
            nonlocal counter
            while len(window) < limit:
                try:
                    item = next(source)
                except StopIteration:
                    return
                counter += 1
                window.append(self.client.submit(_dask_call, fn, item, shared, pure=False, retries=2,
                                                 key=f"{getattr(fn, '__name__', 'task')}-{run}-{counter}"))

        fill()
        while window:
            result = window[0].result()
            window.popleft().release()
            yield result
            fill()

    def close(self) -> None:
        client, cluster = getattr(self, "client", None), self._cluster
        self.client = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def get_runner(name: str = "local", *, workers: int = 2, address: str | None = None) -> Runner:
    """A runner by name: ``local``, ``pool`` or ``dask`` (``address``: an existing scheduler)."""
    if name == "local":
        return LocalRunner()
    if name == "pool":
        return PoolRunner(workers)
    if name == "dask":
        return DaskRunner(workers, address=address)
    raise InvalidAction(f"unknown runner {name!r}; expected one of {', '.join(RUNNERS)}")
