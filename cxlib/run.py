"""Batch-run notebooks for a class: ``python -m cxlib.run`` (or ``cxkit``).

An instructor runs the lessons (or the solution notebooks, for answer keys) once per
student, section or data set::

    cxkit notebooks/03_headline_metrics.ipynb --roster class.csv --out runs/
    cxkit "notebooks/0*.ipynb" --grid branch=Ashford,Carlton --grid confidence=0.9,0.95 --out runs/
    cxkit solutions/*.ipynb -p data_dir my_export --out keys/

* **Runs.** One run per row of a roster (CSV or YAML: a list of mappings), per
  combination of a grid (``--grid name=v1,v2``, repeated), or a single run. ``-p name
  value`` sets a parameter for every run. Every run executes all the notebooks given
  (paths or quoted globs) into ``OUT/<run-id>/<notebook>.ipynb``. The run id is the
  ``run_id`` or ``student_id`` column, else the grid values, else ``run001``...,
  made safe as a folder name. Columns that no notebook declares as a parameter are
  kept in the summary only (the command says which, in case of a typo).
* **Per-student data.** A ``seed`` column and no ``data_dir``: the runner generates
  that student's business with :mod:`cxlib.synth` into ``OUT/<run-id>/data`` and
  passes that folder as ``data_dir``; ``--student-data`` does the same with a seed
  made from each ``student_id`` (:func:`cxlib.exercises.student_seed`). A notebook that
  declares a ``seed`` parameter receives the seed too.
* **Parameters are data, never code.** papermill writes each value into the notebook as
  a Python literal (an escaped string, a number, ``True``/``False``/``None``); nothing
  from a roster is ever evaluated. Values from CSV files and the command line are
  text: they are converted to the type of the notebook's default (``0.95`` -> float,
  ``2024`` -> int, ``true``/``false``/``yes``/``no``/``1``/``0`` -> bool; text stays text; for
  a default of ``None``, an empty cell or ``None`` means None and anything else is
  text). YAML values keep their YAML type, which must fit the default (an int is
  accepted where a float is expected). An empty CSV cell means "the notebook's
  default". A relative ``data_dir`` is relative to the current folder. A value that
  cannot be converted stops the batch before anything runs, naming the run and the
  parameter.
* **Parallel, isolated, resumable.** Every (run, notebook) pair is a task for a pool of
  worker processes (default: one per core) that import papermill once; a progress
  bar counts finished runs. Each notebook has a time limit (``--timeout`` seconds for
  the whole notebook; the cell running when it runs out is interrupted). A failing notebook does not stop the
  others. ``OUT/<run-id>/manifest.json`` records, per notebook, a hash of the notebook
  file, its parameters, the generated data's seed and the cxlib source; re-running
  the same command skips notebooks whose output exists, passed and has the same hash,
  so an interrupted class resumes where it stopped (``--force`` re-runs everything).
* **Summary.** ``OUT/summary.csv`` and ``OUT/summary.html`` have one row per run: its
  parameters, status, duration, the first failure (notebook, cell counted from 1 from
  the top, the cell's first line, the error), and the headline numbers the notebooks
  recorded with :func:`cxlib.record.record` (one column per name; a name recorded by
  several notebooks gets the notebook's name as a prefix, ``11_capstone.nps``).
  ``OUT/notebooks.csv`` has one row per run and notebook. The exit status is 0 only if
  every notebook of every run passed (1 if some failed, 2 if the batch could not start).
"""

from __future__ import annotations

import argparse
import ast
import csv
import glob
import hashlib
import html
import itertools
import json
import math
import os
import re
import shutil
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from . import __version__
from .errors import CxlibError
from .export import safe_cell
from .record import collect

STATUS_OK, STATUS_FAILED, STATUS_SKIPPED = "ok", "failed", "skipped"
ID_COLUMNS = ("run_id", "student_id")
DATA_STAMP = ".cxkit-data.json"


class RunError(CxlibError):
    """The batch cannot start: a bad roster, grid, parameter or notebook."""


@dataclass(frozen=True)
class Run:
    """One run: an id, the values given for it, and the seed of its own data (if any)."""

    run_id: str
    values: dict
    data_seed: int | None = None


@dataclass
class Result:
    """The outcome of one notebook in one run."""

    run_id: str
    notebook: str
    status: str
    duration: float = 0.0
    cell: int | None = None
    code: str = ""
    error: str = ""
    parameters: dict = field(default_factory=dict)
    recorded: dict = field(default_factory=dict)


