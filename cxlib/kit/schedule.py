"""Where the work runs: one job after another, or on a pool of worker processes.

A batch hands a scheduler a list of :class:`Job` (plain data: a module-level function, its
arguments, and the jobs it must wait for) and reads back one :class:`Done` per job, in the order
they finish. That is the whole interface (:class:`Scheduler`, ``run(jobs) -> Iterator[Done]``):
:class:`SerialScheduler` and :class:`PoolScheduler` here, and
:class:`cxlib.kit.dask_scheduler.DaskScheduler` on a Dask cluster (``cxkit run --scheduler``), run
the same jobs, and the rest of the runner does not know which one it has.

An argument may be :class:`Output` (``Output(key)``): it stands for the value another job returned,
and the job waits for that one. This is how data reach workers that share no folder with the
batch: :func:`constant` sends a value once (a notebook, a data folder's files), and every job that
needs it takes its ``Output`` (on a cluster, workers fetch it from each other, not from the batch).

Rules every scheduler keeps:

* a job starts only after every job in its ``after`` and its ``Output`` arguments finished without
  error; when one failed, the job does not run and is reported with that job's error and ``cause``
  set to its key;
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
class Output:
    """In a :class:`Job`'s ``args``: the value the job ``key`` returned (the job waits for it)."""

    key: Hashable


def constant(value):
    """A job's function that returns its argument: data sent to the workers once, taken as an :class:`Output`.

    Parameters
    ----------
    value : object
        Anything picklable (a notebook's text, a folder's files).

    Returns
    -------
    object
        ``value``.

    Examples
    --------
    >>> jobs = [Job("text", constant, ("hello",)), Job("n", len, (Output("text"),))]
    >>> [(d.key, d.value) for d in SerialScheduler().run(jobs)]
    [('text', 'hello'), ('n', 5)]
    """
    return value


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


def _needs(job: Job) -> tuple:
    """The keys a job waits for: its ``after`` and the jobs whose :class:`Output` it takes."""
    return (*job.after, *(a.key for a in job.args if isinstance(a, Output)))


class _Waiting:
    """Which jobs wait for which: shared by the schedulers, so the rules are written once."""

    def __init__(self, jobs: list[Job]):
        keys = [job.key for job in jobs]
        if len(set(keys)) != len(keys):
            raise ValueError("every job needs its own key")
        unknown = {k for job in jobs for k in _needs(job)} - set(keys)
        if unknown:
            raise ValueError(f"jobs wait for jobs that are not in the list: {sorted(unknown, key=repr)}")
        self.pending = list(jobs)

    def ready(self, finished: dict) -> list[Job]:
        """Jobs whose prerequisites all finished, removed from the waiting list, in the order given."""
        out = [job for job in self.pending if all(k in finished for k in _needs(job))]
        self.pending = [job for job in self.pending if job not in out]
        return out

    @staticmethod
    def blocked(job: Job, finished: dict) -> Done | None:
        """The report for a job whose prerequisite failed (None when it can run)."""
        for k in _needs(job):
            if finished[k].error is not None:
                return Done(job.key, error=finished[k].error, cause=k)
        return None

    @staticmethod
    def arguments(job: Job, finished: dict) -> tuple:
        """The job's arguments with each :class:`Output` replaced by that job's value."""
        return tuple(finished[a.key].value if isinstance(a, Output) else a for a in job.args)


