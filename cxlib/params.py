"""Checks for notebook parameters, run in the cell after the ``parameters`` cell.

Instructors run the lessons with papermill and other parameters. A bad value (an
unknown branch, a confidence of 1.5, a data folder without the tables) stops the
notebook at once with a message that says what was given and what is expected,
instead of failing ten cells later deep inside pandas.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ._validate import check_confidence as _check_confidence
from ._validate import suggest
from .data import default_data_dir, resource, tables
from .errors import CxlibError


class ParameterError(CxlibError):
    """A notebook parameter has a value the notebook cannot use."""


def data_folder(data_dir: str | os.PathLike | None, needs: Iterable[str] = ("survey",)) -> Path:
    """Resolve the ``data_dir`` parameter and check the folder holds the tables needed.

    Parameters
    ----------
    data_dir : str, path or None
        ``None`` (or ``""``) means the course's own ``datasets/`` folder.
    needs : iterable of str
        Tables the notebook reads.

    Returns
    -------
    Path
        The folder, checked to hold a file for every table in ``needs``.

    Examples
    --------
    >>> data_folder(None, ["survey"]).name
    'datasets'
    >>> data_folder("/no/such/folder")
    Traceback (most recent call last):
    ...
    cxlib.params.ParameterError: data_dir: the folder '/no/such/folder' does not exist;
    give a folder that holds survey.csv, or None for the course's data
    """
    needs = list(needs)
    for name in needs:
        if name not in tables():
            raise ParameterError(f"unknown table {name!r}{suggest(name, tables())}")
    if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
        raise ParameterError(f"data_dir must be a folder name (text) or None, got {data_dir!r}")
    folder = default_data_dir() if data_dir in (None, "") else Path(data_dir).expanduser()
    files = ", ".join(resource(n)["path"] for n in needs)
    if not folder.is_dir():
        raise ParameterError(
            f"data_dir: the folder {str(folder)!r} does not exist; give a folder that holds "
            f"{files}, or None for the course's data"
        )
    missing = [resource(n)["path"] for n in needs if not (folder / resource(n)["path"]).is_file()]
    if missing:
        raise ParameterError(
            f"data_dir: the folder {str(folder)!r} has no {', '.join(missing)}; this notebook needs {files}"
        )
    return folder


def check_seed(seed) -> int:
    """A seed must be a non-negative whole number.

    Parameters
    ----------
    seed : int
        The notebook's ``seed`` parameter.

    Returns
    -------
    int
        The seed.

    Examples
    --------
    >>> check_seed(42)
    42
    >>> check_seed(-3)
    Traceback (most recent call last):
    ...
    cxlib.params.ParameterError: seed must be a whole number >= 0, got -3
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a whole number >= 0, got {seed!r}")
    return int(seed)


def check_number(name: str, value, low: float, high: float, *, inclusive: bool = True) -> float:
    """A number within ``[low, high]`` (or ``(low, high)`` when ``inclusive=False``).

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : float
        Its value.
    low, high : float
        The allowed range.
    inclusive : bool
        Whether ``low`` and ``high`` themselves are allowed.

    Returns
    -------
    float
        ``value``, unchanged.

    Examples
    --------
    >>> check_number("confidence", 0.9, 0, 1, inclusive=False)
    0.9
    >>> check_number("confidence", 1.5, 0, 1, inclusive=False)
    Traceback (most recent call last):
    ...
    cxlib.params.ParameterError: confidence must be a number between 0 and 1 (exclusive), got 1.5
    """
    kind = "inclusive" if inclusive else "exclusive"
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or np.isnan(value)
    ):
        raise ParameterError(f"{name} must be a number between {low:g} and {high:g} ({kind}), got {value!r}")
    ok = low <= value <= high if inclusive else low < value < high
    if not ok:
        raise ParameterError(f"{name} must be a number between {low:g} and {high:g} ({kind}), got {value!r}")
    return value


def check_confidence(confidence) -> float:
    """A confidence level strictly between 0 and 1 (the check every analysis function makes).

    Parameters
    ----------
    confidence : float
        The notebook's ``confidence`` parameter.

    Returns
    -------
    float
        The confidence level.

    Examples
    --------
    >>> check_confidence(0.95)
    0.95
    >>> check_confidence(1.5)
    Traceback (most recent call last):
    ...
    cxlib.params.ParameterError: confidence must be a number between 0 and 1 (for example 0.95), got 1.5
    """
    return _check_confidence(confidence, ParameterError)


