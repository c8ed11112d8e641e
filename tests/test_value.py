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
