"""``tracking.contrast_of_means``: a contrast of group means with the pooled-variance t interval, checked
against statsmodels (an OLS on group indicators and the t test of the contrast, whose residual variance is
the pooled one on N - K degrees of freedom) and, for two groups, scipy's pooled two-sample t test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from cxlib.errors import InputError
from cxlib.tracking import collapsed_diff_in_diff, contrast_of_means


def test_three_groups_match_statsmodels_t_test_of_the_contrast():
    rng = np.random.default_rng(7)
    groups = [rng.normal(0.4, 0.3, 4), rng.normal(0.1, 0.3, 3), rng.normal(0.0, 0.3, 5)]
    coefficients = [1, -1, -1]  # lesson 10's wave difference: early wave, late wave, never-trained
    res = contrast_of_means(groups, coefficients, confidence=0.9)
    y = np.concatenate(groups)
    X = np.zeros((len(y), 3))
    X[np.arange(len(y)), np.repeat([0, 1, 2], [len(g) for g in groups])] = 1
    fit = sm.OLS(y, X).fit()
    test = fit.t_test(np.array([coefficients], dtype=float))
    low, high = test.conf_int(alpha=0.1)[0]
    assert res.estimate == pytest.approx(float(test.effect[0]), rel=1e-12)
    assert res.se == pytest.approx(float(test.sd[0, 0]), rel=1e-12)
    assert (res.low, res.high) == pytest.approx((low, high), rel=1e-12)
    assert res.p_value == pytest.approx(float(test.pvalue), rel=1e-10)
    assert res.df == fit.df_resid == 9 and res.n == 12


def test_two_groups_are_the_pooled_two_sample_t_test():
    a, b = [5.1, 4.8, 6.0, 5.5, 5.2], [4.2, 4.9, 4.4, 4.0]
    res = contrast_of_means([a, b], [1, -1])
    t = stats.ttest_ind(a, b, equal_var=True)
    assert res.estimate / res.se == pytest.approx(t.statistic, rel=1e-12)
    assert res.p_value == pytest.approx(t.pvalue, rel=1e-10)
    ci = t.confidence_interval(0.95)
    assert (res.low, res.high) == pytest.approx((ci.low, ci.high), rel=1e-12)


def test_collapsed_diff_in_diff_is_the_contrast_of_the_units_changes():
    d = pd.DataFrame({"branch": list("aabbccdd"), "treated": [1, 1, 1, 1, 0, 0, 0, 0], "post": [0, 1] * 4,
                      "y": [3.0, 4.0, 3.5, 4.7, 3.2, 3.3, 3.0, 3.3]})  # fmt: skip
    did = collapsed_diff_in_diff(d, "y", "treated", "post", "branch")
    res = contrast_of_means([[1.0, 1.2], [0.1, 0.3]], [1, -1])
    assert (did.estimate, did.se, did.low, did.high) == pytest.approx(
        (res.estimate, res.se, res.low, res.high)
    )


def test_bad_groups_are_refused():
    with pytest.raises(InputError, match=r"one coefficient per group: 2 group\(s\), 3 coefficient\(s\)"):
        contrast_of_means([[1, 2], [3, 4]], [1, -1, 0])
    with pytest.raises(InputError, match=r"more values than groups; group sizes \[1, 1\]"):
        contrast_of_means([[1], [2]], [1, -1])
    with pytest.raises(InputError, match="no spread"):
        contrast_of_means([[1, 1], [2, 2]], [1, -1])
