"""Run one notebook with papermill, or generate one run's data: the work a worker does.

The third step of a batch (execute). Everything here runs in a worker process (or in the
main process with one worker) and never raises for a failure of the notebook: the failure
becomes an :class:`Outcome` naming the cell, counted from 1 from the top of the *source*
notebook (papermill's injected-parameters cell and error markers are not counted). A failed
notebook is a result, not an error: a cluster retries a task only when its worker dies.

**Where the files are.** :func:`execute_notebook` reads the notebook and writes its output in
folders the batch names (on a cluster, a folder every worker shares). Without one
(``--no-shared-fs``), :func:`execute_detached` receives the notebook's text and the data's files,
runs in a temporary folder of the worker, and returns the executed notebook for the batch to
write; :func:`generate_data_files` returns a generated business's files the same way.

**The same package everywhere.** Each task is given the fingerprint of the ``cxlib`` the batch
was planned with (:func:`cxlib.kit.plan.fingerprint`, the cache key's); a worker whose ``cxlib``
differs fails the notebook saying so, instead of writing outputs that do not match their key.

**Time limit.** Each notebook has a budget of ``timeout`` seconds for its cells, counted from
the moment its first cell starts (a kernel that is slow to start on a busy machine does not eat
it): each cell may take what is left of it, and when it runs out the running cell is interrupted
and the kernel shut down cleanly by nbclient.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cxlib.record import collect

from .plan import DATA_STAMP, STATUS_FAILED, STATUS_OK, fingerprint, write_json


@dataclass
class Outcome:
    """What executing one notebook gave: status, time, the failing cell and the recorded values."""

    status: str
    duration: float = 0.0
    cell: int | None = None
    code: str = ""
    error: str = ""
    recorded: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)  # tasks correct, wrong, unanswered (cxlib.checks)
    notebook: bytes | None = None  # the executed notebook, when the worker returns it (no shared folder)


def recorded_values(path: str | os.PathLike) -> dict:
    """The headline values an executed notebook recorded with :func:`cxlib.record.record`.

    Parameters
    ----------
    path : path
        An executed notebook.

    Returns
    -------
    dict
        Name to value; empty when the notebook is missing or unreadable.

    Examples
    --------
    >>> recorded_values("no-such-notebook.ipynb")
    {}
    """
    try:
        return collect(path)
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def checks_counted(path: str | os.PathLike) -> dict:
    """How many tasks an executed notebook's checks found correct, wrong, unanswered, in error.

    Parameters
    ----------
    path : path
        An executed notebook.

    Returns
    -------
    dict
        :func:`cxlib.checks.collect_checks`; empty when the notebook is unreadable or ran no check.

    Examples
    --------
    >>> checks_counted("no-such-notebook.ipynb")
    {}
    """
    from cxlib.checks import collect_checks

    try:
        return collect_checks(path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def generate_data(folder: str | os.PathLike, seed: int, stamp: dict) -> None:
    """Write the business of ``seed`` into ``folder`` (replacing what was there) and stamp it.

    Parameters
    ----------
    folder : path
        ``OUT/<run-id>/data``; created, or emptied first.
    seed : int
        The seed of :func:`cxlib.synth.write`.
    stamp : dict
        From :func:`cxlib.kit.plan.data_stamp`, written last: data without a stamp are
        generated again.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "data"
    >>> generate_data(folder, 3, {"seed": 3, "cxlib": "abc"})
    >>> (folder / "survey.csv").is_file(), (folder / DATA_STAMP).is_file()
    (True, True)
    """
    from cxlib.synth import write

    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    write(folder, seed=seed)
    write_json(folder / DATA_STAMP, stamp)


def read_files(folder: str | os.PathLike) -> dict:
    r"""The files directly in a folder (not its subfolders), name to content: data to send to a worker.

    Parameters
    ----------
    folder : path
        A data folder (the tables and their schema).

    Returns
    -------
    dict
        File name to bytes, sorted by name.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "survey.csv").write_text("response_id\n1\n")
    >>> read_files(folder)
    {'survey.csv': b'response_id\n1\n'}
    """
    return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir()) if p.is_file()}


def write_files(folder: str | os.PathLike, files: dict) -> None:
    r"""Write files received from :func:`read_files` into ``folder``, replacing what was there.

    A data stamp (``.cxkit-data.json``) among them is written last, so that data cut short by an
    interruption are never taken as current.

    Parameters
    ----------
    folder : path
        Created, or emptied first.
    files : dict
        File name to bytes; a name must be a plain file name (no folder in it).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "data"
    >>> write_files(folder, {"a.csv": b"x\n", DATA_STAMP: b"{}"})
    >>> sorted(p.name for p in folder.iterdir())
    ['.cxkit-data.json', 'a.csv']
    """
    folder = Path(folder)
    bad = [name for name in files if Path(name).name != name or name in ("", ".", "..")]
    if bad:
        raise ValueError(f"not plain file names: {bad}")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name in sorted(files, key=lambda n: n == DATA_STAMP):
        (folder / name).write_bytes(files[name])


def generate_data_files(seed: int, stamp: dict) -> dict:
    r"""Generate the business of ``seed`` on a worker and return its files (for ``--no-shared-fs``).

    Parameters
    ----------
    seed : int
        The seed of :func:`cxlib.synth.write`.
    stamp : dict
        From :func:`cxlib.kit.plan.data_stamp`, returned as ``.cxkit-data.json`` among the files.

    Returns
    -------
    dict
        File name to bytes, for :func:`write_files`.

    Examples
    --------
    >>> import json
    >>> files = generate_data_files(3, {"seed": 3, "cxlib": "abc"})
    >>> "survey.csv" in files, json.loads(files[DATA_STAMP])
    (True, {'cxlib': 'abc', 'seed': 3})
    """
    with tempfile.TemporaryDirectory(prefix="cxkit-data-") as tmp:
        generate_data(Path(tmp) / "data", seed, stamp)
        return read_files(Path(tmp) / "data")


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _has_tag(cell: dict, tag: str) -> bool:
    return tag in cell.get("metadata", {}).get("tags", [])


def failed_cell(executed: str | os.PathLike, index: int | None) -> tuple[int | None, str]:
    """Where an executed notebook failed: the cell's position in the *source* notebook and first line.

    papermill inserts a cell of injected parameters, which the source does not have, and
    two markdown cells pointing at the error, which are dropped first.

    Parameters
    ----------
    executed : path
        The notebook papermill wrote.
    index : int or None
        papermill's index of the failing cell (0-based, in the executed notebook); None when
        a time limit stopped it: the failing cell is then the last one that started.

    Returns
    -------
    (int or None, str)
        The cell counted from 1 from the top of the source, and its first non-blank line
        (at most 120 characters).

    Examples
    --------
    >>> failed_cell("no-such-notebook.ipynb", 4)
    (5, '')
    """
    import json

    try:
        with open(executed, encoding="utf-8") as fh:
            cells = json.load(fh)["cells"]
    except (OSError, ValueError, KeyError):
        return (None if index is None else index + 1), ""
    cells = [c for c in cells if not _has_tag(c, "papermill-error-cell-tag")]
    if index is None:
        started = [
            i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")
        ]
        if not started:
            return None, ""
        index = started[-1]
    if not 0 <= index < len(cells):
        return index + 1, ""
    first = next((line.strip() for line in _source(cells[index]).splitlines() if line.strip()), "")
    injected = [i for i, c in enumerate(cells) if _has_tag(c, "injected-parameters")]
    shift = 1 if injected and index > injected[0] else 0
    return index + 1 - shift, first[:120]


class _Budget:
    """A notebook's time limit, counted from its first cell (papermill asks before each cell)."""

    def __init__(self, seconds: float | None):
        self.seconds, self.start = seconds, None

    def __call__(self, cell) -> float | None:
        if not self.seconds:
            return None
        if self.start is None:
            self.start = time.perf_counter()
        return max(0.05, self.seconds - (time.perf_counter() - self.start))


