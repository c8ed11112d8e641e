"""Where the work runs: one job after another, or on a pool of worker processes.

A batch hands a scheduler a list of :class:`Job` (plain data: a module-level function, its
arguments, and the jobs it must wait for) and reads back one :class:`Done` per job, in the order
they finish. That is the whole interface (:class:`Scheduler`): a scheduler for a cluster
(Dask's ``Client.submit`` and ``as_completed``, issue 20's ``--scheduler ADDRESS``) implements
the same ``run(jobs)`` and the rest of the runner does not change.

Rules every scheduler keeps:

* a job starts only after every job in its ``after`` finished without error; when one failed,
  the job does not run and is reported with that job's error and ``cause`` set to its key;
* a job that raises is reported with the error's type and message (the batch goes on);
* jobs are started in the order given when they are ready (the batch lists quick data
  generation first);
* interrupting (Ctrl-C) cancels what has not started and re-raises.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Job:
    """One piece of work: ``fn(*args)`` once every job keyed in ``after`` succeeded.

    ``key`` names the job (any hashable: the batch uses tuples such as ``("data", run_id)``).
    ``fn`` must be a module-level function and ``args`` picklable: they may run in another process.
    """

    key: Hashable
    fn: Callable
    args: tuple = ()
    after: tuple = ()


@dataclass(frozen=True)
class Done:
    """A finished job: its return value, or the error that stopped it (and which job caused it)."""

    key: Hashable
    value: object = None
    error: str | None = None
    cause: Hashable | None = None


class Scheduler(Protocol):
    """Runs jobs and yields one :class:`Done` per job as each finishes (see the module docstring)."""

    def run(self, jobs: list[Job]) -> Iterator[Done]: ...


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class _Waiting:
    """Which jobs wait for which: shared by the schedulers, so the rules are written once."""

    def __init__(self, jobs: list[Job]):
        keys = [job.key for job in jobs]
        if len(set(keys)) != len(keys):
            raise ValueError("every job needs its own key")
        unknown = {k for job in jobs for k in job.after} - set(keys)
        if unknown:
            raise ValueError(f"jobs wait for jobs that are not in the list: {sorted(unknown)}")
        self.pending = list(jobs)

    def ready(self, finished: dict) -> list[Job]:
        """Jobs whose prerequisites all finished, removed from the waiting list, in the order given."""
        out = [job for job in self.pending if all(k in finished for k in job.after)]
        self.pending = [job for job in self.pending if job not in out]
        return out

    @staticmethod
    def blocked(job: Job, finished: dict) -> Done | None:
        """The report for a job whose prerequisite failed (None when it can run)."""
        for k in job.after:
            if finished[k].error is not None:
                return Done(job.key, error=finished[k].error, cause=k)
        return None


class SerialScheduler:
    """Run the jobs one after another in this process (``--workers 1``).

    Examples
    --------
    >>> jobs = [Job("a", divmod, (7, 2)), Job("b", divmod, (1, 0), after=("a",)),
    ...         Job("c", divmod, (9, 3), after=("b",))]
    >>> for done in SerialScheduler().run(jobs):
    ...     print(done.key, done.value, done.error, done.cause)
    a (3, 1) None None
    b None ZeroDivisionError: integer division or modulo by zero None
    c None ZeroDivisionError: integer division or modulo by zero b
    """

    def run(self, jobs: list[Job]) -> Iterator[Done]:
        """Yield each job's :class:`Done` as it finishes (see the module docstring)."""
        waiting, finished = _Waiting(jobs), {}
        while waiting.pending:
            batch = waiting.ready(finished)
            if not batch:
                raise ValueError("the jobs wait for each other in a circle")
            for job in batch:
                done = _Waiting.blocked(job, finished)
                if done is None:
                    try:
                        done = Done(job.key, job.fn(*job.args))
                    except Exception as exc:  # noqa: BLE001 - reported; the other jobs go on
                        done = Done(job.key, error=_error(exc))
                finished[job.key] = done
                yield done


class PoolScheduler:
    """Run the jobs on a pool of worker processes, each importing the stack once.

    Parameters
    ----------
    workers : int
        Worker processes.

    Examples
    --------
    >>> jobs = [Job("a", divmod, (7, 2)), Job("b", divmod, (9, 3), after=("a",))]
    >>> sorted(d.value for d in PoolScheduler(2).run(jobs))
    [(3, 0), (3, 1)]
    """

    def __init__(self, workers: int):
        self.workers = workers

    def run(self, jobs: list[Job]) -> Iterator[Done]:
        """Yield each job's :class:`Done` as it finishes (see the module docstring)."""
        from concurrent.futures.process import BrokenProcessPool

        waiting, finished, running = _Waiting(jobs), {}, {}
        with ProcessPoolExecutor(max_workers=self.workers) as pool:
            try:
                while waiting.pending or running:
                    batch = waiting.ready(finished)
                    for job in batch:
                        done = _Waiting.blocked(job, finished)
                        if done is None:
                            try:
                                running[pool.submit(job.fn, *job.args)] = job
                                continue
                            except (BrokenProcessPool, RuntimeError) as exc:
                                done = Done(job.key, error=f"the worker pool broke: {exc}")
                        finished[job.key] = done
                        yield done
                    if not running:
                        if not batch:
                            raise ValueError("the jobs wait for each other in a circle")
                        continue
                    complete, _ = wait(running, return_when=FIRST_COMPLETED)
                    for fut in complete:
                        job = running.pop(fut)
                        try:
                            done = Done(job.key, fut.result())
                        except Exception as exc:  # noqa: BLE001 - a crashed worker fails its job only
                            done = Done(job.key, error=_error(exc))
                        finished[job.key] = done
                        yield done
            except BaseException:
                for fut in running:
                    fut.cancel()
                raise


def make_scheduler(workers: int | None, jobs: int) -> Scheduler:
    """The scheduler for ``workers`` processes (default: one per core), never more than jobs.

    Parameters
    ----------
    workers : int or None
        Parallel jobs asked for; None for one per core.
    jobs : int
        How many jobs there are.

    Returns
    -------
    Scheduler
        :class:`SerialScheduler` for one worker, else a :class:`PoolScheduler`.

    Examples
    --------
    >>> type(make_scheduler(4, jobs=1)).__name__, type(make_scheduler(2, jobs=100)).__name__
    ('SerialScheduler', 'PoolScheduler')
    """
    n = max(1, min(workers or os.cpu_count() or 1, jobs))
    return SerialScheduler() if n == 1 else PoolScheduler(n)
