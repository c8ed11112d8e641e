"""Execute notebooks once per row of a roster or combination of a grid: ``cxkit run``.

An instructor runs the lessons (or the solution notebooks, for answer keys) once per
student, section or data set::

    cxkit run notebooks/03_headline_metrics.ipynb --roster class.csv --out runs/
    cxkit run "notebooks/0*.ipynb" --grid branch=Ashford,Carlton --grid confidence=0.9,0.95 --out runs/
    cxkit run solutions/*.ipynb -p data_dir my_export --out keys/

* **Runs.** One run per row of a roster (CSV or YAML: a list of mappings), per combination
  of a grid (``--grid name=v1,v2``, repeated), or a single run. ``-p name value`` sets a
  parameter for every run. Every run executes all the notebooks given (paths or quoted
  globs) into ``OUT/<run-id>/<notebook>.ipynb``. The run id is the ``run_id`` or
  ``student_id`` column, else the grid values, else ``run001``..., made safe as a folder
  name. Columns that no notebook declares as a parameter are kept in the summary only (the
  command says which, in case of a typo).
* **Per-student data.** A ``seed`` column and no ``data_dir``: the runner generates that
  student's business with :mod:`cxlib.synth` into ``OUT/<run-id>/data`` and passes that
  folder as ``data_dir``; ``--student-data`` does the same with a seed made from each
  ``student_id`` (:func:`cxlib.synth.student_seed`). A notebook that declares a ``seed``
  parameter receives the seed too.
* **Parameters are data, never code.** papermill writes each value into the notebook as a
  Python literal; nothing from a roster is ever evaluated. CSV and command-line text is
  converted to the type of the notebook's default (:mod:`cxlib.kit.roster`); a value that
  does not fit stops the batch before anything runs, naming the run and the parameter. A
  relative ``data_dir`` is relative to the current folder.
* **Parallel, isolated, resumable.** Every (run, notebook) pair is a job for a pool of worker
  processes (default: one per core). Each notebook has a time limit (``--timeout`` seconds
  for its cells, counted from its first cell). A failing notebook does not stop the others.
  Re-running the same command skips notebooks whose output is complete and up to date (same
  notebook, parameters, data seed and cxlib: :mod:`cxlib.kit.plan`); ``--force`` re-runs them.
  A notebook counts as done only once it ran to the end: after an interruption (Ctrl-C), the
  next run executes every notebook that had not finished, also those of a ``--force`` run.
* **On a cluster.** ``--scheduler ADDRESS`` sends every (run, notebook) task to a Dask
  distributed cluster (``local:N``: N worker processes on this machine), with the same
  manifest, resume, time limit and summary (:mod:`cxlib.kit.dask_scheduler`). The workers
  read the notebooks and write into ``--out`` themselves, which must then be a folder they all
  share; with ``--no-shared-fs`` the notebooks and data are sent to them and the executed
  notebooks returned and written here.
* **Summary.** ``OUT/summary.csv``, ``OUT/summary.html`` and ``OUT/notebooks.csv``
  (:mod:`cxlib.kit.report`). The exit status is 0 only if every notebook of every run passed
  (1 if some failed, 2 if the batch could not start).
"""

from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path

from .plan import STATUS_FAILED, STATUS_SKIPPED, check_notebooks, fingerprint, plan
from .roster import RunError, build_runs, parse_grid, read_roster, unused_columns


def expand(patterns: list[str]) -> list[str]:
    """Notebook paths from the command line: quoted globs expanded (sorted), paths kept.

    Parameters
    ----------
    patterns : list of str
        Paths, or patterns with ``*``, ``?`` or ``[``.

    Returns
    -------
    list of str
        The paths, in the order given.

    Examples
    --------
    >>> root = Path(__file__).parents[2]
    >>> [Path(p).name for p in expand([str(root / "notebooks" / "0[01]_*.ipynb")])]
    ['00_welcome.ipynb', '01_three_factors.ipynb']
    """
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``cxkit run``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The verb's parser.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> parser.parse_args(["03.ipynb", "--out", "runs", "-p", "branch", "Carlton"]).parameter
    [['branch', 'Carlton']]
    """
    add = parser.add_argument
    add("notebooks", nargs="+", help="notebooks to run, paths or quoted globs (each run runs all)")
    add("--out", required=True, help="output folder (one subfolder per run)")
    add("--roster", help="CSV or YAML file, one row per run (run_id or student_id, parameters, seed)")
    add("--grid", action="append", metavar="NAME=V1,V2", help="a parameter's values; repeat for a grid")
    add("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"), help="for every run")
    add(
        "--student-data",
        action="store_true",
        help="give each run its own data, seeded from its student_id (unless it has a seed)",
    )
    add("--workers", type=int, default=None, help="parallel notebooks (default: number of cores)")
    add(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster: a scheduler's address (tcp://host:8786) or local:N for N local "
        "worker processes (pip install cx-course-kit[cluster])",
    )
    add(
        "--no-shared-fs",
        dest="shared_fs",
        action="store_false",
        help="the workers share no folder with this machine: send them the notebooks and data, and "
        "write the executed notebooks they return here",
    )
    add("--timeout", type=float, default=600, help="seconds per notebook, for its cells (default 600)")
    add("--force", action="store_true", help="re-run up-to-date notebooks too")
    add("--dry-run", action="store_true", help="list the runs and their parameters, run nothing")
    add("--quiet", action="store_true", help="no progress bar")


def _dry_run(notebooks, runs, out: str) -> int:
    for t in plan(notebooks, runs, Path(out), fingerprint()):
        data = f" (data generated from seed {t.run.data_seed})" if t.run.data_seed is not None else ""
        print(f"{t.run.run_id}: {t.notebook.name} {t.params}{data}")
    return 0


def _report(results, out: str) -> int:
    failed = [r for r in results if r.status == STATUS_FAILED]
    skipped = sum(r.status == STATUS_SKIPPED for r in results)
    print(
        f"{len(results) - len(failed)} of {len(results)} notebook runs passed ({skipped} up to date); "
        f"summary: {Path(out) / 'summary.html'}"
    )
    for r in failed:
        where = f", cell {r.cell}" if r.cell is not None else ""
        print(f"FAILED {r.run_id}: {r.notebook}{where}: {r.error}", file=sys.stderr)
    return 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    """``cxkit run``: plan the batch, then run it (or, with ``--dry-run``, list it).

    Parameters
    ----------
    args : argparse.Namespace
        The options of :func:`add_arguments`.

    Returns
    -------
    int
        0 if every notebook passed, 1 if some failed, 2 if the batch could not start.
    """
    from .batch import run_batch

    try:
        notebooks = check_notebooks(expand(args.notebooks))
        roster = read_roster(args.roster) if args.roster else None
        runs = build_runs(roster, parse_grid(args.grid), dict(args.parameter or []), args.student_data)
        unused = unused_columns(notebooks, runs)
        if unused:
            names = ", ".join(unused)
            print(
                f"note: {names} is not a parameter of any of these notebooks; kept in the summary only",
                file=sys.stderr,
            )
        if args.dry_run:
            return _dry_run(notebooks, runs, args.out)
        results = run_batch(
            notebooks,
            runs,
            args.out,
            args.workers,
            args.timeout or None,
            args.force,
            progress=not args.quiet,
            scheduler=args.scheduler,
            shared_fs=args.shared_fs,
        )
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    return _report(results, args.out)
