"""Run one notebook with papermill, or generate one run's data: the work a worker does.

The third step of a batch (execute). Everything here runs in a worker process (or in the
main process with one worker) and never raises for a failure of the notebook: the failure
becomes an :class:`Outcome` naming the cell, counted from 1 from the top of the *source*
notebook (papermill's injected-parameters cell and error markers are not counted).

**Time limit.** Each notebook has a budget of ``timeout`` seconds for its cells, counted from
the moment its first cell starts (a kernel that is slow to start on a busy machine does not eat
it): each cell may take what is left of it, and when it runs out the running cell is interrupted
and the kernel shut down cleanly by nbclient.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from cxlib.record import collect

from .plan import DATA_STAMP, STATUS_FAILED, STATUS_OK, write_json


@dataclass
class Outcome:
    """What executing one notebook gave: status, time, the failing cell and the recorded values."""

    status: str
    duration: float = 0.0
    cell: int | None = None
    code: str = ""
    error: str = ""
    recorded: dict = field(default_factory=dict)


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


def execute_notebook(notebook: str, target: str, params: dict, cwd: str, timeout: float | None) -> Outcome:
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
    out = Outcome(STATUS_OK)
    try:
        Path(cwd).mkdir(parents=True, exist_ok=True)
        pm.execute_notebook(
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
    return out
