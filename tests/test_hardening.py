"""Bad input, one row per case of tests/HARDENING.md: a clear error or a documented result, never a crash.

Each case calls a public function with one kind of bad input and states what must
happen: an error of the kit (a ValueError subclass) whose message names the problem,
or a documented result (with a warning where the result has a gap).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib import (
    CxlibError,
    benchmark,
    compare,
    drivers,
    export,
    gaps,
    journey,
    levels,
    metrics,
    params,
    scales,
    tracking,
    value,
)

SURVEY_LIKE = pd.DataFrame({"g": ["a", "a", "b", "b"], "r": [10, 9, 3, 7], "s": [5, 4, 2, 3]})
ITEMS = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4], "c": [1, 3, 3, 5]})

ERRORS = [
    # wrong types
    ("nps of text", lambda: metrics.nps(["nine", 10]), "not numbers"),
    ("nps of booleans", lambda: metrics.nps([True, False]), "not numbers"),
    ("alpha of a list", lambda: scales.cronbach_alpha([[1, 2], [3, 4]], ["a", "b"]), "must be a DataFrame"),
    (
        "drivers of a Series",
        lambda: drivers.relative_weights(pd.Series([1, 2]), "y", ["a"]),
        "must be a pandas DataFrame",
    ),
    ("confidence as text", lambda: metrics.top_box([5, 4], confidence="95%"), "confidence must be"),
    ("parameter of the wrong type", lambda: params.check_seed("7"), "seed must be a whole number"),
    # missing columns
    (
        "by_group, missing column",
        lambda: metrics.by_group(SURVEY_LIKE, "recommend", "g", "nps"),
        "has no column 'recommend'",
    ),
    (
        "benchmark, missing column",
        lambda: benchmark.benchmark_gaps(SURVEY_LIKE, items=["x"]),
        "has no column",
    ),
    (
        "value at risk, missing column",
        lambda: value.value_at_risk(SURVEY_LIKE, level="sat"),
        "has no column 'sat'",
    ),
    (
        "control chart, missing column",
        lambda: tracking.top_box_limits(SURVEY_LIKE, "s", "month"),
        "has no column 'month'",
    ),
    # out-of-range values
    ("NPS of 11", lambda: metrics.nps([11, 9]), "outside the allowed range 0 to 10"),
    ("top-box of 6 on 1-5", lambda: metrics.top_box([6, 5]), "outside the allowed range 1 to 5"),
    ("effort of 8 on 1-7", lambda: metrics.effort_score([8, 2]), "outside the allowed range 1 to 7"),
    ("retention of 1.2", lambda: value.clv(100, 1.2, 0.1), "retention must be"),
    ("confidence of 1.5 (parameter)", lambda: params.check_confidence(1.5), "between 0 and 1"),
    # all-missing columns
    (
        "alpha with an empty item",
        lambda: scales.cronbach_alpha(ITEMS.assign(c=np.nan), list(ITEMS)),
        "no answers at all",
    ),
    ("nps of only blanks", lambda: metrics.nps([np.nan, np.nan]), "missing value"),
    # a single response
    (
        "alpha of one respondent",
        lambda: scales.cronbach_alpha(ITEMS.head(1), list(ITEMS)),
        "at least 2 respondents",
    ),
    ("mean of one response", lambda: metrics.mean_score([3]), "at least 2 responses"),
    (
        "paired gap of one respondent",
        lambda: gaps.servqual_gaps(
            pd.DataFrame(
                {
                    "respondent_id": [1],
                    "dimension": ["empathy"],
                    "item": ["empathy_1"],
                    "expectation": [6],
                    "perception": [5],
                }
            )
        ),
        "at least 2",
    ),
    # every respondent gives the same answer
    (
        "alpha, all answers the same",
        lambda: scales.cronbach_alpha(pd.DataFrame({"a": [3] * 5, "b": [3] * 5}), ["a", "b"]),
        "alpha is undefined",
    ),
    (
        "item analysis, a constant item",
        lambda: scales.item_analysis(ITEMS.assign(c=2), list(ITEMS)),
        "no variance",
    ),
    (
        "drivers, a constant driver",
        lambda: drivers.relative_weights(
            pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "a": [2.0] * 6, "b": [1.0, 3, 2, 5, 4, 6]}),
            "y",
            ["a", "b"],
        ),
        "no variance",
    ),
    # dates out of order / repeated periods
    (
        "time series with repeated months",
        lambda: tracking.interrupted_time_series(
            pd.DataFrame({"t": [3, 1, 2, 1, 4, 5], "y": [1.0] * 6}), "y", "t", 3
        ),
        "repeated periods",
    ),
    # duplicated ids
    (
        "expectations answered twice",
        lambda: gaps.expectation_gap(
            pd.DataFrame(
                {
                    "respondent_id": [1, 1, 2],
                    "role": ["customer"] * 2 + ["employee"],
                    "expectation": ["x", "x", "x"],
                    "importance": [5, 6, 4],
                }
            )
        ),
        "repeat the same",
    ),
    # huge values
    ("mean of 1e308", lambda: metrics.mean_score([1e308, -1e308, 1.0]), "too large"),
    (
        "alpha of 1e200",
        lambda: scales.cronbach_alpha(ITEMS.astype(float).assign(a=[1e200, 1, 2, 3]), list(ITEMS)),
        "overflow",
    ),
    (
        "drivers of 1e300",
        lambda: drivers.relative_weights(
            pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "a": [1e300, 1, 2, 3, 4, 5], "b": [1.0, 3, 2, 5, 4, 6]}),
            "y",
            ["a", "b"],
        ),
        "overflow",
    ),
    ("infinite scores", lambda: metrics.mean_score([np.inf, 1.0]), "infinite"),
    # malformed sequences and categories
    (
        "contact after a blank",
        lambda: journey.sequence_summary(
            pd.DataFrame(
                {"contact_1": [5], "contact_2": [None], "contact_3": [6], "n_contacts": [3]}, dtype="Float64"
            )
        ),
        "",
    ),
    ("unknown Kano answer", lambda: levels.kano(["love"], ["dislike"]), "love"),
]


@pytest.mark.parametrize("case, call, words", ERRORS, ids=[c[0] for c in ERRORS])
def test_bad_input_gives_a_clear_error(case, call, words):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no numpy warning leaks out on the way to the error
        try:
            result = call()
        except CxlibError as exc:
            assert isinstance(exc, ValueError)
            assert words.lower() in str(exc).lower(), str(exc)
            return
    pytest.fail(f"{case}: expected an error, got {result!r}")


def test_mean_difference_without_spread_is_zero_with_a_warning():
    # every respondent gives the same answer: a documented result with a warning, not an error
    with pytest.warns(UserWarning, match="no spread at all"):
        result = compare.mean_difference([3, 3, 3], [3, 3, 3])
    assert result.estimate == 0 and result.p_value == 1.0


def test_single_response_group_is_documented_with_a_warning():
    df = pd.DataFrame({"g": ["a", "b", "b"], "x": [3, 4, 5]})
    with pytest.warns(UserWarning, match="single response"):
        out = metrics.by_group(df, "x", "g", "mean")
    assert out.loc["a", "estimate"] == 3 and np.isnan(out.loc["a", "se"]) and out.loc["b", "n"] == 2


def test_group_with_zero_responses_is_left_out_not_zero():
    df = pd.DataFrame({"g": pd.Categorical(["a", "a"], categories=["a", "empty"]), "r": [10, 2]})
    out = metrics.by_group(df, "r", "g", "nps")
    assert list(out.index) == ["a"]


def test_dates_out_of_order_give_the_same_time_series_fit():
    t = np.arange(24)
    df = pd.DataFrame({"t": t, "y": 3 + 0.01 * t + 0.2 * (t >= 12) + np.sin(t) / 50})
    a = tracking.interrupted_time_series(df, "y", "t", 12).coefficients
    b = tracking.interrupted_time_series(df.iloc[::-1], "y", "t", 12).coefficients
    pd.testing.assert_frame_equal(a, b)


def test_formula_injection_is_neutralised_in_exports(tmp_path):
    df = pd.DataFrame(
        {
            "comment": ['=HYPERLINK("http://x")', "+1+1", "-cmd", "@SUM(A1)", "\tTab", "ok", "-3.5"],
            "n": [1, -2, 3, 4, 5, 6, 7],
        }
    )
    path = tmp_path / "out.csv"
    export.to_csv(df, path)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["comment"].tolist() == [
        '\'=HYPERLINK("http://x")',
        "'+1+1",
        "'-cmd",
        "'@SUM(A1)",
        "'\tTab",
        "ok",
        "-3.5",
    ]
    assert back["n"].tolist() == ["1", "-2", "3", "4", "5", "6", "7"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=200), st.randoms(use_true_random=False))
def test_nps_does_not_depend_on_row_order(scores, rnd):
    shuffled = list(scores)
    rnd.shuffle(shuffled)
    a, b = metrics.nps(scores), metrics.nps(shuffled)
    assert (a.estimate, a.low, a.high) == pytest.approx((b.estimate, b.low, b.high))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 6), st.integers(10, 80))
@pytest.mark.filterwarnings("ignore:alpha is:UserWarning")  # random items: often a negative alpha
def test_alpha_does_not_depend_on_item_order(seed, k, n):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.integers(1, 6, size=(n, k)))
    if x.sum(axis=1).var() == 0:
        return
    a = scales.cronbach_alpha(x, list(x.columns))
    b = scales.cronbach_alpha(x, list(x.columns[::-1]))
    assert a.estimate == pytest.approx(b.estimate) and a.low == pytest.approx(b.low)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.integers(1, 5)), min_size=1, max_size=200))
def test_by_group_top_box_equals_each_group_alone(rows):
    df = pd.DataFrame(rows, columns=["g", "s"])
    table = metrics.by_group(df, "s", "g", "top_box")
    for g, sub in df.groupby("g"):
        assert table.loc[g, "estimate"] == pytest.approx(metrics.top_box(sub["s"]).estimate)
        assert table.loc[g, "n"] == len(sub)


# tests/HARDENING.md: each row names the test(s) that hold it, and each of those tests exists
HARDENING = Path(__file__).with_name("HARDENING.md")
TEST_NAME = re.compile(r"`(test_\w+\.py)::(test_\w+)`")


def _hardening_rows() -> list[str]:
    table = [line for line in HARDENING.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    assert table[0].strip("| ").split(" | ")[-1] == "test", "the last column of HARDENING.md is 'test'"
    return table[2:]  # after the header and its rule


def _missing_tests(row: str) -> list[str]:
    """What is wrong with one row of the table: no test named, or a named test that does not exist."""
    named = TEST_NAME.findall(row.strip().strip("|").split("|")[-1])
    if not named:
        return ["the row names no test (write it as `test_file.py::test_name` in the last column)"]
    problems = []
    for file, name in named:
        path = HARDENING.parent / file
        if not path.is_file():
            problems.append(f"there is no tests/{file}")
        elif not re.search(rf"^def {name}\(", path.read_text(encoding="utf-8"), re.M):
            problems.append(f"tests/{file} has no test {name}")
    return problems


@pytest.mark.parametrize("row", _hardening_rows(), ids=lambda row: row.split("|")[1].strip()[:50])
def test_every_row_of_hardening_md_names_tests_that_exist(row):
    assert not _missing_tests(row), f"{_missing_tests(row)}: {row}"


def test_the_hardening_md_check_fails_on_a_row_without_a_test():
    assert _missing_tests("| a quote left open | data.load | error |  |")
    assert _missing_tests("| x | y | z | `test_data.py::test_that_does_not_exist` |") == [
        "tests/test_data.py has no test test_that_does_not_exist"
    ]
    assert not _missing_tests("| x | y | z | `test_data.py::test_empty_file` |")
