"""Analysis functions on degenerate input (issue 15, "Also found"): a clear error, or a warning.

Each case used to give a library error (a 2-D array), a wrong result without a word (dates
as nanoseconds, groups ``1`` and ``"1"`` counted apart, a negative alpha, the wrong reason for
an undefined alpha, a lifetime value of -125 or infinity) or a NaN/inf interval with a numpy
warning (difference-in-differences). Now each raises a :class:`cxlib.CxlibError` naming
what is degenerate and what to do, or returns its result with a warning the learner sees.
"""

from __future__ import annotations

import datetime
import warnings

import numpy as np
import pandas as pd
import pytest

from cxlib import CxlibError, compare, drivers, metrics, scales, tracking, value

TABLE = np.array([[9, 10], [3, 7], [8, 6]])


@pytest.mark.parametrize(
    "call",
    [
        lambda x: metrics.nps(x),
        lambda x: metrics.mean_score(x, scale=(0, 10)),
        lambda x: metrics.top_box(x, scale=(0, 10)),
        lambda x: metrics.effort_score(np.clip(x, 1, 7)),
        lambda x: compare.mean_difference(x, [1.0, 2.0, 3.0]),
    ],
    ids=["nps", "mean_score", "top_box", "effort_score", "mean_difference"],
)
def test_a_2d_array_is_refused_naming_its_shape(call):
    with pytest.raises(CxlibError, match=r"one column of values; got a 2-D array of shape \(3, 2\)"):
        call(TABLE)


def test_a_ragged_list_of_lists_is_refused():
    with pytest.raises(CxlibError, match="list of lists of different lengths"):
        metrics.mean_score([[1, 2], [3]])


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])),
        pd.Series(pd.to_timedelta([1, 2, 3], unit="D")),
        pd.Series(pd.period_range("2024-01", periods=3, freq="M")),
        pd.Series([datetime.date(2024, 1, 1), datetime.date(2024, 2, 1), 5], dtype=object),
        np.array(["2024-01-01", "2024-02-01", "2024-03-01"], dtype="datetime64[D]"),
    ],
    ids=["datetime", "timedelta", "period", "date objects", "numpy datetime64"],
)
def test_dates_and_durations_are_refused_not_counted_in_nanoseconds(values):
    # mean_score on dates used to return 1.7e15 (nanoseconds since 1970) with an interval
    with pytest.raises(CxlibError, match="holds dates or durations, not numbers"):
        metrics.mean_score(values)
    with pytest.raises(CxlibError, match="holds dates or durations"):
        compare.mean_difference(values, values)


MIXED = pd.DataFrame({"g": [1, "1", 1, "1", 1, "1"], "y": [9, 10, 3, 7, 8, 9]})


def test_group_keys_1_and_text_1_together_are_refused():
    # by_group used to give two rows both labelled 1 (one NPS 0, the other 66.7)
    words = r"group label column 'g' mixes kinds of values: number \(row 0: 1, row 2: 1\), text"
    with pytest.raises(CxlibError, match=words):
        metrics.by_group(MIXED, "y", "g", "nps")
    with pytest.raises(CxlibError, match="mixes kinds of values"):
        compare.group_stats(MIXED, "y", "g")
    with pytest.raises(CxlibError, match="mixes kinds of values"):
        compare.grouped_mean_difference(MIXED, "y", "g", 1, "1")
    # once made one kind, the two halves are one group
    same = metrics.by_group(MIXED.assign(g=MIXED["g"].astype(str)), "y", "g", "nps")
    assert same.index.tolist() == ["1"] and same["n"].tolist() == [6]


def test_group_keys_1_and_true_together_are_refused_not_merged():
    # 1, 1.0 and True compare equal: by_group used to count them as one group without a word
    df = pd.DataFrame({"g": [1.0, 1, True, 1.0], "y": [9, 10, 3, 7]})
    with pytest.raises(CxlibError, match=r"number \(.*\), true/false \(row 2: True\)"):
        metrics.by_group(df, "y", "g", "mean")


