"""Who runs, with which parameters: rosters, grids, and parameter text converted to the right type.

The first step of a batch (load): read a roster (CSV or YAML) or a grid, turn each row into a
:class:`Run` with a folder-safe id and, when it asks for its own data, a seed; read a notebook's
``parameters`` cell (never executed); convert text from a CSV or the command line to the type of
the notebook's default. Nothing here runs a notebook.

* **Run ids.** The ``run_id`` or ``student_id`` column, else the grid values, else ``run001``...,
  made safe as a folder name and unique ignoring case (some file systems ignore it).
* **Per-student data.** A ``seed`` column (and no ``data_dir``) gives the run its own business;
  ``student_data=True`` makes the seed from each ``student_id`` (:func:`cxlib.synth.student_seed`).
* **Parameters are data, never code.** Text becomes a number or true/false only where the
  notebook's default is one (``0.95`` -> float, ``2024`` -> int, ``true``/``yes``/``1`` -> True),
  and stays text otherwise; for a default of ``None``, an empty cell or ``None`` means None and
  anything else is text. YAML values keep their YAML type, which must fit the default (an int is
  accepted where a float is expected). A value that does not fit raises :class:`RunError` naming
  the run and the parameter.
"""

from __future__ import annotations

import ast
import csv
import datetime
import hashlib
import itertools
import json
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cxlib.errors import CxlibError

ID_COLUMNS = ("run_id", "student_id")
# What a batch writes into its output folder beside the runs' folders: no run may be named so.
BATCH_FILES = ("summary.csv", "summary.html", "notebooks.csv")
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


class RunError(CxlibError):
    """The batch cannot start: a bad roster, grid, parameter or notebook."""


@dataclass(frozen=True)
class Run:
    """One run: an id, the values given for it, and the seed of its own data (if any)."""

    run_id: str
    values: dict
    data_seed: int | None = None


# --- the notebook's parameters cell ---


def notebook_parameters(path: str | os.PathLike) -> dict:
    """The defaults of a notebook's ``parameters`` cell, as Python values.

    The cell must hold plain literals (``confidence = 0.95``); they are read with
    :func:`ast.literal_eval`, never executed.

    Parameters
    ----------
    path : path
        An ``.ipynb`` file with exactly one cell tagged ``parameters``.

    Returns
    -------
    dict
        Parameter name to default value, in the cell's order.

    Examples
    --------
    >>> nb = Path(__file__).parents[2] / "notebooks" / "03_headline_metrics.ipynb"
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


# --- converting a value to the type of the default ---


class _Misfit(Exception):
    """Raised inside the converters with what was expected; :func:`convert` words the message."""


def _from_text(value: str, default):
    """Text from a CSV cell or the command line, for a default that is not text."""
    text = value.strip()
    if default is None:
        return None if text in ("", "None", "none", "null") else value
    if isinstance(default, bool):
        if text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE
        raise _Misfit("true or false")
    if isinstance(default, int):
        if not re.fullmatch(r"[+-]?\d+", text):
            raise _Misfit("a whole number")
        return int(text)
    if isinstance(default, float):
        try:
            number = float(text)
        except ValueError:
            raise _Misfit("a number") from None
        if not math.isfinite(number):
            raise _Misfit("a finite number")
        return number
    raise _Misfit(f"a {type(default).__name__} (text cannot be converted to one)")


def _kind(value) -> str:
    """A value's kind in words, for messages: 'a date', 'a set', 'a whole number'..."""
    words = {bool: "true/false", int: "a whole number", float: "a number", str: "text", list: "a list"}
    words.update({dict: "a mapping", set: "a set", frozenset: "a set", tuple: "a tuple", bytes: "bytes"})
    words.update({datetime.date: "a date", datetime.datetime: "a date and time", datetime.time: "a time"})
    return words.get(type(value), f"a {type(value).__name__}")


def _plain(value, inside: str = "") -> None:
    """Refuse what a parameter cannot be: only text, numbers, true/false, None, and lists and mappings
    (with text keys) of them reach a notebook, so that they are written as literals and keyed as JSON."""
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Misfit(f"a finite number{inside}")
        return
    if isinstance(value, list):
        for item in value:
            _plain(item, inside or " (in the list)")
        return
    if isinstance(value, dict):
        keys = [k for k in value if not isinstance(k, str)]
        if keys:
            raise _Misfit(f"a mapping with text keys (it has {_kind(keys[0])} as a key: {keys[0]!r})")
        for item in value.values():
            _plain(item, inside or " (in the mapping)")
        return
    hint = {"a date": "; quote it in the YAML to pass it as text", "a set": "; write a list [a, b]"}
    kind = _kind(value)
    raise _Misfit(
        f"text, a number, true/false, or a list or mapping of them{inside}: it is {kind}{hint.get(kind, '')}"
    )


