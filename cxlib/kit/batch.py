"""A class batch run: roster -> plan -> execute -> report, the way papermill's execute.py reads.

:func:`run_batch` ties the steps together: every parameter is converted and checked first
(:mod:`cxlib.kit.plan`, raising before anything runs); notebooks that are up to date are skipped;
each run that has its own data gets it generated first; every (run, notebook) pair is a job for
the scheduler (:mod:`cxlib.kit.schedule`) that runs :func:`cxlib.kit.execute.execute_notebook`;
the manifest of each run is updated as each notebook finishes, and the summary
(:mod:`cxlib.kit.report`) is written at the end, also when the batch is interrupted (with what
finished). A failing notebook does not stop the others; a run whose data cannot be generated
fails its notebooks with that error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .execute import Outcome, execute_notebook, generate_data, recorded_values
from .plan import (
    STATUS_FAILED,
    STATUS_SKIPPED,
    Task,
    check_notebooks,
    data_is_current,
    data_stamp,
    fingerprint,
    plan,
    read_manifest,
    up_to_date,
    write_json,
)
from .report import Result, write_summary
from .roster import Run, RunError
from .schedule import Done, Job, make_scheduler


class _Progress:
    """A progress bar over runs (a run is done when its last notebook is), on stderr."""

    def __init__(self, todo: dict, show: bool):
        from tqdm.auto import tqdm

        class _Bar(tqdm):
            monitor_interval = 0  # no monitor thread: worker processes are forked after the bar exists

        self.left = {rid: len(ts) for rid, ts in todo.items()}
        self.failed = set()
        initial = sum(n == 0 for n in self.left.values())
        self.bar = _Bar(
            total=len(todo), initial=initial, desc="runs", unit="run", disable=not show, file=sys.stderr
        )

    def notebook_done(self, rid: str, failed: bool) -> None:
        if failed:
            self.failed.add(rid)
        self.left[rid] -= 1
        if self.left[rid] == 0:
            self.bar.update()
            self.bar.set_postfix(failed=len(self.failed), refresh=False)


def _outcome(done: Done, seed: int | None) -> Outcome:
    """A finished notebook job's outcome, also when it crashed or its data could not be made."""
    if done.error is None:
        return done.value
    if done.cause is not None:
        return Outcome(STATUS_FAILED, error=f"generating the data for seed {seed} failed: {done.error}")
    return Outcome(STATUS_FAILED, error=done.error)


class _Batch:
    """The state of a batch as notebooks finish: results, manifests, progress."""

    def __init__(self, tasks: list[Task], runs: list[Run], out: Path, force: bool):
        self.tasks, self.runs, self.out = tasks, runs, out
        self.manifests = {run.run_id: read_manifest(out / run.run_id) for run in runs}
        self.results: dict[tuple[str, str], Result] = {}
        self.todo: dict[str, list[Task]] = {run.run_id: [] for run in runs}
        for t in tasks:
            if not force and up_to_date(t, self.manifests[t.run.run_id]):
                prev = self.manifests[t.run.run_id][t.notebook.name]
                self.results[t.run.run_id, t.notebook.name] = Result(
                    t.run.run_id,
                    t.notebook.name,
                    STATUS_SKIPPED,
                    prev.get("duration", 0.0),
                    parameters=t.params,
                    recorded=recorded_values(t.target),
                )
            else:
                self.todo[t.run.run_id].append(t)

    def jobs(self, fp: str, timeout: float | None) -> list[Job]:
        """Data generation (quick, first) for runs whose data are missing or stale, then the notebooks."""
        data, notebooks = [], []
        for run in self.runs:
            rid, folder = run.run_id, self.out / run.run_id
            after = ()
            stamp = data_stamp(run, fp)
            if run.data_seed is not None and self.todo[rid] and not data_is_current(folder / "data", stamp):
                data.append(Job(("data", rid), generate_data, (str(folder / "data"), run.data_seed, stamp)))
                after = (("data", rid),)
            for t in self.todo[rid]:
                args = (str(t.notebook), str(t.target), t.params, str(folder), timeout)
                notebooks.append(Job(("notebook", rid, t.notebook.name), execute_notebook, args, after))
        return data + notebooks

    def finish(self, task: Task, outcome: Outcome) -> None:
        """Record a notebook's outcome in the results and in its run's manifest."""
        rid, name = task.run.run_id, task.notebook.name
        self.results[rid, name] = Result(
            rid,
            name,
            outcome.status,
            outcome.duration,
            outcome.cell,
            outcome.code,
            outcome.error,
            task.params,
            outcome.recorded,
        )
        self.manifests[rid][name] = {
            "key": task.key,
            "status": outcome.status,
            "duration": round(outcome.duration, 2),
            "parameters": task.params,
            "error": outcome.error,
        }
        (self.out / rid).mkdir(parents=True, exist_ok=True)
        write_json(self.out / rid / "manifest.json", self.manifests[rid])

    def ordered(self) -> list[Result]:
        return [
            self.results[t.run.run_id, t.notebook.name]
            for t in self.tasks
            if (t.run.run_id, t.notebook.name) in self.results
        ]