@functools.cache
def _fingerprint_here() -> str:
    return fingerprint()


def package_problem(expected: str | None) -> str:
    """Why this process cannot run a batch's task: its ``cxlib`` is not the one the batch was planned with.

    Parameters
    ----------
    expected : str or None
        The batch's :func:`cxlib.kit.plan.fingerprint`; None checks nothing.

    Returns
    -------
    str
        Empty when the packages are the same (computed once per process), else the message.

    Examples
    --------
    >>> package_problem(fingerprint()), package_problem(None)
    ('', '')
    >>> package_problem("0123456789abcdef")  # doctest: +ELLIPSIS
    "this worker's cxlib is not the batch's (fingerprint ... here, 0123456789abcdef in the batch): ..."
    """
    if expected is None or _fingerprint_here() == expected:
        return ""
    return (
        f"this worker's cxlib is not the batch's (fingerprint {_fingerprint_here()} here, {expected} in the "
        "batch): install the same cx-course-kit on every worker"
    )


#: Tries to start a notebook's kernel: kernels started at once can race for the same free port
#: ("Kernel died before replying to kernel_info", zmq "Address already in use"); nothing of the
#: notebook has run then, so starting it again is safe.
KERNEL_START_TRIES = 3


def _kernel_never_started(exc: BaseException) -> bool:
    """Whether papermill (or nbval) failed because the kernel died before it ran anything."""
    return "Kernel died before replying to kernel_info" in str(exc)


