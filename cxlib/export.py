"""Write tables a manager will open in a spreadsheet, safely.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is read by spreadsheet programs as a formula: a customer comment such as
``=HYPERLINK("http://evil", "click")`` would become a live link or worse (CSV
injection, OWASP). :func:`safe_cell` prefixes such text with a single quote, which
the spreadsheet shows as text; numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import os

import pandas as pd

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return ``value`` unchanged, or as text prefixed with ``'`` if a spreadsheet would run it.

    >>> safe_cell("=1+2"), safe_cell("-3.5"), safe_cell(-3.5), safe_cell("@SUM(A1)"), safe_cell("fine")
    ("'=1+2", '-3.5', -3.5, "'@SUM(A1)", 'fine')
    """
    if not isinstance(value, str) or not value.startswith(DANGEROUS):
        return value
    try:
        float(value)
        return value  # a number written as text, e.g. "-3.5"
    except ValueError:
        return "'" + value


def to_csv(df: pd.DataFrame, path: str | os.PathLike, **kwargs) -> None:
    """``DataFrame.to_csv`` with every text cell made spreadsheet-safe (see :func:`safe_cell`).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "comments.csv"
    >>> to_csv(pd.DataFrame({"comment": ["=cmd|' /C calc'!A0", "Great staff"], "score": [-2, 5]}), p)
    >>> print(p.read_text().strip())
    comment,score
    '=cmd|' /C calc'!A0,-2
    Great staff,5
    """
    out = df.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col].dtype):
            out[col] = out[col].map(safe_cell)
    if pd.api.types.is_object_dtype(out.index.dtype) or pd.api.types.is_string_dtype(out.index.dtype):
        out.index = out.index.map(safe_cell)
    kwargs.setdefault("index", False)
    out.to_csv(path, **kwargs)
