"""Running process_one over many tasks: a local process pool, or a Dask cluster.

Both yield one Outcome per task, in completion order, and turn what the worker cannot
report itself (its process died, it hung past the deadline) into failed Outcomes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from report_extract.batch.work import (
    KIND_CRASH,
    KIND_TIMEOUT,
    Outcome,
    Task,
    failed,
    process_one,
    timeout_message,
)
from report_extract.limits import apply_memory_limit

GRACE = 5.0  # seconds past --timeout before a worker that ignores its alarm is killed
_POLL = 0.5
_DASK_POLL = 0.02
_CONNECT_TIMEOUT = "30s"
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
CRASH_MESSAGE = ("the worker process died while extracting this file "
                 "(a crash in native code, or killed by the system, e.g. out of memory)")


@dataclass
class _Running:
    task: Task
    started: float
    solo: bool  # run alone, so a dead pool can be blamed on it


def _init_worker(memory_mb: int | None = None) -> None:
    # Ctrl-C goes to the whole process group: the parent saves results and stops workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    # One file cannot take the machine: past this, allocations fail (MemoryError, recorded
    # as out_of_memory) or the worker dies (recorded as a crash); the batch goes on.
    apply_memory_limit(memory_mb)


def _die_with_parent() -> None:
    """Linux: a worker gets SIGKILL when the parent dies (even by SIGKILL), so no orphan
    keeps working, or holding files, after a killed run."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: orphans stop when they next read from the dead parent


class LocalRunner:
    """A ProcessPoolExecutor with per-file deadlines and crash isolation.

    At most `workers` tasks are in flight, so a task starts when it is submitted and its
    deadline can be measured from then. When the pool breaks (a worker died) the culprit
    is unknown: the tasks that were in flight are re-run one at a time, and the one that
    breaks the pool alone is recorded as a crash.
    """

    def __init__(self, workers: int, timeout: float | None = None,
                 memory_mb: int | None = None):
        self.workers = max(1, workers)
        self.timeout = timeout
        self.memory_mb = memory_mb  # per worker process (RLIMIT_AS), None: no limit

    def run(self, tasks: list[Task]) -> Iterator[Outcome]:
        pending: deque[Task] = deque(tasks)
        suspects: deque[Task] = deque()
        inflight: dict[Future, _Running] = {}
        pool = self._new_pool()
        try:
            while pending or suspects or inflight:
                broken = not self._submit(pool, pending, suspects, inflight)
                done, _ = wait(list(inflight), timeout=_POLL, return_when=FIRST_COMPLETED)
                for future in done:
                    running = inflight.pop(future)
                    outcome = self._collect(future, running)
                    if outcome is None:  # the pool broke under it
                        broken = True
                        suspects.append(running.task)
                    else:
                        yield outcome
                expired = [f for f, r in inflight.items() if self._expired(r)]
                for future in expired:
                    task = inflight.pop(future).task
                    yield failed(task, "extract", KIND_TIMEOUT, timeout_message(self.timeout))
                if broken or expired:
                    # Others in flight are lost with the pool; innocent unless the pool broke.
                    requeue = suspects if broken else pending
                    requeue.extendleft(r.task for r in inflight.values())
                    inflight.clear()
                    _kill(pool)
                    pool = self._new_pool()
        finally:
            _kill(pool)

    def _new_pool(self) -> ProcessPoolExecutor:
        # fork: workers start fast and inherit the parent's imports (and test doubles);
        # importing the pipeline and the PDF reader here once saves each new worker from
        # importing them again. Workers then stay for all the files (warm caches).
        import report_extract.pipeline  # noqa: F401
        import report_extract.read.pdfium  # noqa: F401

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method),
                                   initializer=_init_worker, initargs=(self.memory_mb,))

    def _submit(self, pool: ProcessPoolExecutor, pending: deque[Task], suspects: deque[Task],
                inflight: dict[Future, _Running]) -> bool:
        """Start what may start now; False if the pool turned out to be broken."""
        if suspects:
            if not inflight:
                return self._start(pool, suspects, inflight, solo=True)
            return True
        while pending and len(inflight) < self.workers:
            if not self._start(pool, pending, inflight, solo=False):
                return False
        return True

    def _start(self, pool: ProcessPoolExecutor, queue: deque[Task],
               inflight: dict[Future, _Running], solo: bool) -> bool:
        task = queue.popleft()
        try:
            future = pool.submit(process_one, task)
        except BrokenProcessPool:  # a worker died since the last look
            queue.appendleft(task)
            return False
        inflight[future] = _Running(task, time.monotonic(), solo)
        return True

    def _collect(self, future: Future, running: _Running) -> Outcome | None:
        try:
            return future.result()
        except BrokenProcessPool:
            if running.solo:
                return failed(running.task, "extract", KIND_CRASH, CRASH_MESSAGE)
            return None
        except Exception as exc:  # e.g. a result that cannot be sent back
            return failed(running.task, "extract", KIND_CRASH,
                          f"the worker failed: {type(exc).__name__}: {exc}")

    def _expired(self, running: _Running) -> bool:
        return bool(self.timeout) and time.monotonic() - running.started > self.timeout + GRACE


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now, even with a worker stuck in native code."""
    # The executor offers no way to kill one worker; its process table is the only handle.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)


class RunnerError(RuntimeError):
    """The batch cannot run at all: a missing package, an unreachable cluster."""


class DaskRunner:
    """The same process_one on a dask.distributed cluster.

    Dask runs tasks in worker threads, which cannot be killed: a task past its deadline is
    recorded as a timeout and cancelled, but its thread runs on until it returns. A worker
    that dies is retried by Dask; when Dask gives up (KilledWorker) the file is a crash.
    """

    def __init__(self, address: str, timeout: float | None = None):
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise RunnerError(
                "--dask needs dask.distributed: pip install 'report-extract[dask]'") from None
        self.address = address
        self.timeout = timeout

    def run(self, tasks: list[Task]) -> Iterator[Outcome]:
        from dask.distributed import Client

        try:
            client = Client(self.address, set_as_default=False, timeout=_CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise RunnerError(f"cannot reach the Dask scheduler at {self.address}: {exc}") from None
        with client:
            yield from self._run(client, deque(tasks))

    def _run(self, client, pending: deque[Task]) -> Iterator[Outcome]:
        slots = max(1, sum(client.nthreads().values()))
        inflight: dict = {}
        while pending or inflight:
            while pending and len(inflight) < slots:
                task = pending.popleft()
                future = client.submit(process_one, task, pure=False)
                inflight[future] = _Running(task, time.monotonic(), False)
            # Polling: distributed.wait() wants a default client, which we do not install.
            done = [f for f in inflight if f.done()]
            for future in done:
                yield self._collect(future, inflight.pop(future))
            for future in [f for f, r in inflight.items() if self._expired(r)]:
                task = inflight.pop(future).task
                future.cancel()
                yield failed(task, "extract", KIND_TIMEOUT, timeout_message(self.timeout))
            if not done:
                time.sleep(_DASK_POLL)

    def _collect(self, future, running: _Running) -> Outcome:
        try:
            return future.result()
        except Exception as exc:
            if type(exc).__name__ == "KilledWorker":
                return failed(running.task, "extract", KIND_CRASH, CRASH_MESSAGE)
            return failed(running.task, "extract", KIND_CRASH,
                          f"the worker failed: {type(exc).__name__}: {exc}")

    def _expired(self, running: _Running) -> bool:
        return bool(self.timeout) and time.monotonic() - running.started > self.timeout


def default_workers() -> int:
    return os.cpu_count() or 1
