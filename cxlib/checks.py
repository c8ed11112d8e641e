"""Self-checks for the exercises: tell a student whether an answer is right, and if not, why.

An exercise's check cell shows only ``check("task1", answer)``: ``check`` is made by
:func:`exercise` in the exercise's setup cell, and the expected values come from the
exercise's key module (``cxlib/keys/_exNN.py``), computed from the student's own data,
out of the notebook's sight. The key compares with :func:`check_number`,
:func:`check_frame` and :func:`check_choice`: each prints one line and returns a
:class:`Verdict` (true or false, with a status and a reason). A check never raises for
a wrong or missing answer, and never shows the expected value: it explains the kind of
mistake instead (not answered yet, wrong type, a percentage given as a proportion, the
sign flipped, rounded too early, missing columns, rows out of order...).

A determined student who reads the installed package can find the key code: self-checks
are for learning. Grading (``cxkit grade``) adds hidden tests that are never shipped.

>>> check_number(12.8, 12.8, "Task 1")
✔ Task 1: correct.
True
>>> check_number(..., 12.8, "Task 1")
… Task 1: not yet answered. Replace the ... with your code and run the cell.
False
"""

from __future__ import annotations

import contextlib
import importlib
import math
import numbers

import numpy as np
import pandas as pd

from ._docs import fill

OK, WRONG, TODO = "✔", "✘", "…"
# A verdict's status: the words the runner's summary and the gradebook use.
CORRECT, INCORRECT, UNANSWERED, ERROR = "correct", "wrong", "unanswered", "error"
_STATUS = {OK: CORRECT, WRONG: INCORRECT, TODO: UNANSWERED}
# Output of a task's check in a notebook, read by the runner (see :func:`collect_checks`).
MIME = "application/vnd.cxkit.check+json"


class Verdict:
    """The result of a check: true when the answer is right, with its status and reason.

    It behaves like ``True``/``False`` in code (``if check_number(...)``) but shows
    nothing as a cell's result, so the notebook shows only the check's message.
    ``status`` is ``"correct"``, ``"wrong"``, ``"unanswered"`` or ``"error"``; ``reason``
    is the message in words, which never holds the expected value.
    """

    __slots__ = ("ok", "status", "reason")

    def __init__(self, ok: bool, status: str | None = None, reason: str = ""):
        self.ok = bool(ok)
        self.status = status or (CORRECT if self.ok else INCORRECT)
        self.reason = reason

    def __bool__(self) -> bool:
        return self.ok

    def __eq__(self, other) -> bool:
        return self.ok == bool(other)

    def __hash__(self) -> int:
        return hash(self.ok)

    def __repr__(self) -> str:
        return repr(self.ok)

    def _ipython_display_(self) -> None:  # the printed message is the display
        return None


_COLLECTING: list[list] = []


@contextlib.contextmanager
def collecting():
    """Gather every :class:`Verdict` the checks give inside the ``with`` block (a key's task).

    Parameters
    ----------
    None

    Returns
    -------
    list of Verdict
        Filled as the checks run inside the block.

    Examples
    --------
    >>> with collecting() as got:
    ...     _ = check_number(1.0, 1.0, "a")
    ✔ a: correct.
    >>> [v.status for v in got]
    ['correct']
    """
    got: list = []
    _COLLECTING.append(got)
    try:
        yield got
    finally:
        _COLLECTING.remove(got)


def _say(mark: str, name: str, text: str) -> Verdict:
    print(f"{mark} {name}: {text}")
    verdict = Verdict(mark == OK, _STATUS[mark], f"{name}: {text}")
    for got in _COLLECTING:
        got.append(verdict)
    return verdict


