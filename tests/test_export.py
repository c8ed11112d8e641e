"""The CSV export: every string that reaches a spreadsheet is protected, wherever it sits.

The characters that start a formula are those of OWASP's "CSV Injection" page (``=``, ``+``,
``-``, ``@``, tab, carriage return) and of ASVS 5.0 requirement 1.2.10; full-width forms and
leading spaces are protected too. Each place a string can sit in a DataFrame gets its test:
cells (text, string and categorical columns), column headers, index values, index names, the
levels and names of a MultiIndex (rows and columns), a CategoricalIndex, and the ``header``,
``index_label`` and ``na_rep`` options.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib import InputError, export, metrics
from cxlib.export import DANGEROUS, safe_cell

ATTACK = '=HYPERLINK("http://x","y")'


def _fields(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _exposed(field: str) -> bool:
    """Whether a spreadsheet would read this CSV field as a formula."""
    if field.startswith("'") or export._NUMBER.fullmatch(field.strip()):
        return False
    return field.startswith(DANGEROUS) or field.lstrip().startswith(DANGEROUS)


@pytest.mark.parametrize(
    "value, written",
    [
        ("=1+2", "'=1+2"),
        ("+cmd", "'+cmd"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("  =1+2", "'  =1+2"),  # some programs drop leading spaces
        ("\uff1d1+2", "'\uff1d1+2"),  # full-width equals sign
        ("-inf", "'-inf"),  # not a plain number
        ("-3.5", "-3.5"),
        ("+1e5", "+1e5"),
        ("fine", "fine"),
        (-2, -2),
        (None, None),
    ],
)
def test_safe_cell(value, written):
    assert safe_cell(value) == written


def test_cells_of_text_string_and_categorical_columns_are_protected():
    df = pd.DataFrame(
        {
            "object": [ATTACK, "ok", "-3.5"],
            "string": pd.array(["@x", None, "fine"], dtype="string"),
            "category": pd.Categorical(["+a", "+a", "b"]),
            "number": [-2, 0, 5],
        }
    )
    rows = _fields(export.to_csv(df, None))
    assert rows[1:] == [
        ["'" + ATTACK, "'@x", "'+a", "-2"],
        ["ok", "", "'+a", "0"],
        ["-3.5", "fine", "b", "5"],
    ]
    assert df.loc[0, "object"] == ATTACK  # the caller's frame is not changed


def test_column_headers_are_protected():
    rows = _fields(export.to_csv(pd.DataFrame({"=cmd": [1], "@who": ["x"], "plain": [2]}), None))
    assert rows[0] == ["'=cmd", "'@who", "plain"]


def test_index_values_and_index_name_are_protected():
    df = pd.DataFrame({"n": [1, 2]}, index=pd.Index(["-x", "ok"], name="+branch"))
    assert _fields(export.to_csv(df, None)) == [["'+branch", "n"], ["'-x", "1"], ["ok", "2"]]


def test_categorical_index_from_by_group_is_protected_and_written():
    survey = pd.DataFrame({"g": pd.Categorical(["=a", "=a", "@b", "@b"]), "r": [10, 9, 3, 7]})
    table = metrics.by_group(survey, "r", "g", "nps")
    assert isinstance(table.index, pd.CategoricalIndex)
    rows = _fields(export.to_csv(table, None))
    assert [r[0] for r in rows] == ["g", "'=a", "'@b"]  # the group labels are kept, protected


def test_multiindex_levels_and_names_are_protected():
    survey = pd.DataFrame({"=g": ["a", "a", "b"], "h": ["+x", "-y", "+x"], "r": [10, 9, 3]})
    table = metrics.by_group(survey, "r", ["=g", "h"], "nps")
    assert isinstance(table.index, pd.MultiIndex)
    rows = _fields(export.to_csv(table, None))
    assert rows[0][:2] == ["'=g", "h"]
    assert [r[:2] for r in rows[1:]] == [["a", "'+x"], ["a", "'-y"], ["b", "'+x"]]


def test_multiindex_columns_and_their_names_are_protected():
    columns = pd.MultiIndex.from_tuples([("=top", "+a"), ("=top", "b")], names=["@level0", "-level1"])
    df = pd.DataFrame([[1, 2]], columns=columns, index=pd.Index(["row"], name="id"))
    rows = _fields(export.to_csv(df, None))
    assert rows[0] == ["'@level0", "'=top", "'=top"]
    assert rows[1] == ["'-level1", "'+a", "b"]
    assert not any(_exposed(f) for row in rows for f in row)


def test_categories_that_would_merge_are_written_as_text():
    df = pd.DataFrame({"c": pd.Categorical(["=a", "'=a", "x"])})
    assert [r[0] for r in _fields(export.to_csv(df, None))] == ["c", "'=a", "'=a", "x"]


def test_header_aliases_index_label_and_na_rep_are_protected():
    df = pd.DataFrame({"a": [1.0, np.nan]}, index=pd.Index(["r1", "r2"]))
    rows = _fields(export.to_csv(df, None, header=["=alias"], index_label="+label", na_rep="@NA"))
    assert rows == [["'+label", "'=alias"], ["r1", "1.0"], ["r2", "'@NA"]]


def test_a_line_break_inside_a_value_never_starts_a_row():
    # an unquoted CR ends a row in a spreadsheet: the text after it would land, unprotected, in
    # a new row's first cell
    df = pd.DataFrame({"comment": ["fine\r=cmd", "ok\n@x"], "n": [1, 2]})
    text = export.to_csv(df, None)
    assert _fields(text) == [["comment", "n"], ["fine\r=cmd", "1"], ["ok\n@x", "2"]]
    assert text.splitlines()[1] == '"fine'  # quoted, the line break inside the quotes
    rows = _fields(export.to_csv(df, None, lineterminator="\n"))  # any terminator: text is quoted
    assert rows == [["comment", "n"], ["fine\r=cmd", "1"], ["ok\n@x", "2"]]
    with pytest.raises(InputError, match="cannot write unquoted values safely"):
        export.to_csv(df, None, quoting=csv.QUOTE_NONE)


def test_row_numbers_are_not_written_but_meaningful_indexes_are(tmp_path):
    plain = pd.DataFrame({"x": ["a", "b"]})
    assert export.to_csv(plain, None).splitlines() == ["x", "a", "b"]
    assert export.to_csv(plain, None, index=True).splitlines()[0] == ",x"
    dated = pd.DataFrame({"x": [1]}, index=pd.DatetimeIndex(["2024-01-01"], name="month"))
    assert export.to_csv(dated, None).splitlines() == ["month,x", "2024-01-01,1"]
    path = tmp_path / "out.csv"
    assert export.to_csv(plain, path) is None and path.read_text().splitlines() == ["x", "a", "b"]


def test_a_series_is_written_with_its_name_and_anything_else_is_refused():
    assert _fields(export.to_csv(pd.Series(["=1"], name="+s"), None)) == [["'+s"], ["'=1"]]
    with pytest.raises(InputError, match="DataFrame or Series, got list"):
        export.to_csv([["=1"]], None)


# any text, in any place of a frame: nothing a spreadsheet would run reaches the file, and the
# protected text reads back as the original once its leading quote is removed
TEXT = st.text(alphabet=st.sampled_from(list("=+-@\t\r\n ,\"'ab1.\uff1d\uff20é")), max_size=6)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(
    st.lists(TEXT, min_size=1, max_size=3, unique=True),
    st.lists(TEXT, min_size=1, max_size=4),
    st.data(),
)
def test_no_string_reaches_a_spreadsheet_unprotected(names, index, data):
    cells = {
        name: data.draw(st.lists(TEXT, min_size=len(index), max_size=len(index)), label=f"column {name!r}")
        for name in names
    }
    kind = data.draw(st.sampled_from(["object", "category", "multiindex"]), label="kind")
    df = pd.DataFrame(cells)
    if kind == "category":
        df = df.astype("category")
        df.index = pd.CategoricalIndex(index, name=data.draw(TEXT, label="index name"))
    elif kind == "multiindex":
        df.index = pd.MultiIndex.from_arrays([index, index[::-1]], names=[data.draw(TEXT), None])
    else:
        df.index = pd.Index(index, name=data.draw(TEXT, label="index name"))
    df["count"] = np.arange(len(df)) - 1  # numbers, negative ones included, stay numbers
    rows = _fields(export.to_csv(df, None))
    exposed = [f for row in rows for f in row if _exposed(f)]
    assert not exposed, exposed
    written = [row[-1] for row in rows[1:]]
    assert written == [str(v) for v in df["count"]]
    first = [row[df.index.nlevels] for row in rows[1:]] if names else []
    original = [str(v) for v in df.iloc[:, 0]]
    assert [f[1:] if f != o else f for f, o in zip(first, original)] == original