def test_a_cluster_column_mixing_kinds_is_refused():
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {"y": rng.normal(size=40), "t": [0, 1] * 20, "p": [0] * 20 + [1] * 20, "c": [1, "1", 2, "2"] * 10}
    )
    with pytest.raises(CxlibError, match="group label column 'c' mixes kinds"):
        tracking.diff_in_diff(df, "y", "t", "p", cluster="c")


def _scale_with_a_reversed_item(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=200)
    items = {f"q{i}": np.clip(np.round(3 + base + rng.normal(scale=0.7, size=200)), 1, 5) for i in range(3)}
    out = pd.DataFrame(items)
    out["q3"] = 6 - out["q0"]  # worded the other way ("the staff were unhelpful")
    return out


def test_a_reverse_keyed_item_gives_a_negative_alpha_with_a_hint_naming_it():
    items = _scale_with_a_reversed_item()
    with pytest.warns(UserWarning, match=r"alpha is -0\.\d+ and item\(s\) 'q3' correlate negatively") as seen:
        res = scales.cronbach_alpha(items, ["q0", "q1", "q2", "q3"])
    assert res.estimate < 0 and "6 minus the answer" in str(seen[0].message)
    assert "a negative alpha is not a reliability" in str(seen[0].message)
    with pytest.warns(UserWarning, match="'q3' correlate negatively"):
        scales.item_analysis(items, ["q0", "q1", "q2", "q3"])
    # reversed as the hint says: positive alpha, and no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fixed = scales.cronbach_alpha(items.assign(q3=6 - items["q3"]), ["q0", "q1", "q2", "q3"])
    assert fixed.estimate > 0.8


