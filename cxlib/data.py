"""Load the course's tables as validated, typed DataFrames.

The schema of every table lives in one place, ``cxlib/datapackage.json`` (a
Frictionless Data Package). :func:`load` reads a CSV file, checks it against that
schema and returns a DataFrame with proper dtypes: categories for fields with a
fixed list of values, dates, nullable integers for ratings that may be blank.
Anything that does not match raises :class:`cxlib.errors.DataError`; nothing is
silently changed, coerced or dropped.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import warnings
from collections.abc import Sequence
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ._validate import show_examples, suggest
from .errors import DataError

SCHEMA_PATH = Path(__file__).with_name("datapackage.json")
FACTORS = ("people", "environment", "practices")


@functools.cache
def schema() -> dict:
    """Return the Data Package that describes every table (parsed ``datapackage.json``).

    >>> [r["name"] for r in schema()["resources"]][:3]
    ['survey', 'benchmark', 'expectations']
    """
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def tables() -> list[str]:
    """Names of the tables in the course's data.

    >>> tables()  # doctest: +NORMALIZE_WHITESPACE
    ['survey', 'benchmark', 'expectations', 'servqual', 'kano', 'touchpoints', 'transactions',
     'training', 'population']
    """
    return [r["name"] for r in schema()["resources"]]


def resource(name: str) -> dict:
    """Return the schema entry of table ``name``.

    >>> resource("training")["schema"]["primaryKey"]
    ['branch']
    """
    for r in schema()["resources"]:
        if r["name"] == name:
            return r
    raise DataError(
        f"there is no table {name!r}{suggest(name, tables())}; the tables are: {', '.join(tables())}"
    )


def fields(name: str) -> list[dict]:
    """Field descriptions of table ``name``, in column order (from ``cxlib/datapackage.json``).

    Examples
    --------
    >>> [f["name"] for f in fields("training")]
    ['branch', 'trained', 'start_month']
    >>> fields("survey")[0]["constraints"]
    {'required': True, 'minimum': 1, 'unique': True}
    """
    return resource(name)["schema"]["fields"]


def items(factor: str | None = None) -> list[str]:
    """The survey's rating items, all or those of one factor of experience.

    Parameters
    ----------
    factor : {"people", "environment", "practices"}, optional

    Examples
    --------
    >>> items("people")
    ['people_friendliness', 'people_knowledge', 'people_helpfulness']
    >>> len(items())
    10
    """
    if factor is not None and factor not in FACTORS:
        raise DataError(f"factor must be one of {', '.join(FACTORS)}, got {factor!r}")
    return [
        f["name"] for f in fields("survey") if "factor" in f and (factor is None or f["factor"] == factor)
    ]


def item_labels() -> dict[str, str]:
    """Short wording of each survey item, for tables and charts.

    >>> item_labels()["env_comfort"]
    'The store was comfortable to spend time in'
    """
    return {f["name"]: f["title"] for f in fields("survey") if "factor" in f}


def value_labels(table: str, column: str) -> dict[str, str]:
    """The wording behind each code of a coded column (the ``categories`` of its schema field).

    A questionnaire's items are often stored as short codes (``reliability_2``); the schema
    keeps the statement each code stands for, as Frictionless Table Schema ``categories``
    (``{"value": code, "label": wording}``).

    Parameters
    ----------
    table : str
        A table of the course's data (:func:`tables`).
    column : str
        One of its columns whose schema field lists labelled categories.

    Returns
    -------
    dict
        Code to wording, in the schema's order.

    Examples
    --------
    >>> wording = value_labels("servqual", "item")
    >>> wording["reliability_3"]
    'It gets an order right the first time (the right item, colour and size)'
    >>> len(wording)
    15
    """
    for f in fields(table):
        if f["name"] == column:
            labelled = [c for c in f.get("categories", []) if isinstance(c, dict) and "label" in c]
            if not labelled:
                raise DataError(f"{table}.{column} has no wording for its values in the schema")
            return {c["value"]: c["label"] for c in labelled}
    names = [f["name"] for f in fields(table)]
    raise DataError(f"table {table!r} has no column {column!r}{suggest(column, names)}")


def categories(table: str, column: str) -> list[str]:
    """Allowed values of a categorical column, in their schema order.

    Columns whose values depend on the data (``branch``, ``business``) have no
    fixed list: use the loaded table's categories instead.

    >>> categories("survey", "channel")
    ['in store', 'phone', 'online']
    """
    for f in fields(table):
        if f["name"] == column:
            enum = f.get("constraints", {}).get("enum")
            if enum is None:
                raise DataError(
                    f"{table}.{column} has no fixed list of values; its categories are the "
                    f"values found in the data (see load({table!r})[{column!r}].cat.categories)"
                )
            return list(enum)
    names = [f["name"] for f in fields(table)]
    raise DataError(f"table {table!r} has no column {column!r}{suggest(column, names)}")


def default_data_dir() -> Path:
    """The folder the course reads data from when none is given.

    ``$CXKIT_DATA`` if set; else the course's ``datasets/``, found relative to this
    package so notebooks work from any working directory: inside the package
    (``cxlib/datasets``) when cxlib is installed from a wheel, else at the top of the
    checkout (a clone, or an editable install).

    Examples
    --------
    >>> default_data_dir().name  # with $CXKIT_DATA unset
    'datasets'
    >>> (default_data_dir() / "survey.csv").is_file()
    True
    """
    env = os.environ.get("CXKIT_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    shipped = here / "datasets"  # a wheel carries the data inside the package
    return shipped if (shipped / "survey.csv").is_file() else here.parent / "datasets"


def _fail(table: str, message: str) -> DataError:
    return DataError(f"{table}: {message}")


# --------------------------------------------------------------------------------------------
# Reading a CSV file. Every data row of the file is either loaded exactly or named, by its line
# in the file, in an error. The file's bytes are scanned once with NumPy (RFC 4180 quoting: a
# quoted value starts right after a delimiter or a line break, a quote inside it is doubled):
# where each record starts and ends, on which line, whether every quote opens and closes where
# a quote may, and how many values each row holds. pandas' C reader then parses the values,
# and its rows are matched to the records found here.
# --------------------------------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"
_COMMA, _QUOTE, _LF, _CR, _DOT = 44, 34, 10, 13, 46
_EXACT = 2**53  # above this, float64 no longer holds every whole number
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_SENTINEL = "\x00after the trailing delimiter"  # the empty field a trailing delimiter makes
_MAX_SHOWN = 5


def _show_lines(lines, what: Sequence[str] | None = None, limit: int = _MAX_SHOWN) -> str:
    """``line 7, line 9`` (or ``line 7: 19 values``), at most ``limit`` of them."""
    lines = [int(x) for x in lines]
    shown = [f"line {n}" + (f": {w}" if what is not None else "") for n, w in zip(lines, what or lines)]
    more = len(lines) - limit
    return ", ".join(shown[:limit]) + (f" (and {more} more)" if more > 0 else "")


def _text(raw: bytes, start: int, stop: int, limit: int = 40) -> str:
    """A short, printable excerpt of the file for an error message."""
    piece = raw[start : min(stop, start + limit)].decode("utf-8", "replace")
    return piece + ("..." if stop - start > limit else "")


class _Scan:
    """The records of a CSV file's bytes: where each starts and stops, and on which line.

    A line break (LF, CRLF or a lone CR) ends a record unless it lies inside quotes, which
    is decided by counting the quotes before it (an even number: outside). That count is
    right as long as every quote stands where RFC 4180 puts one; :meth:`quote_problem`
    finds the first quote that does not.
    """

    def __init__(self, raw: bytes):
        self.raw = raw
        arr = self.arr = np.frombuffer(raw, np.uint8)
        n = self.n = len(arr)
        self.start = len(_BOM) if raw.startswith(_BOM) else 0
        breaks = np.flatnonzero(arr == _LF)
        has_cr = raw.find(b"\r") >= 0
        if has_cr:
            cr = np.flatnonzero(arr == _CR)
            lone = cr[(cr == n - 1) | (arr[np.minimum(cr + 1, n - 1)] != _LF)]
            if len(lone):
                breaks = np.sort(np.concatenate([breaks, lone]))
        self.breaks = breaks
        q = self.q = np.flatnonzero(arr == _QUOTE)
        self.inside = (np.searchsorted(q, breaks) & 1).astype(bool) if len(q) else np.zeros(len(breaks), bool)
        ends = np.flatnonzero(~self.inside)  # the breaks that end a record, as indices into breaks
        term = breaks[ends]
        starts = np.concatenate(([self.start], term + 1))
        stops = np.concatenate((term, [n]))
        lines = np.concatenate(([1], ends + 2))
        if starts[-1] >= n:  # the file ends with a line break: nothing after it
            starts, stops, lines = starts[:-1], stops[:-1], lines[:-1]
        if has_cr:  # a CRLF record's content stops before its CR
            crlf = (stops > starts) & (stops < n)
            crlf[crlf] = (arr[stops[crlf]] == _LF) & (arr[stops[crlf] - 1] == _CR)
            stops = stops - crlf
        self.starts, self.stops, self.lines = starts, stops, lines
        self.blank = self.stops == starts
        # quotes in order alternate: an opening one, a closing one (a doubled quote inside a
        # value closes and reopens at once)
        self.opens, self.closes = q[0::2], q[1::2]

    def line_of(self, pos: int) -> int:
        return int(np.searchsorted(self.breaks, pos)) + 1

    def record_of(self, pos: int) -> int:
        return int(np.searchsorted(self.starts, pos, side="right")) - 1

    def field_of(self, pos: int) -> int:
        """0-based index of the field that holds byte ``pos`` in its record."""
        r = self.record_of(pos)
        prefix = self.raw[self.starts[r] : pos].decode("utf-8", "replace")
        row = next(csv.reader(io.StringIO(prefix, newline="")), [""]) if prefix else [""]
        return len(row) - 1

    def field_start(self, i: int) -> int:
        """The first quote of the value whose i-th opening quote may be a doubled quote's second."""
        opens, closes = self.opens, self.closes
        while i > 0 and closes[i - 1] == opens[i] - 1:
            i -= 1
        return int(opens[i])

    def quote_problem(self) -> tuple[int, str, int] | None:
        """The first quote out of place: (its position, kind, where its value opened), or None."""
        arr, n, opens, closes = self.arr, self.n, self.opens, self.closes
        if not len(opens):
            return None
        prev = arr[np.maximum(opens - 1, 0)]
        escape = np.zeros(len(opens), bool)  # an opening quote right after a closing one: ""
        escape[1:] = closes[: len(opens) - 1] == opens[1:] - 1
        ok_open = (opens == self.start) | (prev == _COMMA) | (prev == _LF) | (prev == _CR) | escape
        after = arr[np.minimum(closes + 1, n - 1)]
        reopen = np.zeros(len(closes), bool)
        m = min(len(closes), len(opens) - 1)
        reopen[:m] = opens[1 : m + 1] == closes[:m] + 1
        ok_close = (closes == n - 1) | (after == _COMMA) | (after == _LF) | (after == _CR) | reopen
        found = []
        if not ok_open.all():
            i = int(np.argmin(ok_open))
            found.append((int(opens[i]), "inside", int(opens[i])))
        if not ok_close.all():
            i = int(np.argmin(ok_close))
            found.append((int(closes[i]), "after", self.field_start(i)))
        if len(opens) > len(closes):
            found.append((int(opens[-1]), "unclosed", self.field_start(len(opens) - 1)))
        return min(found) if found else None

    def multiline(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each line break inside quotes: its position, and where its value opens and closes."""
        inner = self.breaks[self.inside]
        if not len(inner):
            return inner, inner, inner
        opens, closes = self.opens, self.closes
        region = (np.searchsorted(self.q, inner) - 1) // 2
        # a value is one or more regions joined by doubled quotes: find its first and last
        idx = np.arange(len(opens))
        escape = np.zeros(len(opens), bool)
        escape[1:] = closes[: len(opens) - 1] == opens[1:] - 1
        first = np.maximum.accumulate(np.where(escape, 0, idx))
        joined = np.zeros(len(opens), bool)  # region i continues into region i + 1
        joined[:-1] = escape[1:]
        last = np.minimum.accumulate(np.where(joined, len(opens), idx)[::-1])[::-1]
        ends = np.append(closes, self.n)[last[region]]
        return inner, opens[first[region]], ends

    def unquoted_delimiters(self) -> int:
        """Delimiters outside quotes in the whole file (the header's included)."""
        total = int(np.count_nonzero(self.arr[self.start :] == _COMMA))
        if len(self.closes):
            m = len(self.closes)
            total -= sum(map(self.raw.count, repeat(b",", m), self.opens[:m].tolist(), self.closes.tolist()))
        return total

    def values_per_record(self, records: np.ndarray) -> np.ndarray:
        """How many values each of ``records`` holds (slow: for error messages)."""
        starts, stops = self.starts[records], self.stops[records]
        count = np.fromiter(
            map(self.raw.count, repeat(b",", len(records)), starts.tolist(), stops.tolist()),
            np.int64,
            len(records),
        )
        m = len(self.closes)
        if m:
            inside = np.fromiter(
                map(self.raw.count, repeat(b",", m), self.opens[:m].tolist(), self.closes.tolist()),
                np.int64,
                m,
            )
            where = np.searchsorted(starts, self.opens[:m], side="right") - 1
            keep = (where >= 0) & (self.opens[:m] < stops[np.maximum(where, 0)])
            count -= np.bincount(where[keep], weights=inside[keep], minlength=len(records)).astype(np.int64)
        return count + 1

    def long_decimals(self) -> bool:
        """Whether some number of 16 or more digits has a decimal point or an exponent.

        Such a number may not survive the trip through a float that pandas makes when a
        whole-number column holds a value like ``5.0``: ``3.0000000000000001`` reads as 3.
        A run of 16 characters from ``0-9.`` holds 8 aligned bytes of them, which one
        comparison of 64-bit words finds (bytes ``.`` to ``9``: ``/`` too, checked after);
        each such word is then extended to its whole run.
        """
        arr = self.arr
        m = len(arr) // 8 * 8
        near = np.subtract(arr[:m], _DOT, dtype=np.uint8)
        np.less_equal(near, 57 - _DOT, out=near.view(bool))
        cand = np.flatnonzero(near.view(np.uint64) == np.uint64(0x0101010101010101))
        if not len(cand):
            return False
        # the 24 bytes around each candidate word: the word before, the word, the word after
        at = 8 * cand[:, None] - 8 + np.arange(24)
        outside = (at < 0) | (at >= len(arr))
        window = arr[np.clip(at, 0, len(arr) - 1)]
        number = (((window - 48) <= 9) | (window == _DOT)) & ~outside
        word = number[:, 8:16].all(1)

        def run(block: np.ndarray) -> np.ndarray:  # leading True values of each row, 0 to 8
            return np.where(block.all(1), 8, np.argmin(block, axis=1))

        left, right = run(number[:, 7::-1]), run(number[:, 16:])
        long = word & (left + right >= 8)  # the run holds 16 characters or more
        inside = (np.arange(24) >= 8 - left[:, None]) & (np.arange(24) < 16 + right[:, None])
        point = (long[:, None] & inside & (window == _DOT)).any()
        after = 8 * cand + 8 + right
        ok = long & (right < 8) & (after < len(arr))
        return bool(point or np.isin(arr[after[ok]], (69, 101)).any())


def _free_text(table: str, name: str) -> bool:
    """Whether a column may hold any text (line breaks included): free text, or not in the schema."""
    for f in fields(table):
        if f["name"] == name:
            return (
                f["type"] == "string" and "enum" not in f.get("constraints", {}) and not f.get("categorical")
            )
    return True


class _Layout(NamedTuple):
    names: list[str]  # what pandas calls each field (the sentinel last, after a trailing delimiter)
    lines: np.ndarray  # the line in the file of each row pandas returns
    empty: np.ndarray  # which of those rows have every value empty (dropped, like blank lines)
    scan: _Scan


def _layout(raw: bytes, table: str, path: Path, count_each: bool = False) -> _Layout:
    """Check the file's structure and say how pandas' rows map to its lines; raise DataError if broken.

    The number of values per row is checked from the file's total of delimiters (fast);
    with ``count_each``, or when the total does not fit, row by row (slow), to name the rows.
    """
    scan = _Scan(raw)
    blank = scan.blank.copy()
    head = 0
    while head < len(blank) and (blank[head] or not raw[scan.starts[head] : scan.stops[head]].strip(b" \t")):
        blank[head] = True
        head += 1
    if head == len(blank):
        raise _fail(table, f"the file {path} has no header row, only blank lines")
    header_text = raw[scan.starts[head] : scan.stops[head]].decode("utf-8", "replace")
    header = next(csv.reader(io.StringIO(header_text, newline="")), [""])
    names = header[:-1] if len(header) > 1 and header[-1] == "" else header
    n = len(names)

    def column(pos: int) -> str:
        i = scan.field_of(pos)
        return repr(names[i]) if i < n else f"{i + 1} (after the last named column)"

    # 1. quotes out of place, and quoted values that swallow what looks like rows of their own
    problems = []
    inner, value_open, value_close = scan.multiline()
    bad = scan.quote_problem()
    if bad is not None:
        pos, kind, opened = bad
        line, first = scan.line_of(pos), scan.line_of(opened)
        if kind == "inside":
            space = " (a space before the opening quote?)" if raw[pos - 1 : pos] == b" " else ""
            what = f'a quote (") stands inside a value that does not start with one{space}'
        elif kind == "after":
            what = (
                f"a closing quote is followed by {_text(raw, pos + 1, scan.stops[scan.record_of(pos)], 10)!r}"
            )
        # a value opened on an earlier line of the same record, which the quote count says is
        # still open, is the likelier culprit: a quote left open there
        start = scan.starts[scan.record_of(pos)]
        earlier = np.flatnonzero((inner >= start) & (inner < pos))
        if len(earlier) and value_open[earlier[0]] < opened:
            opened = int(value_open[earlier[0]])
            first = scan.line_of(opened)
        col = column(opened)
        if first != line or kind == "unclosed":
            later = "the file ends inside it" if kind == "unclosed" else f"further on, on line {line}, {what}"
            text = (
                f"line {first}, column {col}: the quote that opens this value is never closed on line "
                f"{first} ({later}): a closing quote is probably missing on line {first}"
            )
        elif kind == "inside":
            text = (
                f"line {line}, column {col}: {what}. A value that holds quotes must be written in quotes, "
                'each of its quotes doubled ("5"" shelf"), as spreadsheets save it'
            )
        else:
            text = (
                f"line {line}, column {col}: in the quoted value {_text(raw, opened, pos + 1)!r}, {what}; "
                'a quote inside a quoted value must be doubled ("")'
            )
        problems.append((opened, text))
    if len(inner):
        nxt = np.append(scan.breaks, scan.n)[np.searchsorted(scan.breaks, inner) + 1]
        stop = np.minimum(nxt, value_close)
        counts = np.fromiter(
            map(raw.count, repeat(b",", len(inner)), (inner + 1).tolist(), stop.tolist()),
            np.int64,
            len(inner),
        )
        rowlike = counts >= max(n - 1, 1)
        if rowlike.any():
            i = int(np.argmax(rowlike))
            opened = int(value_open[i])
            first, swallowed = scan.line_of(opened), scan.line_of(int(inner[i]) + 1)
            problems.append(
                (
                    opened,
                    f"line {first}, column {column(opened)}: the quoted value that starts on this line runs "
                    f"on into line {swallowed}, which looks like a row of its own "
                    f"({_text(raw, int(inner[i]) + 1, int(stop[i]))!r}): a closing quote is probably "
                    f"missing on line {first}",
                )
            )

    def counted(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """The rows that hold values, how many each holds, and how many a row should hold."""
        values = scan.values_per_record(data)
        spaces = (values == 1) & np.array(
            [not raw[scan.starts[r] : scan.stops[r]].strip(b" \t") for r in data.tolist()], dtype=bool
        )
        if spaces.any():  # lines of spaces are blank lines (pandas skips them too)
            blank[data[spaces]] = True
            data, values = data[~spaces], values[~spaces]
        per_row = n + 1 if np.count_nonzero(values == n + 1) > np.count_nonzero(values == n) else n
        return data, values, per_row

    def miscounted(data: np.ndarray, values: np.ndarray, per_row: int, wrong: np.ndarray) -> str:
        extra = " (and an empty one after a trailing delimiter)" if per_row > n else ""
        return (
            f"{int(wrong.sum())} row(s) of {path} do not hold the header's {n} values{extra}: "
            + _show_lines(scan.lines[data[wrong]], [f"{v} values" for v in values[wrong].tolist()])
            + ". A delimiter or a quote is probably missing or extra there"
        )

    if problems:
        opened, text = min(problems)
        # rows before the quote's record that hold too few or too many values: a quote may have
        # been lost there, which the quote count cannot see (a quoted value may hold commas)
        data, values, per_row = counted(np.flatnonzero(~blank[head + 1 :]) + head + 1)
        wrong = (values != per_row) & (scan.starts[data] < scan.starts[scan.record_of(opened)])
        if wrong.any():
            raise _fail(table, miscounted(data, values, per_row, wrong) + f"; further on, at {text}")
        raise _fail(table, f"the file {path} is not valid CSV at {text}")

    # 2. the header: its separator, empty and repeated names
    if n < len(fields(table)):
        for sep, word in ((";", "';'"), ("\t", "tabs"), ("|", "'|'")):
            parts = [p.strip().strip('"') for p in header_text.split(sep)]
            if (
                len(parts) > 1
                and len(parts) > n
                and sum(p in {f["name"] for f in fields(table)} for p in parts) >= 2
            ):
                raise _fail(
                    table,
                    f"the file {path} seems to be separated by {word}, not commas (its header reads "
                    f"{_text(raw, scan.starts[head], scan.stops[head], 60)!r}); save it as CSV with commas "
                    "(in Excel: CSV UTF-8 (comma delimited))",
                )
    hline = int(scan.lines[head])
    unnamed = [i + 1 for i, name in enumerate(names) if not name.strip()]
    if unnamed:
        raise _fail(
            table,
            f"column(s) {', '.join(map(str, unnamed))} of the header (line {hline}) have no name; "
            "name them or delete them",
        )
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        seen.setdefault(name, []).append(i + 1)
    dupes = {k: v for k, v in seen.items() if len(v) > 1}
    if dupes:
        listing = "; ".join(f"{k!r} (columns {', '.join(map(str, v))})" for k, v in dupes.items())
        raise _fail(table, f"the header (line {hline}) names a column more than once: {listing}")

    # 3. the same number of values on every row (one more, empty, after a trailing delimiter). The
    # total of delimiters fits only if every row fits, given that pandas refuses a row with more
    # values than the names it is given (checked by _parse) and holds a trailing delimiter's value
    # apart (it must be empty everywhere).
    data = np.flatnonzero(~blank[head + 1 :]) + head + 1
    rows = len(data)
    delims = scan.unquoted_delimiters() - (len(header) - 1)
    per_row = n + 1 if rows and delims == rows * n else n
    if count_each or (rows and delims != rows * (per_row - 1)) or len(header) > per_row:
        data, values, per_row = counted(data)
        wrong = values != per_row
        if wrong.any():
            raise _fail(table, miscounted(data, values, per_row, wrong))

    # 4. line breaks only inside free text. A value that ends its row is in the last column (each
    # row holds the right number of values by now); any other is looked up in its row.
    if len(inner):
        first = np.unique(value_open, return_index=True)[1]
        ends_row = (
            value_close[first] + 1 == scan.stops[np.searchsorted(scan.starts, value_open[first], "right") - 1]
        )
        last_free = per_row == n and _free_text(table, names[-1])
        for i in first[~(ends_row & last_free)].tolist():
            opened = int(value_open[i])
            f = scan.field_of(opened)
            name = names[f] if f < n else None
            if name is None or not _free_text(table, name):
                raise _fail(
                    table,
                    f"the file {path} is not valid CSV at line {scan.line_of(opened)}, column "
                    f"{column(opened)}: the quoted value that starts there runs over a line break into "
                    f"line {scan.line_of(int(inner[i]) + 1)}; only free-text columns may hold line "
                    "breaks, so a closing quote is probably missing",
                )

    # 5. rows of empty values (a spreadsheet's empty rows) are dropped like blank lines
    width = max(len(header), per_row)
    content = scan.stops[data] - scan.starts[data]
    empty = content == per_row - 1
    for j in np.flatnonzero(empty).tolist():
        r = data[j]
        empty[j] = raw[scan.starts[r] : scan.stops[r]] == b"," * int(content[j])
    return _Layout(names + [_SENTINEL] * (width - n), scan.lines[data], empty, scan)


def _read(path: Path, layout: _Layout, dtype, usecols=None) -> pd.DataFrame:
    return pd.read_csv(
        path,
        header=0,
        names=layout.names,
        usecols=usecols,
        dtype=dtype,
        keep_default_na=False,
        na_values=[""],
        # UTF-8, pandas' default: naming it costs a third more time (the text is then decoded
        # in Python, not by the C reader); an invalid byte raises UnicodeDecodeError either way
    )


def _parse(path: Path, raw: bytes, layout: _Layout, table: str) -> pd.DataFrame:
    """pandas' reading of the file, its rows matched to the file's lines (the index, named ``line``)."""
    kinds = {f["name"]: f["type"] for f in fields(table)}
    dtype = {
        name: {"integer": "Int64", "number": "float64"}.get(kinds.get(name), str) for name in layout.names
    }
    typed = True
    try:
        with warnings.catch_warnings():  # pandas warns while it finds a value too large to cast
            warnings.simplefilter("ignore", RuntimeWarning)
            df = _read(path, layout, dtype)
    except pd.errors.ParserError:
        raise
    except (ValueError, TypeError, OverflowError):
        # a value that is not a number (or too large a one): read as text, for validate() to name it
        df, typed = _read(path, layout, str), False
    if not isinstance(df.index, pd.RangeIndex) or len(df) != len(layout.lines):
        # a row with more values than the header (pandas took the first as an index), or rows that
        # pandas split otherwise than the scan: count each row's values to name the lines
        _layout(raw, table, path, count_each=True)
        raise _fail(table, f"the file {path} could not be read as CSV: its rows do not match its lines")
    keep = ~layout.empty
    if _SENTINEL in df.columns:
        extra = df[_SENTINEL].notna().to_numpy() & keep
        if extra.any():
            values = df.loc[extra, _SENTINEL].tolist()
            raise _fail(
                table,
                f"{int(extra.sum())} row(s) of {path} hold a value after the last named column "
                f"({layout.names[-2]!r}): "
                + _show_lines(layout.lines[extra], [repr(v) for v in values])
                + "; name that column in the header or delete the values",
            )
        df = df.drop(columns=_SENTINEL)
    if not keep.all():
        df = df.loc[keep]
    df.index = pd.Index(layout.lines[keep], name="line")
    if typed:
        # whole numbers went through pandas' integer parser, exact unless a value in the column
        # was written like 5.0: then the column went through floats, exact only below 2**53 and
        # for numbers of at most 15 significant digits. Such columns are read again as text.
        ints = [c for c in df.columns if kinds.get(c) == "integer"]
        redo = [c for c in ints if _beyond_float(df[c])]
        if ints and len(redo) < len(ints) and layout.scan.long_decimals():
            redo = ints
        if redo:
            text = _read(path, layout, str, usecols=redo)
            for c in redo:
                df[c] = text[c].to_numpy()[keep]
    return df


def _beyond_float(col: pd.Series) -> bool:
    return bool(col.notna().any()) and max(-int(col.min()), int(col.max())) >= _EXACT


def read_csv(path: str | os.PathLike, table: str) -> pd.DataFrame:
    r"""Read one CSV file of table ``table``: every row loaded exactly, or named in an error.

    The file must be CSV as spreadsheets save it (RFC 4180): values separated by commas, a
    value holding a comma, a quote or a line break written in quotes, a quote inside it
    doubled. Only empty fields count as missing ("NA" or "nan" stay text). Blank lines, and
    rows whose every value is empty (a spreadsheet's empty rows), are skipped; a delimiter at
    the end of every row (as some spreadsheets write) is dropped, with the empty column it
    makes. Anything else that does not fit raises :class:`~cxlib.errors.DataError` naming the
    line in the file: a quote left open or out of place, a row with more or fewer values
    than the header, a repeated or empty column name, a file separated by semicolons.

    Whole-number columns come back as integers (nullable where a value may be missing),
    parsed exactly (never rounded through a float), amounts as floats, the rest as text; if
    a number column holds something that is not a number, every column comes back as text
    for :func:`validate` to name it.

    Returns
    -------
    DataFrame
        Indexed by the line of each row in the file (index name ``line``), which
        :func:`validate` uses in its messages.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "training.csv"
    >>> _ = path.write_text("branch,trained,start_month\nAshford,true,2024-09-01\n\nCarlton,false,\n")
    >>> read_csv(path, "training")
           branch trained start_month
    line
    2     Ashford    true  2024-09-01
    4     Carlton   false         NaN
    >>> _ = path.write_text('branch,trained,start_month\n"Ashford,true,2024-09-01\nCarlton,false,\n')
    >>> read_csv(path, "training")
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: training: the file ... is not valid CSV at line 2, column 'branch': the
    quote that opens this value is never closed on line 2 (the file ends inside it): a closing
    quote is probably missing on line 2
    >>> _ = path.write_bytes(b"branch,trained,start_month\nCaf\xe9,true,\n")
    >>> read_csv(path, "training")
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: training: the file ... is not UTF-8 text (line 2: byte b'\xe9');
    save it as UTF-8 CSV
    """
    path = Path(path)
    expected = ", ".join(r["path"] for r in schema()["resources"])
    if not path.exists():
        raise _fail(
            table,
            f"file not found: {path}. Expected the file {path.name} in {path.parent} "
            f"(the folder must hold {expected})",
        )
    if not path.is_file():
        raise _fail(table, f"{path} is a folder, not a file; expected the CSV file {path.name} there")
    raw = path.read_bytes()
    if not raw:
        raise _fail(table, f"the file {path} is empty; expected a CSV file with a header row")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise _fail(
            table,
            f"the file {path} is not a CSV text file (it contains binary data: a NUL byte on line {line})",
        )
    try:
        return _parse(path, raw, _layout(raw, table, path), table)
    except UnicodeDecodeError:
        try:
            raw.decode("utf-8")
            where = ""
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            where = f" (line {line}: byte {raw[exc.start : exc.start + 1]!r})"
        raise _fail(table, f"the file {path} is not UTF-8 text{where}; save it as UTF-8 CSV") from None
    except pd.errors.ParserError as exc:
        _layout(raw, table, path, count_each=True)  # names the rows, if rows are at fault
        raise _fail(table, f"the file {path} could not be read as CSV: {exc}") from None


def validate(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Check a DataFrame of text columns against table ``table``'s schema and type it.

    Parameters
    ----------
    df : DataFrame
        The table as read from CSV: text (or already typed) columns. Rows are named in
        messages by the index when it is named ``line`` (as :func:`read_csv` returns it:
        the line in the file), else as CSV lines counted from a header on line 1.
    table : str
        The table's name in the schema (see :func:`tables`).

    Returns
    -------
    DataFrame
        A new DataFrame with the schema's columns in schema order, then any extra
        columns unchanged, with proper dtypes.

    Raises
    ------
    DataError
        naming the column, a few offending rows and values, and what was expected.

    Examples
    --------
    >>> raw = pd.DataFrame({"branch": ["Ashford", "Carlton"], "trained": ["true", "false"],
    ...                     "start_month": ["2024-09-01", None]})
    >>> validate(raw, "training").dtypes.astype(str).tolist()
    ['category', 'bool', 'datetime64[ns]']
    >>> validate(raw.assign(trained=["yes", "no"]), "training")
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: training.trained: 2 value(s) are not true/false: row 2: 'yes', row 3: 'no'
    >>> validate(raw.assign(branch=["Ashford ", "Carlton"]), "training")
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: training.branch: 1 value(s) begin or end with a space: row 2: 'Ashford '.
    'Ashford ' (did you mean 'Ashford'?)
    """
    spec = fields(table)
    names = [f["name"] for f in spec]
    if len(df) == 0:
        raise _fail(table, "the table has a header but no rows; expected at least one row")
    present = [str(c) for c in df.columns]
    dupes = sorted({c for c in present if present.count(c) > 1})
    if dupes:
        raise _fail(table, f"column(s) {', '.join(map(repr, dupes))} appear more than once")
    missing = [n for n in names if n not in df.columns]
    if missing:
        extra = [c for c in present if c not in names]
        hints = "; ".join(f"{m!r}{suggest(m, extra)}" for m in missing)
        raise _fail(table, f"missing column(s): {hints}. Expected columns: {', '.join(names)}")
    if df.index.name == "line" or not pd.api.types.is_integer_dtype(df.index.dtype):
        rows = pd.Index(df.index)
    else:
        rows = pd.Index(df.index + 2)  # CSV line numbers: header is line 1
    out = {}
    for f in spec:
        out[f["name"]] = _convert(df[f["name"]], f, table, rows)
    typed = pd.DataFrame(out, index=df.index, copy=False)
    for c in df.columns:
        if c not in names:
            typed[c] = df[c]
    key = resource(table)["schema"].get("primaryKey", [])
    checked = len(key) == 1 and next(f for f in spec if f["name"] == key[0]).get("constraints", {}).get(
        "unique"
    )
    if key and not checked:
        dup = typed.duplicated(key, keep=False).to_numpy()
        if dup.any():
            vals = typed.loc[dup, key].astype(str).agg(", ".join, axis=1)
            raise _fail(
                table,
                f"{int(dup.sum())} rows share a value of {' + '.join(key)}, which must be "
                f"unique: {show_examples(rows[dup], vals)}",
            )
    return typed.reset_index(drop=True)


def _written(values: pd.Series) -> list:
    """Values as text, as they stand in the file, for error messages (6.0 read as a number shows as '6')."""
    if pd.api.types.is_float_dtype(values.dtype):
        return [str(int(v)) if float(v).is_integer() else str(v) for v in values]
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return [str(v) for v in values]
    return list(values)


_WHOLE = re.compile(r"[ \t]*[+-]?[0-9]+[ \t]*")
_DECIMAL = re.compile(r"[ \t]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t]*")


def _exact_whole(value) -> int | str:
    """A whole number read exactly from text (or a Python number), or why it is not one."""
    if isinstance(value, (bool, np.bool_)):
        return "not numbers"
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return "infinite"
        if not float(value).is_integer():
            return "not whole numbers"
        return int(value) if abs(value) < _EXACT else "too large to be exact as floats"
    if not isinstance(value, str):
        return "not numbers"
    if _WHOLE.fullmatch(value):
        return int(value)
    if not _DECIMAL.fullmatch(value):
        return "not numbers"
    number = Decimal(value.strip())
    if number.adjusted() > 30:  # far beyond any whole-number column: no need to expand it
        return _INT64_MAX + 1
    return int(number) if number == number.to_integral_value() else "not whole numbers"


def _integers(col: pd.Series, where: str, rows: pd.Index, isna: np.ndarray) -> np.ndarray:
    """Whole numbers as int64 (0 where missing), read exactly; a DataError for anything else."""
    dtype = col.dtype
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        if pd.api.types.is_unsigned_integer_dtype(dtype) and (col.max() > _INT64_MAX):
            bad = (col > _INT64_MAX).fillna(False).to_numpy()
            raise DataError(
                f"{where}: {int(bad.sum())} value(s) outside the range of whole numbers "
                f"({_INT64_MIN} to {_INT64_MAX}): {show_examples(rows[bad], _written(col[bad]))}"
            )
        return col.to_numpy(dtype=np.int64, na_value=0)
    if pd.api.types.is_float_dtype(dtype):
        values = col.to_numpy(dtype=float, na_value=np.nan)
        ok = ~isna
        if np.isinf(values[ok]).any():
            bad = np.isinf(values)
            raise DataError(f"{where}: infinite values at {show_examples(rows[bad], _written(col[bad]))}")
        bad = ok & (values != np.round(values))
        if bad.any():
            raise DataError(
                f"{where}: {int(bad.sum())} value(s) are not whole numbers: "
                f"{show_examples(rows[bad], _written(col[bad]))}"
            )
        bad = ok & (np.abs(values) >= _EXACT)
        if bad.any():
            raise DataError(
                f"{where}: {int(bad.sum())} value(s) are too large to be exact as decimal numbers "
                "(from 2**53 on, floats skip whole numbers): "
                f"{show_examples(rows[bad], _written(col[bad]))}. Give the column as whole numbers or text"
            )
        return np.where(ok, values, 0).astype(np.int64)
    # text (or Python objects): each value read exactly, not through a float
    exact = [_exact_whole(v) if not na else 0 for v, na in zip(col.astype(object).tolist(), isna.tolist())]
    for problem in ("not numbers", "infinite", "not whole numbers", "too large to be exact as floats"):
        bad = np.fromiter((v == problem for v in exact), bool, len(exact))
        if bad.any():
            raise DataError(
                f"{where}: {int(bad.sum())} value(s) are {problem}: {show_examples(rows[bad], col[bad])}"
            )
    bad = np.fromiter((not _INT64_MIN <= v <= _INT64_MAX for v in exact), bool, len(exact))
    if bad.any():
        raise DataError(
            f"{where}: {int(bad.sum())} value(s) outside the range of whole numbers "
            f"({_INT64_MIN} to {_INT64_MAX}): {show_examples(rows[bad], col[bad])}"
        )
    return np.array(exact, dtype=np.int64)


def _categories(col: pd.Series, where: str, rows: pd.Index, enum: list[str] | None) -> pd.Categorical:
    """Text as categories: the schema's list in its order, or the values found, sorted."""
    codes, found = pd.factorize(col, use_na_sentinel=True)
    found = [str(v) for v in found]

    def refuse(which: list[int], what: str, hint) -> DataError:
        bad = np.isin(codes, which)
        seen = "; ".join(f"{v!r}{hint(v)}" for v in sorted({found[i] for i in which})[:5])
        return DataError(
            f"{where}: {int(bad.sum())} value(s) {what}: {show_examples(rows[bad], col[bad])}. {seen}"
        )

    spaced = [i for i, v in enumerate(found) if v != v.strip()]
    if spaced:
        raise refuse(spaced, "begin or end with a space", lambda v: f" (did you mean {v.strip()!r}?)")
    unknown = [i for i, v in enumerate(found) if enum is not None and v not in enum]
    if unknown:
        raise refuse(unknown, f"not among the allowed values ({', '.join(enum)})", lambda v: suggest(v, enum))
    categories = list(enum) if enum is not None else sorted(found)
    position = {c: i for i, c in enumerate(categories)}
    recode = np.array([position[v] for v in found] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(recode[codes], categories=categories)


def _convert(col: pd.Series, f: dict, table: str, rows: pd.Index) -> pd.Series:
    name, kind = f["name"], f["type"]
    cons = f.get("constraints", {})
    where = f"{table}.{name}"
    isna = col.isna().to_numpy()
    if cons.get("required") and isna.any():
        if isna.all():
            shown = ", ".join(f"row {i!r}" for i in list(rows)[:_MAX_SHOWN])
            more = f" and {len(rows) - _MAX_SHOWN} more" if len(rows) > _MAX_SHOWN else ""
            raise DataError(
                f"{where}: the column is empty (all {len(col)} values are missing: {shown}{more}); it is "
                "required. If every row starts with the separator, the values are shifted one column right"
            )
        raise DataError(
            f"{where}: {int(isna.sum())} missing value(s) in a required column at "
            f"{show_examples(rows[isna], col[isna])}"
        )
    if kind == "integer":
        lo, hi = cons.get("minimum"), cons.get("maximum")
        low = lo if lo is not None else -np.inf
        high = hi if hi is not None else np.inf
        native = pd.api.types.is_signed_integer_dtype(col.dtype)
        if native and not isna.all() and low <= col.min() and col.max() <= high:
            # integers already (as read_csv parses them): one min and one max check them
            values = col
        else:
            values = _integers(col, where, rows, isna)
            bad = ~isna & ((values < low) | (values > high))
            if bad.any():
                raise DataError(
                    f"{where}: {int(bad.sum())} value(s) outside the allowed range {low} to {high}: "
                    f"{show_examples(rows[bad], _written(col[bad]))}"
                )
        if cons.get("required"):
            out = pd.Series(values, index=col.index, name=name, dtype=np.int64)
        elif native and isinstance(col.dtype, pd.Int64Dtype):
            out = col.rename(name)
        else:
            values = np.asarray(values, dtype=np.int64) if not native else col.to_numpy(np.int64, na_value=0)
            out = pd.Series(pd.arrays.IntegerArray(values, isna.copy()), index=col.index, name=name)
    elif kind == "number":
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            num = col.astype(float)
        else:
            num = pd.to_numeric(col.astype(object).where(~isna, np.nan), errors="coerce")
            bad = num.isna().to_numpy() & ~isna
            if bad.any():
                raise DataError(
                    f"{where}: {int(bad.sum())} value(s) are not numbers: "
                    f"{show_examples(rows[bad], col[bad])}"
                )
        arr = num.to_numpy(dtype=float)
        finite = ~np.isnan(arr)
        if np.isinf(arr[finite]).any():
            bad = np.isinf(arr)
            raise DataError(f"{where}: infinite values at {show_examples(rows[bad], _written(col[bad]))}")
        lo, hi = cons.get("minimum", -np.inf), cons.get("maximum", np.inf)
        bad = finite & ((arr < lo) | (arr > hi))
        if bad.any():
            raise DataError(
                f"{where}: {int(bad.sum())} value(s) outside the allowed range {lo} to {hi}: "
                f"{show_examples(rows[bad], _written(col[bad]))}"
            )
        out = pd.Series(arr, index=col.index, name=name)
    elif kind == "boolean":
        codes, found = pd.factorize(col, use_na_sentinel=True)
        mapping = {"true": True, "false": False, "1": True, "0": False}
        words = [str(v).strip().lower() for v in found]
        unknown = [i for i, w in enumerate(words) if w not in mapping]
        if unknown:
            bad = np.isin(codes, unknown)
            raise DataError(
                f"{where}: {int(bad.sum())} value(s) are not true/false: {show_examples(rows[bad], col[bad])}"
            )
        truth = np.array([mapping[w] for w in words] + [False], dtype=bool)[codes]
        if isna.any():
            out = pd.Series(pd.arrays.BooleanArray(truth, isna.copy()), index=col.index, name=name)
        else:
            out = pd.Series(truth, index=col.index, name=name)
    elif kind == "date":
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            out = col.astype("datetime64[ns]")
        else:
            codes, found = pd.factorize(col, use_na_sentinel=True)
            dates = pd.to_datetime(pd.Series(found, dtype=object), format="%Y-%m-%d", errors="coerce")
            wrong = np.flatnonzero(dates.isna().to_numpy())
            if len(wrong):
                bad = np.isin(codes, wrong)
                raise DataError(
                    f"{where}: {int(bad.sum())} value(s) are not dates written YYYY-MM-DD: "
                    f"{show_examples(rows[bad], col[bad])}"
                )
            stamps = np.append(dates.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
            out = pd.Series(stamps[codes], index=col.index, name=name)
    elif kind == "string":
        enum = cons.get("enum")
        if enum is not None or f.get("categorical"):
            out = pd.Series(_categories(col, where, rows, enum), index=col.index, name=name)
        else:
            out = col.astype("string")
    else:  # pragma: no cover - the schema only uses the types above
        raise DataError(f"{where}: unknown field type {kind!r} in the schema")
    if cons.get("unique") and kind != "string":
        dup = out.duplicated(keep=False).to_numpy() & ~isna
        if dup.any():
            raise DataError(
                f"{where}: {int(dup.sum())} rows repeat a value that must be unique: "
                f"{show_examples(rows[dup], _written(col[dup]))}"
            )
    return out


def load(name: str, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one of the course's tables as a validated, typed DataFrame.

    Parameters
    ----------
    name : str
        The table: one of :func:`tables` (``"survey"``, ``"benchmark"``, ...).
    data_dir : str or path, optional
        Folder holding ``<name>.csv``. Defaults to :func:`default_data_dir`, the
        course's ``datasets/``. Point it at your own export with the same columns
        to run the course on your data.

    Returns
    -------
    DataFrame
        Columns in schema order with dtypes: ``category`` for fixed lists of
        values, ``datetime64[ns]`` for dates, ``int64`` / nullable ``Int64`` for
        whole numbers, ``float64`` for amounts, ``bool`` for yes/no.

    Raises
    ------
    DataError
        If the file is missing, empty, not UTF-8 CSV, or breaks the schema. Every row of
        the file is either loaded exactly or named in the error by its line in the file
        (see :func:`read_csv` for what the file may hold).

    Examples
    --------
    >>> survey = load("survey")
    >>> survey["satisfaction"].between(1, 5).all()
    np.True_
    >>> str(survey["branch"].dtype)
    'category'
    """
    res = resource(name)
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    if not folder.is_dir():
        raise DataError(f"{name}: the data folder {folder} does not exist")
    return validate(read_csv(folder / res["path"], name), name)


def load_truth(data_dir: str | os.PathLike | None = None) -> dict:
    """The true effects the generator used for the data in ``data_dir`` (``truth.json``).

    Only synthetic data has a truth file; lessons compare estimates against it.

    >>> load_truth()["seed"]
    0
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    path = folder / "truth.json"
    if not path.exists():
        raise DataError(f"no truth.json in {folder}: only data made by cxlib.synth records its true effects")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