class Refused:
    """What :func:`part` gives for an answer of the wrong kind: the checks report it as wrong."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason


def _unanswered(answer) -> bool:
    return answer is Ellipsis or answer is None


def _is_number(x) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, bool)


def _close(a: float, b: float, rel: float, abs_tol: float) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)


def part(answer, key):
    """``answer[key]`` (or its attribute ``key``), or ``...`` while the answer is not given yet.

    Lets a check look inside an answer (a column of a table, a field of a result)
    without failing before the student has answered.

    A plain dict or list is refused (the task asks for the table or result object a
    function returns, not values typed in): the check then says so.

    Parameters
    ----------
    answer
        The student's answer: a table, a result object, or ``...``.
    key : str
        The column, key or attribute to take (``"estimate"``, ``"low"``, ...).

    Returns
    -------
    object
        ``answer[key]`` or ``answer.key``; ``...`` while the answer is not given; a
        :class:`Refused` (the check reports it as wrong) for a plain dict or list, or an answer
        without that part.

    Examples
    --------
    >>> part(..., "estimate") is Ellipsis
    True
    >>> int(part(pd.Series({"estimate": 3}), "estimate"))
    3
    >>> check_number(part({"estimate": 3}, "estimate"), 3, "Task 1")
    ✘ Task 1: got a plain dict: store the table or result object the cxlib function returns.
    False

    """
    if _unanswered(answer) or isinstance(answer, Refused):
        return answer
    if isinstance(answer, (dict, list, tuple)):
        return Refused(
            f"got a plain {type(answer).__name__}: store the table or result object "
            "the cxlib function returns."
        )
    try:
        return answer[key]
    except (KeyError, IndexError, TypeError, ValueError):
        if hasattr(answer, key):
            return getattr(answer, key)
        return Refused(f"the answer has no {key!r}: check that you stored the right object.")


@fill
def check_number(answer, expected, name: str = "Task", rel: float = 1e-3, abs_tol: float = 1e-9) -> Verdict:
    """Check a single number.

    Parameters
    ----------
    {answer}
    expected : float
        The right value, computed in the notebook from the loaded data.
    {task_name}
    rel, abs_tol : float
        Relative and absolute tolerance.

    Returns
    -------
    {verdict_returns}

    Examples
    --------
    >>> check_number(0.613, 61.3, "CSAT")
    ✘ CSAT: off by a factor of 100: give it as a percentage (0-100), not a proportion (0-1).
    False
    >>> check_number(-12.8, 12.8, "NPS")
    ✘ NPS: the sign is flipped: check which group you subtract from which.
    False
    """
    if _unanswered(answer):
        return _say(TODO, name, "not yet answered. Replace the ... with your code and run the cell.")
    if isinstance(answer, Refused):
        return _say(WRONG, name, answer.reason)
    if isinstance(answer, (pd.Series, pd.DataFrame, np.ndarray, list, tuple)):
        size = np.size(answer) if not isinstance(answer, pd.DataFrame) else answer.size
        hint = " It holds one value: take it out with float(...) or .iloc[0]." if size == 1 else ""
        return _say(
            WRONG,
            name,
            f"wrong type: got a {type(answer).__name__} with {size} values, expected a single number.{hint}",
        )
    if isinstance(answer, np.generic):
        answer = answer.item()
    if not _is_number(answer):
        hint = " It is text: convert it with float(...)." if isinstance(answer, str) else ""
        return _say(WRONG, name, f"wrong type: got {type(answer).__name__}, expected a number.{hint}")
    answer, expected = float(answer), float(expected)
    if math.isnan(answer):
        return _say(
            WRONG, name, "the answer is NaN (not a number): check for missing values or an empty selection."
        )
    if _close(answer, expected, rel, abs_tol):
        return _say(OK, name, "correct.")
    if expected != 0 and _close(answer, -expected, rel, abs_tol):
        return _say(WRONG, name, "the sign is flipped: check which group you subtract from which.")
    elif expected != 0 and _close(answer * 100, expected, rel, abs_tol):
        return _say(
            WRONG, name, "off by a factor of 100: give it as a percentage (0-100), not a proportion (0-1)."
        )
    elif expected != 0 and _close(answer / 100, expected, rel, abs_tol):
        return _say(
            WRONG, name, "off by a factor of 100: give it as a proportion (0-1), not a percentage (0-100)."
        )
    elif expected != 0 and abs(answer - expected) <= 0.01 * abs(expected):
        return _say(
            WRONG,
            name,
            "very close but not within the tolerance: did you round too early? Keep full precision.",
        )
    else:
        return _say(WRONG, name, "not the expected value. Check the rows you selected and the formula.")


@fill
def check_frame(
    answer, expected, name: str = "Task", rel: float = 1e-3, check_index: bool = True, ordered: bool = False
) -> Verdict:
    """Check a table (DataFrame) or a column of values (Series) against the expected one.

    Column names and the index must match; numbers are compared with tolerance ``rel``.

    Parameters
    ----------
    {answer}
    expected : DataFrame or Series
        The right table or column, computed in the notebook from the loaded data.
    {task_name}
    rel : float
        Relative tolerance for numbers.
    check_index : bool
        Compare the row labels too (in any order); ``False`` compares by position.
    ordered : bool
        The task asks for a sorted table: the rows must come in the expected order.

    Returns
    -------
    {verdict_returns}

    Examples
    --------
    >>> exp = pd.DataFrame({"mean": [3.5, 4.0]}, index=["a", "b"])
    >>> check_frame(exp.rename(columns={"mean": "avg"}), exp, "Task 3")
    ✘ Task 3: missing column(s): 'mean'; unexpected column(s): 'avg'.
    False
    >>> check_frame(exp.iloc[::-1], exp, "Task 3", ordered=True)
    ✘ Task 3: the rows are not in the order the task asks for: sort the table.
    False
    >>> check_frame({"a": 3.5, "b": 4.0}, exp["mean"], "Task 3")
    ✘ Task 3: wrong type: got dict, expected a pandas Series (one column of values).
    False
    """
    if _unanswered(answer):
        return _say(TODO, name, "not yet answered. Replace the ... with your code and run the cell.")
    if isinstance(answer, Refused):
        return _say(WRONG, name, answer.reason)
    want_series = isinstance(expected, pd.Series)
    if want_series and isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        return _say(
            WRONG, name, "got a one-column DataFrame, expected a Series: select the column with df['name']."
        )
    if not isinstance(answer, (pd.DataFrame, pd.Series)) or isinstance(answer, pd.Series) != want_series:
        kind = "Series (one column of values)" if want_series else "DataFrame (a table)"
        return _say(WRONG, name, f"wrong type: got {type(answer).__name__}, expected a pandas {kind}.")
    if not want_series:
        missing = [c for c in expected.columns if c not in answer.columns]
        extra = [c for c in answer.columns if c not in expected.columns]
        if missing or extra:
            parts = []
            if missing:
                parts.append("missing column(s): " + ", ".join(map(repr, missing)))
            if extra:
                parts.append("unexpected column(s): " + ", ".join(map(repr, extra)))
            return _say(WRONG, name, "; ".join(parts) + ".")
        answer = answer[list(expected.columns)]
    if len(answer) != len(expected):
        return _say(
            WRONG, name, f"has {len(answer)} rows, expected {len(expected)}: check your grouping or filter."
        )
    if check_index and not answer.index.equals(expected.index):
        if set(map(str, answer.index)) != set(map(str, expected.index)) or answer.index.has_duplicates:
            return _say(
                WRONG,
                name,
                "the row labels (index) are not the expected ones: group by the column the task names.",
            )
        if ordered:
            return _say(WRONG, name, "the rows are not in the order the task asks for: sort the table.")
        pos = {str(k): i for i, k in enumerate(answer.index)}
        answer = answer.iloc[[pos[str(k)] for k in expected.index]]
    a = answer.to_numpy()
    e = expected.to_numpy()
    try:
        a_num, e_num = np.asarray(a, dtype=float), np.asarray(e, dtype=float)
    except (TypeError, ValueError):
        same = (np.asarray(a, dtype=object) == np.asarray(e, dtype=object)).all()
        return _say(
            OK if same else WRONG, name, "correct." if same else "some values differ from the expected ones."
        )
    if np.isnan(a_num).sum() > np.isnan(e_num).sum():
        return _say(
            WRONG, name, "has missing values (NaN) where numbers are expected: check for blank answers."
        )
    good = np.isclose(a_num, e_num, rtol=rel, atol=1e-9, equal_nan=True)
    if good.all():
        return _say(OK, name, "correct.")
    if np.isclose(a_num * 100, e_num, rtol=rel, atol=1e-9, equal_nan=True).all():
        return _say(WRONG, name, "off by a factor of 100: give percentages (0-100), not proportions (0-1).")
    elif np.isclose(a_num, -e_num, rtol=rel, atol=1e-9, equal_nan=True).all():
        return _say(WRONG, name, "the signs are flipped: check which group you subtract from which.")
    else:
        return _say(WRONG, name, f"{int((~good).sum())} of {good.size} values differ from the expected ones.")


@fill
def check_choice(answer, expected, name: str = "Task", choices=None) -> Verdict:
    """Check a text answer (a branch, an item, a category), ignoring case and surrounding spaces.

    Parameters
    ----------
    {answer}
    expected : str
        The right answer.
    {task_name}
    choices : iterable of str, optional
        The possible answers; an answer outside them gets its own message.

    Returns
    -------
    {verdict_returns}

    Examples
    --------
    >>> check_choice(" practices ", "practices", "Task 4")
    ✔ Task 4: correct.
    True
    >>> check_choice("decor", "practices", "Task 4", choices=["people", "environment", "practices"])
    ✘ Task 4: 'decor' is not one of the possible answers: 'people', 'environment', 'practices'.
    False
    """
    if _unanswered(answer):
        return _say(TODO, name, "not yet answered. Replace the ... with your code and run the cell.")
    if isinstance(answer, Refused):
        return _say(WRONG, name, answer.reason)
    if isinstance(answer, (pd.Series, pd.Index, list, tuple, np.ndarray)):
        return _say(WRONG, name, f"got a {type(answer).__name__}, expected a single answer (one name).")
    norm = lambda v: str(v).strip().lower()  # noqa: E731
    if choices is not None and norm(answer) not in {norm(c) for c in choices}:
        listing = ", ".join(repr(str(c)) for c in choices)
        return _say(WRONG, name, f"{str(answer)!r} is not one of the possible answers: {listing}.")
    if norm(answer) == norm(expected):
        return _say(OK, name, "correct.")
    return _say(WRONG, name, "not the right answer. Look again at the table or chart the task is about.")


def _combine(task: str, verdicts: list[Verdict]) -> Verdict:
    """One verdict for a task from its parts: wrong if any is wrong, else unanswered if any is."""
    if not verdicts:
        return Verdict(False, ERROR, f"{task}: there was nothing to check on these data.")
    for status in (ERROR, INCORRECT, UNANSWERED):
        bad = [v for v in verdicts if v.status == status]
        if bad:
            return Verdict(False, status, " ".join(v.reason for v in bad))
    return Verdict(True, CORRECT, "correct.")


def key_module(exercise: str):
    """The key module of an exercise (``cxlib.keys._exNN``), from its number or notebook name.

    Parameters
    ----------
    exercise : str
        ``"03"``, or a name starting with the number (``"03_headline_metrics.ipynb"``).

    Returns
    -------
    module
        With ``PARAMETERS``, ``setup(**parameters)``, ``TASKS`` (task id to the names of its
        answers) and one function per task.

    Examples
    --------
    >>> key_module("03_headline_metrics.ipynb").__name__
    'cxlib.keys._ex03'
    """
    from .errors import InputError

    number = str(exercise)[:2]
    if not number.isdigit():
        raise InputError(f"exercise {exercise!r}: expected a name starting with its two-digit number")
    try:
        return importlib.import_module(f"cxlib.keys._ex{number}")
    except ModuleNotFoundError:
        raise InputError(f"exercise {exercise!r} has no key module (cxlib/keys/_ex{number}.py)") from None


class Checker:
    """An exercise's ``check(task, *answers)``: runs the task's key on the student's own data.

    Made by :func:`exercise`. The key's setup (loading the data from ``data_dir`` and checking
    the parameters) runs once, at the first check, apart from the student's variables: an answer
    cell that changes ``survey`` does not change the expected values.
    """

    def __init__(self, key, parameters: dict):
        self.key = key
        self.parameters = parameters
        self._env = None

    def env(self) -> dict:
        """The names the key's setup defines (the data, the checked parameters)."""
        if self._env is None:
            with contextlib.redirect_stdout(None):
                self._env = self.key.setup(**self.parameters)
        return self._env

    def run(self, task: str, answers: tuple, quiet: bool = False) -> Verdict:
        """Run one task's checks without showing anything but their lines; return one verdict."""
        if task not in self.key.TASKS:
            from .errors import InputError

            raise InputError(f"no task {task!r} in this exercise; its tasks: {', '.join(self.key.TASKS)}")
        with contextlib.ExitStack() as stack:
            if quiet:
                stack.enter_context(contextlib.redirect_stdout(None))
            got = stack.enter_context(collecting())
            try:
                getattr(self.key, task)(self.env(), *answers)
            except Exception as exc:  # noqa: BLE001 - a strange answer fails its task, nothing else
                # The exception's text may hold the expected value: only its type is shown.
                got.append(
                    Verdict(
                        False,
                        ERROR,
                        f"{task}: the check could not run on this answer ({type(exc).__name__}): "
                        "check the type of what you stored.",
                    )
                )
                if not quiet:
                    print(f"{WRONG} {got[-1].reason}")
        return _combine(task, got)

    def __call__(self, task: str, *answers) -> Verdict:
        verdict = self.run(task, answers)
        _publish(
            {
                "exercise": "ex" + self.key.__name__.rsplit("_ex", 1)[-1],
                "task": task,
                "status": verdict.status,
            }
        )
        return verdict


