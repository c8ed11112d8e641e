"""Build the stored notebooks from their MyST Markdown sources: ``cxkit notebooks``.

Every lesson and solution is written as a MyST Markdown notebook (``notebooks/NN_name.md``,
``solutions/NN_name.md``, read with jupytext): that is the file people edit and review.
The ``.ipynb`` beside it is generated from it by executing it top to bottom, with its outputs
stored: what self-learners read on GitHub and what nbval re-executes and compares.

* ``cxkit notebooks`` rebuilds every ``.ipynb`` whose source changed (or all, with ``--force``),
  in parallel, with a time limit per cell;
* ``cxkit notebooks --check`` builds nothing and lists the notebooks that differ from their
  source (cell types, sources and tags, and the ``cxkit`` metadata), exiting 1 if any does.

The source's front matter holds the notebook's metadata: the kernel, and under ``cxkit`` the
parameter sets the tests run the notebook with (``test_parameters``, ``bad_parameters``), so a
reviewer sees them. Cell ids are made from the file name and the cell's position, so a rebuild
changes only what the source changed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from .schedule import Job, make_scheduler

ROOT = Path(__file__).resolve().parents[2]
SOURCE_FOLDERS = ("notebooks", "solutions")
FORMAT = "md:myst"
# What the front matter keeps: the kit's metadata and the kernel; jupytext's own version is left out
# so that a new jupytext does not change every source.
METADATA_FILTER = "cxkit,-jupytext.text_representation.jupytext_version"
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def sources(folders=None) -> list[Path]:
    """The MyST sources of the lessons and solutions, in order.

    Parameters
    ----------
    folders : list of path, optional
        Folders to look in (default: ``notebooks/`` and ``solutions/`` of the kit).

    Returns
    -------
    list of Path
        Every ``NN_name.md`` file (README and other pages are not notebooks).

    Examples
    --------
    >>> [p.name for p in sources()][:2]
    ['00_welcome.md', '01_three_factors.md']
    """
    folders = [ROOT / f for f in SOURCE_FOLDERS] if folders is None else [Path(f) for f in folders]
    return [p for f in folders for p in sorted(f.glob("[0-9][0-9]_*.md"))]


def read_source(path: str | os.PathLike):
    """Read a MyST source as a notebook without outputs, ready to execute or compare.

    Parameters
    ----------
    path : path
        A ``.md`` file in jupytext's MyST format.

    Returns
    -------
    nbformat.NotebookNode
        The notebook: cell ids ``<stem>-NN``, the kit's kernel, and the front matter's
        ``cxkit`` metadata (jupytext's own metadata dropped).

    Examples
    --------
    >>> nb = read_source(ROOT / "notebooks" / "00_welcome.md")
    >>> nb.cells[0].id, nb.metadata.kernelspec.name
    ('00-welcome-00', 'python3')
    """
    import jupytext

    path = Path(path)
    nb = jupytext.read(path, fmt=FORMAT)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = dict(KERNEL)
    stem = path.stem.replace("_", "-")
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{stem}-{i:02d}"
        if cell.cell_type == "code":
            cell.metadata.pop("execution", None)
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def write_source(nb, path: str | os.PathLike) -> None:
    """Write a notebook as a MyST source (cells and the ``cxkit`` metadata; no outputs).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook.
    path : path
        The ``.md`` file to write.

    Examples
    --------
    >>> import tempfile
    >>> nb = read_source(ROOT / "notebooks" / "00_welcome.md")
    >>> copy = Path(tempfile.mkdtemp()) / "00_welcome.md"
    >>> write_source(nb, copy)
    >>> _structure(read_source(copy)) == _structure(nb)
    True
    """
    import jupytext

    nb = jupytext.reads(jupytext.writes(nb, fmt="ipynb"), fmt="ipynb")
    nb.metadata["kernelspec"] = dict(KERNEL)
    nb.metadata.setdefault("jupytext", {})["notebook_metadata_filter"] = METADATA_FILTER
    jupytext.write(nb, path, fmt=FORMAT)


def _structure(nb) -> list[tuple]:
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def differences(source: str | os.PathLike, notebook: str | os.PathLike) -> list[str]:
    """How a stored ``.ipynb`` differs from its MyST source (empty when they agree).

    Compares the cells' types, sources and tags, and the ``cxkit`` metadata; outputs are
    not compared (nbval re-executes the notebook for that).

    Parameters
    ----------
    source : path
        The ``.md`` source.
    notebook : path
        The generated ``.ipynb``.

    Returns
    -------
    list of str
        One line per difference, naming the cell (counted from 1).

    Examples
    --------
    >>> differences(ROOT / "notebooks" / "00_welcome.md", ROOT / "notebooks" / "00_welcome.ipynb")
    []
    """
    import nbformat

    notebook = Path(notebook)
    if not notebook.is_file():
        return [f"{notebook.name} does not exist; run `cxkit notebooks`"]
    want = read_source(source)
    have = nbformat.read(notebook, as_version=4)
    found = []
    a, b = _structure(want), _structure(have)
    for i, (x, y) in enumerate(zip(a, b), start=1):
        for what, u, v in zip(("the type differs", "the source differs", "the tags differ"), x, y):
            if u != v:
                found.append(f"{notebook.name}, cell {i}: {what} from {Path(source).name}")
    if len(a) != len(b):
        found.append(f"{notebook.name} has {len(b)} cells, {Path(source).name} has {len(a)}")
    if want.metadata.get("cxkit") != have.metadata.get("cxkit"):
        found.append(
            f"{notebook.name}: the cxkit metadata differs from the front matter of {Path(source).name}"
        )
    return found


def execute(
    source: str | os.PathLike, notebook: str | os.PathLike | None = None, timeout: float = 900
) -> Path:
    """Execute a MyST source top to bottom and write the ``.ipynb`` with its outputs.

    The notebook runs in its own folder (as a reader's would), with the kit's kernel.
    Nothing is written if a cell fails: the error names the notebook and the cell.

    Parameters
    ----------
    source : path
        The ``.md`` source.
    notebook : path, optional
        Where to write (default: the same name with ``.ipynb``).
    timeout : float
        Seconds allowed for each cell.

    Returns
    -------
    Path
        The notebook written.
    """
    import nbformat
    from nbclient import NotebookClient

    source = Path(source)
    notebook = Path(notebook) if notebook is not None else source.with_suffix(".ipynb")
    nb = read_source(source)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL["name"],
        resources={"metadata": {"path": str(source.parent)}},
        coalesce_streams=True,
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
    )
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    tmp = notebook.with_name(notebook.name + ".tmp")
    nbformat.write(nb, tmp)
    os.replace(tmp, notebook)
    return notebook


def _build_one(source: str, timeout: float) -> tuple[str, float, str]:
    start = time.perf_counter()
    try:
        execute(source, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - reported, the other notebooks go on
        lines = str(exc).strip().splitlines()
        return source, time.perf_counter() - start, f"{type(exc).__name__}: {lines[-1] if lines else ''}"
    return source, time.perf_counter() - start, ""


def stale(paths) -> list[Path]:
    """Sources whose ``.ipynb`` is missing or out of step with it (see :func:`differences`).

    File times are not compared: a fresh clone writes files in any order.

    Parameters
    ----------
    paths : list of path
        MyST sources.

    Returns
    -------
    list of Path
        The sources to rebuild.

    Examples
    --------
    >>> stale([ROOT / "notebooks" / "00_welcome.md"])
    []
    """
    out = []
    for src in map(Path, paths):
        nb = src.with_suffix(".ipynb")
        if not nb.is_file() or differences(src, nb):
            out.append(src)
    return out


def build(paths=None, force: bool = False, workers: int | None = None, timeout: float = 900) -> list[str]:
    """Rebuild the ``.ipynb`` of each source that is stale (or of all, with ``force``).

    Parameters
    ----------
    paths : list of path, optional
        MyST sources (default: every lesson and solution).
    force : bool
        Rebuild up-to-date notebooks too.
    workers : int, optional
        Notebooks executed in parallel (default: number of cores).
    timeout : float
        Seconds allowed for each cell.

    Returns
    -------
    list of str
        One line per notebook that failed (empty when all were built).
    """
    paths = [Path(p) for p in (sources() if paths is None else paths)]
    todo = paths if force else stale(paths)
    failures = []
    if not todo:
        print("every notebook is up to date with its source")
        return failures
    jobs = [Job((str(src),), _build_one, (str(src), timeout)) for src in todo]
    for done in make_scheduler(workers, len(jobs)).run(jobs):
        src, seconds, error = done.value if done.error is None else (done.key[0], 0.0, done.error)
        name = Path(src).relative_to(ROOT) if Path(src).is_relative_to(ROOT) else Path(src)
        print(f"{str(name):<45} {seconds:6.1f} s  {'FAILED: ' + error if error else 'built'}", flush=True)
        if error:
            failures.append(f"{name}: {error}")
    return failures


def check(paths=None) -> list[str]:
    """Every difference between the stored notebooks and their sources (see :func:`differences`).

    Parameters
    ----------
    paths : list of path, optional
        MyST sources (default: every lesson and solution).

    Returns
    -------
    list of str
        One line per difference; empty when every notebook agrees with its source.

    Examples
    --------
    >>> check([ROOT / "solutions" / "03_headline_metrics.md"])
    []
    """
    paths = [Path(p) for p in (sources() if paths is None else paths)]
    return [d for src in paths for d in differences(src, src.with_suffix(".ipynb"))]


def add_arguments(parser) -> None:
    """The options of ``cxkit notebooks``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The verb's parser.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> parser.parse_args(["--check", "notebooks/03_headline_metrics.md"]).check
    True
    """
    add = parser.add_argument
    add("sources", nargs="*", help="MyST sources (default: every lesson and solution)")
    add("--check", action="store_true", help="build nothing; list notebooks out of step with their source")
    add("--force", action="store_true", help="rebuild up-to-date notebooks too")
    add("--workers", type=int, default=None, help="notebooks in parallel (default: cores)")
    add("--timeout", type=float, default=900, help="seconds allowed per cell (default 900)")


def run(args) -> int:
    """``cxkit notebooks``: rebuild the stale notebooks, or with ``--check`` list the differences.

    Parameters
    ----------
    args : argparse.Namespace
        The options of :func:`add_arguments`.

    Returns
    -------
    int
        0 when every notebook was built (or agrees with its source), 1 otherwise.
    """
    paths = [Path(p) for p in args.sources] or None
    if args.check:
        found = check(paths)
        for line in found:
            print(line)
        print(f"{len(found)} difference(s)" if found else "every notebook agrees with its source")
        return 1 if found else 0
    failures = build(paths, args.force, args.workers, args.timeout)
    for line in failures:
        print(f"FAILED {line}", file=sys.stderr)
    return 1 if failures else 0
