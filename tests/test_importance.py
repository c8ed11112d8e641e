"""LMG, bootstrap intervals and ordered-logit drivers against relaimpo and R's polr."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib import InputError, drivers

DATA = Path(__file__).parent / "data"
SWISS_X = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]

# Grömping (2006), "Relative importance for linear regression in R: the package relaimpo",
# Journal of Statistical Software 17(1), section 4: calc.relimp(cov(swiss), type = "lmg"),
# proportions of R^2 (70.67%), and booteval.relimp(boot.relimp(..., b = 1000), bty = "bca")
# intervals at 80% and 90% (relative contributions).
RELAIMPO_LMG = {
    "Agriculture": 0.08078165,
    "Examination": 0.24220256,
    "Education": 0.36807952,
    "Catholic": 0.14937728,
    "Infant.Mortality": 0.15955899,
}
RELAIMPO_BCA = {  # driver: (low 80%, low 90%, high 80%, high 90%)
    "Agriculture": (0.0452, 0.0372, 0.1018, 0.1127),
    "Examination": (0.1612, 0.1415, 0.3252, 0.3484),
    "Education": (0.2602, 0.2192, 0.5037, 0.5534),
    "Catholic": (0.0662, 0.0501, 0.2656, 0.2994),
    "Infant.Mortality": (0.0811, 0.0605, 0.2792, 0.3135),
}


@pytest.fixture(scope="module")
def swiss():
    return pd.read_csv(DATA / "swiss.csv")


def test_lmg_reproduces_relaimpo_on_swiss(swiss):
    shares = drivers.lmg(swiss, "Fertility", SWISS_X)
    assert shares.attrs["r_squared"] == pytest.approx(0.7067, abs=5e-5)  # lm(swiss): 70.67%
    assert (shares["percent"] / 100).to_dict() == pytest.approx(RELAIMPO_LMG, abs=5e-8)
    assert shares["estimate"].sum() == pytest.approx(shares.attrs["r_squared"], abs=1e-12)


def test_lmg_equals_the_average_over_orderings(swiss):
    # The definition (Lindeman, Merenda & Gold 1980): R^2 gain averaged over all 5! orders.
    from itertools import permutations

    import statsmodels.api as sm

    def r2(cols):
        if not cols:
            return 0.0
        return sm.OLS(swiss["Fertility"], sm.add_constant(swiss[list(cols)])).fit().rsquared

    cache = {}
    gains = dict.fromkeys(SWISS_X, 0.0)
    orders = list(permutations(SWISS_X))
    for order in orders:
        for i, name in enumerate(order):
            before, after = frozenset(order[:i]), frozenset(order[: i + 1])
            for s in (before, after):
                cache.setdefault(s, r2(sorted(s)))
            gains[name] += (cache[after] - cache[before]) / len(orders)
    assert drivers.lmg(swiss, "Fertility", SWISS_X)["estimate"].to_dict() == pytest.approx(gains, abs=1e-12)


def test_bootstrap_bca_intervals_match_relaimpo_within_monte_carlo_error(swiss):
    # relaimpo's printed intervals come from 1000 replicates of R's random numbers; ours from 2000
    # of NumPy's. Both estimate the same BCa limits, so they agree to within the simulation error.
    for confidence, col in ((0.8, 0), (0.9, 1)):
        ci = drivers.importance_intervals(
            swiss, "Fertility", SWISS_X, n_boot=2000, confidence=confidence, interval="bca", seed=2006
        )
        for name, limits in RELAIMPO_BCA.items():
            assert ci.loc[name, "percent_low"] / 100 == pytest.approx(limits[col], abs=0.025)
            assert ci.loc[name, "percent_high"] / 100 == pytest.approx(limits[col + 2], abs=0.03)
        assert (ci["percent_low"] <= ci["percent"]).all() and (ci["percent"] <= ci["percent_high"]).all()


def test_bootstrap_is_deterministic_and_percentile_intervals_cover_the_estimate(swiss):
    a = drivers.importance_intervals(
        swiss, "Fertility", SWISS_X, method="relative_weights", n_boot=300, seed=5
    )
    b = drivers.importance_intervals(
        swiss, "Fertility", SWISS_X, method="relative_weights", n_boot=300, seed=5
    )
    pd.testing.assert_frame_equal(a, b)
    assert a["estimate"].tolist() == pytest.approx(
        drivers.relative_weights(swiss, "Fertility", SWISS_X)["estimate"].tolist()
    )
    assert ((a["low"] <= a["estimate"]) & (a["estimate"] <= a["high"])).all()
    assert (a["se"] > 0).all() and a.attrs["n_boot"] == 300 and a.attrs["interval"] == "percentile"


def test_importance_errors():
    d = pd.DataFrame(np.random.default_rng(0).normal(size=(50, 14)), columns=[f"x{i}" for i in range(14)])
    with pytest.raises(InputError, match="at most 12 drivers"):
        drivers.lmg(d, "x0", [f"x{i}" for i in range(1, 14)])
    with pytest.raises(InputError, match="n_boot must be a whole number of at least 100"):
        drivers.importance_intervals(d, "x0", ["x1", "x2"], n_boot=10)
    with pytest.raises(InputError, match="method must be one of"):
        drivers.importance_intervals(d, "x0", ["x1", "x2"], method="shapley")


def test_weighted_importance_with_frequency_weights_equals_repeated_rows(swiss):
    f = np.tile([1, 2, 3], 16)[: len(swiss)]
    expanded = swiss.loc[swiss.index.repeat(f)]
    for func in (drivers.lmg, drivers.relative_weights):
        weighted = func(swiss, "Fertility", SWISS_X, weights=f)
        assert weighted["estimate"].tolist() == pytest.approx(
            func(expanded, "Fertility", SWISS_X)["estimate"].tolist()
        )
        assert weighted.attrs["n"] == 47 and weighted.attrs["n_effective"] < 47
    kd = drivers.key_drivers(swiss, "Fertility", SWISS_X, weights=f)
    plain = drivers.key_drivers(expanded, "Fertility", SWISS_X)
    assert kd["estimate"].tolist() == pytest.approx(plain["estimate"].tolist(), rel=1e-4)
    assert "z" in kd.columns


def test_ordinal_drivers_reproduce_polr_on_ucla_data():
    # UCLA Statistical Consulting, ordinal logistic regression (R): polr(apply ~ pared + public + gpa)
    # prints coefficients 1.0477, -0.0588, 0.6159, se 0.2658, 0.2979, 0.2606 and intercepts
    # unlikely|somewhat likely 2.2039, somewhat likely|very likely 4.2994.
    d = pd.read_csv(DATA / "ologit_ucla.csv")
    d["apply"] = pd.Categorical(d["apply"], ["unlikely", "somewhat likely", "very likely"], ordered=True)
    res = drivers.ordinal_drivers(d, "apply", ["pared", "public", "gpa"], standardize=False)
    assert res["estimate"].tolist() == pytest.approx([1.0477, -0.0588, 0.6159], abs=1e-3)
    assert res["se"].tolist() == pytest.approx([0.2658, 0.2979, 0.2606], abs=1e-3)
    assert list(res.attrs["thresholds"].values()) == pytest.approx([2.2039, 4.2994], abs=1e-3)
    assert res["odds_ratio"].tolist() == pytest.approx(np.exp(res["estimate"]).tolist())
    assert res.attrs["levels"] == ["unlikely", "somewhat likely", "very likely"]


def test_ordinal_drivers_errors():
    d = pd.DataFrame({"y": [1, 2] * 10, "x": np.arange(20.0)})
    with pytest.raises(InputError, match="needs at least 3"):
        drivers.ordinal_drivers(d, "y", ["x"])
    d["y"] = np.arange(20) % 3 + 0.5
    with pytest.raises(InputError, match="whole numbers"):
        drivers.ordinal_drivers(d, "y", ["x"])


def test_the_r_squared_interval_comes_from_the_same_replicates_as_the_shares():
    # each replicate's R-squared computed directly from its correlation matrix (r' R^-1 r), not from
    # the shares; the percentile interval is its quantiles, and the shares' sum is the same number
    from cxlib.drivers import _bootstrap_corr

    rng = np.random.default_rng(5)
    d = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    d["y"] = d["a"] + 0.4 * d["b"] + rng.normal(size=200)
    ci = drivers.importance_intervals(d, "y", ["a", "b", "c"], n_boot=300, seed=9, interval="percentile")
    corr = _bootstrap_corr(d[["y", "a", "b", "c"]].to_numpy(), None, 300, np.random.default_rng(9))
    r2 = np.array([c[0, 1:] @ np.linalg.solve(c[1:, 1:], c[0, 1:]) for c in corr])
    assert (ci.attrs["r_squared_low"], ci.attrs["r_squared_high"]) == pytest.approx(
        tuple(np.quantile(r2, [0.025, 0.975])), rel=1e-10
    )
    bca = drivers.importance_intervals(d, "y", ["a", "b", "c"], n_boot=300, seed=9)
    assert bca.attrs["r_squared_low"] < bca.attrs["r_squared"] < bca.attrs["r_squared_high"]
