"""Reliability and item analysis against pingouin's documented output and direct computation."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from cxlib import InputError, data, scales


def test_alpha_matches_pingouin_documented_example_long_format():
    # pingouin.cronbach_alpha docstring (pingouin 0.5-0.7): dataset 'cronbach_alpha',
    # documented output (0.5917188485995826, array([0.195, 0.84 ])).
    d = pg.read_dataset("cronbach_alpha").pivot(index="Subj", columns="Items", values="Scores")
    res = scales.cronbach_alpha(d, list(d.columns))
    assert res.estimate == pytest.approx(0.5917188485995826, abs=1e-12)
    assert (round(res.low, 3), round(res.high, 3)) == (0.195, 0.84)
    assert (res.n, res.k) == (15, 10)


def test_alpha_with_missing_values_matches_pingouin_documented_example():
    # pingouin docstring: 'cronbach_wide_missing', pairwise -> (0.732660835214447, [0.435, 0.909]);
    # listwise -> alpha 0.8016949152542373 (pingouin keeps n = 12 rows for the interval; we use
    # the 9 complete rows, see the Notes of cronbach_alpha). pingouin's pairwise interval uses all
    # 12 rows; ours rests on the harmonic mean of the pairwise counts, so it is wider and contains it.
    d = pg.read_dataset("cronbach_wide_missing")
    pair = scales.cronbach_alpha(d, list(d.columns))
    assert pair.estimate == pytest.approx(0.732660835214447, abs=1e-12)
    assert pair.n == 12
    answered = d.notna().astype(float)
    counts = answered.T @ answered  # respondents answering both items (the diagonal: each item)
    n_eff = counts.size / (1 / counts).to_numpy().sum()
    assert 9 < n_eff < 12
    k = d.shape[1]
    f_hi, f_lo = (
        stats.f.isf(0.025, n_eff - 1, (n_eff - 1) * (k - 1)),
        stats.f.isf(0.975, n_eff - 1, (n_eff - 1) * (k - 1)),
    )
    assert pair.low == pytest.approx(1 - (1 - pair.estimate) * f_hi)
    assert pair.high == pytest.approx(1 - (1 - pair.estimate) * f_lo)
    assert pair.low < 0.435 and pair.high > 0.909
    lw = scales.cronbach_alpha(d, list(d.columns), missing="listwise")
    assert lw.estimate == pytest.approx(0.8016949152542373, abs=1e-12)
    n, k = 9, 11
    assert lw.n == n
    assert lw.low == pytest.approx(1 - (1 - lw.estimate) * stats.f.isf(0.025, n - 1, (n - 1) * (k - 1)))


def test_pairwise_interval_covers_at_its_nominal_rate_where_all_rows_do_not():
    # Monte Carlo check of the effective n: four parallel items (true alpha from the model), one
    # item blank in 40% of rows at random. Feldt's interval with all rows (pingouin's choice) is
    # too narrow there; with the harmonic mean of the pairwise counts it covers about 95%.
    rng = np.random.default_rng(11)
    k, n, reps, loading = 4, 300, 400, 1.0
    true_alpha = k * loading**2 / (k * loading**2 + 1.0)  # parallel items: k r / (1 + (k - 1) r)
    ours = all_rows = 0
    for _ in range(reps):
        x = loading * rng.normal(size=(n, 1)) + rng.normal(size=(n, k))
        x[rng.random(n) < 0.4, 0] = np.nan
        a = scales.cronbach_alpha(pd.DataFrame(x, columns=list("abcd")), list("abcd"))
        ours += a.low <= true_alpha <= a.high
        f = stats.f.isf([0.025, 0.975], n - 1, (n - 1) * (k - 1))
        all_rows += 1 - (1 - a.estimate) * f[0] <= true_alpha <= 1 - (1 - a.estimate) * f[1]
    assert 0.92 <= ours / reps <= 0.98
    assert all_rows / reps < ours / reps


def test_pairwise_covariance_matches_pandas_pairwise_cov():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.integers(1, 6, size=(200, 4)).astype(float), columns=list("abcd"))
    x = x.mask(rng.random(x.shape) < 0.1)
    cov, n = scales._covariance(x.to_numpy(), "pairwise")
    assert np.allclose(cov, x.cov().to_numpy())
    assert n == 200


def test_item_total_correlation_matches_pandas_on_complete_data():
    rng = np.random.default_rng(5)
    base = rng.normal(size=300)
    x = pd.DataFrame({f"i{j}": base + rng.normal(size=300) for j in range(4)})
    table = scales.item_analysis(x, list(x.columns))
    for col in x:
        rest = x.drop(columns=col).sum(axis=1)
        assert table.loc[col, "item_total_r"] == pytest.approx(x[col].corr(rest))
        assert table.loc[col, "alpha_if_deleted"] == pytest.approx(pg.cronbach_alpha(x.drop(columns=col))[0])


def test_course_scales_are_reliable_but_not_perfect():
    survey = data.load("survey")
    for factor in data.FACTORS:
        res = scales.cronbach_alpha(survey, data.items(factor))
        assert 0.7 < res.estimate < 0.95, factor


def test_factor_scores_follow_the_missing_rule():
    d = pd.DataFrame({"a": [4, None, None], "b": [2, 5, None], "c": [None, None, None], "d": [3, 4, 1]})
    out = scales.factor_scores(d, factors={"f": ["a", "b", "c", "d"]})
    assert out["f"].iloc[0] == pytest.approx(3.0)  # 3 of 4 answered
    assert out["f"].iloc[1] == pytest.approx(4.5)  # 2 of 4: exactly half
    assert np.isnan(out["f"].iloc[2])  # 1 of 4: no score
    default = scales.factor_scores(data.load("survey").head(5))
    assert list(default.columns) == list(data.FACTORS)


def test_measurement_error_formula():
    # Harvill, L. M. (1991). Standard error of measurement. Educational Measurement: Issues
    # and Practice 10(2), 33-41: SEM = SD * sqrt(1 - r); SD 10 and r = .91 give 3.
    assert scales.measurement_error(10, 0.91) == pytest.approx(3.0)


def test_reliable_change_matches_published_worked_example():
    # Wodrich, open textbook (University of Arizona), Appendix E "How to Calculate Reliable
    # Change Indexes (RCIs)", Table A.3.1: Piers-Harris-2 total score SEM 3.07 (Piers &
    # Herzberg 2002) -> standard error of the difference 4.34 -> 95% threshold 1.96 * 4.34 = 8.51.
    assert scales.reliable_change(3.07) == pytest.approx(8.51, abs=0.005)
    # Jacobson & Truax (1991): S_diff = sqrt(2 * SEM^2), reliable when |change| / S_diff > 1.96.
    assert scales.reliable_change(1.0, confidence=0.95) == pytest.approx(1.959964 * np.sqrt(2), rel=1e-6)


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 100), st.floats(0.5, 0.99))
def test_reliable_change_grows_with_noise_and_confidence(sem, confidence):
    low = scales.reliable_change(sem, confidence)
    assert low >= 0
    assert scales.reliable_change(sem, min(confidence + 0.005, 0.999)) >= low
    assert scales.reliable_change(sem * 2, confidence) == pytest.approx(2 * low)


def test_reliable_change_bad_input():
    with pytest.raises(InputError, match="sem must be a non-negative number"):
        scales.reliable_change(-1)
    with pytest.raises(InputError, match="confidence must be a number between 0 and 1"):
        scales.reliable_change(1.0, confidence=95)


@pytest.mark.parametrize(
    "items, match",
    [
        (pd.DataFrame({"a": [1, 2, 3]}), "at least two items"),
        (pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]}), "no variance"),
        (pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}), "not numbers"),
        (pd.DataFrame({"a": [1, 2, 3], "b": [None, None, None]}), "no answers at all"),
    ],
)
def test_bad_items_are_clear_errors(items, match):
    with pytest.raises(InputError, match=match):
        scales.cronbach_alpha(items, list(items.columns))


def test_bad_options():
    x = pd.DataFrame({"a": [1, 2, 3], "b": [2, 2, 3]})
    with pytest.raises(InputError, match="missing must be one of"):
        scales.cronbach_alpha(x, ["a", "b"], missing="drop")
    with pytest.raises(InputError, match="no variance"):
        scales.item_analysis(pd.DataFrame({"a": [1, 2, 3], "b": [2, 2, 3], "c": [4, 4, 4]}), ["a", "b", "c"])
    with pytest.raises(InputError, match="has no column"):
        scales.factor_scores(x, factors={"f": ["a", "z"]})


@settings(max_examples=100, deadline=None)
@given(arrays(float, st.tuples(st.integers(5, 60), st.integers(2, 6)), elements=st.integers(1, 5).map(float)))
def test_alpha_is_at_most_one_and_inside_its_interval(x):
    df = pd.DataFrame(x)
    if df.sum(axis=1).var() == 0:
        return  # alpha undefined: covered by test_bad_items_are_clear_errors
    res = scales.cronbach_alpha(df, list(df.columns))
    assert res.estimate <= 1 + 1e-12
    assert res.low <= res.estimate <= res.high


def test_missing_raise_names_the_rows_and_the_other_policies_use_them():
    d = pd.DataFrame(
        {"a": [1, 2, None, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 3, None, 5]}, index=list("pqrst")
    )
    with pytest.raises(InputError, match=r"2 respondent\(s\) left an item blank \(first at row 'r'"):
        scales.cronbach_alpha(d, ["a", "b", "c"], missing="raise")
    with pytest.raises(InputError, match="left an item blank"):
        scales.item_analysis(d, ["a", "b", "c"], missing="raise")
    complete = d.dropna()
    # with no blanks the three policies agree, and "raise" is pingouin's value on complete data
    for policy in ("pairwise", "listwise", "raise"):
        res = scales.cronbach_alpha(complete, ["a", "b", "c"], missing=policy)
        assert res.estimate == pytest.approx(pg.cronbach_alpha(complete)[0]) and res.missing == policy
    assert scales.cronbach_alpha(d, ["a", "b", "c"], missing="listwise").n == 3


def test_items_are_column_names_of_df():
    d = pd.DataFrame({"a": [1, 2, 3], "b": [2, 2, 3]})
    with pytest.raises(InputError, match="items must be a list of column names, with the table passed first"):
        scales.cronbach_alpha(d, d)
    with pytest.raises(InputError, match="has no column 'c'"):
        scales.cronbach_alpha(d, ["a", "c"])
    with pytest.raises(InputError, match="more than once"):
        scales.cronbach_alpha(d, ["a", "a"])
    # only the named columns count: a third column of text is ignored
    assert scales.cronbach_alpha(d.assign(note="x"), ["a", "b"]).k == 2
