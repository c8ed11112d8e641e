"""Batch-run notebooks for a class: ``python -m cxlib.run`` (or ``cxkit``).

An instructor runs the lessons (or the solution notebooks, for answer keys) once per
student, section or data set::

    cxkit notebooks/03_headline_metrics.ipynb --roster class.csv --out runs/
    cxkit notebooks/0*.ipynb --grid branch=Ashford,Carlton --grid confidence=0.9,0.95 --out runs/
    cxkit solutions/*.ipynb -p data_dir my_export --out keys/

* **Runs.** A roster (CSV or YAML: one row per run) or a grid (every combination) or a
  single run from ``-p name value``. A column ``run_id`` or ``student_id`` names the run;
  otherwise runs are numbered. Columns the notebook does not declare as parameters are
  kept in the summary only.
* **Per-student data.** A ``seed`` column and no ``data_dir``: the runner generates that
  student's business with ``cxlib.synth`` into ``OUT/<run>/data`` and passes it as
  ``data_dir``. ``student_seed`` (from :mod:`cxlib.exercises`) turns ids into seeds.
* **Parameters are data, never code.** Values reach the notebook through papermill's
  parameter injection, which writes them as Python literals; roster text is converted
  to the type of the notebook's default (a number, true/false, text) and a value that
  cannot be converted stops the batch before anything runs.
* **Parallel, isolated, resumable.** Runs go to a pool of worker processes with a
  progress bar; each notebook has a time limit; a failing run does not stop the others.
  Re-running skips notebooks whose output is complete and up to date (same notebook,
  same parameters, same cxlib), so an interrupted class can be resumed.
* **Summary.** ``OUT/summary.csv`` and ``OUT/summary.html``: each run's parameters,
  status, duration, for a failure the notebook, cell and error, and the headline numbers
  each lesson recorded with :func:`cxlib.record.record`. The exit status is 0 only if
  every run passed.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import html
import itertools
import json
import os
import re
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import CxlibError
from .export import safe_cell
from .record import collect

STATUS_OK, STATUS_FAILED, STATUS_SKIPPED = "ok", "failed", "skipped"


class RunError(CxlibError):
    """The batch cannot start: a bad roster, grid, parameter or notebook."""


@dataclass
class Run:
    """One run: an id and the parameters given to every notebook of the run."""

    run_id: str
    values: dict
    generate_seed: int | None = None


@dataclass
class Result:
    run_id: str
    notebook: str
    status: str
    duration: float = 0.0
    cell: int | None = None
    error: str = ""
    parameters: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    recorded: dict = field(default_factory=dict)


# --- reading the notebook's parameters cell ---

def notebook_parameters(path: Path) -> dict:
    """The defaults of a notebook's ``parameters`` cell, as Python values.

    >>> notebook_parameters(Path(__file__).parent.parent / "notebooks" / "03_headline_metrics.ipynb")["confidence"]
    0.95
    """
    with open(path, encoding="utf-8") as fh:
        nb = json.load(fh)
    cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise RunError(f"{path}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    source = "".join(cells[0]["source"]) if isinstance(cells[0]["source"], list) else cells[0]["source"]
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                raise RunError(f"{path}: parameter {node.targets[0].id} is not a plain literal") from None
    return out


def convert(name: str, value, default, where: str = ""):
    """Convert a roster or command-line value to the type of the notebook's default.

    Text stays text (never evaluated). Numbers and true/false are parsed; a value that
    does not parse is an error naming the parameter.

    >>> convert("confidence", "0.9", 0.95)
    0.9
    >>> convert("branch", "__import__('os').system('x')", "Ashford")
    "__import__('os').system('x')"
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if isinstance(default, bool):
            low = text.lower()
            if low in ("true", "1", "yes"):
                return True
            if low in ("false", "0", "no"):
                return False
            raise ValueError
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
    except ValueError:
        kind = type(default).__name__
        raise RunError(f"{where}parameter {name}: {value!r} is not a valid {kind} "
                       f"(the notebook's default is {default!r})") from None
    if default is None and text.lower() in ("none", ""):
        return None
    return value


# --- building the list of runs ---