def retrying_kernel_start(start, tries: int = KERNEL_START_TRIES):
    """Wrap ``start`` (anything that starts a kernel) so a kernel that dies at start is started again.

    Only the error of a kernel that died before replying to ``kernel_info`` is retried: nothing
    of the notebook has run then. Any other error, and the last try's, is raised as it is.

    Parameters
    ----------
    start : callable
        Starts a kernel (and may go on to run a notebook), e.g. ``papermill.execute_notebook``
        or nbval's ``start_new_kernel``.
    tries : int, default KERNEL_START_TRIES
        How many times to start it in all.

    Returns
    -------
    callable
        ``start`` with the same arguments and result, tried up to ``tries`` times; it carries
        ``retries_kernel_start = tries``.

    Examples
    --------
    >>> calls = []
    >>> def start():
    ...     calls.append(1)
    ...     if len(calls) == 1:
    ...         raise RuntimeError("Kernel died before replying to kernel_info")
    ...     return "started"
    >>> retrying_kernel_start(start)(), len(calls)
    ('started', 2)
    """

    @functools.wraps(start)
    def run(*args, **kwargs):
        for _ in range(tries - 1):
            try:
                return start(*args, **kwargs)
            except RuntimeError as exc:
                if not _kernel_never_started(exc):
                    raise
        return start(*args, **kwargs)  # the last try: whatever it raises is raised

    run.retries_kernel_start = tries
    return run


def execute_notebook(
    notebook: str, target: str, params: dict, cwd: str, timeout: float | None, package: str | None = None
) -> Outcome:
    """Run one notebook with papermill into ``target``; a failure is reported, never raised.

    Parameters
    ----------
    notebook : str
        The notebook to run.
    target : str
        Where papermill writes the executed notebook (also when it fails).
    params : dict
        Parameters, written into the notebook as Python literals by papermill.
    cwd : str
        The folder the kernel starts in (created if needed).
    timeout : float or None
        Seconds allowed for the notebook's cells, counted from its first cell; None for no limit.
    package : str, optional
        The batch's :func:`cxlib.kit.plan.fingerprint`: the notebook fails, without running, on a
        worker whose ``cxlib`` differs (see :func:`package_problem`).

    Returns
    -------
    Outcome
        Status, duration (kernel start included), failing cell and its first line, the
        error, and the values the notebook recorded.

    Examples
    --------
    >>> execute_notebook("no-such.ipynb", "out.ipynb", {}, ".", 10).status
    'failed'
    """
    import logging

    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.ERROR)  # its parameter parser warns on None defaults
    start = time.perf_counter()
    if package_problem(package):
        return Outcome(STATUS_FAILED, error=package_problem(package))
    out = Outcome(STATUS_OK)
    try:
        Path(cwd).mkdir(parents=True, exist_ok=True)
        retrying_kernel_start(pm.execute_notebook)(
            notebook,
            target,
            parameters=params,
            cwd=cwd,
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            timeout_func=_Budget(timeout),
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],  # no kernel chatter on the console
        )
    except pm.PapermillExecutionError as exc:
        out.status, out.error = STATUS_FAILED, f"{exc.ename}: {exc.evalue}"
        out.cell, out.code = failed_cell(target, exc.cell_index)
    except Exception as exc:  # noqa: BLE001 - any failure is reported, the batch goes on
        out.status = STATUS_FAILED
        if type(exc).__name__ == "CellTimeoutError" or isinstance(exc, TimeoutError):
            out.error = f"time limit of {timeout:g} s for the notebook exceeded"
        else:
            lines = str(exc).strip().splitlines()
            out.error = f"{type(exc).__name__}: {lines[0] if lines else ''}"
        out.cell, out.code = failed_cell(target, None)
    out.duration = time.perf_counter() - start
    out.recorded = recorded_values(target) if Path(target).exists() else {}
    out.checks = checks_counted(target) if Path(target).exists() else {}
    return out


def execute_detached(
    source: str, name: str, params: dict, timeout: float | None, package: str | None, data: dict | None
) -> Outcome:
    """Run a notebook sent as text in a temporary folder of this worker and return it executed.

    Parameters
    ----------
    source : str
        The notebook's text (``.ipynb`` JSON).
    name : str
        Its file name (the executed notebook is written under this name first).
    params : dict
        Parameters, as for :func:`execute_notebook`; a ``data_dir`` among them is replaced by the
        folder where ``data`` are written.
    timeout : float or None
        Seconds allowed for the notebook's cells, counted from its first cell.
    package : str or None
        The batch's :func:`cxlib.kit.plan.fingerprint` (see :func:`package_problem`).
    data : dict or None
        The data's files (from :func:`read_files` or :func:`generate_data_files`), or None.

    Returns
    -------
    Outcome
        As :func:`execute_notebook`, with the executed notebook's bytes in ``notebook`` (None when
        none was written). Files the notebook writes beside itself stay on the worker and are removed.

    Examples
    --------
    >>> execute_detached("{}", "broken.ipynb", {}, 10, None, None).status
    'failed'
    """
    with tempfile.TemporaryDirectory(prefix="cxkit-run-") as tmp:
        nb, cwd = Path(tmp) / "source" / name, Path(tmp) / "run"
        nb.parent.mkdir()
        nb.write_text(source, encoding="utf-8")
        if data is not None:
            write_files(cwd / "data", data)
            if "data_dir" in params:
                params = {**params, "data_dir": str(cwd / "data")}
        out = execute_notebook(str(nb), str(cwd / name), params, str(cwd), timeout, package)
        if (cwd / name).is_file():
            out.notebook = (cwd / name).read_bytes()
    return out
