"""Write tables a manager will open in a spreadsheet, safely.

A cell whose text starts with ``=``, ``+``, ``-``, ``@`` (or their full-width forms), a tab,
a carriage return or a line break is read by spreadsheet programs as a formula: a customer
comment such as ``=HYPERLINK("http://evil", "click")`` would become a live link or worse
(CSV injection, OWASP). :func:`safe_cell` prefixes such text with a single quote, which the
spreadsheet shows as text; numbers, negative ones included, stay numbers.

:func:`to_csv` applies it to every string the file will hold, wherever it sits: the cells,
the column headers, the index values, the names of the index and of the columns, each level
of a MultiIndex and the categories of a categorical column or index (``metrics.by_group``
returns exactly such an index).
"""

from __future__ import annotations

import csv
import datetime
import numbers
import os
import re

import numpy as np
import pandas as pd

from .errors import InputError

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# values pandas writes as numbers, dates or nothing: no text a spreadsheet could run
_INERT = (numbers.Number, np.generic, datetime.date, datetime.time, datetime.timedelta, bytes)


def safe_cell(value):
    """Return ``value`` unchanged, or as text prefixed with ``'`` if a spreadsheet would run it.

    Text is dangerous when it starts with one of :data:`DANGEROUS`, also after leading
    spaces (some programs drop them), unless it is a plain number such as ``-3.5``.

    >>> safe_cell("=1+2"), safe_cell("-3.5"), safe_cell(-3.5), safe_cell("@SUM(A1)"), safe_cell("fine")
    ("'=1+2", '-3.5', -3.5, "'@SUM(A1)", 'fine')
    >>> safe_cell("  =1+2"), safe_cell("-inf"), safe_cell("\\uff1dcmd")
    ("'  =1+2", "'-inf", "'\\uff1dcmd")
    """
    if not isinstance(value, str) or not (
        value.startswith(DANGEROUS) or value.lstrip().startswith(DANGEROUS)
    ):
        return value
    if _NUMBER.fullmatch(value.strip()):
        return value  # a number written as text, e.g. "-3.5"
    return "'" + value


#: Control characters that an XLSX cell cannot hold (openpyxl refuses them) and a reader cannot
#: see: written as their escape, ``\\x07``, in both formats (tab, line feed and CR stay).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _visible(text: str) -> str:
    """Text with each control character written as its escape (``"a\\x07"`` for a bell)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _safe_value(value):
    """:func:`safe_cell` for any object pandas may write: text as it will be written, with its
    control characters made visible (:func:`_visible`).

    >>> _safe_value("Ash\\x07ford"), _safe_value("=\\x1b[2J")
    ('Ash\\\\x07ford', "'=\\\\x1b[2J")
    """
    if value is None or value is pd.NA or value is pd.NaT or isinstance(value, _INERT):
        return safe_cell(value)
    return safe_cell(_visible(value if isinstance(value, str) else str(value)))  # pandas writes str(value)


def _safe_values(values: pd.Series | pd.Index) -> pd.Series | pd.Index:
    """Cells or index values with every string made safe; numbers and dates untouched."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        safe = [_safe_value(c) for c in dtype.categories]
        if len(set(safe)) < len(safe):  # two categories would become one: write them as plain text
            return values.astype(object).map(_safe_value)
        return (
            values.cat.rename_categories(safe)
            if isinstance(values, pd.Series)
            else values.rename_categories(safe)
        )
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        return values.map(_safe_value)
    return values


def _safe_name(name):
    return None if name is None else _safe_value(name)


def _safe_index(index: pd.Index) -> pd.Index:
    """An index (of rows or of columns) with its values, levels and names made safe."""
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_arrays(
            [_safe_values(index.get_level_values(i)) for i in range(index.nlevels)],
            names=[_safe_name(n) for n in index.names],
        )
    return pd.Index(_safe_values(index), name=_safe_name(index.name))


def _meaningful(index: pd.Index) -> bool:
    """Whether an index says something (group names, dates, a name), not just row positions."""
    if any(n is not None for n in index.names) or isinstance(index, pd.MultiIndex):
        return True
    return not (pd.api.types.is_integer_dtype(index.dtype) and not isinstance(index, pd.CategoricalIndex))


