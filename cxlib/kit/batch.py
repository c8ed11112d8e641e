"""A class batch run: roster -> plan -> execute -> report, the way papermill's execute.py reads.

:func:`run_batch` ties the steps together: every parameter is converted and checked first
(:mod:`cxlib.kit.plan`, raising before anything runs); notebooks that are up to date are skipped;
each run that has its own data gets it generated first; every (run, notebook) pair is a job for
the scheduler (:mod:`cxlib.kit.schedule`: a local pool, or a Dask cluster) that runs
:func:`cxlib.kit.execute.execute_notebook`; the summary (:mod:`cxlib.kit.report`) is written at the
end, also when the batch is interrupted (with what finished). A failing notebook does not stop the
others; a run whose data cannot be generated fails its notebooks with that error.

**A notebook is done only when it ran to the end.** Before anything runs, every notebook about to
run is marked ``started`` in its run's manifest (this also proves the output folder can be written:
if not, the batch stops with a message and exit status 2). Its entry becomes ``ok`` or ``failed``
only after its output is written, in one atomic replacement of the manifest. A batch interrupted
(Ctrl-C) leaves ``started`` entries, and the next run executes those notebooks again, also after
``--force``.

**Where the files are.** By default the workers read the notebooks and write the outputs and the
generated data in ``OUT`` themselves: on a cluster, a folder every worker shares. With
``shared_fs=False`` (``--no-shared-fs``) the batch sends each notebook's text and each run's data to
the workers once, the workers generate data and run notebooks in temporary folders, and the batch
writes what they return (executed notebooks, generated data) into ``OUT`` itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .execute import (
    Outcome,
    checks_counted,
    execute_detached,
    execute_notebook,
    generate_data,
    generate_data_files,
    read_files,
    recorded_values,
    write_files,
)
from .plan import (
    STATUS_FAILED,
    STATUS_SKIPPED,
    STATUS_STARTED,
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
from .schedule import Done, Job, Output, constant, make_scheduler


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
    if done.cause is not None and done.cause[0] == "data":
        return Outcome(STATUS_FAILED, error=f"generating the data for seed {seed} failed: {done.error}")
    return Outcome(STATUS_FAILED, error=done.error)


def _write_atomically(path: Path, content: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


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
                    checks=checks_counted(t.target),
                )
            else:
                self.todo[t.run.run_id].append(t)

    def start(self) -> None:
        """Mark every notebook about to run as ``started`` in its manifest (see the module docstring)."""
        for rid, todo in self.todo.items():
            if not todo:
                continue
            for t in todo:
                self.manifests[rid][t.notebook.name] = {"key": t.key, "status": STATUS_STARTED}
            folder = self.out / rid
            if folder.exists() and not folder.is_dir():
                raise RunError(f"{folder} is a file, where run {rid} writes its notebooks; move it away")
            try:
                folder.mkdir(exist_ok=True)
                write_json(folder / "manifest.json", self.manifests[rid])
            except OSError as exc:
                raise RunError(
                    f"cannot write into the output folder {folder} ({exc.strerror or exc}); "
                    "choose an --out folder you can write to"
                ) from None

    def jobs(self, fp: str, timeout: float | None, shared_fs: bool = True) -> list[Job]:
        """The jobs of the notebooks to run, each run's data generation (quick) first."""
        return self._shared_jobs(fp, timeout) if shared_fs else self._detached_jobs(fp, timeout)

    def _data_needed(self, run: Run, fp: str) -> bool:
        folder = self.out / run.run_id / "data"
        return (
            run.data_seed is not None
            and bool(self.todo[run.run_id])
            and not data_is_current(folder, data_stamp(run, fp))
        )

    def _shared_jobs(self, fp: str, timeout: float | None) -> list[Job]:
        data, notebooks = [], []
        for run in self.runs:
            rid, folder = run.run_id, (self.out / run.run_id).resolve()
            after = ()
            if self._data_needed(run, fp):
                data.append(
                    Job(
                        ("data", rid),
                        generate_data,
                        (str(folder / "data"), run.data_seed, data_stamp(run, fp)),
                    )
                )
                after = (("data", rid),)
            for t in self.todo[rid]:
                args = (
                    str(t.notebook.resolve()),
                    str(folder / t.notebook.name),
                    t.params,
                    str(folder),
                    timeout,
                    fp,
                )
                notebooks.append(Job(("notebook", rid, t.notebook.name), execute_notebook, args, after))
        return data + notebooks

    def _detached_jobs(self, fp: str, timeout: float | None) -> list[Job]:
        sent: dict[tuple, Job] = {}  # what is sent to the workers (each notebook, each run's data), once
        notebooks = []
        for run in self.runs:
            for t in self.todo[run.run_id]:
                name = t.notebook.name
                if ("source", name) not in sent:
                    sent["source", name] = Job(("source", name), constant, (t.notebook.read_text("utf-8"),))
                data = self._data_to_send(run, t, fp, sent)
                args = (Output(("source", name)), name, t.params, timeout, fp, data)
                notebooks.append(Job(("notebook", run.run_id, name), execute_detached, args))
        return [*sent.values(), *notebooks]

    def _data_to_send(self, run: Run, task: Task, fp: str, sent: dict) -> Output | None:
        """The job whose value is this task's data: generated on a worker, or read here and sent."""
        if self._data_needed(run, fp):
            key = ("data", run.run_id)
            sent.setdefault(key, Job(key, generate_data_files, (run.data_seed, data_stamp(run, fp))))
            return Output(key)
        given = task.params.get("data_dir")
        folder = self.out / run.run_id / "data" if run.data_seed is not None else given
        if not isinstance(folder, (str, Path)) or not Path(folder).is_dir():
            return None  # no data, or a folder that is not there: the notebook says so itself
        key = ("files", str(folder))
        if key not in sent:
            sent[key] = Job(key, constant, (read_files(folder),))
        return Output(key)

    def received(self, done: Done) -> None:
        """Write what a worker returned without a shared folder: a run's generated data."""
        if done.key[0] == "data" and done.error is None and isinstance(done.value, dict):
            write_files(self.out / done.key[1] / "data", done.value)

    def finish(self, task: Task, outcome: Outcome) -> None:
        """Record a notebook's outcome: its output written (when returned), then its run's manifest."""
        rid, name = task.run.run_id, task.notebook.name
        if outcome.notebook is not None:
            _write_atomically(task.target, outcome.notebook)
            outcome.notebook = None
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
            outcome.checks,
        )
        self.manifests[rid][name] = {
            "key": task.key,
            "status": outcome.status,
            "duration": round(outcome.duration, 2),
            "parameters": task.params,
            "error": outcome.error,
        }
        write_json(self.out / rid / "manifest.json", self.manifests[rid])

    def ordered(self) -> list[Result]:
        return [
            self.results[t.run.run_id, t.notebook.name]
            for t in self.tasks
            if (t.run.run_id, t.notebook.name) in self.results
        ]


