"""Run a batch's jobs on a Dask distributed cluster: ``cxkit run ... --scheduler ADDRESS``.

:class:`DaskScheduler` is a scheduler of :mod:`cxlib.kit.schedule` (``run(jobs) -> Iterator[Done]``)
that hands each job to a Dask cluster with ``Client.submit`` and reports it as its future completes
(``as_completed``), so the batch around it (manifest, resume, ``--force``, time limit, summary,
progress bar) is the same as on the local pool. Dask is imported only here, and this module only
when ``--scheduler`` is given. Install it with ``pip install cx-course-kit[cluster]``.

* **Where.** ``ADDRESS`` is a running scheduler's (``tcp://10.0.0.5:8786``: started by
  ``dask scheduler``, dask-jobqueue's ``SLURMCluster``, a JupyterHub's Dask Gateway...), or
  ``local:N``: a ``LocalCluster`` of N single-threaded worker processes on this machine.
* **Worker loss is not failure.** A job's function never raises for a notebook that fails (the
  failure is its result), so Dask never retries a failed notebook (``retries=0``). When a worker
  dies mid-task (a node lost, a job's wall time over), Dask's scheduler gives the task to another
  worker by itself; a task whose workers die ``distributed.scheduler.allowed-failures`` times (3 by
  default: a notebook that exhausts a worker's memory, say) is reported as failed, with Dask's
  ``KilledWorker``.
* **Prerequisites and shared values.** A job waits for its ``after`` jobs here, in the batch's
  process (a data generation that failed fails its notebooks without running them); an
  :class:`~cxlib.kit.schedule.Output` argument becomes that job's future, so workers fetch the value
  (a notebook's text, a run's data) from each other, and the batch holds it only until the last job
  that takes it is submitted.
* **Interrupting** (Ctrl-C) cancels every job not finished; a notebook already running on a remote
  worker runs on until it ends or its time limit, and its result is dropped. The manifest marks
  it unfinished, so the next run executes it again.
* **Parallelism.** Each task runs a notebook in a kernel of its own (one busy core): give workers
  one thread each (``dask worker --nthreads 1``, ``SLURMCluster(cores=n, processes=n)``); memory per
  worker is the worker itself (about 150 MB) and the largest lesson's kernel (see the README).
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections import Counter
from collections.abc import Iterator

from .roster import RunError
from .schedule import Done, Job, Output, _error, _Waiting, drive

_LOCAL = re.compile(r"local:(\d+)")
_ADDRESS = re.compile(r"(tcp|tls|inproc|ucx|ws|wss)://\S+|[\w.-]+:\d+")


def local_workers(address: str) -> int | None:
    """The number of workers ``local:N`` asks for (None for a scheduler's address); checks the text.

    Parameters
    ----------
    address : str
        ``local:N``, or a scheduler's address such as ``tcp://10.0.0.5:8786`` or ``10.0.0.5:8786``.

    Returns
    -------
    int or None
        N for ``local:N``; None for an address.

    Raises
    ------
    RunError
        When the text is neither (a typo the batch should not try to connect to).

    Examples
    --------
    >>> local_workers("local:4"), local_workers("tcp://127.0.0.1:8786")
    (4, None)
    >>> local_workers("local:0")
    Traceback (most recent call last):
    ...
    cxlib.kit.roster.RunError: --scheduler local:N needs N >= 1 worker process; got 'local:0'
    """
    local = _LOCAL.fullmatch(address.strip())
    if local:
        if int(local.group(1)) < 1:
            raise RunError(f"--scheduler local:N needs N >= 1 worker process; got {address!r}")
        return int(local.group(1))
    if not _ADDRESS.fullmatch(address.strip()):
        raise RunError(
            f"--scheduler takes a Dask scheduler's address (tcp://host:8786) or local:N; got {address!r}"
        )
    return None


def _task_name(key, tag: str) -> str:
    """A readable, unique Dask key for a job (shown on Dask's dashboard): ``notebook-s01-03.ipynb-<tag>``."""
    parts = key if isinstance(key, tuple) else (key,)
    text = "-".join(str(p) for p in parts)
    return f"{re.sub(r'[^A-Za-z0-9._-]+', '_', text)[:120]}-{tag}-{uuid.uuid4().hex[:8]}"


class DaskScheduler:
    """Run jobs on a Dask distributed cluster (see the module docstring).

    Parameters
    ----------
    address : str
        A scheduler's address, or ``local:N`` for a local cluster of N worker processes.
    connect_timeout : float
        Seconds to wait for the scheduler to answer before the batch stops (exit status 2).

    Examples
    --------
    >>> from cxlib.kit.schedule import constant
    >>> jobs = [Job("text", constant, ("hello",)), Job("n", len, (Output("text"),))]
    >>> sorted((d.key, d.value) for d in DaskScheduler("local:1").run(jobs))  # doctest: +SKIP
    [('n', 5), ('text', 'hello')]
    """

    def __init__(self, address: str, connect_timeout: float = 30):
        self.workers = local_workers(address)
        self.address, self.connect_timeout = address.strip(), connect_timeout

    @contextlib.contextmanager
    def _client(self):
        from distributed import Client, LocalCluster

        if self.workers is not None:
            with (
                LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,  # not its workers' warnings as it closes; errors still
                ) as cluster,
                Client(cluster) as client,
            ):
                yield client
            return
        try:
            client = Client(self.address, timeout=self.connect_timeout)
        except OSError as exc:
            raise RunError(f"cannot reach the Dask scheduler at {self.address}: {exc}") from None
        with client:
            yield client

    def run(self, jobs: list[Job]) -> Iterator[Done]:
        """Yield each job's :class:`~cxlib.kit.schedule.Done` as its future completes.

        Parameters
        ----------
        jobs : list of Job
            The jobs (module-level functions and picklable arguments: they run on the workers).

        Returns
        -------
        iterator of Done
            One per job, in the order they finish.
        """
        if not jobs:
            return  # a batch with nothing to do (all up to date) does not start or reach a cluster
        from distributed import as_completed

        wanted = Counter(a.key for job in jobs for a in job.args if isinstance(a, Output))
        _Waiting(jobs)  # refuses repeated keys and unknown prerequisites before connecting
        with self._client() as client:
            held, pending, tag = {}, as_completed(), uuid.uuid4().hex[:6]

            def submit(job, finished):
                args = []
                for a in job.args:
                    args.append(held[a.key] if isinstance(a, Output) else a)
                    if isinstance(a, Output):
                        wanted[a.key] -= 1
                        if not wanted[a.key]:
                            del held[a.key]  # the last taker is submitted: Dask keeps it while needed
                fut = client.submit(job.fn, *args, key=_task_name(job.key, tag), pure=False, retries=0)
                if wanted[job.key]:
                    held[job.key] = fut
                pending.add(fut)
                return fut

            def cancel(futures):
                client.cancel(futures + list(held.values()))

            def finished_some(running):
                fut = next(pending)
                done = _result(fut)
                if fut not in held.values():
                    fut.release()  # nobody takes its value: a lost worker's copy is not computed again
                return [done]

            yield from drive(jobs, submit, finished_some, cancel)


def _result(fut) -> tuple:
    """A completed future as ``(future, value, error)``; a task whose workers kept dying says so."""
    try:
        return fut, fut.result(), None
    except Exception as exc:  # noqa: BLE001 - the job's error is its result; the batch goes on
        if type(exc).__name__ == "KilledWorker":
            tries = getattr(exc, "allowed_failures", 3) + 1
            return (
                fut,
                None,
                (
                    f"KilledWorker: the worker running it died, on each of {tries} tries (a notebook that "
                    "exhausts a worker's memory does this; see the workers' logs)"
                ),
            )
        return fut, None, _error(exc)
