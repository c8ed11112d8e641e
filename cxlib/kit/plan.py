"""What to run and what is up to date: tasks, their cache keys and the manifest of each run.

The second step of a batch (parameterize): every (run, notebook) pair becomes a :class:`Task` with
its converted parameters and a cache key. ``OUT/<run-id>/manifest.json`` records, per notebook,
the key, the status and the duration of the last execution; a notebook whose output exists,
passed and has the same key is up to date and is skipped, so an interrupted class resumes where
it stopped.

**The cache key** covers what a notebook can use: the learner's package (every ``.py`` and
``.json`` file of :mod:`cxlib` outside ``cxlib/kit/``, and its version), the notebook file, its
parameters and the seed of its generated data. Editing the instructor's tooling (``cxlib/kit/``)
leaves every output up to date; editing an analysis module makes every output out of date.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import cxlib

from .roster import Run, RunError, convert, notebook_parameters

STATUS_OK, STATUS_FAILED, STATUS_SKIPPED = "ok", "failed", "skipped"
# In a manifest: the notebook was handed to a worker and has not finished (yet, or ever: interrupted).
STATUS_STARTED = "started"
MANIFEST = "manifest.json"
DATA_STAMP = ".cxkit-data.json"
# Folders of the package a notebook does not use: the tooling, the shipped data (the data's seed is
# in the key), caches.
_NOT_LEARNER = {"kit", "datasets", "__pycache__"}


@dataclass(frozen=True)
class Task:
    """One notebook of one run: where it is written, with which parameters, under which key."""

    run: Run
    notebook: Path
    target: Path
    params: dict
    key: str


def fingerprint(package: str | os.PathLike | None = None) -> str:
    """A hash of the learner's package: cxlib's version and its ``.py``/``.json`` files outside ``kit/``.

    Parameters
    ----------
    package : path, optional
        The package folder to hash (default: the installed :mod:`cxlib`).

    Returns
    -------
    str
        16 hex digits; it changes when any file a notebook can import changes.

    Examples
    --------
    >>> len(fingerprint()), fingerprint() == fingerprint()
    (16, True)
    """
    root = Path(package) if package is not None else Path(cxlib.__file__).parent
    h = hashlib.sha256(cxlib.__version__.encode())
    files = [
        p
        for p in root.rglob("*")
        if p.suffix in (".py", ".json") and p.is_file() and not _NOT_LEARNER & set(p.relative_to(root).parts)
    ]
    for p in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def check_notebooks(notebooks) -> list[Path]:
    """The notebooks of a batch as paths, each once, checked to exist and to have distinct names.

    Parameters
    ----------
    notebooks : list of path
        Notebook files.

    Returns
    -------
    list of Path
        In the order given, repeats removed.

    Examples
    --------
    >>> nb = Path(__file__).parents[2] / "notebooks" / "03_headline_metrics.ipynb"
    >>> [p.name for p in check_notebooks([nb, nb])]
    ['03_headline_metrics.ipynb']
    """
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


def _parameters(run: Run, values: dict, defaults: dict, errors: list[str]) -> dict:
    """The run's values this notebook declares, converted to the defaults' types."""
    params = {}
    for k, v in values.items():
        if k not in defaults:
            continue
        try:
            params[k] = convert(k, v, defaults[k], f"run {run.run_id}: ")
        except RunError as exc:
            errors.append(str(exc))
            continue
        if k == "data_dir" and isinstance(params[k], str):  # kernels start in the run folder
            params[k] = str(Path(params[k]).expanduser().resolve())
    return params


def plan(notebooks: list[Path], runs: list[Run], out: str | os.PathLike, fp: str) -> list[Task]:
    """Every (run, notebook) task with its converted parameters and cache key; checks all first.

    Parameters
    ----------
    notebooks : list of Path
        From :func:`check_notebooks`.
    runs : list of Run
        From :func:`cxlib.kit.roster.build_runs`.
    out : path
        The batch's output folder (nothing is written).
    fp : str
        The learner package's :func:`fingerprint`.

    Returns
    -------
    list of Task
        Run by run, notebook by notebook.

    Raises
    ------
    RunError
        Naming every value that cannot be converted (the first 20), before anything runs.

    Examples
    --------
    >>> from cxlib.kit.roster import build_runs
    >>> nb = Path(__file__).parents[2] / "notebooks" / "03_headline_metrics.ipynb"
    >>> [t.params for t in plan([nb], build_runs(grid={"confidence": ["0.9"]}), "out", "fp")]
    [{'confidence': 0.9}]
    """
    out = Path(out)
    defaults = {nb: notebook_parameters(nb) for nb in notebooks}
    digests = {nb: hashlib.sha256(nb.read_bytes()).hexdigest() for nb in notebooks}
    tasks, errors = [], []
    for run in runs:
        folder = out / run.run_id
        values = dict(run.values)
        if run.data_seed is not None:
            values["data_dir"] = str((folder / "data").resolve())
        for nb in notebooks:
            params = _parameters(run, values, defaults[nb], errors)
            blob = json.dumps([digests[nb], params, run.data_seed, fp], sort_keys=True, default=str)
            tasks.append(Task(run, nb, folder / nb.name, params, hashlib.sha256(blob.encode()).hexdigest()))
    if errors:
        unique = list(dict.fromkeys(errors))
        more = f"\n... and {len(unique) - 20} more" if len(unique) > 20 else ""
        raise RunError("\n".join(unique[:20]) + more)
    return tasks


def _entry_is_sound(entry) -> bool:
    """A manifest entry as :class:`cxlib.kit.batch` writes it: an object with a text key and status."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("key"), str)
        and isinstance(entry.get("status"), str)
        and isinstance(entry.get("duration", 0.0), (int, float))
        and not isinstance(entry.get("duration"), bool)
    )


