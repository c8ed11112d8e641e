"""Cluster-robust intervals for metrics whose customers answer more than once (``metrics.clustered``).

Sources of the expected numbers:

* R's ``t.test`` on Student's sleep data (``datasets::sleep``): with one response per
  customer the cluster-robust interval is the ordinary t interval, so it must reproduce R's
  printed interval (-0.5297804, 2.0297804) for group 1.
* statsmodels 0.15: ``OLS(y, 1).fit(cov_type="cluster", cov_kwds={"groups": g}, use_t=True)``,
  whose standard error is CR1 (``G / (G - 1)`` times the sandwich, the ``(N - 1) / (N - K)``
  factor being 1 for a constant) and whose interval uses t with ``G - 1`` degrees of freedom
  (Cameron & Miller 2015, *Journal of Human Resources* 50(2), section VI).
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cxlib import InputError, metrics


def _statsmodels(y, groups, confidence):
    fit = sm.OLS(np.asarray(y, float), np.ones(len(y))).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(pd.Series(groups))[0]}, use_t=True
    )
    low, high = fit.conf_int(alpha=1 - confidence)[0]
    return float(fit.params[0]), float(fit.bse[0]), float(low), float(high)


def test_one_response_per_customer_is_r_t_test_on_the_sleep_data():
    drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    d = pd.DataFrame({"extra": drug1, "id": range(10)})
    row = metrics.clustered(d, "extra", "id").iloc[0]
    assert row["estimate"] == pytest.approx(0.75) and row["n"] == 10 and row["clusters"] == 10
    assert row["low"] == pytest.approx(-0.5297804, abs=5e-8)
    assert row["high"] == pytest.approx(2.0297804, abs=5e-8)
    assert row["se"] == pytest.approx(metrics.mean_score(drug1).se)


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
@pytest.mark.parametrize(
    ("metric", "column", "options", "score"),
    [
        ("nps", "recommend", {}, lambda r: 100.0 * (r >= 9) - 100.0 * (r <= 6)),
        ("top_box", "satisfaction", {}, lambda s: 100.0 * (s >= 4)),
        ("bottom_box", "effort", {"scale": (1, 7), "bottom": 3}, lambda e: 100.0 * (e <= 3)),
        ("effort", "effort", {}, lambda e: e.astype(float)),
    ],
)
def test_each_metric_is_statsmodels_cluster_robust_mean_of_its_scores(
    metric, column, options, score, confidence
):
    rng = np.random.default_rng(7)
    customer = rng.integers(0, 60, size=400)
    halo = rng.normal(0, 1, size=60)[customer]
    d = pd.DataFrame(
        {
            "customer_id": customer,
            "recommend": np.clip(np.rint(7.5 + 1.5 * halo + rng.normal(0, 1.5, 400)), 0, 10).astype(int),
            "satisfaction": np.clip(np.rint(3.6 + 0.8 * halo + rng.normal(0, 0.7, 400)), 1, 5).astype(int),
            "effort": np.clip(np.rint(3.2 - 0.8 * halo + rng.normal(0, 1, 400)), 1, 7).astype(int),
        }
    )
    got = metrics.clustered(d, column, "customer_id", metric=metric, confidence=confidence, **options).iloc[0]
    est, se, low, high = _statsmodels(score(d[column].to_numpy()), d["customer_id"], confidence)
    assert got["estimate"] == pytest.approx(est)
    assert got["se"] == pytest.approx(se)
    assert (got["low"], got["high"]) == (pytest.approx(low), pytest.approx(high))
    assert got["clusters"] == d["customer_id"].nunique() and got["n"] == 400


@pytest.mark.parametrize("confidence", [0.8, 0.95])
def test_weighted_is_statsmodels_wls_cluster_robust(confidence):
    # statsmodels' WLS scores are w * x * e, so its cluster sandwich is the linearised weighted mean's.
    rng = np.random.default_rng(5)
    customer = rng.integers(0, 70, size=500)
    channel = rng.choice(["in store", "online"], size=500, p=[0.6, 0.4])
    r = np.clip(
        np.rint(
            8 + 1.5 * rng.normal(size=70)[customer] - 2 * (channel == "online") + rng.normal(0, 1.2, 500)
        ),
        0,
        10,
    ).astype(int)
    d = pd.DataFrame({"customer_id": customer, "recommend": r, "w": np.where(channel == "online", 1.5, 0.6)})
    got = metrics.clustered(d, "recommend", "customer_id", metric="nps", weights="w", confidence=confidence)
    fit = sm.WLS(100.0 * (r >= 9) - 100.0 * (r <= 6), np.ones(500), weights=d["w"]).fit(
        cov_type="cluster", cov_kwds={"groups": customer}, use_t=True
    )
    low, high = fit.conf_int(alpha=1 - confidence)[0]
    row = got.iloc[0]
    assert row["estimate"] == pytest.approx(fit.params[0]) and row["se"] == pytest.approx(fit.bse[0])
    assert (row["low"], row["high"]) == (pytest.approx(low), pytest.approx(high))
    same = metrics.clustered(d, "recommend", "customer_id", metric="nps", weights=np.full(500, 3.0))
    pd.testing.assert_frame_equal(same, metrics.clustered(d, "recommend", "customer_id", metric="nps"))
    with pytest.raises(InputError, match="weights"):
        metrics.clustered(d, "recommend", "customer_id", metric="nps", weights=-d["w"])


def test_repeated_answers_widen_the_interval_against_treating_them_as_independent():
    # Each customer answers five times with a strong personal halo: the ordinary interval is too narrow.
    rng = np.random.default_rng(3)
    customer = np.repeat(np.arange(80), 5)
    rating = np.clip(np.rint(4 + 1.2 * rng.normal(size=80)[customer] + 0.5 * rng.normal(size=400)), 1, 7)
    d = pd.DataFrame({"customer_id": customer, "effort": rating.astype(int)})
    robust = metrics.clustered(d, "effort", "customer_id", metric="effort").iloc[0]
    naive = metrics.effort_score(d["effort"])
    assert robust["estimate"] == pytest.approx(naive.estimate)
    assert robust["se"] > 1.5 * naive.se


def test_groups_equal_each_group_alone_and_keep_the_group_order():
    rng = np.random.default_rng(11)
    d = pd.DataFrame(
        {
            "branch": pd.Categorical(
                rng.choice(["Carlton", "Ashford", "Brookside"], 300), ["Carlton", "Ashford", "Brookside"]
            ),
            "customer_id": rng.integers(0, 90, 300),
            "recommend": rng.integers(0, 11, 300),
        }
    )
    table = metrics.clustered(d, "recommend", "customer_id", metric="nps", by="branch", confidence=0.9)
    assert table.index.tolist() == ["Carlton", "Ashford", "Brookside"]
    for branch, row in table.iterrows():
        alone = metrics.clustered(
            d[d["branch"] == branch], "recommend", "customer_id", metric="nps", confidence=0.9
        )
        pd.testing.assert_series_equal(row, alone.iloc[0], check_names=False)


def test_intervals_stay_within_the_metric_range():
    d = pd.DataFrame({"customer_id": [1, 1, 2, 3], "recommend": [10, 10, 10, 3]})
    row = metrics.clustered(d, "recommend", "customer_id", metric="nps", confidence=0.99).iloc[0]
    assert -100 <= row["low"] <= row["estimate"] <= row["high"] == 100


def test_bad_input_is_a_clear_error():
    d = pd.DataFrame({"customer_id": [1, 1, None, 2], "effort": [2, 3, 4, 5]})
    with pytest.raises(InputError, match="customer_id: 1 missing cluster label"):
        metrics.clustered(d, "effort", "customer_id", metric="effort")
    one = pd.DataFrame({"customer_id": [5, 5, 5], "effort": [2, 3, 4]})
    with pytest.raises(InputError, match="at least 2 clusters"):
        metrics.clustered(one, "effort", "customer_id", metric="effort")
    with pytest.raises(InputError, match="takes the options"):
        metrics.clustered(one, "effort", "customer_id", metric="nps", method="wald")
    with pytest.raises(InputError, match="metric must be one of"):
        metrics.clustered(one, "effort", "customer_id", metric="median")
    with pytest.raises(InputError, match="no column 'customer'"):
        metrics.clustered(one, "effort", "customer", metric="effort")
    with pytest.raises(InputError, match="outside the allowed range 1 to 7"):
        metrics.clustered(pd.DataFrame({"c": [1, 2], "effort": [0, 3]}), "effort", "c", metric="effort")