def check_choice(name: str, value, allowed: Iterable) -> object:
    """``value`` must be one of ``allowed`` (say, a branch that is in the data).

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : object
        Its value.
    allowed : iterable
        The values in the data.

    Returns
    -------
    object
        ``value``, unchanged.

    Examples
    --------
    >>> check_choice("branch", "Carlton", ["Ashford", "Carlton"])
    'Carlton'
    >>> check_choice("branch", "Carltn", ["Ashford", "Carlton"])
    Traceback (most recent call last):
    ...
    cxlib.params.ParameterError: branch 'Carltn' is not in the data (did you mean 'Carlton'?);
    choose one of: 'Ashford', 'Carlton'
    """
    allowed = [a for a in allowed]
    if value not in allowed:
        listing = ", ".join(repr(a) for a in allowed[:20])
        raise ParameterError(
            f"{name} {value!r} is not in the data{suggest(str(value), [str(a) for a in allowed])}; "
            f"choose one of: {listing}"
        )
    return value


# --- what a lesson needs from its data folder --------------------------------------------------

#: The kinds of need :func:`check_data` understands, and what each checks.
NEED_KINDS = {
    "table": "the table's file is in the folder",
    "columns": "the table has the course's columns for it (its header, against the data dictionary)",
    "blanks": "the column has blank answers (a lesson about missing answers needs some)",
    "periods": "the column (a date) holds at least this many different months",
    "groups": "the column holds at least this many different values (branches, channels, ...)",
}


def _need(key) -> tuple:
    """A need as ``(kind, table, argument)``: ``"training"`` is ``("table", "training", None)``."""
    if isinstance(key, str):
        return ("table", key, None)
    if isinstance(key, tuple) and len(key) in (2, 3) and key[0] in NEED_KINDS:
        return (key[0], key[1], key[2] if len(key) == 3 else None)
    raise ParameterError(
        f"a need is a table name or a tuple (kind, table[, argument]) with kind one of "
        f"{', '.join(NEED_KINDS)}; got {key!r}"
    )


def _header(path: Path) -> list[str]:
    import csv

    with open(path, newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])


def _unmet(folder: Path, kind: str, table: str, arg) -> str | None:
    """Why one need is not met (a phrase), or None when it is."""
    path = folder / resource(table)["path"]
    if not path.is_file():
        return f"no {resource(table)['path']}"
    if kind == "table":
        return None
    header = _header(path)
    if kind == "columns":
        wanted = [f["name"] for f in resource(table)["schema"]["fields"]] if arg is None else list(arg)
        lacking = [c for c in wanted if c not in header]
        if not lacking:
            return None
        shown = ", ".join(lacking[:6]) + (f" (and {len(lacking) - 6} more)" if len(lacking) > 6 else "")
        return f"{resource(table)['path']} lacks the column(s) {shown}"
    column = arg[0] if isinstance(arg, tuple) else arg
    if column not in header:
        return f"{resource(table)['path']} has no column {column!r}"
    import pandas as pd

    values = pd.read_csv(path, usecols=[column], keep_default_na=False, dtype=str)[column]
    if kind == "blanks":
        return None if (values == "").any() else f"{resource(table)['path']}: {column} has no blank answers"
    least = arg[1]
    if kind == "periods":
        months = pd.to_datetime(values[values != ""], errors="coerce").dt.to_period("M").nunique()
        return (
            None
            if months >= least
            else f"{resource(table)['path']}: {column} spans {months} month(s), not {least}"
        )
    found = values[values != ""].nunique()
    return (
        None if found >= least else f"{resource(table)['path']}: {column} has {found} value(s), not {least}"
    )