def drive(jobs: list[Job], submit: Callable, finished_some: Callable, cancel: Callable) -> Iterator[Done]:
    """The loop of a scheduler that runs jobs elsewhere: submit what is ready, report what finishes.

    Written once for every such scheduler, so that they keep the same rules (see the module
    docstring); a scheduler supplies three functions.

    Parameters
    ----------
    jobs : list of Job
        The jobs.
    submit : callable
        ``submit(job, finished) -> handle``: start a job whose prerequisites succeeded (``finished``
        maps each finished key to its :class:`Done`, for :class:`Output` arguments). It may raise
        :class:`RuntimeError`: the job is reported with that error.
    finished_some : callable
        ``finished_some(handles) -> [(handle, value, error)]``: wait until at least one of the
        running handles finished; ``error`` is None or the error's text.
    cancel : callable
        ``cancel(handles)``: called with the running handles when the loop is interrupted.

    Returns
    -------
    iterator of Done
        One per job, as each finishes.

    Examples
    --------
    >>> import concurrent.futures as cf
    >>> pool = cf.ThreadPoolExecutor(2)
    >>> def finished_some(handles):
    ...     done, _ = cf.wait(handles, return_when=cf.FIRST_COMPLETED)
    ...     return [(f, f.result(), None) for f in done]
    >>> jobs = [Job("a", divmod, (7, 2)), Job("b", len, (Output("a"),))]
    >>> submit = lambda job, finished: pool.submit(job.fn, *_Waiting.arguments(job, finished))
    >>> [d.value for d in drive(jobs, submit, finished_some, lambda handles: None)]
    [(3, 1), 2]
    """
    waiting, finished, running = _Waiting(jobs), {}, {}
    try:
        while waiting.pending or running:
            batch = waiting.ready(finished)
            for job in batch:
                done = _Waiting.blocked(job, finished)
                if done is None:
                    try:
                        running[submit(job, finished)] = job
                        continue
                    except RuntimeError as exc:
                        done = Done(job.key, error=_error(exc))
                finished[job.key] = done
                yield done
            if not running:
                if not batch:
                    raise ValueError("the jobs wait for each other in a circle")
                continue
            for handle, value, error in finished_some(list(running)):
                job = running.pop(handle)
                finished[job.key] = done = Done(job.key, value, error)
                yield done
    except BaseException:
        cancel(list(running))
        raise


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
                        done = Done(job.key, job.fn(*_Waiting.arguments(job, finished)))
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

        def submit(job, finished):
            try:
                return pool.submit(job.fn, *_Waiting.arguments(job, finished))
            except RuntimeError as exc:  # BrokenProcessPool is one
                raise RuntimeError(f"the worker pool broke: {exc}") from None

        with ProcessPoolExecutor(max_workers=self.workers) as pool:
            yield from drive(jobs, submit, _finished_some, lambda handles: [f.cancel() for f in handles])


def _finished_some(futures) -> list[tuple]:
    """Wait for the first of some concurrent futures; each finished one with its value or error."""
    complete, _ = wait(futures, return_when=FIRST_COMPLETED)
    out = []
    for fut in complete:
        try:
            out.append((fut, fut.result(), None))
        except Exception as exc:  # noqa: BLE001 - a crashed worker fails its job only
            out.append((fut, None, _error(exc)))
    return out


def make_scheduler(workers: int | None, jobs: int, scheduler: str | None = None) -> Scheduler:
    """The scheduler for ``workers`` processes (default: one per core, never more than jobs), or a cluster.

    Parameters
    ----------
    workers : int or None
        Parallel jobs asked for; None for one per core.
    jobs : int
        How many jobs there are.
    scheduler : str, optional
        A Dask scheduler's address (``tcp://host:8786``) or ``local:N`` (a local cluster of N
        processes): the jobs run there (:mod:`cxlib.kit.dask_scheduler`; Dask is imported only then).

    Returns
    -------
    Scheduler
        :class:`SerialScheduler` for one worker, else a :class:`PoolScheduler`; a
        :class:`~cxlib.kit.dask_scheduler.DaskScheduler` when ``scheduler`` is given.

    Examples
    --------
    >>> type(make_scheduler(4, jobs=1)).__name__, type(make_scheduler(2, jobs=100)).__name__
    ('SerialScheduler', 'PoolScheduler')
    >>> type(make_scheduler(None, jobs=100, scheduler="tcp://127.0.0.1:8786")).__name__
    'DaskScheduler'
    """
    if scheduler is not None:
        from .dask_scheduler import DaskScheduler

        return DaskScheduler(scheduler)
    n = max(1, min(workers or os.cpu_count() or 1, jobs))
    return SerialScheduler() if n == 1 else PoolScheduler(n)
