"""Argument checks shared by the analysis modules.

Each check either returns clean data or raises :class:`cxlib.errors.InputError`
with a message that names the argument or column, shows a few offending rows and
values, and says what was expected. Nothing is dropped or coerced silently.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .errors import CxlibError, InputError

MAX_SHOWN = 5


def show_examples(index: Iterable, values: Iterable, limit: int = MAX_SHOWN) -> str:
    """Format up to ``limit`` (row, value) pairs for an error message.

    >>> show_examples([3, 7], ["x", 9.5])
    "row 3: 'x', row 7: 9.5"
    """
    pairs = list(zip(index, values))
    shown = ", ".join(f"row {i!r}: {v!r}" for i, v in pairs[:limit])
    more = len(pairs) - limit
    return shown + (f" (and {more} more)" if more > 0 else "")


def suggest(name: str, choices: Sequence[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for a close match among ``choices``, else ``""``.

    >>> suggest("recomend", ["recommend", "satisfaction"])
    " (did you mean 'recommend'?)"
    """
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str = "data") -> None:
    """Raise :class:`InputError` if any of ``columns`` is not in ``df``.

    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"])
    >>> require_columns(pd.DataFrame({"score": [1]}), ["scor"])
    Traceback (most recent call last):
    ...
    cxlib.errors.InputError: data has no column 'scor' (did you mean 'score'?); its columns are: 'score'
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    available = [str(c) for c in df.columns]
    for col in columns:
        if col not in df.columns:
            listing = ", ".join(repr(c) for c in available[:30])
            raise InputError(
                f"{what} has no column {col!r}{suggest(col, available)}; its columns are: {listing}"
            )


def check_confidence(confidence, error: type[CxlibError] = InputError) -> float:
    """Check that a confidence level lies strictly between 0 and 1.

    Parameters
    ----------
    confidence : float
        The confidence level to check.
    error : CxlibError subclass
        The exception to raise (notebook parameters raise :class:`cxlib.params.ParameterError`).

    Returns
    -------
    float
        The confidence level, as a float.

    Examples
    --------
    >>> check_confidence(0.9)
    0.9
    >>> check_confidence(95)
    Traceback (most recent call last):
    ...
    cxlib.errors.InputError: confidence must be a number between 0 and 1 (for example 0.95), got 95
    """
    number = not isinstance(confidence, bool) and isinstance(
        confidence, (int, float, np.integer, np.floating)
    )
    if not number or not 0 < float(confidence) < 1:
        raise error(f"confidence must be a number between 0 and 1 (for example 0.95), got {confidence!r}")
    return float(confidence)


def check_option(name: str, value, choices: Sequence[str]) -> str:
    """Check that ``value`` is one of the named ``choices`` of an argument.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : str
        What was given.
    choices : sequence of str
        The values the argument accepts.

    Returns
    -------
    str
        ``value``, unchanged.

    Examples
    --------
    >>> check_option("missing", "listwise", ("raise", "listwise"))
    'listwise'
    >>> check_option("missing", "listwse", ("raise", "listwise"))
    Traceback (most recent call last):
    ...
    cxlib.errors.InputError: missing must be one of 'raise', 'listwise';
    got 'listwse' (did you mean 'listwise'?)
    """
    if not isinstance(value, str) or value not in choices:
        listing = ", ".join(repr(c) for c in choices)
        raise InputError(f"{name} must be one of {listing}; got {value!r}{suggest(str(value), choices)}")
    return value


def known_options(options: Iterable[str], allowed: Iterable[str], where: str) -> None:
    """Check that every keyword option given is one a metric takes.

    Parameters
    ----------
    options : iterable of str
        The names of the options given.
    allowed : iterable of str
        The names the metric takes.
    where : str
        The call, for the message (``"by_group(metric='nps')"``).

    Examples
    --------
    >>> known_options(["confidence"], {"confidence", "scale"}, "by_group(metric='top_box')")
    >>> known_options(["scal"], {"confidence", "scale"}, "by_group(metric='top_box')")
    Traceback (most recent call last):
    ...
    cxlib.errors.InputError: by_group(metric='top_box') takes the options confidence, scale; got scal
    """
    unknown = set(options) - set(allowed)
    if unknown:
        raise InputError(
            f"{where} takes the options {', '.join(sorted(allowed)) or 'none'}; "
            f"got {', '.join(sorted(unknown))}"
        )


def no_missing(df: pd.DataFrame, columns: Iterable[str], what: str = "value") -> None:
    """Raise :class:`InputError` naming the rows where any of ``columns`` is blank.

    Parameters
    ----------
    df : DataFrame
        The data.
    columns : iterable of str
        Columns that must have no missing values (group labels, ids, ...).
    what : str
        What one value of the column is, for the message (``"group label"``, ``"period"``).

    Returns
    -------
    None

    Examples
    --------
    >>> no_missing(pd.DataFrame({"branch": ["A", None]}, dtype=object), ["branch"], "group label")
    Traceback (most recent call last):
    ...
    cxlib.errors.InputError: branch: 1 missing group label(s) at row 1: None; drop or fill them first
    """
    for col in columns:
        bad = df[col].isna().to_numpy()
        if bad.any():
            raise missing_error(col, df.index[bad], df[col][bad], what)


def missing_error(name: str, index, values, what: str = "value", hint: str = "") -> InputError:
    """The error for blank values: how many, at which rows, and to drop or fill them first.

    Parameters
    ----------
    name : str
        The column or argument.
    index, values : iterable
        The rows of the blanks and what they hold (``NaN``, ``None``, ``<NA>``).
    what : str
        What one value is, for the message.
    hint : str
        Text added at the end (say, how to drop them).

    Returns
    -------
    InputError
        The error, to raise.

    Examples
    --------
    >>> print(missing_error("effort", [4], [None]))
    effort: 1 missing value(s) at row 4: None; drop or fill them first
    """
    shown = show_examples(index, values)
    return InputError(f"{name}: {len(index)} missing {what}(s) at {shown}; drop or fill them first{hint}")


def as_flags(values, name: str) -> np.ndarray:
    """True/false values from a boolean column or a 0/1 column; anything else is an error.

    Parameters
    ----------
    values : Series or array-like
        ``True``/``False`` or ``0``/``1`` (a column such as ``delayed`` or ``retained``).
    name : str
        What to call the values in an error message.

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> as_flags(pd.Series([1, 0, 1]), "retained")
    array([ True, False,  True])
    >>> as_flags(pd.Series([0, 2]), "retained")
    Traceback (most recent call last):
    ...
    cxlib.errors.InputError: retained must be true/false (or 0/1); 1 other value(s): row 1: 2
    """
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values))
    boolean = pd.api.types.is_bool_dtype(series.dtype) or (
        series.dtype == object and series.dropna().map(lambda v: isinstance(v, (bool, np.bool_))).all()
    )
    if boolean:
        no_missing(series.to_frame(name), [name])
        return series.to_numpy(dtype=bool)
    if not pd.api.types.is_numeric_dtype(series.dtype):
        raise InputError(
            f"{name} must be a true/false column (or 0/1), got dtype {series.dtype} "
            f"with values like {series.head(3).tolist()}"
        )
    arr = as_numeric(series, name)
    bad = ~np.isin(arr, (0.0, 1.0))
    if bad.any():
        shown = [int(v) if float(v).is_integer() else v for v in arr[bad].tolist()]
        raise InputError(
            f"{name} must be true/false (or 0/1); {int(bad.sum())} other value(s): "
            f"{show_examples(series.index[bad], shown)}"
        )
    return arr == 1


def whole_numbers(values, name: str, low: int, high: int) -> np.ndarray:
    """Ratings on a ``low``-``high`` scale, checked as ``as_numeric(..., integer=True)`` does.

    Integer input (a NumPy integer array or Series) cannot hold missing values or
    fractions, so one ``min`` and one ``max`` check it, and the array comes back as it
    is (integer dtype, no copy): this keeps NPS and top-box on ten million ratings as
    fast as the bare pandas arithmetic. Anything else, and any integer input that
    fails the range check, goes through :func:`as_numeric` (floats, and its error
    messages).

    Examples
    --------
    >>> whole_numbers(np.array([0, 7, 10]), "recommend", 0, 10)
    array([ 0,  7, 10])
    >>> whole_numbers([1.0, 5.0], "satisfaction", 1, 5)
    array([1., 5.])
    >>> whole_numbers(np.array([0, 11]), "recommend", 0, 10)
    Traceback (most recent call last):
    ...
    cxlib.errors.InputError: recommend: 1 value outside the allowed range 0 to 10: row 1: 11
    """
    arr = values.to_numpy() if isinstance(values, pd.Series) else values
    if isinstance(arr, np.ndarray) and arr.ndim == 1 and arr.size and arr.dtype.kind in "iu":
        if arr.min() >= low and arr.max() <= high:
            return arr
    return as_numeric(values, name, low=low, high=high, integer=True)


def _one_dimensional(values, name: str) -> None:
    """Refuse a table of values (a 2-D array, a list of lists) where one column is expected."""
    try:
        shape = np.shape(values)
    except ValueError:  # a ragged list of lists
        raise InputError(
            f"{name} must be one column of values; got a list of lists of different lengths"
        ) from None
    if len(shape) > 1:
        raise InputError(
            f"{name} must be one column of values; got a {len(shape)}-D array of shape {shape}. Pick one "
            "column (x[:, 0]), or flatten it (x.ravel()) if every value is one response"
        )


_DATES = (datetime.date, datetime.timedelta, np.datetime64, np.timedelta64, pd.Period)


def _no_dates(series: pd.Series, name: str) -> None:
    """Refuse dates, times and durations where numbers are expected (pandas makes them nanoseconds)."""
    kind = series.dtype
    dated = (
        pd.api.types.is_datetime64_any_dtype(kind)
        or pd.api.types.is_timedelta64_dtype(kind)
        or isinstance(kind, pd.PeriodDtype)
    )
    if not dated and pd.api.types.is_object_dtype(kind):
        hits = series.map(lambda v: isinstance(v, _DATES))
        dated = bool(hits.any())
        shown = series[hits]
    else:
        shown = series
    if dated:
        raise InputError(
            f"{name} holds dates or durations, not numbers ({show_examples(shown.index, shown)}); "
            "pass the scores column, or turn the dates into numbers yourself (e.g. .dt.days of a "
            "difference, or .dt.month)"
        )


def as_numeric(
    values,
    name: str = "scores",
    *,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    allow_missing: bool = False,
    allow_empty: bool = False,
) -> np.ndarray:
    """Return ``values`` as a float array after checking type, range and missing values.

    Parameters
    ----------
    values : array-like or pandas Series
        The values to check. A Series keeps its index for error messages.
    name : str
        What to call the values in an error message (a column name, say).
    low, high : float, optional
        Inclusive bounds.
    integer : bool
        Require whole numbers (ratings on a scale).
    allow_missing : bool
        Allow NaN / missing values (they are kept as NaN, never dropped).
    allow_empty : bool
        Allow zero values.

    Examples
    --------
    >>> as_numeric([1, 2, 5], "satisfaction", low=1, high=5, integer=True)
    array([1., 2., 5.])
    >>> as_numeric([1, 6], "satisfaction", low=1, high=5)
    Traceback (most recent call last):
    ...
    cxlib.errors.InputError: satisfaction: 1 value outside the allowed range 1 to 5: row 1: 6
    """
    if isinstance(values, pd.DataFrame):
        raise InputError(f"{name} must be one column of values (a Series or list), got a DataFrame")
    if not isinstance(values, pd.Series):
        _one_dimensional(values, name)
    series = (
        values
        if isinstance(values, pd.Series)
        else pd.Series(np.asarray(values, dtype=object) if np.ndim(values) else [values])
    )
    if series.ndim != 1:
        raise InputError(f"{name} must be one-dimensional")
    if len(series) == 0 and not allow_empty:
        raise InputError(f"{name} is empty: at least one value is needed")
    if pd.api.types.is_bool_dtype(series.dtype):
        raise InputError(f"{name} holds true/false values; expected numbers")
    if pd.api.types.is_complex_dtype(series.dtype) or (
        series.dtype == np.dtype(object) and series.map(lambda v: isinstance(v, complex)).any()
    ):
        raise InputError(f"{name} holds complex numbers; expected real numbers (ratings, amounts)")
    _no_dates(series, name)
    if pd.api.types.is_numeric_dtype(series.dtype):
        arr = series.to_numpy(dtype=float, na_value=np.nan)
    else:
        converted = pd.to_numeric(series, errors="coerce")
        bad = converted.isna() & series.notna()
        # a bool inside an object column is not a rating either
        bad |= series.map(lambda v: isinstance(v, (bool, np.bool_)))
        if bad.any():
            raise InputError(
                f"{name}: {int(bad.sum())} value(s) are not numbers: "
                f"{show_examples(series.index[bad], series[bad])}"
            )
        arr = converted.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(arr)
    if missing.any() and not allow_missing:
        raise missing_error(
            name, series.index[missing], series[missing], hint=" (for example with .dropna())"
        )
    finite = ~missing
    if np.isinf(arr[finite]).any():
        bad = np.isinf(arr) & finite
        raise InputError(f"{name}: infinite values at {show_examples(series.index[bad], arr[bad])}")
    if integer:
        bad = finite & (arr != np.round(arr))
        if bad.any():
            raise InputError(
                f"{name}: {int(bad.sum())} value(s) are not whole numbers: "
                f"{show_examples(series.index[bad], arr[bad])}"
            )
    if low is not None or high is not None:
        lo = -np.inf if low is None else low
        hi = np.inf if high is None else high
        bad = finite & ((arr < lo) | (arr > hi))
        if bad.any():
            vals = [int(v) if float(v).is_integer() else v for v in arr[bad]]
            fmt = lambda x: int(x) if float(x).is_integer() else x  # noqa: E731
            raise InputError(
                f"{name}: {int(bad.sum())} value{'s' if bad.sum() > 1 else ''} outside the allowed range "
                f"{fmt(lo)} to {fmt(hi)}: {show_examples(series.index[bad], vals)}"
            )
    return arr


def _kind(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true/false"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "number"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


def one_kind(column: pd.Series, name) -> None:
    """Refuse a group label column that mixes kinds of values: ``1`` and ``"1"``, ``1`` and ``True``.

    Such a column (a table joined from a spreadsheet and a CSV, say) makes groups that
    print alike but are counted apart (``1`` and ``"1"``), or distinct values that are
    counted together (``1``, ``1.0`` and ``True`` compare equal).

    Parameters
    ----------
    column : Series
        The group labels.
    name : str
        The column's name, for the message.

    Returns
    -------
    None

    Examples
    --------
    >>> one_kind(pd.Series(["a", "b", None]), "branch")
    >>> one_kind(pd.Series([1, "1"], dtype=object), "branch")
    Traceback (most recent call last):
    ...
    cxlib.errors.InputError: group label column 'branch' mixes kinds of values: number (row 0: 1), text
    (row 1: '1'); groups that print alike would be counted apart ...
    """
    if not pd.api.types.is_object_dtype(column.dtype):
        return
    present = column[column.notna()]
    kinds = present.map(_kind)
    if kinds.nunique() < 2:
        return
    parts = []
    for kind in sorted(kinds.unique()):
        picked = present[kinds == kind]
        parts.append(f"{kind} ({show_examples(picked.index[:2], picked.iloc[:2])})")
    raise InputError(
        f"group label column {name!r} mixes kinds of values: {', '.join(parts)}; groups that print alike "
        f"would be counted apart (1 and '1') or different ones together (1 and True). Make them one "
        f"kind first, e.g. df[{name!r}] = df[{name!r}].astype(str)"
    )
