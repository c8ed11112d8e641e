"""Control charts, interrupted time series, difference-in-differences and sample size."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cxlib import InputError, data, metrics, scales, tracking


def test_p_chart_reproduces_the_nist_handbook_wafer_example():
    # NIST/SEMATECH e-Handbook of Statistical Methods, 6.3.3.2 (p chart): 30 samples of 50
    # wafers with 347 defective in all; centre line 0.2313, UCL 0.4102, LCL 0.0524.
    # The centre and limits depend only on the totals and the sample size.
    counts = np.full(30, 347 // 30)
    counts[: 347 - counts.sum()] += 1
    chart = tracking.p_chart_limits(counts, np.full(30, 50))
    assert chart["center"].iloc[0] == pytest.approx(0.2313, abs=5e-5)
    assert chart["upper"].iloc[0] == pytest.approx(0.4102, abs=5e-5)
    assert chart["lower"].iloc[0] == pytest.approx(0.0524, abs=5e-5)
    assert not chart["signal"].any()


def test_control_chart_from_responses_equals_p_chart_from_counts():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"month": rng.integers(0, 12, 3000), "sat": rng.integers(1, 6, 3000)})
    chart = tracking.top_box_limits(df, "sat", "month")
    counts = df.assign(hit=df.sat >= 4).groupby("month")["hit"].agg(["sum", "size"])
    expected = tracking.p_chart_limits(counts["sum"], counts["size"], index=counts.index)
    pd.testing.assert_frame_equal(chart, expected, check_names=False, check_index_type=False)


def test_nps_chart_centre_is_the_pooled_nps_and_limits_use_its_variance():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"m": rng.integers(0, 5, 2000), "r": rng.integers(0, 11, 2000)})
    chart = tracking.nps_limits(df, "r", "m")
    pooled = metrics.nps(df["r"], method="wald")
    assert chart["center"].iloc[0] == pytest.approx(pooled.estimate)
    n0 = chart["n"].iloc[0]
    se0 = pooled.se * np.sqrt(len(df) / n0)
    assert chart["upper"].iloc[0] == pytest.approx(pooled.estimate + 3 * se0)


def test_trained_branches_show_the_shift_and_untrained_ones_stay_in_control():
    survey = data.load("survey").dropna(subset=["people_helpfulness"])
    training = data.load("training")
    untrained = survey[survey.branch.isin(training.loc[~training.trained, "branch"])]
    calm = tracking.top_box_limits(untrained, "people_helpfulness", "month", baseline=12)
    assert not calm["signal"].any() and not calm["run_signal"].any()
    start = training["start_month"].min()
    wave = survey[survey.branch.isin(training.loc[training.start_month == start, "branch"])]
    chart = tracking.top_box_limits(wave, "people_helpfulness", "month", baseline=lambda m: m <= start)
    before = chart.index <= start
    assert not chart.loc[before, "signal"].any()
    assert (
        chart.loc[~before, "signal"].sum() >= 3
        and (chart.loc[~before, "estimate"] > chart["center"].iloc[0]).all()
    )


def test_run_rule_flags_eight_in_a_row_on_one_side():
    chart = tracking.p_chart_limits([10] * 4 + [12] * 8, [20] * 12, baseline=4)
    assert chart["run_signal"].tolist() == [False] * 11 + [True]


def test_interrupted_time_series_matches_statsmodels_formula_with_hac():
    rng = np.random.default_rng(4)
    t = np.arange(36)
    y = 3.6 + 0.005 * t + 0.25 * (t >= 18) + 0.01 * (t - 18) * (t >= 18) + rng.normal(0, 0.05, 36)
    df = pd.DataFrame({"t": t, "y": y}).sample(frac=1, random_state=1)  # shuffled: the function sorts
    res = tracking.interrupted_time_series(df, "y", "t", 18, maxlags=3)
    d = pd.DataFrame({"t": t, "y": y, "post": (t >= 18).astype(float)})
    d["since"] = (d.t - 18) * d.post
    ref = smf.ols("y ~ t + post + since", d).fit(cov_type="HAC", cov_kwds={"maxlags": 3})
    assert res.coefficients["estimate"].to_numpy() == pytest.approx(ref.params.to_numpy())
    assert res.coefficients["se"].to_numpy() == pytest.approx(ref.bse.to_numpy())
    level = res.coefficients.loc["level_change"]
    assert abs(level["estimate"] - 0.25) < 3 * level["se"]
    # fitted values come back in the input's (shuffled) order
    assert res.fitted == pytest.approx(ref.fittedvalues.to_numpy()[df["t"].to_numpy()])


def test_diff_in_diff_reproduces_card_and_krueger_1994_cell_means():
    # Card & Krueger (1994), AER 84(4), Table 3: mean FTE employment per store,
    # NJ 20.44 -> 21.03, PA 23.33 -> 21.17; difference-in-differences 2.76 (2.75 from the rounded means).
    cells = {(1, 0): 20.44, (1, 1): 21.03, (0, 0): 23.33, (0, 1): 21.17}
    rng = np.random.default_rng(0)
    rows = []
    for (tr, po), mean in cells.items():
        e = rng.normal(size=40)
        for v in mean + (e - e.mean()):
            rows.append((tr, po, v))
    df = pd.DataFrame(rows, columns=["nj", "after", "fte"])
    res = tracking.diff_in_diff(df, "fte", "nj", "after")
    assert res.estimate == pytest.approx(2.75, abs=1e-9)
    # textbook OLS standard error of the interaction in a balanced 2x2: s * sqrt(4 / 40)
    resid = df["fte"] - df.groupby(["nj", "after"])["fte"].transform("mean")
    s2 = (resid**2).sum() / (len(df) - 4)
    assert res.se == pytest.approx(np.sqrt(s2 * 4 / 40))


def test_diff_in_diff_cluster_robust_and_two_way_fixed_effects():
    rng = np.random.default_rng(5)
    units, periods = 12, 10
    u = np.repeat(np.arange(units), periods)
    p = np.tile(np.arange(periods), units)
    active = ((u < 6) & (p >= 5)).astype(int)
    y = 0.3 * u / units + 0.05 * p + 0.4 * active + rng.normal(0, 0.1, len(u))
    df = pd.DataFrame(
        {
            "y": y,
            "unit": u,
            "period": p,
            "active": active,
            "treated": (u < 6).astype(int),
            "post": (p >= 5).astype(int),
        }
    )
    twfe = tracking.diff_in_diff(df, "y", "active", None, unit="unit", period="period", cluster="unit")
    assert twfe.low < 0.4 < twfe.high and twfe.clusters == units
    ref = smf.ols("y ~ treated * post", df).fit(
        cov_type="cluster", cov_kwds={"groups": df["unit"]}, use_t=True
    )
    res = tracking.diff_in_diff(df, "y", "treated", "post", cluster="unit")
    assert res.se == pytest.approx(ref.bse["treated:post"])
    # with clusters the interval is a t interval on G - 1 = 11 degrees of freedom (as in Stata)
    half = (res.high - res.low) / 2
    assert half == pytest.approx(stats.t.ppf(0.975, units - 1) * res.se)
    assert (res.low, res.high) == pytest.approx(tuple(ref.conf_int().loc["treated:post"]))


def test_collapsed_diff_in_diff_is_students_pooled_t_test_on_the_units_changes():
    # Student's (1908) sleep data as the units' changes: ten untreated units change by the
    # first drug's values, ten treated units by the second's. R: t.test(extra ~ group, data =
    # sleep, var.equal = TRUE) gives t = -1.8608, df = 18, p-value = 0.07919, 95 percent
    # confidence interval -3.363874 0.203874 (for group 1 minus group 2).
    drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    rows = []
    for i, change in enumerate(drug1 + drug2):
        base = 3.0 + 0.1 * i  # each unit has its own level; only the change counts
        treated = int(i >= 10)
        rows += [(f"u{i}", treated, 0, base - 0.5), (f"u{i}", treated, 0, base + 0.5)]  # mean before: base
        rows += [(f"u{i}", treated, 1, base + change)]
    df = pd.DataFrame(rows, columns=["unit", "treated", "post", "y"])
    res = tracking.collapsed_diff_in_diff(df, "y", "treated", "post", "unit")
    assert res.estimate == pytest.approx(2.33 - 0.75)
    assert (res.low, res.high) == pytest.approx((-0.203874, 3.363874), abs=1e-6)
    assert res.p_value == pytest.approx(0.07919, abs=1e-5)
    assert res.estimate / res.se == pytest.approx(1.8608, abs=1e-4)
    assert (res.clusters, res.n, res.cov_type) == (20, 60, "collapsed to units")


def test_collapsed_diff_in_diff_equals_the_2x2_on_balanced_unit_means_and_refuses_bad_units():
    d = pd.DataFrame(
        {
            "branch": list("aabbccdd"),
            "treated": [1, 1, 1, 1, 0, 0, 0, 0],
            "post": [0, 1] * 4,
            "y": [3.0, 4.0, 3.5, 4.7, 3.2, 3.3, 3.0, 3.3],
        }
    )
    res = tracking.collapsed_diff_in_diff(d, "y", "treated", "post", "branch")
    assert res.estimate == pytest.approx(tracking.diff_in_diff(d, "y", "treated", "post").estimate)
    with pytest.raises(InputError, match="treated must be the same on every row of a unit.*'a'"):
        tracking.collapsed_diff_in_diff(
            d.assign(treated=[1, 0, 1, 1, 0, 0, 0, 0]), "y", "treated", "post", "branch"
        )
    with pytest.raises(InputError, match="rows before and after.*'d'"):
        tracking.collapsed_diff_in_diff(d.iloc[:7], "y", "treated", "post", "branch")
    with pytest.raises(InputError, match="0 untreated"):
        tracking.collapsed_diff_in_diff(d.assign(treated=1), "y", "treated", "post", "branch")


def test_interrupted_time_series_classical_errors_by_default_and_the_residual_autocorrelation():
    rng = np.random.default_rng(8)
    t = np.arange(24)
    y = 3.6 + 0.01 * t + 0.3 * (t >= 12) + rng.normal(0, 0.1, 24)
    res = tracking.interrupted_time_series(pd.DataFrame({"t": t, "y": y}), "y", "t", 12)
    d = pd.DataFrame({"t": t, "y": y, "post": (t >= 12).astype(float)})
    d["since"] = (d.t - 12) * d.post
    ref = smf.ols("y ~ t + post + since", d).fit()
    assert res.coefficients["se"].to_numpy() == pytest.approx(ref.bse.to_numpy())
    ci = ref.conf_int()  # t intervals on 24 - 4 degrees of freedom
    assert res.coefficients["low"].to_numpy() == pytest.approx(ci[0].to_numpy())
    assert "t" in res.coefficients.columns and res.maxlags is None
    from statsmodels.tsa.stattools import acf

    assert res.autocorrelation == pytest.approx(acf(ref.resid, nlags=1)[1])
    assert "classical SEs" in repr(res)


def test_training_effect_on_the_course_data_is_recovered():
    survey = data.load("survey")
    training = data.load("training")
    start = training.set_index("branch")["start_month"]
    people = scales.factor_scores(survey)["people"]
    df = survey[["branch", "month"]].assign(people=people).dropna()
    first_wave = start.min()
    df = df[df["branch"].map(lambda b: pd.isna(start[b]) or start[b] == first_wave)]
    df = df.assign(
        treated=df["branch"].map(lambda b: int(pd.notna(start[b]))),
        post=(df["month"] > first_wave).astype(int),
    )
    res = tracking.diff_in_diff(df, "people", "treated", "post", cluster="branch")
    truth = data.load_truth()["training"]["att_people_score"]
    assert res.low < truth < res.high


def test_sample_size_matches_r_power_prop_test_documented_example():
    # R documentation of stats::power.prop.test: power.prop.test(p1 = .50, p2 = .75, power = .90)
    # prints n = 76.7 per group (same formula as Fleiss, Levin & Paik 2003, 4.14, no correction).
    assert tracking.sample_size_proportions(0.50, 0.75, power=0.90) == 77


@pytest.mark.parametrize(
    "args, match",
    [
        ((0.5, 0.5), "no change"),
        ((0, 0.5), "p1 must be"),
        ((0.5, 1.2), "p2 must be"),
        ((0.5, 0.6, 1.5), "alpha must be"),
        ((0.5, 0.6, 0.05, 0.04), "must be above alpha"),
        ((0.5, 0.6, 0.05, 0.05), "must be above alpha"),
    ],
)
def test_sample_size_bad_input(args, match):
    with pytest.raises(InputError, match=match):
        tracking.sample_size_proportions(*args)


def test_bad_inputs():
    with pytest.raises(InputError, match="exceed totals"):
        tracking.p_chart_limits([6], [5])
    with pytest.raises(InputError, match="sigma must be"):
        tracking.p_chart_limits([1], [5], sigma=0)
    with pytest.raises(InputError, match=r"t must be true/false \(or 0/1\); 1 other value\(s\): row 1: 2"):
        tracking.diff_in_diff(pd.DataFrame({"y": [1.0, 2], "t": [0, 2], "p": [0, 1]}), "y", "t", "p")
    with pytest.raises(InputError, match="only one value"):
        tracking.diff_in_diff(pd.DataFrame({"y": [1.0, 2, 3], "t": [1, 1, 1], "p": [0, 1, 1]}), "y", "t", "p")
    with pytest.raises(InputError, match="repeated periods"):
        tracking.interrupted_time_series(pd.DataFrame({"t": [1, 1, 2, 3, 4, 5], "y": [1.0] * 6}), "y", "t", 3)
    with pytest.raises(InputError, match="at least 3 periods before and 3 after; got 1 before and 5 after"):
        tracking.interrupted_time_series(
            pd.DataFrame({"t": range(6), "y": [1.0, 2, 3, 2, 1, 2]}), "y", "t", 1
        )
    with pytest.raises(InputError, match="y is constant"):
        tracking.interrupted_time_series(pd.DataFrame({"t": range(8), "y": [1.0] * 8}), "y", "t", 4)
    with pytest.raises(InputError, match="t: 1 missing time"):
        tracking.interrupted_time_series(
            pd.DataFrame({"t": [0, 1, None, 3, 4, 5, 6], "y": [1.0, 2, 3, 2, 1, 2, 3]}), "y", "t", 3
        )
    with pytest.raises(InputError, match="maxlags \\(9\\) must be smaller"):
        tracking.interrupted_time_series(
            pd.DataFrame({"t": range(8), "y": [1.0, 2, 3, 2, 1, 2, 3, 4]}), "y", "t", 4, maxlags=9
        )
    with pytest.raises(InputError, match="run_length must be"):
        tracking.p_chart_limits([1, 2], [5, 5], run_length=1)
    with pytest.raises(InputError, match="index must have one label per period"):
        tracking.p_chart_limits([1, 2], [5, 5], index=["a"])
    with pytest.raises(InputError, match="no rows"):
        tracking.top_box_limits(pd.DataFrame({"m": [], "s": []}), "s", "m")
    with pytest.raises(InputError, match="active in every row"):
        tracking.diff_in_diff(
            pd.DataFrame({"y": [1.0, 2, 3, 4], "a": [1, 1, 1, 1], "u": [1, 1, 2, 2], "t": [1, 2, 1, 2]}),
            "y",
            "a",
            None,
            unit="u",
            period="t",
        )


def test_a_baseline_with_no_spread_warns_that_the_limits_have_zero_width():
    with pytest.warns(UserWarning, match="centre line of the p chart is 1 with no spread"):
        chart = tracking.p_chart_limits([5, 5, 3], [5, 5, 5], baseline=2)
    assert chart["signal"].tolist() == [False, False, True]
    df = pd.DataFrame({"m": [1, 1, 2, 2], "r": [10, 9, 10, 3]})
    with pytest.warns(UserWarning, match="NPS chart is 100 with no spread"):
        tracking.nps_limits(df, "r", "m", baseline=1)


def test_nps_chart_baseline_and_run_rule():
    # 8 baseline months around NPS 0, then 8 months clearly above: the centre comes from the baseline only
    rng = np.random.default_rng(5)
    before = pd.DataFrame(
        {"m": np.repeat(np.arange(8), 400), "r": rng.choice([0, 5, 10], 3200, p=[0.4, 0.2, 0.4])}
    )
    after = pd.DataFrame(
        {"m": np.repeat(np.arange(8, 16), 400), "r": rng.choice([0, 5, 10], 3200, p=[0.3, 0.2, 0.5])}
    )
    df = pd.concat([before, after], ignore_index=True)
    chart = tracking.nps_limits(df, "r", "m", baseline=8)
    assert chart["center"].iloc[0] == pytest.approx(metrics.nps(before["r"]).estimate)
    assert chart["run_signal"].tolist() == [False] * 15 + [True]
    by_label = tracking.nps_limits(df, "r", "m", baseline=lambda m: m < 8)
    pd.testing.assert_frame_equal(chart, by_label)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([-1, 0, 1]), max_size=60), st.integers(2, 10))
def test_run_rule_matches_a_plain_count(sides, run_length):
    side = np.array(sides, dtype=int)
    expected, above, below = [], 0, 0
    for v in side:
        above = above + 1 if v > 0 else 0
        below = below + 1 if v < 0 else 0
        expected.append(above >= run_length or below >= run_length)
    assert tracking._runs(side > 0, side < 0, run_length).tolist() == expected


@pytest.mark.filterwarnings("ignore:the centre line of the p chart")  # all-0 or all-1 draws: tested above
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 500), st.floats(0, 1)), min_size=1, max_size=40), st.floats(0.5, 4))
def test_control_limits_lie_within_zero_and_one(periods, sigma):
    totals = np.array([n for n, _ in periods])
    successes = np.array([int(round(n * f)) for n, f in periods])
    chart = tracking.p_chart_limits(successes, totals, sigma=sigma)
    assert ((chart["lower"] >= 0) & (chart["upper"] <= 1)).all()
    assert ((chart["lower"] <= chart["center"]) & (chart["center"] <= chart["upper"])).all()


def test_independent_autocorrelation_of_a_constant_is_minus_one_over_n():
    # The classical mean of a white-noise series' lag-1 sample autocorrelation about its mean is
    # -1/n (Moran 1948, Biometrika 35; Box, Jenkins & Reinsel, Time Series Analysis, eq. 2.1.13).
    for n in (10, 24, 60):
        assert tracking._independent_autocorrelation(np.ones((n, 1))) == pytest.approx(-1 / n)


def test_its_reports_what_independent_months_give_on_average():
    # Residuals of the segmented regression lean negative; the reported value is their average
    # lag-1 autocorrelation under independent errors, checked by a seeded simulation of the same
    # design (a line, a jump and a change of slope at month 12 of 24).
    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"month": months, "y": rng.normal(3.5, 0.2, 24)})
    res = tracking.interrupted_time_series(df, "y", "month", months[12])
    t = np.arange(24.0)
    post = (t >= 12).astype(float)
    X = np.column_stack([np.ones(24), t, post, (t - 12) * post])
    e = rng.standard_normal((20000, 24))
    e = e - e @ np.linalg.pinv(X).T @ X.T  # residuals of each simulated series
    r = np.sum(e[:, 1:] * e[:, :-1], axis=1) / np.sum(e**2, axis=1)
    # 20,000 draws with SD about 0.18: the mean is within 0.005 of its expectation (4 SEs)
    assert np.mean(r) == pytest.approx(res.independent_autocorrelation, abs=0.005)
    assert res.independent_autocorrelation < -1 / 24  # below the constant-only -1/n