def _typed(value, default):
    """A typed value (YAML, or text where the default is text)."""
    _plain(value)
    if default is None:
        return value
    if value is None:
        raise _Misfit("a value (leave the parameter out to use the notebook's default)")
    if isinstance(default, bool) or isinstance(value, bool):
        if isinstance(default, bool) and isinstance(value, bool):
            return value
        raise _Misfit(f"a {type(default).__name__}")
    if isinstance(default, float) and isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise _Misfit("a finite number")
        return float(value)
    if isinstance(value, type(default)):
        return value
    raise _Misfit(
        f"a {type(default).__name__} (in YAML, quote text that looks like a number, a date or yes/no)"
    )


def convert(name: str, value, default, where: str = ""):
    """Convert a roster or command-line value to the type of the notebook's default.

    Text is never evaluated: it becomes a number or true/false only where the default
    is one, and stays text otherwise.

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

    Returns
    -------
    object
        The value, of the default's type (any type when the default is None).

    Raises
    ------
    RunError
        When the value does not fit, naming the parameter, the value and the default.

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
    cxlib.kit.roster.RunError: parameter sigma: '2.5' is not a whole number (the notebook's default is 3)
    """
    try:
        if isinstance(value, str) and not isinstance(default, str):
            return _from_text(value, default)
        return _typed(value, default)
    except _Misfit as misfit:
        raise RunError(
            f"{where}parameter {name}: {value!r} is not {misfit} (the notebook's default is {default!r})"
        ) from None


# --- rosters and grids ---


def _read_yaml(path: Path) -> list[dict]:
    import yaml

    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RunError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise RunError(f"{path}: a YAML roster must be a non-empty list of mappings (one per run)")
    out = []
    for n, row in enumerate(rows, start=1):
        names = {}
        for k in row:
            if not isinstance(k, str):  # yes/on become True, 2024-01-01 a date, 1 a number
                raise RunError(
                    f"{path}, run {n}: the name {k!r} is {_kind(k)}, not text; "
                    "a parameter's name is text (in YAML, quote a name such as yes, on, 1 or a date)"
                )
            if k.strip() in names:
                raise RunError(f"{path}, run {n}: {names[k.strip()]!r} and {k!r} name the same parameter")
            names[k.strip()] = k
        out.append({k.strip(): v for k, v in row.items()})
    return out


def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:  # utf-8-sig: spreadsheets write a BOM
        rows = []
        for line, row in enumerate(csv.DictReader(fh), start=2):
            if None in row:
                raise RunError(f"{path}, line {line}: more cells than columns")
            row = {k.strip(): v for k, v in row.items() if k is not None}
            if any((v or "").strip() for v in row.values()):
                rows.append({k: v for k, v in row.items() if v is not None and v.strip() != ""})
    return rows


