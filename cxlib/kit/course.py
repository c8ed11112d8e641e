"""Check the data, execute the whole course and build its site: ``cxkit course --out build``.

What ``make course`` does after setting up the environment, in three steps:

1. **Data.** The shipped business (seed 0) is generated again into ``<out>/data`` and every
   table is loaded back through the validator, so a change to the generator or the schema
   that breaks the data stops here.
2. **Lessons.** Each lesson in ``notebooks/`` is run top to bottom with its default parameters
   by the batch runner (:mod:`cxlib.kit.batch`: in parallel, with a time limit, skipping
   lessons that are already up to date) into ``<out>/notebooks/``, with the run's summary in
   ``<out>/summary.html``.
3. **Site.** The course site is built from the freshly executed lessons into ``<out>/site/``
   (:mod:`cxlib.kit.site`); a lesson that failed keeps its stored notebook on the site. The
   site's folders are checked first: a ``<out>/site`` holding anything an earlier build did
   not write stops the command (exit status 2) before the data or the lessons are touched.

The command exits 1 if any lesson fails, naming it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def lessons(folder: Path | None = None) -> list[Path]:
    """The lesson notebooks in reading order.

    Parameters
    ----------
    folder : path, optional
        Where the lessons are (default: ``notebooks/``).

    Returns
    -------
    list of Path
        Every ``.ipynb`` there, by name (names starting with ``_`` are left out).

    Examples
    --------
    >>> [p.name for p in lessons()][:2]
    ['00_welcome.ipynb', '01_three_factors.ipynb']
    """
    folder = folder or ROOT / "notebooks"
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("_"))


def check_data(folder: str | Path, seed: int = 0, scale: float = 1.0) -> dict[str, int]:
    """Generate a business into ``folder`` and load every table back through the validator.

    Parameters
    ----------
    folder : path
        Where to write the data.
    seed : int
        The business (0: the shipped one).
    scale : float
        Multiplies the number of rows (1: the shipped size).

    Returns
    -------
    dict
        Table name to its number of rows (every table validated).

    Examples
    --------
    >>> import tempfile
    >>> rows = check_data(tempfile.mkdtemp(), scale=0.05)
    >>> rows["training"], rows["survey"] > 0
    (10, True)
    """
    from cxlib import data, synth

    written = synth.write(folder, seed=seed, scale=scale)
    return {name: len(data.load(name, written)) for name in data.tables()}


def execute_lessons(
    found: list[Path], out: Path, workers: int | None, timeout: float, force: bool
) -> list[str]:
    """Run the lessons into ``<out>/notebooks`` with the batch runner, printing one line each.

    Parameters
    ----------
    found : list of Path
        From :func:`lessons`.
    out : Path
        The build folder.
    workers : int or None
        Lessons run in parallel (default: one per core).
    timeout : float
        Seconds allowed for each lesson's cells.
    force : bool
        Re-run lessons that are up to date.

    Returns
    -------
    list of str
        The names of the lessons that failed.
    """
    from .batch import run_batch
    from .plan import STATUS_FAILED
    from .roster import Run

    results = run_batch(
        found, [Run("notebooks", {})], out, workers=workers, timeout=timeout, force=force, progress=False
    )
    for res in results:
        note = f"FAILED at cell {res.cell}: {res.error}" if res.status == STATUS_FAILED else res.status
        print(f"{res.notebook:<45} {res.duration:6.1f} s  {note}", flush=True)
    print(f"lessons executed into {out / 'notebooks'}; summary in {out / 'summary.html'}")
    return [res.notebook for res in results if res.status == STATUS_FAILED]


def add_arguments(parser) -> None:
    """The options of ``cxkit course``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The verb's parser.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> parser.parse_args(["--workers", "2"]).out
    'build'
    """
    parser.add_argument("--out", default="build", help="build folder (default: build)")
    parser.add_argument("--workers", type=int, default=None, help="lessons run in parallel (default: cores)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per lesson (default 900)")
    parser.add_argument("--force", action="store_true", help="re-run lessons that are up to date")


def run(args) -> int:
    """``cxkit course``: check the data, execute the lessons, build the site.

    Parameters
    ----------
    args : argparse.Namespace
        The options of :func:`add_arguments`.

    Returns
    -------
    int
        0 when every lesson ran, 1 when one failed (the site shows its stored version), 2 when
        the site's folders hold anything an earlier build did not write (checked first).
    """
    from cxlib.errors import CxlibError

    from .site import build, folders

    out = Path(args.out)
    try:
        folders(out / "site")  # refused now, not after the lessons have run
    except CxlibError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, rows in check_data(out / "data").items():
        print(f"{name:<13} {rows:>9,} rows  valid")
    found = lessons()
    failed = execute_lessons(found, out, args.workers, args.timeout, args.force) if found else []
    if not found:
        print("no lessons in notebooks/ yet; the data were generated and validated")
    pages = [stored if stored.name in failed else out / "notebooks" / stored.name for stored in found]
    try:
        site = build(out / "site", notebooks=pages)
    except CxlibError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"site built: open {site / 'index.html'} in a browser")
    if failed:
        print(
            f"{len(failed)} lesson(s) failed (the site shows their stored version): {', '.join(failed)}",
            file=sys.stderr,
        )
        return 1
    return 0
