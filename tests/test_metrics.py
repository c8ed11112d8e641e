"""Headline metrics against published values and other libraries' documented output."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from cxlib import InputError, metrics


# Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
# comparison of seven methods. Statistics in Medicine 17, 857-872. Table I, method 3
# (Wilson score interval without continuity correction).
@pytest.mark.parametrize("x, n, low, high", [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605),
                                             (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)])
def test_wilson_interval_matches_newcombe_1998_table_1(x, n, low, high):
    est = metrics.top_box([5] * x + [1] * (n - x), scale=(1, 5), top=1)
    assert est.low / 100 == pytest.approx(low, abs=5e-5)
    assert est.high / 100 == pytest.approx(high, abs=5e-5)


def test_wilson_interval_matches_statsmodels_proportion_confint():
    for x, n, conf in [(7, 40, 0.9), (33, 50, 0.99), (120, 121, 0.95)]:
        lo, hi = proportion_confint(x, n, alpha=1 - conf, method="wilson")
        est = metrics.wilson_from_counts(x, n, conf).iloc[0]
        assert est["low"] / 100 == pytest.approx(lo, abs=1e-12)
        assert est["high"] / 100 == pytest.approx(hi, abs=1e-12)


def _trinomial(scores):
    x = np.asarray(scores)
    return np.where(x >= 9, 1.0, np.where(x <= 6, -1.0, 0.0))


def test_wald_nps_is_the_trinomial_mean_with_its_standard_error():
    # Sauro & Lewis (MeasuringU 2021): the NPS is the mean of +1 (promoter), 0, -1 (detractor);
    # the Wald interval uses that mean's standard error (population variance / n).
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 11, size=257)
    d = DescrStatsW(_trinomial(scores), ddof=0)
    est = metrics.nps(scores, method="wald")
    assert est.value == pytest.approx(100 * d.mean)
    assert est.se == pytest.approx(100 * d.std / np.sqrt(d.nobs))


def test_adjusted_wald_adds_three_quarters_to_promoters_and_detractors():
    # Rocks (2016), The American Statistician 70(4); as described by Sauro & Lewis (MeasuringU,
    # "Evaluating NPS confidence intervals with real-world data", 2021): add 3 to n and 3/4 to the
    # promoters and to the detractors, then use the trinomial variance. Rebuilt here with
    # statsmodels' weighted statistics on pseudo-observations (3/4 promoter, 3/4 detractor, 3/2 passive).
    scores = [10] * 37 + [8] * 41 + [4] * 22
    values = np.r_[_trinomial(scores), 1.0, -1.0, 0.0]
    weights = np.r_[np.ones(len(scores)), 0.75, 0.75, 1.5]
    d = DescrStatsW(values, weights=weights, ddof=0)
    est = metrics.nps(scores, confidence=0.9)
    z = 1.6448536269514722
    assert est.value == pytest.approx(15.0)  # observed: 37% - 22%
    assert est.n == 100  # the responses, not the adjusted count
    assert est.se == pytest.approx(100 * d.std / np.sqrt(d.sum_weights))
    assert est.low == pytest.approx(100 * (d.mean - z * d.std / np.sqrt(d.sum_weights)))
    assert est.high == pytest.approx(100 * (d.mean + z * d.std / np.sqrt(d.sum_weights)))


def test_t_interval_for_a_mean_matches_statsmodels():
    x = [1, 2, 2, 3, 5, 6, 7, 2, 3, 4]
    lo, hi = DescrStatsW(np.array(x, float)).tconfint_mean(alpha=0.1)
    est = metrics.effort_score(x, confidence=0.9)
    assert (est.low, est.high) == (pytest.approx(lo), pytest.approx(hi))
    assert est.value == pytest.approx(3.5)


def test_compare_nps_wald_difference_and_test():
    a = [10] * 60 + [7] * 20 + [2] * 20
    b = [10] * 40 + [7] * 30 + [2] * 30
    res = metrics.compare_nps(a, b, method="wald")
    se = np.sqrt(sum(DescrStatsW(_trinomial(x), ddof=0).var / len(x) for x in (a, b)))
    assert res.difference == pytest.approx(30.0)
    assert res.se == pytest.approx(100 * se)
    assert res.z == pytest.approx(0.3 / se)
    assert res.to_frame().loc[0, "n_a"] == 100


def test_by_group_equals_the_single_sample_functions():
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"g": rng.choice(["x", "y", "z"], size=600), "h": rng.choice([1, 2], size=600),
                       "rec": rng.integers(0, 11, size=600), "sat": rng.integers(1, 6, size=600)})
    table = metrics.by_group(df, "nps", "g", "rec", confidence=0.9)
    for g, sub in df.groupby("g"):
        est = metrics.nps(sub["rec"], confidence=0.9)
        assert table.loc[g, ["value", "se", "low", "high", "n"]].tolist() == pytest.approx(
            [est.value, est.se, est.low, est.high, est.n])
    tb = metrics.by_group(df, "top_box", ["g", "h"], "sat", top=1)
    est = metrics.top_box(df.loc[(df.g == "y") & (df.h == 2), "sat"], top=1)
    assert tb.loc[("y", 2), "value"] == pytest.approx(est.value)
    mean = metrics.by_group(df, "mean", "g", "sat", scale=(1, 5))
    assert mean.loc["z", "low"] == pytest.approx(metrics.mean_score(df.loc[df.g == "z", "sat"]).low)


def test_by_group_keeps_only_observed_categories():
    df = pd.DataFrame({"b": pd.Categorical(["A", "A", "C"], categories=["A", "B", "C"]), "r": [10, 3, 9]})
    assert list(metrics.by_group(df, "nps", "b", "r").index) == ["A", "C"]


@pytest.mark.parametrize("scores, match", [
    ([11, 3], "outside the allowed range 0 to 10"),
    (["ten", 3], "not numbers"),
    ([7.5, 3], "not whole numbers"),
    ([], "empty"),
    ([np.nan, 9], "missing value"),
])
def test_nps_bad_scores_are_clear_errors(scores, match):
    with pytest.raises(InputError, match=match):
        metrics.nps(scores)


def test_bad_options_are_clear_errors():
    with pytest.raises(InputError, match="method must be one of"):
        metrics.nps([9, 10], method="exact")
    with pytest.raises(InputError, match="confidence must be"):
        metrics.nps([9, 10], confidence=95)
    with pytest.raises(InputError, match="top must be a whole number from 1 to 4"):
        metrics.top_box([1, 5], top=5)
    with pytest.raises(InputError, match="metric must be one of .*did you mean 'nps'"):
        metrics.by_group(pd.DataFrame({"g": [1], "x": [1]}), "npss", "g", "x")
    with pytest.raises(InputError, match="has no column 'recomend'"):
        metrics.by_group(pd.DataFrame({"g": [1], "recommend": [1]}), "nps", "g", "recomend")
    with pytest.raises(InputError, match="takes the options"):
        metrics.by_group(pd.DataFrame({"g": [1], "x": [1]}), "nps", "g", "x", top=2)
    with pytest.raises(InputError, match="missing group label"):
        metrics.by_group(pd.DataFrame({"g": [1, None], "x": [1, 2]}), "nps", "g", "x")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=300), st.sampled_from(metrics.METHODS),
       st.floats(0.5, 0.999))
def test_nps_is_within_bounds_and_its_interval_is_ordered(scores, method, confidence):
    est = metrics.nps(scores, method=method, confidence=confidence)
    assert -100 <= est.value <= 100
    assert -100 <= est.low <= est.high <= 100
    if method == "wald":
        assert est.low - 1e-9 <= est.value <= est.high + 1e-9


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=300), st.integers(1, 4))
def test_top_box_interval_contains_the_share(scores, top):
    est = metrics.top_box(scores, top=top)
    assert 0 <= est.low <= est.value + 1e-9 and est.value <= est.high + 1e-9 and est.high <= 100
