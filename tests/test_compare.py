"""Mean differences with t intervals (cxlib.compare), checked against published output."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cxlib import InputError, compare
from cxlib.compare import (
    adjust_pvalues,
    group_stats,
    grouped_mean_difference,
    mean_difference,
    paired_difference,
    t_from_stats,
    welch_from_stats,
)

# Student (1908) sleep data as shipped with R (datasets::sleep): extra hours of sleep of
# ten patients on two drugs.
DRUG1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
DRUG2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_welch_matches_r_t_test_on_the_sleep_data():
    # R documentation ?t.test, example t.test(extra ~ group, data = sleep):
    # Welch Two Sample t-test: t = -1.8608, df = 17.776, p-value = 0.07939,
    # 95 percent confidence interval -3.3654832 0.2054832; means 0.75 and 2.33.
    r = mean_difference(DRUG1, DRUG2)
    assert r.t == pytest.approx(-1.8608, abs=5e-5)
    assert r.df == pytest.approx(17.776, abs=5e-4)
    assert r.p_value == pytest.approx(0.07939, abs=5e-6)
    assert r.low == pytest.approx(-3.3654832, abs=5e-8)
    assert r.high == pytest.approx(0.2054832, abs=5e-8)
    assert (r.mean_a, r.mean_b, r.estimate) == pytest.approx((0.75, 2.33, -1.58))
    assert r.method == "welch" and r.n_a == r.n_b == 10


def test_paired_matches_r_t_test_on_the_sleep_data():
    # R documentation ?t.test, t.test(extra ~ group, data = sleep, paired = TRUE):
    # t = -4.0621, df = 9, p-value = 0.002833, 95 percent CI -2.4598858 -0.7001142,
    # mean of the differences -1.58.
    r = paired_difference(DRUG1, DRUG2)
    assert r.t == pytest.approx(-4.0621, abs=5e-5)
    assert r.df == 9
    assert r.p_value == pytest.approx(0.002833, abs=5e-7)
    assert (r.low, r.high) == pytest.approx((-2.4598858, -0.7001142), abs=5e-8)
    assert r.estimate == pytest.approx(-1.58)


def test_welch_matches_scipy_ttest_ind_unequal_variances():
    # scipy.stats.ttest_ind(equal_var=False) (scipy 1.17): statistic, pvalue, df and its
    # confidence_interval() are Welch's.
    rng = np.random.default_rng(7)
    a, b = rng.normal(3.8, 0.9, 40), rng.normal(3.4, 1.6, 25)
    ref = stats.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(0.9)
    r = mean_difference(a, b, confidence=0.9)
    assert r.t == pytest.approx(ref.statistic, rel=1e-12)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert r.df == pytest.approx(ref.df, rel=1e-12)
    assert (r.low, r.high) == pytest.approx((ci.low, ci.high), rel=1e-10)


def test_paired_matches_scipy_ttest_rel():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 8, 30)
    y = np.clip(x + rng.integers(-2, 2, 30), 1, 7)
    ref = stats.ttest_rel(x, y)
    ci = ref.confidence_interval(0.95)
    r = paired_difference(x, y)
    assert (r.t, r.p_value, r.low, r.high) == pytest.approx(
        (ref.statistic, ref.pvalue, ci.low, ci.high), rel=1e-10
    )


def test_vectorised_forms_agree_with_the_scalar_ones():
    rng = np.random.default_rng(11)
    frames = []
    for g, (mu, sd) in enumerate([(4.0, 1.0), (3.5, 0.5), (2.0, 2.0)]):
        frames.append(pd.DataFrame({"item": f"i{g}", "who": "us", "x": rng.normal(mu, sd, 30)}))
        frames.append(pd.DataFrame({"item": f"i{g}", "who": "them", "x": rng.normal(mu - 0.3, sd, 20)}))
    d = pd.concat(frames, ignore_index=True)
    out = grouped_mean_difference(d, "x", "who", "us", "them", by="item")
    for item, row in out.iterrows():
        ref = mean_difference(
            d.x[(d.item == item) & (d.who == "us")], d.x[(d.item == item) & (d.who == "them")]
        )
        assert (row["estimate"], row["low"], row["high"], row["p_value"], row["df"]) == pytest.approx(
            (ref.estimate, ref.low, ref.high, ref.p_value, ref.df), rel=1e-12
        )
        assert (row["n_a"], row["n_b"]) == (30, 20)
    whole = grouped_mean_difference(d, "x", "who", "us", "them")
    ref = mean_difference(d.x[d.who == "us"], d.x[d.who == "them"])
    assert whole["estimate"].iloc[0] == pytest.approx(ref.estimate)
    t = t_from_stats(np.mean(DRUG1), np.var(DRUG1, ddof=1), 10)
    ref1 = stats.ttest_1samp(DRUG1, 0)
    assert t["p_value"].iloc[0] == pytest.approx(ref1.pvalue, rel=1e-12)


def test_cluster_robust_difference_matches_statsmodels_ols_with_clustered_errors():
    # statsmodels OLS(y ~ 1 + [side a]).fit(cov_type="cluster", use_t=True) is Stata's CR1
    # (Stata User's Guide, "Cluster-robust standard errors": G/(G-1) * (N-1)/(N-K), t with G-1
    # degrees of freedom); the slope is mean_a - mean_b. Customers answer 1-4 times, some on
    # both sides, with a personal effect, in each of two items (``by``).
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    rows = []
    for item in ("x", "y"):
        for customer in range(60):
            halo = rng.normal(0, 0.8)
            for _ in range(rng.integers(1, 5)):
                after = rng.random() < 0.5
                rows.append((item, customer, "after" if after else "before", 3 + 0.3 * after + halo))
    d = pd.DataFrame(rows, columns=["item", "customer", "period", "score"])
    d["score"] += rng.normal(0, 0.5, len(d))
    out = grouped_mean_difference(d, "score", "period", "after", "before", by="item", cluster="customer")
    for item, row in out.iterrows():
        sub = d[d["item"] == item]
        x = sm.add_constant((sub["period"] == "after").astype(float).to_numpy())
        fit = sm.OLS(sub["score"].to_numpy(), x).fit(
            cov_type="cluster", cov_kwds={"groups": sub["customer"].to_numpy()}, use_t=True
        )
        low, high = fit.conf_int(alpha=0.05)[1]
        assert (row["estimate"], row["se"], row["low"], row["high"], row["p_value"]) == pytest.approx(
            (fit.params[1], fit.bse[1], low, high, fit.pvalues[1]), rel=1e-10
        )
        assert row["df"] == row["clusters"] - 1 == sub["customer"].nunique() - 1
    # without clusters the same call is Welch's, and the point estimates agree
    plain = grouped_mean_difference(d, "score", "period", "after", "before", by="item")
    assert plain["estimate"].to_numpy() == pytest.approx(out["estimate"].to_numpy())
    assert "clusters" not in plain


def test_cluster_robust_difference_refuses_missing_or_single_clusters():
    d = pd.DataFrame({"who": ["us", "us", "them", "them"], "x": [1.0, 2.0, 3.0, 5.0], "c": [1, 1, 1, 1]})
    with pytest.raises(InputError, match="at least 2 clusters"):
        grouped_mean_difference(d, "x", "who", "us", "them", cluster="c")
    with pytest.raises(InputError, match="missing cluster label"):
        grouped_mean_difference(d.assign(c=[1, None, 2, 2]), "x", "who", "us", "them", cluster="c")
    with pytest.raises(InputError, match="no column 'cust'"):
        grouped_mean_difference(d, "x", "who", "us", "them", cluster="cust")


def test_holm_matches_the_published_example():
    # Holm-Bonferroni, Wikipedia's worked example (Holm 1979 procedure): p-values 0.01, 0.04,
    # 0.03, 0.005 at alpha 0.05 -> hypotheses 1 and 4 rejected, 2 and 3 not.
    # Adjusted p-values by Holm's definition: sorted 0.005*4, max(0.02, 0.01*3), max(0.03, 0.03*2),
    # max(0.06, 0.04*1) -> 0.02, 0.03, 0.06, 0.06 in sorted order.
    adj = adjust_pvalues([0.01, 0.04, 0.03, 0.005], "holm")
    assert (adj < 0.05).tolist() == [True, False, False, True]
    assert adj == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert adjust_pvalues([0.01, 0.04], "bonferroni") == pytest.approx([0.02, 0.08])
    assert adjust_pvalues([0.2, 0.5], "none").tolist() == [0.2, 0.5]


def test_group_stats_counts_means_and_variances():
    d = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "x": [1, 2, 6, 4, 4]})
    st_ = group_stats(d, "x", "g")
    assert st_.loc["a"].tolist() == pytest.approx([3, 3.0, 7.0])
    assert st_.loc["b"].tolist() == pytest.approx([2, 4.0, 0.0])


def test_zero_spread_gives_a_documented_result_with_a_warning():
    with pytest.warns(UserWarning, match="no spread"):
        r = mean_difference([4, 4, 4], [3, 3])
    assert (r.estimate, r.low, r.high, r.p_value) == (1.0, 1.0, 1.0, 0.0)
    with pytest.warns(UserWarning, match="no spread"):
        r = mean_difference([4, 4], [4, 4, 4])
    assert (r.estimate, r.p_value) == (0.0, 1.0)


def test_errors_name_the_problem():
    with pytest.raises(InputError, match="at least 2"):
        mean_difference([1.0], [1.0, 2.0])
    with pytest.raises(InputError, match="missing"):
        mean_difference([1.0, np.nan, 3.0], [1.0, 2.0])
    with pytest.raises(InputError, match="not numbers"):
        mean_difference(["a", "b"], [1.0, 2.0])
    with pytest.raises(InputError, match="confidence"):
        mean_difference([1, 2, 3], [1, 2], confidence=95)
    with pytest.raises(InputError, match="pairs"):
        paired_difference([1, 2, 3], [1, 2])
    with pytest.raises(InputError, match="correction must be one of.*did you mean 'holm'"):
        adjust_pvalues([0.1], "hlom")
    with pytest.raises(InputError, match="outside the allowed range"):
        adjust_pvalues([0.1, 1.5])
    d = pd.DataFrame(
        {
            "item": ["x", "x", "y", "y", "y"],
            "who": ["us", "them", "us", "us", "them"],
            "score": [1, 2, 3, 4, 5],
        }
    )
    with pytest.raises(InputError, match="has no value 'Us'.*did you mean 'us'"):
        grouped_mean_difference(d, "score", "who", "Us", "them")
    with pytest.raises(InputError, match="at least 2 ratings"):
        grouped_mean_difference(d, "score", "who", "us", "them", by="item")
    with pytest.raises(InputError, match="only one of"):
        grouped_mean_difference(
            d.iloc[2:].assign(item=["y", "z", "z"]), "score", "who", "us", "them", by="item"
        )
    with pytest.raises(InputError, match="no column 'scor'"):
        grouped_mean_difference(d, "scor", "who", "us", "them")
    with pytest.raises(InputError, match="at least 2"):
        welch_from_stats([1.0], [1.0], [1], [2.0], [1.0], [5])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 5), min_size=2, max_size=30),
    st.lists(st.integers(1, 5), min_size=2, max_size=30),
    st.floats(0.5, 0.99),
)
def test_interval_properties(a, b, confidence):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zero-spread samples are allowed here
        r = mean_difference(a, b, confidence)
        s = mean_difference(b, a, confidence)
    assert r.low <= r.estimate <= r.high
    assert 0 <= r.p_value <= 1
    assert s.estimate == pytest.approx(-r.estimate) and s.p_value == pytest.approx(r.p_value)
    assert (s.low, s.high) == pytest.approx((-r.high, -r.low))
    if r.se > 0:  # the interval excludes 0 exactly when p < 1 - confidence
        assert (r.low > 0 or r.high < 0) == (r.p_value < 1 - confidence) or abs(
            r.p_value - (1 - confidence)
        ) < 1e-9


# --- correlations and their difference (lesson 6: derived importance with intervals) ---


def _exact_correlations(target, n, seed=0):
    """n rows whose sample correlation matrix is exactly ``target``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(target)))
    x -= x.mean(axis=0)
    x = x @ np.linalg.inv(np.linalg.cholesky(np.cov(x, rowvar=False))).T
    return x @ np.linalg.cholesky(np.asarray(target)).T