def run_batch(
    notebooks,
    runs: list[Run],
    out: str | os.PathLike,
    workers: int | None = None,
    timeout: float | None = 600,
    force: bool = False,
    progress: bool = True,
) -> list[Result]:
    """Execute ``notebooks`` for every run, in parallel; one :class:`Result` per run and notebook.

    Every parameter is converted and checked before anything runs. Notebooks that are
    up to date (see :mod:`cxlib.kit.plan`) are skipped unless ``force``. Writes
    ``summary.csv``, ``summary.html`` and ``notebooks.csv`` into ``out``, also when
    interrupted (with what finished).

    Parameters
    ----------
    notebooks : list of path
        The notebooks every run executes.
    runs : list of Run
        From :func:`cxlib.kit.roster.build_runs`.
    out : path
        Output folder; each run gets ``out/<run_id>/``.
    workers : int, optional
        Parallel notebook executions (default: number of cores).
    timeout : float or None
        Seconds allowed for each notebook's cells; None for no limit.
    force : bool
        Re-run up-to-date notebooks too.
    progress : bool
        Show a progress bar (on stderr).

    Returns
    -------
    list of Result
        Run by run, notebook by notebook (skipped ones with status ``"skipped"``).

    Examples
    --------
    >>> import tempfile, nbformat
    >>> from cxlib.kit.roster import build_runs
    >>> folder = Path(tempfile.mkdtemp())
    >>> param_cell = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})
    >>> nb = nbformat.v4.new_notebook(cells=[param_cell,
    ...                                      nbformat.v4.new_code_cell("assert x < 3, 'x is too big'")])
    >>> nbformat.write(nb, folder / "demo.ipynb")
    >>> results = run_batch([folder / "demo.ipynb"], build_runs(grid={"x": [1, 5]}), folder / "out",
    ...                     workers=1, progress=False)
    >>> [(r.run_id, r.status, r.error) for r in results]
    [('x-1', 'ok', ''), ('x-5', 'failed', 'AssertionError: x is too big')]
    >>> sorted(p.name for p in (folder / "out").iterdir())
    ['notebooks.csv', 'summary.csv', 'summary.html', 'x-1', 'x-5']
    """
    notebooks = check_notebooks(notebooks)
    if not runs:
        raise RunError("no runs: the roster or grid is empty")
    out = Path(out)
    fp = fingerprint()
    tasks = plan(notebooks, runs, out, fp)  # raises before anything runs
    out.mkdir(parents=True, exist_ok=True)
    batch = _Batch(tasks, runs, out, force)
    jobs = batch.jobs(fp, timeout)
    by_key = {("notebook", t.run.run_id, t.notebook.name): t for ts in batch.todo.values() for t in ts}
    seeds = {run.run_id: run.data_seed for run in runs}
    bar = _Progress(batch.todo, progress)
    try:
        for done in make_scheduler(workers, len(by_key)).run(jobs):
            if done.key[0] != "notebook":
                continue  # data: its notebooks follow (or fail with its error)
            task = by_key[done.key]
            outcome = _outcome(done, seeds[task.run.run_id])
            batch.finish(task, outcome)
            bar.notebook_done(task.run.run_id, outcome.status == STATUS_FAILED)
    finally:
        bar.bar.close()
        write_summary(batch.ordered(), out, runs)
    return batch.ordered()
