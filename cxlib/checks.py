"""Self-checks for the exercises: tell a student whether an answer is right, and if not, why.

Each check compares the student's answer with a value the notebook computed from the
data it loaded (so checks follow per-student data), prints one line, and returns
``True`` or ``False``. A check never raises for a wrong or missing answer, and never
shows the expected value: it explains the kind of mistake instead (not answered yet,
wrong type, a percentage given as a proportion, the sign flipped, rounded too early,
missing columns...).

>>> check_number(12.8, 12.8, "Task 1")
✔ Task 1: correct.
True
>>> check_number(..., 12.8, "Task 1")
… Task 1: not yet answered. Replace the ... with your code and run the cell.
False
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from ._docs import fill

OK, WRONG, TODO = "✔", "✘", "…"


class Verdict:
    """The result of a check: true when the answer is right.

    It behaves like ``True``/``False`` in code (``if check_number(...)``) but shows
    nothing as a cell's result, so the notebook shows only the check's message.
    """

    __slots__ = ("ok",)

    def __init__(self, ok: bool):
        self.ok = bool(ok)

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


def _say(mark: str, name: str, text: str) -> None:
    print(f"{mark} {name}: {text}")


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

    Parameters
    ----------
    answer
        The student's answer: a table, a result object, a dict, or ``...``.
    key : str
        The column, key or attribute to take (``"estimate"``, ``"low"``, ...).

    Returns
    -------
    object
        ``answer[key]`` or ``answer.key``; ``...`` while the answer is not given; ``None``
        (with a message) when the answer has no such part.

    Examples
    --------
    >>> part(..., "estimate") is Ellipsis
    True
    >>> part({"estimate": 3}, "estimate")
    3
    """
    if _unanswered(answer):
        return Ellipsis
    try:
        return answer[key]
    except (KeyError, IndexError, TypeError):
        if hasattr(answer, key):
            return getattr(answer, key)
        print(f"✘ the answer has no {key!r}: check that you stored the right object.")
        return None


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
        _say(TODO, name, "not yet answered. Replace the ... with your code and run the cell.")
        return Verdict(False)
    if isinstance(answer, (pd.Series, pd.DataFrame, np.ndarray, list, tuple)):
        size = np.size(answer) if not isinstance(answer, pd.DataFrame) else answer.size
        hint = " It holds one value: take it out with float(...) or .iloc[0]." if size == 1 else ""
        _say(
            WRONG,
            name,
            f"wrong type: got a {type(answer).__name__} with {size} values, expected a single number.{hint}",
        )
        return Verdict(False)
    if isinstance(answer, np.generic):
        answer = answer.item()
    if not _is_number(answer):
        hint = " It is text: convert it with float(...)." if isinstance(answer, str) else ""
        _say(WRONG, name, f"wrong type: got {type(answer).__name__}, expected a number.{hint}")
        return Verdict(False)
    answer, expected = float(answer), float(expected)
    if math.isnan(answer):
        _say(WRONG, name, "the answer is NaN (not a number): check for missing values or an empty selection.")
        return Verdict(False)
    if _close(answer, expected, rel, abs_tol):
        _say(OK, name, "correct.")
        return Verdict(True)
    if expected != 0 and _close(answer, -expected, rel, abs_tol):
        _say(WRONG, name, "the sign is flipped: check which group you subtract from which.")
    elif expected != 0 and _close(answer * 100, expected, rel, abs_tol):
        _say(WRONG, name, "off by a factor of 100: give it as a percentage (0-100), not a proportion (0-1).")
    elif expected != 0 and _close(answer / 100, expected, rel, abs_tol):
        _say(WRONG, name, "off by a factor of 100: give it as a proportion (0-1), not a percentage (0-100).")
    elif expected != 0 and abs(answer - expected) <= 0.01 * abs(expected):
        _say(
            WRONG,
            name,
            "very close but not within the tolerance: did you round too early? Keep full precision.",
        )
    else:
        _say(WRONG, name, "not the expected value. Check the rows you selected and the formula.")
    return Verdict(False)