def read_roster(path: str | os.PathLike) -> list[dict]:
    r"""Rows of a CSV or YAML roster: one mapping per run.

    CSV cells are text (an empty cell means "use the notebook's default"; blank lines are
    skipped); a YAML roster is a list of mappings whose values keep their YAML types.

    Parameters
    ----------
    path : path
        A ``.csv`` file with a header row, or a ``.yml``/``.yaml`` file.

    Returns
    -------
    list of dict
        One mapping per run, column name to value (empty CSV cells left out).

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
    rows = _read_yaml(path) if path.suffix.lower() in (".yml", ".yaml") else _read_csv(path)
    if not rows:
        raise RunError(f"{path}: the roster has no rows")
    return rows


def parse_grid(items: list[str] | None) -> dict:
    """Read ``--grid name=v1,v2`` options into a mapping of each name to its values.

    Parameters
    ----------
    items : list of str or None
        The options' text, ``"name=value1,value2"`` each.

    Returns
    -------
    dict
        Name to the list of its values (text), in the order given.

    Examples
    --------
    >>> parse_grid(["branch=Ashford,Carlton", "confidence=0.9"])
    {'branch': ['Ashford', 'Carlton'], 'confidence': ['0.9']}
    """
    grid = {}
    for item in items or []:
        name, sep, values = item.partition("=")
        if not sep or not name.strip() or not values:
            raise RunError(f"--grid takes name=value1,value2; got {item!r}")
        grid[name.strip()] = values.split(",")
    return grid


def _rows(roster: list[dict] | None, grid: dict | None, fixed: dict) -> list[dict]:
    if roster and grid:
        raise RunError("give a roster or a grid, not both")
    if roster:
        both = sorted(set(fixed) & {k for row in roster for k in row})
        if both:
            raise RunError(f"{', '.join(both)}: given both with -p and in the roster; keep one")
        return [{**fixed, **row} for row in roster]
    if grid:
        both = sorted(set(fixed) & set(grid))
        if both:
            raise RunError(f"{', '.join(both)}: given both with -p and --grid; keep one")
        keys = list(grid)
        return [{**fixed, **dict(zip(keys, combo))} for combo in itertools.product(*(grid[k] for k in keys))]
    return [fixed]


def _kept(ch: str) -> bool:
    """Letters, marks and digits of any script, and ``. = -``, are kept in a run id (``=`` as ``-``)."""
    return ch in ".=-" or unicodedata.category(ch)[0] in "LMN"


def _safe_id(text) -> str:
    """A folder name for a run: letters and digits of any script kept, the rest as ``_``, at most 80
    characters and 200 bytes; text with none of them gets ``run-`` and a hash of itself, so that two
    such ids stay two runs."""
    raw = unicodedata.normalize("NFC", str(text))  # é typed as one character or as e + accent: one id
    cleaned = re.sub("\0+", "_", "".join(ch if _kept(ch) and ch != "_" else "\0" for ch in raw))
    cleaned = cleaned.replace("=", "-").strip("._-")[:80]
    while len(cleaned.encode("utf-8")) > 200:
        cleaned = cleaned[:-1]
    return cleaned or "run-" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]


def _ident(row: dict, i: int, grid: dict | None):
    """What names a run before it is made folder-safe: its id column, its grid values, or its number."""
    ident = next((row[c] for c in ID_COLUMNS if row.get(c) not in (None, "")), None)
    if ident is None:
        ident = "_".join(f"{k}={v}" for k, v in row.items() if k in grid) if grid else f"run{i:03d}"
    return ident


def _run_id(row: dict, i: int, grid: dict | None) -> str:
    return _safe_id(_ident(row, i, grid))


def _data_seed(row: dict, rid: str, student_data: bool) -> int | None:
    if row.get("data_dir") not in (None, "", "None"):
        return None  # the run brings its own data
    if row.get("seed") not in (None, ""):
        try:
            seed = int(str(row["seed"]).strip())
        except ValueError:
            seed = -1
        if seed < 0:
            raise RunError(f"run {rid}: seed {row['seed']!r} is not a whole number >= 0")
        return seed
    if student_data:
        if row.get("student_id") in (None, ""):
            raise RunError(f"run {rid}: --student-data needs a student_id (or a seed) in every row")
        from cxlib.synth import student_seed

        return student_seed(row["student_id"])
    return None


def build_runs(
    roster: list[dict] | None = None,
    grid: dict | None = None,
    fixed: dict | None = None,
    student_data: bool = False,
) -> list[Run]:
    """Turn a roster, a grid or fixed parameters into runs with unique, folder-safe ids.

    Parameters
    ----------
    roster : list of dict, optional
        Rows from :func:`read_roster`: one run each.
    grid : dict, optional
        Name to list of values: one run per combination (not with a roster).
    fixed : dict, optional
        Parameters for every run (``-p name value``); not also in the roster or grid.
    student_data : bool
        Give each run without a ``seed`` or ``data_dir`` its own data, seeded from its
        ``student_id``.

    Returns
    -------
    list of Run
        In roster or grid order; a single run when neither is given.

    Examples
    --------
    >>> [r.run_id for r in build_runs(grid={"branch": ["Ashford", "Carlton"]})]
    ['branch-Ashford', 'branch-Carlton']
    >>> run = build_runs(roster=[{"student_id": "ann/../x", "seed": "7"}])[0]
    >>> run.run_id, run.data_seed
    ('ann_.._x', 7)
    """
    runs, seen = [], {}
    reserved = {name.casefold() for name in BATCH_FILES}
    for i, row in enumerate(_rows(roster, grid, dict(fixed or {})), start=1):
        rid = _run_id(row, i, grid)
        if rid.casefold() in reserved:
            raise RunError(
                f"run {i}: the id {rid!r} is the name of a file the batch writes beside the runs' folders "
                f"({', '.join(BATCH_FILES)}); give that row another run_id or student_id"
            )
        if rid.casefold() in seen:  # case-insensitive: some file systems are
            j, first = seen[rid.casefold()]
            raise RunError(
                f"runs {j} and {i} have the same id {rid!r} as a folder name (from {first!r} and "
                f"{_ident(row, i, grid)!r}); give each row a unique run_id or student_id"
            )
        seen[rid.casefold()] = (i, _ident(row, i, grid))
        runs.append(Run(rid, row, _data_seed(row, rid, student_data)))
    return runs


def unused_columns(notebooks, runs: list[Run]) -> list[str]:
    """Roster or grid names that no notebook takes as a parameter (ids and seed excepted).

    Parameters
    ----------
    notebooks : list of path
        The batch's notebooks.
    runs : list of Run
        The batch's runs.

    Returns
    -------
    list of str
        The names, in the order first given (kept in the summary only; likely typos).

    Examples
    --------
    >>> nb = Path(__file__).parents[2] / "notebooks" / "03_headline_metrics.ipynb"
    >>> unused_columns([nb], build_runs(grid={"brnach": ["Ashford"], "confidence": [0.9]}))
    ['brnach']
    """
    declared = set().union(*(notebook_parameters(nb) for nb in notebooks))
    given = dict.fromkeys(k for r in runs for k in r.values)
    return [k for k in given if k not in declared and k not in (*ID_COLUMNS, "seed")]