def test_a_perfectly_reversed_item_is_named_as_the_reason_alpha_is_undefined():
    # it used to say "every respondent gave the same answers", which is false here
    d = pd.DataFrame({"a": [1, 2, 3, 4, 5, 1, 2], "b": [5, 4, 3, 2, 1, 5, 4], "c": [2, 2, 3, 5, 4, 1, 3]})
    words = r"the answers differ, but their sum is the same for every respondent: 'b' is 'a' reversed"
    with pytest.raises(CxlibError, match=words):
        scales.cronbach_alpha(d, ["a", "b"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no numpy warning on the way (a division by zero)
        with pytest.raises(CxlibError, match=words):
            scales.item_analysis(d, ["a", "b", "c"])
    same = pd.DataFrame({"a": [3, 3, 3], "b": [4, 4, 4]})
    with pytest.raises(CxlibError, match="every respondent gave the same answers"):
        scales.cronbach_alpha(same, ["a", "b"])


def test_diff_in_diff_with_one_row_per_cell_is_refused_without_a_numpy_warning():
    # it used to return an interval [nan, nan] with se=inf after "divide by zero encountered"
    cells = pd.DataFrame({"y": [1.0, 2, 3, 5], "t": [0, 0, 1, 1], "p": [0, 1, 0, 1]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(CxlibError, match=r"4 rows for 4 coefficients \(one row per cell\)"):
            tracking.diff_in_diff(cells, "y", "t", "p")


def _did_rows(clusters: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "y": rng.normal(size=40),
            "t": [0] * 20 + [1] * 20,
            "p": [0, 1] * 20,
            "c": np.repeat(np.arange(clusters), 40 // clusters),
        }
    )


def test_diff_in_diff_with_two_clusters_is_refused_and_more_clusters_give_a_finite_interval():
    # two clusters (one per group) used to give se=3.5e-16, an interval of one point and p=0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(CxlibError, match="cluster-robust standard error is .* with 2 clusters of 'c'"):
            tracking.diff_in_diff(_did_rows(2), "y", "t", "p", cluster="c")
    res = tracking.diff_in_diff(_did_rows(4), "y", "t", "p", cluster="c")
    assert np.isfinite([res.low, res.high]).all() and res.high - res.low > 0.1 and res.clusters == 4


def test_diff_in_diff_without_any_noise_is_refused():
    # every response in a cell the same: the interval would be a single point with p = 0
    df = pd.DataFrame({"y": [1.0, 1, 2, 2, 3, 3, 5, 5], "t": [0, 0, 0, 0, 1, 1, 1, 1], "p": [0, 0, 1, 1] * 2})
    with pytest.raises(CxlibError, match="no variation left once the cells are fitted"):
        tracking.diff_in_diff(df, "y", "t", "p")


@pytest.mark.parametrize("discount", [-0.9, -0.5, -0.01])
def test_clv_refuses_a_negative_discount_rate(discount):
    # -0.9 used to give a lifetime value of -125, -0.5 (with retention 0.5) an infinite one
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(CxlibError, match=r"discount must be an annual rate of 0 or more .* got \[-"):
            value.clv(100, 0.5, discount)


def test_clv_with_no_discount_is_the_margin_times_the_expected_years_after_this_one():
    # r / (1 - r) further years: retention 0.5 -> 1 year, 0.8 -> 4 years (Gupta & Lehmann 2003, i = 0)
    assert value.clv(100, 0.5, 0.0) == pytest.approx(100.0)
    assert value.clv(100, 0.8, 0.0) == pytest.approx(400.0)


# --- found beyond the list, trying the same functions as a careless learner would ---------------


def test_a_driver_that_is_the_outcome_under_another_name_is_refused():
    # key_drivers used to give beta 1 with se 1e-16, t = 1e16 and p = 0
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"y": rng.normal(size=30), "a": rng.normal(size=30)})
    for copy in (df["y"], 2 * df["y"] + 1, -df["y"]):
        with pytest.raises(CxlibError, match=r"driver\(s\) 'c' move in lockstep with the outcome 'y'"):
            drivers.key_drivers(df.assign(c=copy), "y", ["a", "c"])
    with pytest.raises(CxlibError, match="move in lockstep"):
        drivers.relative_weights(df.assign(c=df["y"]), "y", ["a", "c"])


def test_counts_that_are_not_whole_numbers_are_refused():
    # wilson_from_counts(1.5, 3) used to give 50% with an interval
    with pytest.raises(CxlibError, match=r"successes must be counts \(whole numbers\), got \[1\.5\]"):
        metrics.wilson_from_counts(1.5, 3)
    with pytest.raises(CxlibError, match=r"n must be counts"):
        metrics.mean_from_sums([10.0], [30.0], [4.5])


def test_sums_that_imply_a_negative_variance_are_refused():
    # mean_from_sums(10, 10, 5) (variance -2.5) used to give se 0 and an interval of one point
    with pytest.raises(CxlibError, match="total_sq is smaller than total\\*\\*2 / n"):
        metrics.mean_from_sums([10.0], [10.0], [5])


@pytest.mark.parametrize(
    "call",
    [
        lambda: compare.welch_from_stats([1.0], [-1.0], [5], [2.0], [1.0], [5]),
        lambda: compare.t_from_stats([1.0], [-0.5], [5]),
    ],
    ids=["welch_from_stats", "t_from_stats"],
)
def test_a_negative_variance_is_refused(call):
    # welch_from_stats used to treat it as "no spread": se 0, t = -inf, p = 0
    with pytest.raises(CxlibError, match="a variance cannot be negative"):
        call()


def test_a_driver_without_a_value_has_no_quadrant():
    # quadrant([nan, 1], ...) used to place the missing driver in "Possible overkill"
    with pytest.raises(CxlibError, match="importance has missing or infinite values"):
        drivers.quadrant([np.nan, 1.0], [1.0, 2.0], 0.5, 0.5)
    with pytest.raises(CxlibError, match="x_cross has missing"):
        drivers.quadrant([0.2, 1.0], [1.0, 2.0], np.nan, 0.5)


def test_complex_numbers_are_refused_not_cut_to_their_real_part():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's ComplexWarning used to be the only sign
        with pytest.raises(CxlibError, match="holds complex numbers"):
            metrics.nps(np.array([9 + 1j, 10]))
        with pytest.raises(CxlibError, match="holds complex numbers"):
            metrics.mean_score(pd.Series([1, 2 + 0j], dtype=object))