@fill
def check_frame(answer, expected, name: str = "Task", rel: float = 1e-3, check_index: bool = True) -> Verdict:
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

    Returns
    -------
    {verdict_returns}

    Examples
    --------
    >>> exp = pd.DataFrame({"mean": [3.5, 4.0]}, index=["a", "b"])
    >>> check_frame(exp.rename(columns={"mean": "avg"}), exp, "Task 3")
    ✘ Task 3: missing column(s): 'mean'; unexpected column(s): 'avg'.
    False
    """
    if _unanswered(answer):
        _say(TODO, name, "not yet answered. Replace the ... with your code and run the cell.")
        return Verdict(False)
    want_series = isinstance(expected, pd.Series)
    if want_series and isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        _say(WRONG, name, "got a one-column DataFrame, expected a Series: select the column with df['name'].")
        return Verdict(False)
    if not isinstance(answer, (pd.DataFrame, pd.Series)) or isinstance(answer, pd.Series) != want_series:
        kind = "Series (one column of values)" if want_series else "DataFrame (a table)"
        _say(WRONG, name, f"wrong type: got {type(answer).__name__}, expected a pandas {kind}.")
        return Verdict(False)
    if not want_series:
        missing = [c for c in expected.columns if c not in answer.columns]
        extra = [c for c in answer.columns if c not in expected.columns]
        if missing or extra:
            parts = []
            if missing:
                parts.append("missing column(s): " + ", ".join(map(repr, missing)))
            if extra:
                parts.append("unexpected column(s): " + ", ".join(map(repr, extra)))
            _say(WRONG, name, "; ".join(parts) + ".")
            return Verdict(False)
        answer = answer[list(expected.columns)]
    if len(answer) != len(expected):
        _say(WRONG, name, f"has {len(answer)} rows, expected {len(expected)}: check your grouping or filter.")
        return Verdict(False)
    if check_index and not answer.index.equals(expected.index):
        if set(map(str, answer.index)) != set(map(str, expected.index)) or answer.index.has_duplicates:
            _say(
                WRONG,
                name,
                "the row labels (index) are not the expected ones: group by the column the task names.",
            )
            return Verdict(False)
        pos = {str(k): i for i, k in enumerate(answer.index)}
        answer = answer.iloc[[pos[str(k)] for k in expected.index]]
    a = answer.to_numpy()
    e = expected.to_numpy()
    try:
        a_num, e_num = np.asarray(a, dtype=float), np.asarray(e, dtype=float)
    except (TypeError, ValueError):
        same = (np.asarray(a, dtype=object) == np.asarray(e, dtype=object)).all()
        _say(
            OK if same else WRONG, name, "correct." if same else "some values differ from the expected ones."
        )
        return Verdict(same)
    if np.isnan(a_num).sum() > np.isnan(e_num).sum():
        _say(WRONG, name, "has missing values (NaN) where numbers are expected: check for blank answers.")
        return Verdict(False)
    good = np.isclose(a_num, e_num, rtol=rel, atol=1e-9, equal_nan=True)
    if good.all():
        _say(OK, name, "correct.")
        return Verdict(True)
    if np.isclose(a_num * 100, e_num, rtol=rel, atol=1e-9, equal_nan=True).all():
        _say(WRONG, name, "off by a factor of 100: give percentages (0-100), not proportions (0-1).")
    elif np.isclose(a_num, -e_num, rtol=rel, atol=1e-9, equal_nan=True).all():
        _say(WRONG, name, "the signs are flipped: check which group you subtract from which.")
    else:
        _say(WRONG, name, f"{int((~good).sum())} of {good.size} values differ from the expected ones.")
    return Verdict(False)


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
        _say(TODO, name, "not yet answered. Replace the ... with your code and run the cell.")
        return Verdict(False)
    if isinstance(answer, (pd.Series, pd.Index, list, tuple, np.ndarray)):
        _say(WRONG, name, f"got a {type(answer).__name__}, expected a single answer (one name).")
        return Verdict(False)
    norm = lambda v: str(v).strip().lower()  # noqa: E731
    if choices is not None and norm(answer) not in {norm(c) for c in choices}:
        listing = ", ".join(repr(str(c)) for c in choices)
        _say(WRONG, name, f"{str(answer)!r} is not one of the possible answers: {listing}.")
        return Verdict(False)
    if norm(answer) == norm(expected):
        _say(OK, name, "correct.")
        return Verdict(True)
    _say(WRONG, name, "not the right answer. Look again at the table or chart the task is about.")
    return Verdict(False)