def test_correlation_difference_matches_zou_2007_worked_example():
    # Zou (2007), Psychological Methods 12(4), example of two overlapping correlations:
    # r12 = .396, r13 = .179, r23 = .088, n = 66 gives the 95% interval (-.093, .517).
    x = _exact_correlations([[1, 0.396, 0.179], [0.396, 1, 0.088], [0.179, 0.088, 1]], 66)
    d = pd.DataFrame(x, columns=["y", "a", "b"])
    out = compare.correlation_difference(d, "y", "a", "b").iloc[0]
    assert out["estimate"] == pytest.approx(0.217, abs=1e-9)
    assert (round(out["low"], 3), round(out["high"], 3)) == (-0.093, 0.517)
    assert out["n"] == 66


def test_correlation_intervals_are_fishers_as_scipy_documents_them():
    # scipy.stats.pearsonr(...).confidence_interval() is Fisher's z interval (scipy docs)
    from scipy.stats import pearsonr

    rng = np.random.default_rng(3)
    d = pd.DataFrame(rng.normal(size=(80, 3)), columns=["y", "a", "b"])
    d["y"] += 0.5 * d["a"]
    out = compare.correlations(d, "y", ["a", "b"], confidence=0.9)
    for col in ("a", "b"):
        ref = pearsonr(d["y"], d[col]).confidence_interval(confidence_level=0.9)
        assert out.loc[col, "low"] == pytest.approx(ref.low, abs=1e-12)
        assert out.loc[col, "high"] == pytest.approx(ref.high, abs=1e-12)
    assert (out["n"] == 80).all()


def test_correlations_refuse_blanks_unless_told_and_say_how_many_were_dropped():
    d = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, None], "a": [2.0, 1, 4, 3, 6, 5]})
    with pytest.raises(InputError, match="missing value"):
        compare.correlations(d, "y", ["a"])
    out = compare.correlations(d, "y", ["a"], missing="listwise")
    assert out.attrs["dropped"] == 1 and out.loc["a", "n"] == 5
    with pytest.raises(InputError, match="only 3 complete row"):
        compare.correlation_difference(d.head(3).assign(b=[1, 2, 2]), "y", "a", "b")