# --- the notebook's parameters cell ---


def notebook_parameters(path: str | os.PathLike) -> dict:
    """The defaults of a notebook's ``parameters`` cell, as Python values.

    The cell must hold plain literals (``confidence = 0.95``); they are read with
    :func:`ast.literal_eval`, never executed.

    Examples
    --------
    >>> nb = Path(__file__).parent.parent / "notebooks" / "03_headline_metrics.ipynb"
    >>> notebook_parameters(nb)["confidence"]
    0.95
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as fh:
            nb = json.load(fh)
    except (OSError, ValueError) as exc:
        raise RunError(f"{path}: not a readable notebook ({exc})") from None
    cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise RunError(f"{path}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and node.value is not None:
                try:
                    out[targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    raise RunError(f"{path}: parameter {targets[0].id} is not a plain literal") from None
    return out


_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


def convert(name: str, value, default, where: str = ""):
    """Convert a roster or command-line value to the type of the notebook's default.

    Text is never evaluated: it becomes a number or true/false only where the default
    is one, and stays text otherwise. A value that does not fit raises
    :class:`RunError` naming the parameter.

    Parameters
    ----------
    name : str
        The parameter, for messages.
    value : str, number, bool, None, list or dict
        Text from a CSV roster or the command line, or a typed value from YAML.
    default
        The notebook's default for ``name``.
    where : str
        A prefix for messages, e.g. ``"run s01: "``.

    Examples
    --------
    >>> convert("confidence", "0.9", 0.95)
    0.9
    >>> convert("flag", "yes", False)
    True
    >>> convert("branch", "__import__('os').system('x')", "Ashford")
    "__import__('os').system('x')"
    >>> convert("sigma", "2.5", 3)
    Traceback (most recent call last):
    ...
    cxlib.run.RunError: parameter sigma: '2.5' is not a whole number (the notebook's default is 3)
    """

    def fail(expected):
        raise RunError(
            f"{where}parameter {name}: {value!r} is not {expected} (the notebook's default is {default!r})"
        )

    if isinstance(value, str) and not isinstance(default, str):
        text = value.strip()
        if default is None:
            return None if text in ("", "None", "none", "null") else value
        if isinstance(default, bool):
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            fail("true or false")
        if isinstance(default, int):
            if not re.fullmatch(r"[+-]?\d+", text):
                fail("a whole number")
            return int(text)
        if isinstance(default, float):
            try:
                number = float(text)
            except ValueError:
                fail("a number")
            if not math.isfinite(number):
                fail("a finite number")
            return number
        fail(f"a {type(default).__name__} (text cannot be converted to one)")
    # typed values (YAML, or text where the default is text)
    if default is None:
        return value
    if value is None:
        fail("a value (leave the parameter out to use the notebook's default)")
    if isinstance(default, bool) or isinstance(value, bool):
        if isinstance(default, bool) and isinstance(value, bool):
            return value
        fail(f"a {type(default).__name__}")
    if isinstance(default, float) and isinstance(value, (int, float)):
        if not math.isfinite(value):
            fail("a finite number")
        return float(value)
    if isinstance(value, type(default)):
        return value
    fail(f"a {type(default).__name__} (in YAML, quote text that looks like a number, a date or yes/no)")


# --- building the list of runs ---


def _safe_id(text) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._=-]+", "_", str(text)).replace("=", "-").strip("._-")
    return cleaned[:80] or "run"


def read_roster(path: str | os.PathLike) -> list[dict]:
    r"""Rows of a CSV or YAML roster: one mapping per run.

    CSV cells are text (an empty cell means "use the notebook's default"); a YAML
    roster is a list of mappings whose values keep their YAML types.

    Examples
    --------
    >>> import tempfile
    >>> roster = Path(tempfile.mkdtemp()) / "class.csv"
    >>> _ = roster.write_text("student_id,seed,branch\nana,1,\nben,2,Carlton\n")
    >>> read_roster(roster)
    [{'student_id': 'ana', 'seed': '1'}, {'student_id': 'ben', 'seed': '2', 'branch': 'Carlton'}]
    """
    path = Path(path)
    if not path.is_file():
        raise RunError(f"roster file not found: {path}")
    if path.suffix.lower() in (".yml", ".yaml"):
        import yaml

        try:
            rows = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise RunError(f"{path}: not valid YAML ({exc})") from None
        if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
            raise RunError(f"{path}: a YAML roster must be a non-empty list of mappings (one per run)")
        return [{str(k).strip(): v for k, v in r.items()} for r in rows]
    with open(path, newline="", encoding="utf-8-sig") as fh:  # utf-8-sig: spreadsheets write a BOM
        reader = csv.DictReader(fh)
        rows = []
        for line, row in enumerate(reader, start=2):
            if None in row:
                raise RunError(f"{path}, line {line}: more cells than columns")
            row = {k.strip(): v for k, v in row.items() if k is not None}
            if any((v or "").strip() for v in row.values()):
                rows.append({k: v for k, v in row.items() if v is not None and v.strip() != ""})
    if not rows:
        raise RunError(f"{path}: the roster has no rows")
    return rows


def build_runs(
    roster: list[dict] | None = None,
    grid: dict | None = None,
    fixed: dict | None = None,
    student_data: bool = False,
) -> list[Run]:
    """Turn a roster, a grid or fixed parameters into runs with unique, folder-safe ids.

    Examples
    --------
    >>> [r.run_id for r in build_runs(grid={"branch": ["Ashford", "Carlton"]})]
    ['branch-Ashford', 'branch-Carlton']
    >>> run = build_runs(roster=[{"student_id": "ann/../x", "seed": "7"}])[0]
    >>> run.run_id, run.data_seed
    ('ann_.._x', 7)
    """
    fixed = dict(fixed or {})
    if roster and grid:
        raise RunError("give a roster or a grid, not both")
    if roster:
        both = sorted(set(fixed) & {k for row in roster for k in row})
        if both:
            raise RunError(f"{', '.join(both)}: given both with -p and in the roster; keep one")
        rows = [{**fixed, **row} for row in roster]
    elif grid:
        both = sorted(set(fixed) & set(grid))
        if both:
            raise RunError(f"{', '.join(both)}: given both with -p and --grid; keep one")
        keys = list(grid)
        rows = [{**fixed, **dict(zip(keys, combo))} for combo in itertools.product(*(grid[k] for k in keys))]
    else:
        rows = [fixed]
    runs, seen = [], {}
    for i, row in enumerate(rows, start=1):
        ident = next((row[c] for c in ID_COLUMNS if row.get(c) not in (None, "")), None)
        if ident is None:
            ident = "_".join(f"{k}={v}" for k, v in row.items() if k in grid) if grid else f"run{i:03d}"
        rid = _safe_id(ident)
        if rid.lower() in seen:  # case-insensitive: some file systems are
            raise RunError(
                f"runs {seen[rid.lower()]} and {i} have the same id {rid!r} (as a folder name); "
                "give each row a unique run_id or student_id"
            )
        seen[rid.lower()] = i
        seed = None
        has_data = row.get("data_dir") not in (None, "", "None")
        if row.get("seed") not in (None, "") and not has_data:
            try:
                seed = int(str(row["seed"]).strip())
                if seed < 0:
                    raise ValueError
            except ValueError:
                raise RunError(f"run {rid}: seed {row['seed']!r} is not a whole number >= 0") from None
        elif student_data and not has_data:
            if row.get("student_id") in (None, ""):
                raise RunError(f"run {rid}: --student-data needs a student_id (or a seed) in every row")
            from .exercises import student_seed

            seed = student_seed(row["student_id"])
        runs.append(Run(rid, row, seed))
    return runs


def unused_columns(notebooks, runs: list[Run]) -> list[str]:
    """Roster or grid names that no notebook takes as a parameter (ids and seed excepted).

    Examples
    --------
    >>> nb = Path(__file__).parent.parent / "notebooks" / "03_headline_metrics.ipynb"
    >>> unused_columns([nb], build_runs(grid={"brnach": ["Ashford"], "confidence": [0.9]}))
    ['brnach']
    """
    declared = set().union(*(notebook_parameters(nb) for nb in notebooks))
    given = dict.fromkeys(k for r in runs for k in r.values)
    return [k for k in given if k not in declared and k not in (*ID_COLUMNS, "seed")]


# --- planning: what to run, with which parameters, and what is up to date ---


@dataclass
class _Task:
    run: Run
    notebook: Path
    target: Path
    params: dict
    key: str


def fingerprint() -> str:
    """A hash of cxlib's version and source: a change to cxlib makes every output out of date.

    Examples
    --------
    >>> len(fingerprint()), fingerprint() == fingerprint()
    (16, True)
    """
    h = hashlib.sha256(__version__.encode())
    pkg = Path(__file__).parent
    for p in sorted([*pkg.glob("*.py"), *pkg.glob("*.json")]):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _check_notebooks(notebooks) -> list[Path]:
    paths = [Path(nb) for nb in notebooks]
    if not paths:
        raise RunError("no notebooks to run")
    names = {}
    for p in paths:
        if not p.is_file():
            raise RunError(f"notebook not found: {p}")
        if p.name in names and names[p.name] != p.resolve():
            raise RunError(
                f"two notebooks are both named {p.name} ({names[p.name]} and {p}); "
                "run them in separate batches"
            )
        names[p.name] = p.resolve()
    return list(dict.fromkeys(paths))


def _plan(notebooks: list[Path], runs: list[Run], out: Path, fp: str) -> list[_Task]:
    defaults = {nb: notebook_parameters(nb) for nb in notebooks}
    digests = {nb: hashlib.sha256(nb.read_bytes()).hexdigest() for nb in notebooks}
    tasks, errors = [], []
    for run in runs:
        folder = out / run.run_id
        values = dict(run.values)
        if run.data_seed is not None:
            values["data_dir"] = str((folder / "data").resolve())
        for nb in notebooks:
            params = {}
            for k, v in values.items():
                if k not in defaults[nb]:
                    continue
                try:
                    params[k] = convert(k, v, defaults[nb][k], f"run {run.run_id}: ")
                except RunError as exc:
                    errors.append(str(exc))
                    continue
                if k == "data_dir" and isinstance(params[k], str):  # kernels start in the run folder
                    params[k] = str(Path(params[k]).expanduser().resolve())
            blob = json.dumps([digests[nb], params, run.data_seed, fp], sort_keys=True, default=str)
            key = hashlib.sha256(blob.encode()).hexdigest()
            tasks.append(_Task(run, nb, folder / nb.name, params, key))
    if errors:
        unique = list(dict.fromkeys(errors))
        more = f"\n... and {len(unique) - 20} more" if len(unique) > 20 else ""
        raise RunError("\n".join(unique[:20]) + more)
    return tasks


def _read_manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}  # missing or damaged (say, by an interruption): everything runs again


def _write_json(path: Path, data) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, default=str), encoding="utf-8")
    os.replace(tmp, path)  # atomic: an interruption leaves the old manifest or the new one


def _collect(path: Path) -> dict:
    try:
        return collect(path)
    except (OSError, ValueError, KeyError, TypeError):
        return {}


# --- executing (these run in the worker processes) ---


def _generate_data(folder: str, seed: int, stamp: dict) -> None:
    """Write the seed's data set into ``folder`` (replacing any other seed's)."""
    from .synth import write

    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    write(folder, seed=seed)
    _write_json(folder / DATA_STAMP, stamp)


def _failed_cell(executed: Path, index: int | None) -> tuple[int | None, str]:
    """1-based position of the failing cell in the *source* notebook, and its first line.

    papermill inserts a cell of injected parameters, which the source does not have, and
    error markers, which are dropped first.
    Without an index (a time limit), the failing cell is the last one that started.
    """
    try:
        with open(executed, encoding="utf-8") as fh:
            cells = json.load(fh)["cells"]
    except (OSError, ValueError, KeyError):
        return (None if index is None else index + 1), ""
    # papermill adds two markdown cells pointing at the error after it numbered the cells
    cells = [c for c in cells if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    if index is None:
        started = [
            i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")
        ]
        if not started:
            return None, ""
        index = started[-1]
    if not 0 <= index < len(cells):
        return index + 1, ""
    source = cells[index].get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    injected = [
        i for i, c in enumerate(cells) if "injected-parameters" in c.get("metadata", {}).get("tags", [])
    ]
    shift = 1 if injected and index > injected[0] else 0
    return index + 1 - shift, first[:120]


def _execute(notebook: str, target: str, params: dict, cwd: str, timeout: float | None) -> dict:
    """Run one notebook with papermill; never raises for a failure of the notebook.

    The time limit is the notebook's: each cell may take what is left of it, so the
    kernel is interrupted and shut down cleanly by nbclient when it runs out.
    """
    import logging

    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.ERROR)  # its parameter parser warns on None defaults
    Path(cwd).mkdir(parents=True, exist_ok=True)
    out = {"status": STATUS_OK, "cell": None, "code": "", "error": ""}
    start = time.perf_counter()

    def time_left(cell) -> float | None:
        return max(0.05, timeout - (time.perf_counter() - start)) if timeout else None

    try:
        pm.execute_notebook(
            notebook,
            target,
            parameters=params,
            cwd=cwd,
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            timeout_func=time_left,
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )  # no kernel chatter on the console
    except pm.PapermillExecutionError as exc:
        out.update(status=STATUS_FAILED, error=f"{exc.ename}: {exc.evalue}")
        out["cell"], out["code"] = _failed_cell(Path(target), exc.cell_index)
    except Exception as exc:  # noqa: BLE001 - any failure is reported, the batch goes on
        message = str(exc).strip().splitlines()
        if type(exc).__name__ == "CellTimeoutError" or isinstance(exc, TimeoutError):
            message = [f"time limit of {timeout:g} s for the notebook exceeded"]
            out["error"] = message[0]
        else:
            out["error"] = f"{type(exc).__name__}: {message[0] if message else ''}"
        out["status"] = STATUS_FAILED
        out["cell"], out["code"] = _failed_cell(Path(target), None)
    out["duration"] = time.perf_counter() - start
    out["recorded"] = _collect(Path(target)) if Path(target).exists() else {}
    return out


# --- the batch ---


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
    up to date (see the module docstring) are skipped unless ``force``. Writes
    ``summary.csv``, ``summary.html`` and ``notebooks.csv`` into ``out``, also when
    interrupted (with what finished).

    Parameters
    ----------
    notebooks : list of path
    runs : list of Run
        From :func:`build_runs`.
    out : path
        Output folder; each run gets ``out/<run_id>/``.
    workers : int, optional
        Parallel notebook executions (default: number of cores).
    timeout : float or None
        Seconds allowed for each notebook; None for no limit.
    force : bool
        Re-run up-to-date notebooks too.
    progress : bool
        Show a progress bar (on stderr).

    Examples
    --------
    >>> import tempfile, nbformat
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
    notebooks = _check_notebooks(notebooks)
    if not runs:
        raise RunError("no runs: the roster or grid is empty")
    out = Path(out)
    fp = fingerprint()
    tasks = _plan(notebooks, runs, out, fp)  # raises before anything runs
    out.mkdir(parents=True, exist_ok=True)
    manifests = {run.run_id: _read_manifest(out / run.run_id) for run in runs}
    results: dict[tuple[str, str], Result] = {}
    todo: dict[str, list[_Task]] = {run.run_id: [] for run in runs}
    for t in tasks:
        prev = manifests[t.run.run_id].get(t.notebook.name, {})
        if not force and prev.get("key") == t.key and prev.get("status") == STATUS_OK and t.target.exists():
            results[t.run.run_id, t.notebook.name] = Result(
                t.run.run_id,
                t.notebook.name,
                STATUS_SKIPPED,
                prev.get("duration", 0.0),
                parameters=t.params,
                recorded=_collect(t.target),
            )
        else:
            todo[t.run.run_id].append(t)
    stamps = {}
    for run in runs:
        if run.data_seed is not None and todo[run.run_id]:
            stamp = {"seed": run.data_seed, "cxlib": fp}
            data = out / run.run_id / "data"
            try:
                current = json.loads((data / DATA_STAMP).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                current = None
            if current != stamp:
                stamps[run.run_id] = stamp

    from tqdm.auto import tqdm

    class _Bar(tqdm):
        monitor_interval = 0  # no monitor thread: the worker processes are forked after the bar exists

    runs_left = {rid: len(ts) for rid, ts in todo.items()}
    bar = _Bar(
        total=len(runs),
        initial=sum(n == 0 for n in runs_left.values()),
        desc="runs",
        unit="run",
        disable=not progress,
        file=sys.stderr,
    )
    failed_runs = set()

    def finish(task: _Task, res: dict) -> None:
        rid, name = task.run.run_id, task.notebook.name
        results[rid, name] = Result(
            rid,
            name,
            res["status"],
            res.get("duration", 0.0),
            res.get("cell"),
            res.get("code", ""),
            res.get("error", ""),
            task.params,
            res.get("recorded", {}),
        )
        manifests[rid][name] = {
            "key": task.key,
            "status": res["status"],
            "duration": round(res.get("duration", 0), 2),
            "parameters": task.params,
            "error": res.get("error", ""),
        }
        (out / rid).mkdir(parents=True, exist_ok=True)
        _write_json(out / rid / "manifest.json", manifests[rid])
        if res["status"] == STATUS_FAILED:
            failed_runs.add(rid)
        runs_left[rid] -= 1
        if runs_left[rid] == 0:
            bar.update()
            bar.set_postfix(failed=len(failed_runs), refresh=False)

    def fail_all(rid: str, message: str) -> None:
        for t in todo[rid]:
            if (rid, t.notebook.name) not in results:
                finish(t, {"status": STATUS_FAILED, "error": message})

    def args(t: _Task):
        return str(t.notebook), str(t.target), t.params, str(out / t.run.run_id), timeout

    def data_args(rid: str):
        return str(out / rid / "data"), stamps[rid]["seed"], stamps[rid]

    workers = max(1, min(workers or os.cpu_count() or 1, max(1, sum(len(v) for v in todo.values()))))
    try:
        if workers == 1:
            for run in runs:
                rid = run.run_id
                if rid in stamps:
                    try:
                        _generate_data(*data_args(rid))
                    except Exception as exc:  # noqa: BLE001
                        fail_all(
                            rid,
                            f"generating the data for seed {run.data_seed} failed: "
                            f"{type(exc).__name__}: {exc}",
                        )
                        continue
                for t in todo[rid]:
                    finish(t, _execute(*args(t)))
        else:
            _run_parallel(workers, runs, todo, stamps, finish, fail_all, args, data_args)
    finally:
        bar.close()
        ordered = [
            results[t.run.run_id, t.notebook.name]
            for t in tasks
            if (t.run.run_id, t.notebook.name) in results
        ]
        write_summary(ordered, out, runs)
    return ordered


def _run_parallel(workers, runs, todo, stamps, finish, fail_all, args, data_args) -> None:
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {}

        def submit(kind, item, fn, *a):
            try:
                futures[pool.submit(fn, *a)] = (kind, item)
            except (BrokenProcessPool, RuntimeError) as exc:
                if kind == "data":
                    fail_all(item, f"the worker pool broke: {exc}")
                else:
                    finish(item, {"status": STATUS_FAILED, "error": f"the worker pool broke: {exc}"})

        for run in runs:  # data first (quick), then notebooks run by run
            if run.run_id in stamps:
                submit("data", run.run_id, _generate_data, *data_args(run.run_id))
        for run in runs:
            if run.run_id not in stamps:
                for t in todo[run.run_id]:
                    submit("notebook", t, _execute, *args(t))
        try:
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for fut in done:
                    kind, item = futures.pop(fut)
                    if kind == "data":
                        try:
                            fut.result()
                        except Exception as exc:  # noqa: BLE001 - this run fails, the others go on
                            fail_all(item, f"generating the data failed: {type(exc).__name__}: {exc}")
                            continue
                        for t in todo[item]:
                            submit("notebook", t, _execute, *args(t))
                    else:
                        try:
                            res = fut.result()
                        except Exception as exc:  # noqa: BLE001 - a crashed worker fails its notebook only
                            res = {"status": STATUS_FAILED, "error": f"{type(exc).__name__}: {exc}"}
                        finish(item, res)
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise


# --- summary ---


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def summary_table(results: list[Result], runs: list[Run] | None = None) -> tuple[list[str], list[dict]]:
    """One row per run: parameters, status, duration, first failure, recorded values.

    Returns the column names and the rows (dicts; a missing key is an empty cell).

    Examples
    --------
    >>> results = [Result("ana", "03.ipynb", STATUS_OK, 4.2, parameters={"branch": "Ashford"},
    ...                   recorded={"nps": 31.5}),
    ...            Result("ben", "03.ipynb", STATUS_FAILED, 1.0, cell=7, code="metrics.nps(x)",
    ...                   error="InputError: scores is empty", parameters={"branch": "Nowhere"})]
    >>> cols, rows = summary_table(results)
    >>> cols
    ['run_id', 'branch', 'status', 'passed', 'duration_s', 'failed_notebook', 'failed_cell', 'failed_code',
     'error', 'nps']
    >>> rows[1]["status"], rows[1]["failed_cell"], rows[0]["nps"]
    ('failed', 7, 31.5)
    """
    order = list(dict.fromkeys([r.run_id for r in runs] if runs else [r.run_id for r in results]))
    by_run = {rid: [r for r in results if r.run_id == rid] for rid in order}
    values = {r.run_id: r.values for r in runs} if runs else {}
    param_cols = list(dict.fromkeys(k for rid in order for k in values.get(rid, {})))
    param_cols += [k for k in dict.fromkeys(k for r in results for k in r.parameters) if k not in param_cols]
    who = {}
    for r in results:
        for name in r.recorded:
            who.setdefault(name, set()).add(r.notebook)
    rec_cols = []
    for r in results:
        for name in r.recorded:
            col = name if len(who[name]) == 1 else f"{Path(r.notebook).stem}.{name}"
            if col not in rec_cols:
                rec_cols.append(col)
    cols = [
        "run_id",
        *param_cols,
        "status",
        "passed",
        "duration_s",
        "failed_notebook",
        "failed_cell",
        "failed_code",
        "error",
        *rec_cols,
    ]
    rows = []
    for rid in order:
        rs = by_run[rid]
        row = {"run_id": rid}
        given = values.get(rid, {})
        for k in param_cols:
            shown = [r.parameters[k] for r in rs if k in r.parameters]
            row[k] = shown[0] if shown else given.get(k, "")
        failures = [r for r in rs if r.status == STATUS_FAILED]
        row["status"] = STATUS_FAILED if failures else (STATUS_OK if rs else "not run")
        if rs and all(r.status == STATUS_SKIPPED for r in rs):
            row["status"] = "ok (up to date)"
        row["passed"] = f"{len(rs) - len(failures)}/{len(rs)}"
        row["duration_s"] = f"{sum(r.duration for r in rs):.1f}"
        if failures:
            first = failures[0]
            more = (
                f" (+{len(failures) - 1} more failed notebook(s), see notebooks.csv)"
                if len(failures) > 1
                else ""
            )
            row.update(
                failed_notebook=first.notebook,
                failed_cell=first.cell,
                failed_code=first.code,
                error=first.error + more,
            )
        for r in rs:
            for name, v in r.recorded.items():
                row[name if len(who[name]) == 1 else f"{Path(r.notebook).stem}.{name}"] = v
        rows.append(row)
    return cols, rows


def _write_csv(path: Path, cols: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([safe_cell(c) for c in cols])
        for row in rows:
            w.writerow([safe_cell(_fmt(row.get(c))) for c in cols])


def _html_table(cols: list[str], rows: list[dict], link_col: str | None = None) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for row in rows:
        cells = []
        for c in cols:
            text = html.escape(_fmt(row.get(c)))
            if c == link_col and row.get(c):
                text = f'<a href="{html.escape(quote(str(row[c])))}/">{text}</a>'
            cells.append(f"<td>{text}</td>")
        status = str(row.get("status", ""))
        cls = (
            "failed"
            if status == STATUS_FAILED
            else ("skipped" if status.startswith(("ok (", STATUS_SKIPPED)) else "ok")
        )
        body.append(f'<tr class="{cls}">' + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def write_summary(results: list[Result], out: str | os.PathLike, runs: list[Run] | None = None) -> None:
    """Write ``summary.csv`` and ``notebooks.csv`` (spreadsheet-safe) and ``summary.html`` (escaped).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> write_summary([Result("ana", "03.ipynb", STATUS_FAILED, 1.0, cell=2, error="=HYPERLINK(x)")], out)
    >>> sorted(p.name for p in out.iterdir())
    ['notebooks.csv', 'summary.csv', 'summary.html']
    >>> "'=HYPERLINK(x)" in (out / "summary.csv").read_text()  # a formula is neutralised
    True
    """
    out = Path(out)
    cols, rows = summary_table(results, runs)
    _write_csv(out / "summary.csv", cols, rows)
    nb_cols = ["run_id", "notebook", "status", "duration_s", "failed_cell", "failed_code", "error"]
    nb_rows = [
        {
            "run_id": r.run_id,
            "notebook": r.notebook,
            "status": r.status,
            "duration_s": f"{r.duration:.1f}",
            "failed_cell": r.cell,
            "failed_code": r.code,
            "error": r.error,
        }
        for r in results
    ]
    _write_csv(out / "notebooks.csv", nb_cols, nb_rows)
    n_failed = sum(row["status"] == STATUS_FAILED for row in rows)
    failures = [row for row in nb_rows if row["status"] == STATUS_FAILED]
    fail_html = ("<h2>Failed notebooks</h2>" + _html_table(nb_cols, failures, "run_id")) if failures else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cx-course-kit batch run</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;margin-bottom:2em}}
td,th{{border:1px solid #bbb;padding:4px 8px;font-size:90%;vertical-align:top;text-align:left}}
th{{background:#eee;position:sticky;top:0}} tr.failed{{background:#fdd}} tr.skipped{{color:#555}}</style>
</head><body><h1>Batch run summary</h1>
<p>{len(rows) - n_failed} of {len(rows)} runs passed;
{len(results) - len(failures)} of {len(results)} notebook
runs passed ({sum(r.status == STATUS_SKIPPED for r in results)} were up to date and skipped).
Each run's notebooks are in its folder (follow the run id). Cells are counted from 1, from the top
of the notebook.</p>
{_html_table(cols, rows, "run_id")}
{fail_html}
</body></html>
"""
    (out / "summary.html").write_text(page, encoding="utf-8")