def check_data(data_dir: str | os.PathLike | None, needs: dict) -> Path:
    """Check a data folder against what a lesson needs, naming what is missing and which sections need it.

    A lesson run on other data (an instructor's, a student's, a real business's) stops here, at
    its parameter cell, with one message that lists every unmet need and the sections of the
    lesson that rely on it, instead of failing later with a ``KeyError`` deep in a cell.

    Parameters
    ----------
    data_dir : str, path or None
        The ``data_dir`` parameter (``None``: the course's data).
    needs : dict
        ``{need: sections}``. A need is a table name (its file must be there), or a tuple:
        ``("columns", table)`` (the course's columns of that table; or ``("columns", table,
        [names])``), ``("blanks", table, column)``, ``("periods", table, (column, k))`` (at
        least ``k`` months), ``("groups", table, (column, k))`` (at least ``k`` values).
        ``sections`` is the text naming the lesson's sections that need it.

    Returns
    -------
    Path
        The folder, with every need met.

    Raises
    ------
    ParameterError
        Listing each unmet need, the sections that need it, and what to do.

    Examples
    --------
    >>> check_data(None, {"survey": "the whole lesson", ("blanks", "survey", "practices_resolution"):
    ...                   "Missing answers"}).name
    'datasets'
    """
    names = list(dict.fromkeys(_need(k)[1] for k in needs))
    if data_dir not in (None, "") and not Path(data_dir).expanduser().is_dir():
        data_folder(data_dir, names)  # its message: the folder does not exist, what it should hold
    folder = data_folder(data_dir, [])
    unmet: dict[str, list[str]] = {}
    for key, sections in needs.items():
        kind, table, arg = _need(key)
        if table not in tables():
            raise ParameterError(f"unknown table {table!r}{suggest(table, tables())}")
        why = _unmet(folder, kind, table, arg)
        if why is not None:
            unmet.setdefault(why, []).append(str(sections))
    if unmet:
        lines = "\n".join(
            f"  - {why}: needed by {'; '.join(dict.fromkeys(secs))}" for why, secs in unmet.items()
        )
        raise ParameterError(
            f"data_dir: the folder {str(folder)!r} lacks what this lesson needs:\n{lines}\n"
            "Give a folder with the course's tables (cxkit synth --out DIR makes one); for a survey of "
            "your own, write a survey spec and run cxkit report (README: 'Your own survey')"
        )
    return folder


WHOLE = "the whole lesson"
_BLANKS = ("blanks", "survey", "practices_resolution")
_MONTHS = ("periods", "survey", ("month", 2))


def _tables(*names) -> dict:
    """Each table, and the course's columns of it, needed by the whole lesson."""
    return {**{n: WHOLE for n in names}, **{("columns", n): WHOLE for n in names}}


#: What each lesson needs from its data folder, and the sections (``## `` headings of the lesson)
#: that need it; ``tests/test_params_data.py`` checks that every section named here is in its lesson.
LESSON_NEEDS = {
    "00": {**_tables("survey", "benchmark", "expectations", "servqual", "kano", "touchpoints",
                     "transactions", "training", "population"),
           _BLANKS: "A first look at the survey"},
    "01": {**_tables("survey"), _BLANKS: "Missing answers",
           ("groups", "survey", ("branch", 2)): "Branches: where is each store strong or weak?",
           ("groups", "survey", ("channel", 2)): "Channels: does it matter how the customer dealt with us?"},
    "02": {**_tables("survey", "training"), _BLANKS: "Missing answers: pairwise or listwise?",
           _MONTHS: "How do we know when a factor improved?"},
    "03": {**_tables("survey", "population"),
           ("groups", "survey", ("branch", 2)): "All ten branches at once: ten tries for chance",
           _MONTHS: "Month by month: why small samples swing; Has NPS changed since last year?"},
    "04": {**_tables("survey"),
           _BLANKS: "Factor scores, and the first missing answers; Items, missing answers, and who the model "
           "describes"},
    "05": _tables("expectations", "servqual"),
    "06": _tables("benchmark", "survey"),
    "07": _tables("survey", "kano"),
    "08": _tables("touchpoints"),
    "09": _tables("transactions", "survey"),
    "10": {**_tables("survey", "training"), _MONTHS: WHOLE,
           ("groups", "survey", ("branch", 2)): "Did training cause it? Difference-in-differences"},
    "11": {**_tables("survey", "benchmark", "expectations", "servqual", "kano", "touchpoints",
                     "transactions", "training", "population"),
           _MONTHS: "Step 4. Train: did the last training work?; Step 5. Gather feedback: how we will know"},
    "12": _tables("survey"),
}  # fmt: skip


def lesson_data(data_dir: str | os.PathLike | None, lesson: str) -> Path:
    """The data folder of a lesson, checked against :data:`LESSON_NEEDS` (see :func:`check_data`).

    Parameters
    ----------
    data_dir : str, path or None
        The lesson's ``data_dir`` parameter (``None``: the course's data).
    lesson : str
        The lesson's number, ``"00"`` to ``"12"``.

    Returns
    -------
    Path
        The folder, with everything the lesson needs.

    Examples
    --------
    >>> lesson_data(None, "03").name
    'datasets'
    >>> lesson_data(None, "13")
    Traceback (most recent call last):
    ...
    cxlib.params.ParameterError: no lesson '13'; the lessons are 00, 01, ..., 12
    """
    if lesson not in LESSON_NEEDS:
        first, *_, last = LESSON_NEEDS
        raise ParameterError(f"no lesson {lesson!r}; the lessons are {first}, 01, ..., {last}")
    return check_data(data_dir, LESSON_NEEDS[lesson])