def _safe_id(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._")
    return cleaned[:80] or "run"


def read_roster(path: Path) -> list[dict]:
    """Rows of a CSV or YAML roster (a list of mappings)."""
    path = Path(path)
    if not path.is_file():
        raise RunError(f"roster file not found: {path}")
    if path.suffix.lower() in (".yml", ".yaml"):
        import yaml

        rows = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise RunError(f"{path}: a YAML roster must be a list of mappings (one per run)")
        return [{str(k): v for k, v in r.items()} for r in rows]
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise RunError(f"{path}: the roster has no rows")
    return rows


def build_runs(roster: list[dict] | None = None, grid: dict | None = None, fixed: dict | None = None) -> list[Run]:
    """Turn a roster, a grid or fixed parameters into runs with unique ids."""
    fixed = dict(fixed or {})
    if roster and grid:
        raise RunError("give a roster or a grid, not both")
    if roster:
        rows = [{**fixed, **row} for row in roster]
    elif grid:
        keys = list(grid)
        rows = [{**fixed, **dict(zip(keys, combo))} for combo in itertools.product(*(grid[k] for k in keys))]
    else:
        rows = [fixed]
    runs, seen = [], set()
    for i, row in enumerate(rows, start=1):
        ident = row.get("run_id") or row.get("student_id")
        if ident in (None, ""):
            shown = "-".join(f"{k}={v}" for k, v in row.items() if k not in ("data_dir",))
            ident = f"run{i:03d}" + (f"_{shown}" if shown and (grid or len(rows) > 1) else "")
        rid = _safe_id(ident)
        if rid in seen:
            raise RunError(f"two runs have the same id {rid!r}; give each row a unique run_id or student_id")
        seen.add(rid)
        seed = None
        if row.get("seed") not in (None, "") and row.get("data_dir") in (None, ""):
            try:
                seed = int(str(row["seed"]).strip())
            except ValueError:
                raise RunError(f"run {rid}: seed {row['seed']!r} is not a whole number") from None
        runs.append(Run(rid, row, seed))
    return runs


def _hash(notebook: Path, params: dict) -> str:
    h = hashlib.sha256(notebook.read_bytes())
    h.update(json.dumps(params, sort_keys=True, default=str).encode())
    h.update(__version__.encode())
    return h.hexdigest()


# --- executing ---

class _Timeout(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - exercised through the time-limit test
    raise _Timeout()


def _run_one(run: Run, notebooks: list[str], out: str, timeout: float, force: bool) -> list[Result]:
    """Execute every notebook of one run (in a worker process)."""
    import logging

    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.ERROR)  # its parameter parser warns on None defaults
    folder = Path(out) / run.run_id
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    values = dict(run.values)
    if run.generate_seed is not None:
        data_dir = folder / "data"
        if not (data_dir / "truth.json").exists():
            from .synth import write

            write(data_dir, seed=run.generate_seed)
        values["data_dir"] = str(data_dir.resolve())
    results = []
    for nb in notebooks:
        nb_path = Path(nb)
        defaults = notebook_parameters(nb_path)
        params = {k: convert(k, v, defaults[k], f"run {run.run_id}: ") for k, v in values.items() if k in defaults}
        extra = {k: v for k, v in run.values.items() if k not in defaults}
        target = folder / nb_path.name
        key = _hash(nb_path, params)
        prev = manifest.get(nb_path.name)
        if not force and prev and prev.get("hash") == key and prev.get("status") == STATUS_OK and target.exists():
            results.append(Result(run.run_id, nb_path.name, STATUS_SKIPPED, prev.get("duration", 0.0),
                                  parameters=params, extra=extra, recorded=collect(target)))
            continue
        start = time.perf_counter()
        res = Result(run.run_id, nb_path.name, STATUS_OK, parameters=params, extra=extra)
        old = signal.signal(signal.SIGALRM, _alarm) if timeout else None
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            pm.execute_notebook(str(nb_path), str(target), parameters=params, cwd=str(folder), kernel_name="python3",
                                progress_bar=False, execution_timeout=int(timeout) if timeout else None,
                                log_output=False)
        except pm.PapermillExecutionError as exc:
            res.status, res.cell, res.error = STATUS_FAILED, _source_index(target, exc.cell_index), \
                f"{exc.ename}: {exc.evalue}"
        except _Timeout:
            res.status, res.error = STATUS_FAILED, f"time limit of {timeout:g} s exceeded"
        except Exception as exc:  # noqa: BLE001 - any failure is reported, the batch goes on
            res.status, res.error = STATUS_FAILED, f"{type(exc).__name__}: {exc}"
        finally:
            if timeout:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
        res.duration = time.perf_counter() - start
        if target.exists():
            try:
                res.recorded = collect(target)
            except (ValueError, OSError):
                res.recorded = {}
        manifest[nb_path.name] = {"hash": key, "status": res.status, "duration": res.duration}
        manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
        results.append(res)
    return results


def _source_index(executed: Path, index: int) -> int:
    """The failing cell's index in the source notebook (papermill inserts a cell of injected parameters)."""
    try:
        with open(executed, encoding="utf-8") as fh:
            cells = json.load(fh)["cells"]
    except (OSError, ValueError, KeyError):
        return index
    injected = [i for i, c in enumerate(cells) if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    return index - 1 if injected and index > injected[0] else index


def run_batch(notebooks: list[str], runs: list[Run], out: str | Path, workers: int | None = None,
              timeout: float = 600, force: bool = False, progress: bool = True) -> list[Result]:
    """Execute ``notebooks`` for every run, in parallel; return one result per run and notebook."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for nb in notebooks:
        if not Path(nb).is_file():
            raise RunError(f"notebook not found: {nb}")
        defaults = notebook_parameters(Path(nb))
        for run in runs:  # convert everything first: a bad value stops the batch before anything runs
            for k, v in run.values.items():
                if k in defaults:
                    convert(k, v, defaults[k], f"run {run.run_id}: ")
    workers = max(1, min(workers or os.cpu_count() or 1, len(runs)))
    results: list[Result] = []
    from tqdm.auto import tqdm

    bar = tqdm(total=len(runs), desc="runs", unit="run", disable=not progress, file=sys.stderr)
    if workers == 1:
        for run in runs:
            results.extend(_run_one(run, notebooks, str(out), timeout, force))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_run_one, run, notebooks, str(out), timeout, force): run for run in runs}
            for fut in as_completed(futures):
                run = futures[fut]
                try:
                    results.extend(fut.result())
                except Exception as exc:  # noqa: BLE001 - a crashed worker fails its run only
                    results.extend(Result(run.run_id, Path(nb).name, STATUS_FAILED, error=f"{type(exc).__name__}: {exc}")
                                   for nb in notebooks)
                bar.update()
    bar.close()
    order = {r.run_id: i for i, r in enumerate(runs)}
    results.sort(key=lambda r: (order[r.run_id], notebooks.index(next(n for n in notebooks if Path(n).name == r.notebook))))
    write_summary(results, out)
    return results


# --- summary ---

def _rows(results: list[Result]) -> tuple[list[str], list[dict]]:
    param_cols = sorted({k for r in results for k in {**r.extra, **r.parameters}})
    rec_cols = sorted({k for r in results for k in r.recorded})
    cols = ["run_id", *param_cols, "notebook", "status", "duration_s", "failed_cell", "error", *rec_cols]
    rows = []
    for r in results:
        row = {"run_id": r.run_id, "notebook": r.notebook, "status": r.status, "duration_s": f"{r.duration:.1f}",
               "failed_cell": "" if r.cell is None else r.cell, "error": r.error}
        row.update({k: v for k, v in {**r.extra, **r.parameters}.items()})
        row.update(r.recorded)
        rows.append(row)
    return cols, rows


def write_summary(results: list[Result], out: Path) -> None:
    """Write ``summary.csv`` (spreadsheet-safe) and ``summary.html`` (escaped) into ``out``."""
    cols, rows = _rows(results)
    with open(out / "summary.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for row in rows:
            w.writerow([safe_cell("" if row.get(c) is None else str(row.get(c, ""))) for c in cols])
    ok = sum(r.status != STATUS_FAILED for r in results)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    body = "".join(
        f"<tr class='{html.escape(row['status'])}'>" + "".join(f"<td>{html.escape(str(row.get(c, '')))}</td>" for c in cols)
        + "</tr>" for row in rows)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cx-course-kit batch run</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #bbb;padding:4px 8px;font-size:90%}} tr.failed{{background:#fdd}} tr.skipped{{color:#666}}</style>
</head><body><h1>Batch run summary</h1>
<p>{ok} of {len(results)} notebook runs passed ({sum(r.status == STATUS_SKIPPED for r in results)} up to date and skipped).</p>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>
"""
    (out / "summary.html").write_text(page, encoding="utf-8")


def _parse_grid(items: list[str]) -> dict:
    grid = {}
    for item in items or []:
        if "=" not in item:
            raise RunError(f"--grid takes name=value1,value2; got {item!r}")
        name, values = item.split("=", 1)
        grid[name.strip()] = [v for v in values.split(",")]
    return grid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cxkit", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", help="notebooks to run (each run executes all of them)")
    parser.add_argument("--out", required=True, help="output folder (one subfolder per run)")
    parser.add_argument("--roster", help="CSV or YAML file, one row per run")
    parser.add_argument("--grid", action="append", help="name=v1,v2 (repeat for a grid of every combination)")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                        help="a parameter for every run")
    parser.add_argument("--workers", type=int, default=None, help="parallel runs (default: number of cores)")
    parser.add_argument("--timeout", type=float, default=600, help="time limit per notebook, in seconds")
    parser.add_argument("--force", action="store_true", help="re-run even up-to-date notebooks")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        roster = read_roster(Path(args.roster)) if args.roster else None
        runs = build_runs(roster, _parse_grid(args.grid), dict(args.parameter or []))
        results = run_batch(args.notebooks, runs, args.out, args.workers, args.timeout, args.force,
                            progress=not args.quiet)
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = [r for r in results if r.status == STATUS_FAILED]
    print(f"{len(results) - len(failed)} of {len(results)} notebook runs passed; summary in "
          f"{Path(args.out) / 'summary.html'}")
    for r in failed:
        where = f" (cell {r.cell})" if r.cell is not None else ""
        print(f"FAILED {r.run_id} {r.notebook}{where}: {r.error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