# --- command line ---


def _parse_grid(items: list[str] | None) -> dict:
    grid = {}
    for item in items or []:
        name, sep, values = item.partition("=")
        if not sep or not name.strip() or not values:
            raise RunError(f"--grid takes name=value1,value2; got {item!r}")
        grid[name.strip()] = values.split(",")
    return grid


def _expand(patterns: list[str]) -> list[str]:
    found = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            matches = sorted(glob.glob(pattern))
            if not matches:
                raise RunError(f"no notebook matches {pattern!r}")
            found.extend(matches)
        else:
            found.append(pattern)
    return found


def main(argv: list[str] | None = None) -> int:
    """The command line ``python -m cxlib.run`` (``cxkit``): a batch of notebook runs;
    returns 0 if all passed, 1 if some failed, 2 if the batch could not start.
    """
    parser = argparse.ArgumentParser(
        prog="cxkit",
        description=__doc__.split("\n\n")[0],
        epilog="Exit status: 0 all passed, 1 some failed, 2 the batch could not start. "
        "See the docstring of cxlib.run for the details.",
    )
    parser.add_argument(
        "notebooks", nargs="+", help="notebooks to run, paths or quoted globs (each run runs all)"
    )
    parser.add_argument("--out", required=True, help="output folder (one subfolder per run)")
    parser.add_argument(
        "--roster", help="CSV or YAML file, one row per run (run_id or student_id, parameters, seed)"
    )
    parser.add_argument(
        "--grid",
        action="append",
        metavar="NAME=V1,V2",
        help="a parameter's values; repeat for a grid of every combination",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="a parameter for every run",
    )
    parser.add_argument(
        "--student-data",
        action="store_true",
        help="give each run its own data, seeded from its student_id (unless it has a seed)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="parallel notebooks (default: number of cores)"
    )
    parser.add_argument(
        "--timeout", type=float, default=600, help="time limit per notebook in seconds (default 600)"
    )
    parser.add_argument("--force", action="store_true", help="re-run up-to-date notebooks too")
    parser.add_argument(
        "--dry-run", action="store_true", help="list the runs and their parameters, run nothing"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        notebooks = _check_notebooks(_expand(args.notebooks))
        roster = read_roster(args.roster) if args.roster else None
        runs = build_runs(roster, _parse_grid(args.grid), dict(args.parameter or []), args.student_data)
        unused = unused_columns(notebooks, runs)
        if unused:
            print(
                f"note: {', '.join(unused)} is not a parameter of any of these notebooks; "
                "kept in the summary only",
                file=sys.stderr,
            )
        if args.dry_run:
            tasks = _plan(notebooks, runs, Path(args.out), fingerprint())
            for t in tasks:
                data = f" (data generated from seed {t.run.data_seed})" if t.run.data_seed is not None else ""
                print(f"{t.run.run_id}: {t.notebook.name} {t.params}{data}")
            return 0
        results = run_batch(
            notebooks, runs, args.out, args.workers, args.timeout or None, args.force, progress=not args.quiet
        )
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    failed = [r for r in results if r.status == STATUS_FAILED]
    skipped = sum(r.status == STATUS_SKIPPED for r in results)
    print(
        f"{len(results) - len(failed)} of {len(results)} notebook runs passed ({skipped} up to date); "
        f"summary: {Path(args.out) / 'summary.html'}"
    )
    for r in failed:
        where = f", cell {r.cell}" if r.cell is not None else ""
        print(f"FAILED {r.run_id}: {r.notebook}{where}: {r.error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