def _prepare(out: Path) -> None:
    """Create the output folder, or stop the batch saying why it cannot be (read-only, a file...)."""
    if out.exists() and not out.is_dir():
        raise RunError(f"the output folder {out} is a file; choose another --out")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunError(f"cannot create the output folder {out} ({exc.strerror or exc})") from None


def _drain(batch: _Batch, jobs: list[Job], scheduler, by_key: dict, bar: _Progress) -> None:
    """Record each job as the scheduler reports it finished."""
    for done in scheduler.run(jobs):
        if done.key[0] != "notebook":
            batch.received(done)  # data (without a shared folder, written here); its notebooks follow
            continue
        task = by_key[done.key]
        outcome = _outcome(done, task.run.data_seed)
        batch.finish(task, outcome)
        bar.notebook_done(task.run.run_id, outcome.status == STATUS_FAILED)


def run_batch(
    notebooks,
    runs: list[Run],
    out: str | os.PathLike,
    workers: int | None = None,
    timeout: float | None = 600,
    force: bool = False,
    progress: bool = True,
    scheduler: str | None = None,
    shared_fs: bool = True,
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
        Parallel notebook executions on this machine (default: number of cores); not with ``scheduler``.
    timeout : float or None
        Seconds allowed for each notebook's cells; None for no limit.
    force : bool
        Re-run up-to-date notebooks too.
    progress : bool
        Show a progress bar (on stderr).
    scheduler : str, optional
        A Dask scheduler's address, or ``local:N``: run the notebooks on that cluster
        (:mod:`cxlib.kit.dask_scheduler`) instead of a local pool.
    shared_fs : bool
        Whether the workers share ``out`` and the notebooks' folder with this process (a cluster's
        shared folder); if not, data and notebooks are sent to them and outputs returned (see the
        module docstring).

    Returns
    -------
    list of Result
        Run by run, notebook by notebook (skipped ones with status ``"skipped"``).

    Raises
    ------
    RunError
        When the batch cannot start: a bad value, notebook or option, an output folder that cannot
        be written, a cluster that cannot be reached.

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
    if scheduler is not None:
        from .dask_scheduler import local_workers

        local_workers(scheduler)  # a typo is named before anything is written
        if workers is not None:
            raise RunError("--workers sizes the local pool; with --scheduler the cluster's workers run them")
    out = Path(out)
    fp = fingerprint()
    tasks = plan(notebooks, runs, out, fp)  # raises before anything runs
    _prepare(out)
    batch = _Batch(tasks, runs, out, force)
    by_key = {("notebook", t.run.run_id, t.notebook.name): t for ts in batch.todo.values() for t in ts}
    runner = make_scheduler(workers, len(by_key), scheduler)
    batch.start()
    jobs = batch.jobs(fp, timeout, shared_fs)
    bar = _Progress(batch.todo, progress)
    could_not_start = False
    try:
        _drain(batch, jobs, runner, by_key, bar)
    except RunError:
        could_not_start = True  # the scheduler could not start (a cluster out of reach): nothing ran
        raise
    finally:
        bar.bar.close()
        if not could_not_start:
            write_summary(batch.ordered(), out, runs)
    return batch.ordered()