def to_csv(df: pd.DataFrame | pd.Series, path: str | os.PathLike | None, **kwargs) -> str | None:
    """``DataFrame.to_csv`` with every string a spreadsheet would read made safe (see :func:`safe_cell`).

    Cells, column headers, index values and names, every level of a MultiIndex and the
    categories of categorical columns and indexes are protected; so are ``header``
    aliases, ``index_label`` and ``na_rep`` given as text. The index is written when it
    means something (a name, group labels, dates), as ``metrics.by_group`` returns it,
    and left out when it only numbers the rows; pass ``index=`` to decide yourself.
    Lines end with CRLF (RFC 4180), so that a line break inside a value is quoted. With
    ``path=None`` the CSV text is returned, as pandas does.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "comments.csv"
    >>> to_csv(pd.DataFrame({"comment": ["=cmd|' /C calc'!A0", "Great staff"], "score": [-2, 5]}), p)
    >>> print(p.read_text().strip())  # read_text turns CRLF into line breaks
    comment,score
    '=cmd|' /C calc'!A0,-2
    Great staff,5
    >>> table = pd.DataFrame({"n": [3, 4]}, index=pd.CategoricalIndex(["=A1+A2", "Ashford"], name="@branch"))
    >>> for line in to_csv(table, None).splitlines():
    ...     print(line)
    '@branch,n
    '=A1+A2,3
    Ashford,4
    """
    if isinstance(df, pd.Series):
        df = df.to_frame()
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"to_csv writes a pandas DataFrame or Series, got {type(df).__name__}")
    columns = kwargs.pop("columns", None)
    if columns is not None:
        df = df[list(columns)]
    kwargs.setdefault("index", _meaningful(df.index))
    cells = {i: _safe_values(df.iloc[:, i]).array for i in range(df.shape[1])}
    out = pd.DataFrame(cells, index=_safe_index(df.index), copy=False)
    out.columns = _safe_index(df.columns)
    for key in ("header", "index_label"):
        value = kwargs.get(key)
        if isinstance(value, str):
            kwargs[key] = safe_cell(value)
        elif isinstance(value, (list, tuple, pd.Index)):
            kwargs[key] = [_safe_name(v) for v in value]
    if isinstance(kwargs.get("na_rep"), str):
        kwargs["na_rep"] = safe_cell(kwargs["na_rep"])
    # a line break inside a value must be quoted, or the spreadsheet starts a new row there (and
    # its text, unprotected, a new cell): Python's csv writer quotes only the characters of the
    # line terminator, so it must hold both CR and LF (CRLF, as RFC 4180 and Excel write), or
    # every text field is quoted
    if kwargs.get("quoting") == csv.QUOTE_NONE:
        raise InputError("to_csv cannot write unquoted values safely; leave quoting to its default")
    kwargs.setdefault("lineterminator", "\r\n")
    if not ("\r" in kwargs["lineterminator"] and "\n" in kwargs["lineterminator"]):
        kwargs.setdefault("quoting", csv.QUOTE_NONNUMERIC)
    return out.to_csv(path, **kwargs)


def _sheet_name(name, taken: set) -> str:
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\`` nor control characters,
    unique, neither starting nor ending with '.

    >>> _sheet_name("NPS by channel of the customer's visit", set()), _sheet_name("a\\nb", set())
    ('NPS by channel of the customer', 'a b')
    """
    # Excel refuses a name that starts or ends with an apostrophe: stripped after the cut to 31
    clean = re.sub(r"[\[\]:*?/\\]", "_", re.sub(r"[\x00-\x1f]", " ", str(name)))[:31].strip("'") or "sheet"
    base, i = clean, 2
    while clean.lower() in taken:
        suffix = f" ({i})"
        clean, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(clean.lower())
    return clean


def to_xlsx(tables: dict, path: str | os.PathLike) -> str | os.PathLike:
    """Write tables to one Excel workbook, a sheet each, every string made safe (see :func:`safe_cell`).

    The same protection as :func:`to_csv`: cells, headers, index values and names, the levels of a
    MultiIndex and the categories of categorical columns are passed through :func:`safe_cell`, so a
    label such as ``=HYPERLINK(...)`` from a survey export is stored as text, never as a formula.
    Sheet names are cut to Excel's 31 characters, without the characters it refuses.

    Parameters
    ----------
    tables : dict
        ``{sheet name: DataFrame or Series}``.
    path : str or path
        The ``.xlsx`` file to write.

    Returns
    -------
    str or path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> _ = to_xlsx({"by branch": pd.DataFrame({"branch": ["=1+2", "Ashford"], "n": [3, 4]})}, p)
    >>> pd.read_excel(p)["branch"].tolist()
    ["'=1+2", 'Ashford']
    """
    if not isinstance(tables, dict) or not tables:
        raise InputError("to_xlsx writes a dict of {sheet name: DataFrame}, at least one")
    taken: set = set()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, df in tables.items():
            if isinstance(df, pd.Series):
                df = df.to_frame()
            if not isinstance(df, pd.DataFrame):
                raise InputError(f"to_xlsx: sheet {name!r} is a {type(df).__name__}, not a DataFrame")
            index = _meaningful(df.index)
            cells = {i: _safe_values(df.iloc[:, i]).array for i in range(df.shape[1])}
            out = pd.DataFrame(cells, index=_safe_index(df.index), copy=False)
            out.columns = _safe_index(df.columns)
            out.to_excel(writer, sheet_name=_sheet_name(name, taken), index=index)
    return path
