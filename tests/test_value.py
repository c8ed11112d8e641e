"""Customer lifetime value and value at risk."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from cxlib import InputError, data, value


# Gupta & Lehmann (2003), "Customers as assets", Journal of Interactive Marketing 17(1),
# Table 1: margin multiple r / (1 + i - r) for retention r and discount rate i.
@pytest.mark.parametrize(
    "r, i, multiple",
    [(0.6, 0.10, 1.20), (0.7, 0.12, 1.67), (0.8, 0.14, 2.35), (0.9, 0.12, 4.09), (0.9, 0.16, 3.46)],
)
def test_margin_multiple_matches_gupta_lehmann_table(r, i, multiple):
    assert value.clv(1.0, r, i) == pytest.approx(multiple, abs=0.005)


def test_clv_is_vectorised_over_series_and_keeps_the_index():
    idx = pd.Index(["a", "b"], name="segment")
    out = value.clv(pd.Series([100.0, 200.0], index=idx), pd.Series([0.5, 0.8], index=idx), 0.1)
    assert out.index.equals(idx)
    assert out.to_numpy() == pytest.approx([100 * 0.5 / 0.6, 200 * 0.8 / 0.3])
    with pytest.raises(InputError, match="different indexes"):
        value.clv(pd.Series([100.0, 200.0]), pd.Series([0.5, 0.8], index=[1, 2]), 0.1)
    with pytest.raises(InputError, match="cannot be broadcast"):
        value.clv(np.array([100.0, 200.0]), np.array([0.5, 0.6, 0.7]), 0.1)
    with pytest.raises(InputError, match="margin must be a number"):
        value.clv("lots", 0.5, 0.1)


@pytest.mark.parametrize(
    "args, match",
    [
        ((100, 1.0, 0.1), "retention must be"),
        ((100, -0.1, 0.1), "retention"),
        ((100, 0.5, -1.0), "discount must be"),
        ((np.nan, 0.5, 0.1), "missing"),
    ],
)
def test_clv_bad_input(args, match):
    with pytest.raises(InputError, match=match):
        value.clv(*args)


def test_retention_counts_customers_who_buy_again_next_year():
    t = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 1, 2, 5],
            "margin": 1.0,
            "date": pd.to_datetime(
                [
                    "2024-01-05",
                    "2024-03-01",
                    "2024-07-01",
                    "2024-12-30",
                    "2025-02-01",
                    "2025-11-01",
                    "2025-05-05",
                ]
            ),
        }
    )
    r = value.retention_rate(t)
    assert (r.loc[2024, "n"], r.loc[2024, "retained"]) == (4, 2)
    assert r.loc[2024, "estimate"] == pytest.approx(50.0)


def _purchases(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer_id": rng.integers(0, 600, n),
            "margin": rng.gamma(2.0, 20.0, n).round(2),
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, n), "D"),
        }
    )


@pytest.mark.parametrize("period, freq", [("year", "Y"), ("quarter", "Q"), ("month", "M")])
def test_retention_rate_equals_a_loop_over_periods(period, freq):
    t = _purchases()
    r = value.retention_rate(t, period=period)
    p = t["date"].dt.to_period(freq)
    periods = sorted(p.unique())
    for this, nxt in zip(periods[:-1], periods[1:]):
        now = set(t.loc[p == this, "customer_id"])
        later = set(t.loc[p == nxt, "customer_id"])
        key = this.year if period == "year" else this
        assert (r.loc[key, "n"], r.loc[key, "retained"]) == (len(now), len(now & later))
    assert len(r) == len(periods) - 1


def test_margin_per_customer_matches_groupby_and_scipy_t_interval():
    from scipy import stats

    t = _purchases(seed=1)
    out = value.margin_per_customer(t, period="quarter", confidence=0.9)
    per = t.groupby([t["date"].dt.to_period("Q"), "customer_id"])["margin"].sum().groupby(level=0)
    for q, s in per:
        lo, hi = stats.t.interval(0.9, len(s) - 1, loc=s.mean(), scale=stats.sem(s))
        assert out.loc[q, "n"] == len(s)
        assert out.loc[q, ["estimate", "low", "high"]].tolist() == pytest.approx([s.mean(), lo, hi])
    with pytest.raises(InputError, match="period must be one of"):
        value.margin_per_customer(t, period="week")
    with pytest.raises(InputError, match="date: 1 missing"):
        value.margin_per_customer(t.assign(date=t["date"].where(t.index != 3)))


def test_more_satisfied_customers_are_retained_more_on_the_course_data():
    t = data.load("transactions")
    s = data.load("survey")
    first = (
        s.sort_values("response_id").drop_duplicates("customer_id").set_index("customer_id")["satisfaction"]
    )
    d = value.customer_years(t, 2024).join(first, how="inner")
    var = value.value_at_risk(d, level="satisfaction")
    assert var.loc[5, "retention"] > var.loc[3, "retention"] > var.loc[2, "retention"]
    assert var.loc[5, "value_at_risk"] == 0 and (var["value_at_risk"] >= 0).all()
    # the retention interval is Wilson's, as statsmodels computes it
    for level, row in var.iterrows():
        retained = round(row["retention"] * row["n"])
        lo, hi = proportion_confint(retained, row["n"], alpha=0.05, method="wilson")
        assert (row["retention_low"], row["retention_high"]) == pytest.approx((lo, hi)), level
    truth = data.load_truth()["value"]["annual_retention_by_satisfaction"]
    assert truth["5"] > truth["3"] > truth["2"]


def test_value_at_risk_bad_input():
    d = pd.DataFrame({"sat": [5, 2, None], "retained": [1, 0, 1], "margin": [1.0, 2.0, 3.0]})
    with pytest.raises(InputError, match=r"sat: 1 missing level\(s\) at row 2"):
        value.value_at_risk(d, level="sat")
    d = pd.DataFrame({"sat": [5, 2], "retained": [2, 0], "margin": [1.0, 2.0]})
    with pytest.raises(
        InputError, match=r"retained must be true/false \(or 0/1\); 1 other value\(s\): row 0: 2"
    ):
        value.value_at_risk(d, level="sat")
    d = pd.DataFrame({"sat": [5, 5, 2], "retained": [1, 1, 0], "margin": [1.0, 2.0, 3.0]})
    with pytest.raises(InputError, match="unbounded"):
        value.value_at_risk(d, level="sat")


@given(st.floats(0, 1e6), st.floats(0, 0.98), st.floats(0.01, 0.5), st.floats(0.001, 0.01))
def test_clv_rises_with_retention_and_falls_with_discount(m, r, i, step):
    base = value.clv(m, r, i)
    assert value.clv(m, r + step, i) >= base
    assert value.clv(m, r, i + step) <= base


def test_customer_years_gives_the_next_years_margin_of_the_retained():
    t = data.load("transactions")
    cy = value.customer_years(t, 2024)
    assert (cy.loc[~cy["retained"], "margin_next"] == 0).all()
    assert (cy.loc[cy["retained"], "margin_next"] > 0).all()
    in_2025 = t[t["date"].dt.year == 2025].groupby("customer_id")["margin"].sum()
    retained = cy.index[cy["retained"]]
    assert cy.loc[retained, "margin_next"].to_numpy() == pytest.approx(in_2025.loc[retained].to_numpy())


def _by_finite_differences(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_clv_estimate_is_the_delta_method_and_matches_simulation():
    # The delta method (Oehlert 1992): se^2 = (dclv/dm)^2 se_m^2 + (dclv/dr)^2 se_r^2, the
    # derivatives checked by finite differences; and the standard error agrees with the spread
    # of the lifetime value over many simulated samples of margins and retained customers.
    m, r, i, sm, n = 110.0, 0.78, 0.1, 2.5, 3000
    sr = np.sqrt(r * (1 - r) / n)
    e = value.clv_estimate(m, r, i, margin_se=sm, retention_se=sr, n=n)
    d_m = _by_finite_differences(lambda x: value.clv(x, r, i), m)
    d_r = _by_finite_differences(lambda x: value.clv(m, x, i), r)
    assert e.se == pytest.approx(np.hypot(d_m * sm, d_r * sr), rel=1e-6)
    rng = np.random.default_rng(11)
    sims = value.clv(rng.normal(m, sm, 20000), rng.binomial(n, r, 20000) / n, i)
    assert e.se == pytest.approx(np.std(sims), rel=0.05)
    # the log-scale interval: symmetric in ratio around the estimate, and above zero
    assert e.estimate / e.low == pytest.approx(e.high / e.estimate)
    assert 0 < e.low < e.estimate < e.high and e.method == "delta method, log scale"


def test_value_at_risk_total_adds_up_the_levels_and_its_se_matches_simulation():
    n = {1: 30, 2: 150, 3: 600, 4: 800, 5: 300}
    r = {1: 0.45, 2: 0.6, 3: 0.73, 4: 0.82, 5: 0.88}
    m, sm, i = 110.0, 2.5, 0.1
    rng = np.random.default_rng(12)

    def sample():
        rows = [(k, rng.random(n[k]) < r[k]) for k in n]
        return pd.DataFrame(
            {
                "satisfaction": np.concatenate([[k] * len(x) for k, x in rows]),
                "retained": np.concatenate([x for _, x in rows]),
            }
        ).assign(margin=m)

    d = sample()
    e = value.value_at_risk_total(d, discount=i, margin_se=sm)
    assert e.estimate == pytest.approx(value.value_at_risk(d, discount=i)["value_at_risk"].sum())
    assert e.n == sum(n.values())
    # the delta-method standard error against the spread of the total over simulated samples
    totals = []
    for _ in range(600):
        s = sample()
        s["margin"] = rng.normal(m, sm)
        totals.append(value.value_at_risk(s, discount=i)["value_at_risk"].sum())
    assert e.se == pytest.approx(np.std(totals), rel=0.1)
    # without the shared margin's uncertainty the interval is narrower; with a margin column that
    # varies, its own spread within each level counts instead
    assert value.value_at_risk_total(d, discount=i).se < e.se
    varied = d.assign(margin=rng.normal(m, 40, len(d)))
    flat = varied.assign(margin=varied.groupby("satisfaction")["margin"].transform("mean"))
    spread, none = value.value_at_risk_total(varied, discount=i), value.value_at_risk_total(flat, discount=i)
    assert spread.estimate == pytest.approx(none.estimate) and spread.se > none.se
    with pytest.raises(InputError, match="margin_se must be a standard error"):
        value.value_at_risk_total(d, margin_se=-1.0)


# --- survival from purchase histories (geometric lifetime, monthly purchase chance) ---


def _simulated_purchases(n, churn, buy, months, seed):
    """Customers joining in the first 12 months, living a geometric number of months (censored at the
    window's end), buying in each month alive with chance ``buy``: the rule of cxlib.synth."""
    rng = np.random.default_rng(seed)
    join = rng.integers(0, 12, n)
    until = np.minimum(join + rng.geometric(churn, n), months)
    rows = [(c, m) for c in range(n) for m in range(join[c], until[c]) if rng.random() < buy]
    c, m = np.array(rows).T
    start = pd.Timestamp("2024-01-01")
    return pd.DataFrame(
        {
            "customer_id": c,
            "margin": 30.0 + rng.normal(0, 5, len(c)),
            "date": [start + pd.DateOffset(months=int(k), days=3) for k in m],
        }
    )


def test_survival_likelihood_matches_a_sum_over_every_possible_last_month():
    # brute force, written independently: after the last purchase the customer lives j more months
    # without buying (j < after, then leaves) or is still alive at the window's end (j = after)
    from cxlib.value import _curve_nll

    h, p = 0.07, 0.3
    span, repeats, after = np.array([5.0, 0.0, 3.0]), np.array([2.0, 0.0, 3.0]), np.array([4.0, 6.0, 0.0])
    total = 0.0
    for s, k, a in zip(span, repeats, after):
        alive = (1 - h) ** s * p**k * (1 - p) ** (s - k)
        tail = sum((1 - h) ** j * (1 - p) ** j * h for j in range(int(a))) + ((1 - h) * (1 - p)) ** a
        total += np.log(alive * tail)
    theta = np.log([h / (1 - h), p / (1 - p)])
    ones = np.ones((3, 1))  # one churn for all: the homogeneous model survival() fits
    assert _curve_nll(theta, ones, span, repeats, after, np.ones(3)) == pytest.approx(-total, rel=1e-12)


def test_survival_recovers_the_generating_churn_where_bought_again_does_not():
    purchases = _simulated_purchases(4000, churn=0.06, buy=0.25, months=24, seed=3)
    est = value.survival(value.purchase_spans(purchases, end="2026-01-01"))
    true_survival = 0.94**12  # 0.476
    row = est.loc["survival"]
    assert row["low"] < true_survival < row["high"]
    assert abs(row["estimate"] - true_survival) < 3 * row["se"]
    assert est.loc["purchase chance", "low"] < 0.25 < est.loc["purchase chance", "high"]
    # 'bought again the next calendar year' overstates it: late joiners have had little time to leave
    years = value.customer_years(purchases, 2024)
    assert years["retained"].mean() > row["high"]


def test_survival_weights_are_counts_of_customers():
    purchases = _simulated_purchases(300, churn=0.05, buy=0.3, months=24, seed=4)
    spans = value.purchase_spans(purchases, end="2026-01-01")
    doubled = value.survival(pd.concat([spans, spans]))
    weighted = value.survival(spans, weights=np.full(len(spans), 2.0))
    assert weighted["estimate"].to_numpy() == pytest.approx(doubled["estimate"].to_numpy(), rel=1e-5)


def test_survival_refuses_bad_input():
    spans = pd.DataFrame({"span": [3], "repeats": [4], "after": [1], "months_bought": [5], "margin": [1.0]})
    with pytest.raises(InputError, match="repeats <= span"):
        value.survival(spans)
    ok = spans.assign(repeats=1)
    with pytest.raises(InputError, match="weights"):
        value.survival(ok, weights=[1.0, 2.0])
    with pytest.raises(InputError, match="months"):
        value.survival(ok, months=0)


def test_survival_gradient_matches_finite_differences():
    from cxlib.value import _curve_nll

    span, repeats, after = (
        np.array([5.0, 0.0, 3.0, 9.0]),
        np.array([2.0, 0.0, 3.0, 1.0]),
        np.array([4.0, 6, 0, 1]),
    )
    w, theta = np.array([1.0, 2.0, 1.0, 3.0]), np.array([-2.5, -1.1])
    ones = np.ones((4, 1))
    _, grad = _curve_nll(theta, ones, span, repeats, after, w, gradient=True)
    for i in range(2):
        e = np.eye(2)[i] * 1e-6
        numeric = (
            _curve_nll(theta + e, ones, span, repeats, after, w)
            - _curve_nll(theta - e, ones, span, repeats, after, w)
        ) / 2e-6
        assert grad[i] == pytest.approx(numeric, rel=1e-5)


# --- survival by satisfaction level, read from one curve (monthly churn logistic in the level) ---

#: cxlib.synth's monthly churn by satisfaction level (MONTHLY_CHURN) and purchase chance (PURCHASE_PROB)
SYNTH_CHURN = {1: 0.09, 2: 0.06, 3: 0.035, 4: 0.02, 5: 0.012}


def _level_spans(n_level, churn, buy, seed):
    """purchase_spans of customers drawn by the rule of cxlib.synth, one level at a time: each joins in
    one of the first 12 months, lives a geometric number of months with the level's monthly churn
    (censored at month 24) and buys with chance ``buy`` in each month alive; those whose first
    purchase falls in the first year are kept (the capstone's cohort)."""
    rng = np.random.default_rng(seed)
    parts = []
    for lv, n in n_level.items():
        join = rng.integers(0, 12, 2 * n)
        until = np.minimum(join + rng.geometric(churn[lv], 2 * n), 24)
        months = np.arange(24)
        bought = (months >= join[:, None]) & (months < until[:, None]) & (rng.random((2 * n, 24)) < buy)
        first = np.where(bought.any(1), bought.argmax(1), 99)
        bought, first = bought[first < 12][:n], first[first < 12][:n]
        last = 23 - bought[:, ::-1].argmax(1)
        k = bought.sum(1)
        parts.append(
            pd.DataFrame(
                {
                    "span": last - first,
                    "repeats": k - 1,
                    "after": 23 - last,
                    "months_bought": k,
                    "margin": 30.0 * k,
                }
            ).assign(level=lv)
        )
    return pd.concat(parts, ignore_index=True)


def test_curve_likelihood_matches_a_sum_over_customers_with_their_own_churn():
    # brute force, written independently, with each customer's churn from the logistic curve
    from cxlib.value import _curve_nll

    a, b, p = -3.2, -0.5, 0.3
    level = np.array([1.0, 3.0, 5.0, 2.0])
    span, repeats, after = np.array([5.0, 0, 3, 9]), np.array([2.0, 0, 3, 4]), np.array([4.0, 6, 0, 2])
    total = 0.0
    for x, s, k, af in zip(level, span, repeats, after):
        h = 1 / (1 + np.exp(-(a + b * x)))
        alive = (1 - h) ** s * p**k * (1 - p) ** (s - k)
        tail = sum(((1 - h) * (1 - p)) ** j * h for j in range(int(af))) + ((1 - h) * (1 - p)) ** af
        total += np.log(alive * tail)
    design = np.column_stack([np.ones(4), level])
    theta = np.array([a, b, np.log(p / (1 - p))])
    assert _curve_nll(theta, design, span, repeats, after, np.ones(4)) == pytest.approx(-total, rel=1e-12)
    _, grad = _curve_nll(theta, design, span, repeats, after, np.array([1.0, 2, 1, 3]), gradient=True)
    for i in range(3):
        e = np.eye(3)[i] * 1e-6
        numeric = (
            _curve_nll(theta + e, design, span, repeats, after, np.array([1.0, 2, 1, 3]))
            - _curve_nll(theta - e, design, span, repeats, after, np.array([1.0, 2, 1, 3]))
        ) / 2e-6
        assert grad[i] == pytest.approx(numeric, rel=1e-5)


def test_curve_fit_with_one_churn_for_everyone_is_the_survival_fit():
    # the homogeneous case (a design of one column of ones) is value.survival's model
    from cxlib.value import _fit_curve

    spans = _level_spans({3: 600}, SYNTH_CHURN, 0.25, seed=5)
    cols = [spans[c].to_numpy(dtype=float) for c in ("span", "repeats", "after")]
    theta, cov, _ = _fit_curve(np.ones((len(spans), 1)), *cols, np.ones(len(spans)))
    est = value.survival(spans)
    h, p = 1 / (1 + np.exp(-theta))
    assert (1 - h) ** 12 == pytest.approx(est.loc["survival", "estimate"], rel=1e-4)
    assert p == pytest.approx(est.loc["purchase chance", "estimate"], rel=1e-4)
    se_h = h * (1 - h) * np.sqrt(cov[0, 0])
    assert se_h == pytest.approx(est.loc["monthly churn", "se"], rel=1e-3)


def test_survival_curve_recovers_the_generators_survival_at_every_level():
    # cxlib.synth's churn is close to logistic in the level (logits -2.31, -2.75, -3.32, -3.89, -4.41),
    # so at five times the capstone's cohort every level's survival is recovered
    n_level = {1: 80, 2: 750, 3: 2850, 4: 3800, 5: 1300}
    spans = _level_spans(n_level, SYNTH_CHURN, 0.25, seed=6)
    curve = value.survival_curve(spans, spans["level"])
    assert list(curve.index) == [1, 2, 3, 4, 5] and curve["n"].tolist() == list(n_level.values())
    true = pd.Series({k: (1 - h) ** 12 for k, h in SYNTH_CHURN.items()})
    assert (abs(curve["estimate"] - true) < 3 * curve["se"]).all()
    assert (curve["low"] < curve["estimate"]).all() and (curve["estimate"] < curve["high"]).all()
    assert curve["estimate"].is_monotonic_increasing and curve.attrs["coef"][1] < 0
    assert 1 / (1 + np.exp(-curve.attrs["coef"][2])) == pytest.approx(0.25, abs=0.01)
    # the curve borrows strength: the top level's interval is narrower than from its own customers
    own = value.survival(spans[spans["level"] == 5]).loc["survival"]
    assert curve.loc[5, "se"] < own["se"]
    # one curve is not rejected against a churn of its own for every level (3 degrees of freedom)
    fit = curve.attrs["lack_of_fit"]
    assert fit["df"] == 3 and fit["p_value"] > 0.01


def test_lack_of_fit_rejects_a_churn_that_is_not_monotone_in_the_level():
    churn = {1: 0.03, 2: 0.09, 3: 0.03, 4: 0.09}
    spans = _level_spans({k: 1500 for k in churn}, churn, 0.3, seed=7)
    fit = value.survival_curve(spans, spans["level"]).attrs["lack_of_fit"]
    assert fit["df"] == 2 and fit["p_value"] < 1e-6


def test_value_at_risk_curve_is_the_formula_and_its_se_matches_the_spread_over_samples():
    n_level = {1: 16, 2: 150, 3: 570, 4: 760, 5: 260}  # the capstone's cohort
    m, sm, i = 114.0, 1.7, 0.1

    def g(s):
        return s / (1 + i - s)

    spans = _level_spans(n_level, SYNTH_CHURN, 0.25, seed=8)
    curve = value.survival_curve(spans, spans["level"])
    e = value.value_at_risk_curve(curve, m, i, margin_se=sm)
    s = curve["estimate"]
    assert e.estimate == pytest.approx(m * float((curve["n"] * (g(s[5]) - g(s))).sum()), rel=1e-9)
    assert e.n == sum(n_level.values()) and 0 < e.low < e.estimate < e.high
    one = value.value_at_risk_curve(curve, m, i, reference=4, counts={2: 1})
    assert one.estimate == pytest.approx(m * (g(s[4]) - g(s[2])), rel=1e-9) and one.n == 1
    # the delta-method standard error against the spread of the estimate over fresh samples
    totals = [
        value.value_at_risk_curve(
            value.survival_curve(d, d["level"]), np.random.default_rng(k).normal(m, sm), i
        )
        for k, d in enumerate(_level_spans(n_level, SYNTH_CHURN, 0.25, seed=100 + k) for k in range(60))
    ]
    assert e.se == pytest.approx(np.std([t.estimate for t in totals]), rel=0.25)


def test_survival_curve_and_its_value_at_risk_refuse_bad_input():
    spans = _level_spans({1: 50, 2: 50}, SYNTH_CHURN, 0.25, seed=9)
    with pytest.raises(InputError, match="one satisfaction level per customer"):
        value.survival_curve(spans, [1, 2])
    with pytest.raises(InputError, match="two levels or more"):
        value.survival_curve(spans, np.ones(len(spans)))
    with pytest.raises(InputError, match="missing"):
        value.survival_curve(spans, spans["level"].where(spans.index > 0))
    with pytest.raises(InputError, match="numbers"):
        value.survival_curve(spans, spans["level"].map({1: "low", 2: "high"}))
    curve = value.survival_curve(spans, spans["level"])
    with pytest.raises(InputError, match="attrs"):
        value.value_at_risk_curve(pd.DataFrame(curve.to_dict()), 100.0)
    with pytest.raises(InputError, match="reference level 7"):
        value.value_at_risk_curve(curve, 100.0, reference=7)
    with pytest.raises(InputError, match="counts"):
        value.value_at_risk_curve(curve, 100.0, counts={9: 1})
    with pytest.raises(InputError, match="discount"):
        value.value_at_risk_curve(curve, 100.0, discount=-0.5)