def read_manifest(folder: str | os.PathLike) -> dict:
    """A run folder's manifest: notebook name to its last key, status, duration and parameters.

    Parameters
    ----------
    folder : path
        ``OUT/<run-id>``.

    Returns
    -------
    dict
        The sound entries. A missing or damaged manifest gives an empty one, and an entry that is
        not an object with a text ``key`` and ``status`` (edited by hand, say) is left out: those
        notebooks run again.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> read_manifest(folder)
    {}
    >>> _ = (folder / MANIFEST).write_text('{"a.ipynb": "ok", "b.ipynb": {"key": "k", "status": "ok"}}')
    >>> read_manifest(folder)
    {'b.ipynb': {'key': 'k', 'status': 'ok'}}
    """
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {name: entry for name, entry in data.items() if _entry_is_sound(entry)}


def write_json(path: str | os.PathLike, data) -> None:
    """Write JSON atomically: an interruption leaves the old file or the new one, never half of one.

    Parameters
    ----------
    path : path
        The file.
    data : object
        Anything :func:`json.dumps` can write (other values as their text).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / MANIFEST
    >>> write_json(path, {"03.ipynb": {"key": "k1", "status": "ok"}})
    >>> read_manifest(path.parent)
    {'03.ipynb': {'key': 'k1', 'status': 'ok'}}
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, default=str), encoding="utf-8")
    os.replace(tmp, path)


def up_to_date(task: Task, manifest: dict) -> bool:
    """Whether a task's output exists and passed with the same cache key.

    Parameters
    ----------
    task : Task
        The task.
    manifest : dict
        Its run's :func:`read_manifest`.

    Returns
    -------
    bool
        True when the task can be skipped: its last execution ran to the end (a notebook handed to a
        worker is marked ``started`` until then) and passed, with the same key, and its output exists.

    Examples
    --------
    >>> from cxlib.kit.roster import Run
    >>> task = Task(Run("ann", {}), Path("03.ipynb"), Path("missing/03.ipynb"), {}, "k1")
    >>> up_to_date(task, {"03.ipynb": {"key": "k1", "status": "ok"}})  # its output is gone
    False
    """
    prev = manifest.get(task.notebook.name, {})
    return prev.get("key") == task.key and prev.get("status") == STATUS_OK and task.target.exists()


def data_stamp(run: Run, fp: str) -> dict:
    """What a run's generated data were made from: its seed and the learner package.

    Parameters
    ----------
    run : Run
        A run with a ``data_seed``.
    fp : str
        The learner package's :func:`fingerprint` (the generator is part of it).

    Returns
    -------
    dict
        Written as ``OUT/<run-id>/data/.cxkit-data.json`` beside the data.

    Examples
    --------
    >>> from cxlib.kit.roster import Run
    >>> data_stamp(Run("ann", {}, data_seed=7), "abc")
    {'seed': 7, 'cxlib': 'abc'}
    """
    return {"seed": run.data_seed, "cxlib": fp}


def data_is_current(folder: str | os.PathLike, stamp: dict) -> bool:
    """Whether a data folder holds the data its stamp describes (same seed, same generator).

    Parameters
    ----------
    folder : path
        ``OUT/<run-id>/data``.
    stamp : dict
        From :func:`data_stamp`.

    Returns
    -------
    bool
        False when the folder or its stamp is missing, damaged or different.

    Examples
    --------
    >>> import tempfile
    >>> data_is_current(tempfile.mkdtemp(), {"seed": 7, "cxlib": "abc"})
    False
    """
    try:
        return json.loads((Path(folder) / DATA_STAMP).read_text(encoding="utf-8")) == stamp
    except (OSError, ValueError):
        return False