def _publish(payload: dict) -> None:
    """Store a task's status in the cell's output (in a notebook) for the runner to count."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    shell = get_ipython()
    if shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell":
        display({MIME: payload}, raw=True)


def exercise(number: str, **parameters) -> Checker:
    """The ``check`` function of an exercise: ``check = exercise("03", data_dir=data_dir, ...)``.

    Parameters
    ----------
    number : str
        The exercise's number (``"03"``).
    **parameters
        The exercise's parameters (``data_dir`` and the others of its parameters cell).

    Returns
    -------
    Checker
        Call it as ``check("task1", answer)``: it prints one line per part of the task and returns
        a :class:`Verdict` (``status``: correct, wrong, unanswered or error).

    Examples
    --------
    >>> check = exercise("08", data_dir=None, promised=7)
    >>> check("task1", ...)
    … Task 1: not yet answered. Replace the ... with your code and run the cell.
    False
    >>> check("task3", {"estimate": [1.0, 2.0]}).status  # typed in, not the regression's table
    ✘ Task 3: got a plain dict: store the table or result object the cxlib function returns.
    'wrong'
    """
    key = key_module(number)
    unknown = set(parameters) - set(key.PARAMETERS)
    if unknown:
        from .errors import InputError

        raise InputError(
            f"exercise {number}: unknown parameter(s) {sorted(unknown)}; it takes {list(key.PARAMETERS)}"
        )
    return Checker(key, parameters)


def collect_checks(notebook) -> dict:
    """How many tasks an executed notebook's checks found correct, wrong, unanswered or in error.

    Parameters
    ----------
    notebook : dict or path
        An executed notebook (its JSON), or the path of one.

    Returns
    -------
    dict
        ``{"correct": n, "wrong": n, "unanswered": n, "error": n}``, the last check of each task
        counted; empty when the notebook ran no check.

    Examples
    --------
    >>> out = lambda status: {"output_type": "display_data", "data": {MIME: {"task": "t1", "status": status}}}
    >>> collect_checks({"cells": [{"cell_type": "code", "outputs": [out("wrong"), out("correct")]}]})
    {'correct': 1, 'wrong': 0, 'unanswered': 0, 'error': 0}
    """
    import json

    if not isinstance(notebook, dict):
        with open(notebook, encoding="utf-8") as fh:
            notebook = json.load(fh)
    last = {}
    for cell in notebook.get("cells", []):
        for out in cell.get("outputs", []):
            payload = out.get("data", {}).get(MIME) if isinstance(out, dict) else None
            if isinstance(payload, dict) and payload.get("status") in (CORRECT, INCORRECT, UNANSWERED, ERROR):
                last[str(payload.get("task"))] = payload["status"]
    if not last:
        return {}
    return {s: sum(v == s for v in last.values()) for s in (CORRECT, INCORRECT, UNANSWERED, ERROR)}
