"""Key drivers, relative weights and importance-performance against published and analytic results."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.datasets import longley

from cxlib import InputError, data, drivers, scales

# NIST StRD, Longley (1967) data: certified regression coefficients of TOTEMP on the six
# predictors (https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml).
NIST_LONGLEY = {
    "GNPDEFL": 15.0618722713733,
    "GNP": -0.358191792925910e-01,
    "UNEMP": -2.02022980381683,
    "ARMED": -1.03322686717359,
    "POP": -0.511041056535807e-01,
    "YEAR": 1829.15146461355,
}
NIST_R2 = 0.995479004577296


@pytest.fixture(scope="module")
def longley_df():
    return longley.load_pandas().data


def test_key_drivers_reproduce_nist_certified_longley_coefficients(longley_df):
    kd = drivers.key_drivers(longley_df, "TOTEMP", list(NIST_LONGLEY))
    sd = longley_df.std()
    for name, b in NIST_LONGLEY.items():
        # standardized beta = b * sd(x) / sd(y)
        assert kd.loc[name, "estimate"] == pytest.approx(b * sd[name] / sd["TOTEMP"], rel=1e-7)
    assert kd.attrs["r_squared"] == pytest.approx(NIST_R2, rel=1e-9)


def test_relative_weights_sum_to_the_ols_r_squared(longley_df):
    rw = drivers.relative_weights(longley_df, "TOTEMP", list(NIST_LONGLEY))
    assert rw["estimate"].sum() == pytest.approx(NIST_R2, rel=1e-9)
    assert rw["percent"].sum() == pytest.approx(100)
    assert (rw["estimate"] >= 0).all()


def test_relative_weights_of_uncorrelated_drivers_are_squared_correlations():
    # Johnson (2000): with orthogonal predictors the relative weights reduce to r^2 of each predictor.
    rng = np.random.default_rng(0)
    z = rng.normal(size=(1000, 3))
    q, _ = np.linalg.qr(z - z.mean(axis=0))  # exactly orthogonal, mean-zero columns
    df = pd.DataFrame(q, columns=["a", "b", "c"])
    df["y"] = 3 * df["a"] + 1 * df["b"] + rng.normal(size=1000) * 0.05
    rw = drivers.relative_weights(df, "y", ["a", "b", "c"])
    r = df.corr()["y"]
    assert rw["estimate"].to_numpy() == pytest.approx((r[["a", "b", "c"]] ** 2).to_numpy(), abs=1e-10)


def test_relative_weights_two_correlated_drivers_match_johnson_closed_form():
    # Johnson (2000, p. 6): for two predictors with correlation r12, Lambda has diagonal
    # a = (sqrt(1+r12) + sqrt(1-r12))/2 and off-diagonal b = (sqrt(1+r12) - sqrt(1-r12))/2.
    rng = np.random.default_rng(4)
    x1 = rng.normal(size=5000)
    x2 = 0.6 * x1 + 0.8 * rng.normal(size=5000)
    y = x1 + 0.5 * x2 + rng.normal(size=5000)
    df = pd.DataFrame({"x1": x1, "x2": x2, "y": y})
    c = df.corr()
    r12, ry1, ry2 = c.loc["x1", "x2"], c.loc["y", "x1"], c.loc["y", "x2"]
    a = (np.sqrt(1 + r12) + np.sqrt(1 - r12)) / 2
    b = (np.sqrt(1 + r12) - np.sqrt(1 - r12)) / 2
    beta = np.linalg.solve([[a, b], [b, a]], [ry1, ry2])
    expected = [a**2 * beta[0] ** 2 + b**2 * beta[1] ** 2, b**2 * beta[0] ** 2 + a**2 * beta[1] ** 2]
    assert drivers.relative_weights(df, "y", ["x1", "x2"])["estimate"].to_numpy() == pytest.approx(expected)


def test_course_data_recover_the_true_driver_ranking():
    survey = data.load("survey")
    scores = scales.factor_scores(survey).assign(satisfaction=survey["satisfaction"])
    rw = drivers.relative_weights(scores, "satisfaction", list(data.FACTORS), missing="listwise")
    truth = data.load_truth()["driver_weights"]
    assert list(rw["estimate"].sort_values(ascending=False).index) == sorted(
        truth, key=truth.get, reverse=True
    )


def test_importance_performance_quadrants_martilla_james():
    # Martilla & James (1977): crosshairs at the centre; high importance + low performance = concentrate here.
    df = pd.DataFrame({"importance": [0.5, 0.5, 0.1, 0.1], "performance": [3.0, 4.5, 3.0, 4.5]})
    q = drivers.quadrant(df["importance"], df["performance"], x_cross=3.75, y_cross=0.3)
    assert list(q) == list(drivers.QUADRANTS)
    rng = np.random.default_rng(9)
    d = pd.DataFrame(rng.integers(1, 6, size=(400, 3)), columns=["a", "b", "c"])
    d["y"] = d["a"] + rng.normal(size=400)
    ipa = drivers.importance_performance(d, "y", ["a", "b", "c"], importance="correlation")
    assert ipa.loc["a", "quadrant"] in ("Concentrate here", "Keep up the good work")
    assert ipa.attrs["y_cross"] == pytest.approx(ipa["importance"].mean())


def test_missing_values_are_never_dropped_silently():
    d = pd.DataFrame(
        {"y": [1, 2, 3, 4, 5, 6, 7, 8.0], "a": [1, 3, 2, 5, 4, None, 7, 6], "b": [2, 1, 4, 3, 6, 5, 8, 9.0]}
    )
    with pytest.raises(InputError, match="missing value.*missing='listwise'"):
        drivers.relative_weights(d, "y", ["a", "b"])
    rw = drivers.relative_weights(d, "y", ["a", "b"], missing="listwise")
    assert (rw.attrs["n"], rw.attrs["dropped"]) == (7, 1)


@pytest.mark.parametrize(
    "frame, match",
    [
        (
            pd.DataFrame({"y": [1.0, 3, 2, 5, 4, 6], "a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 4, 6, 8, 10, 12]}),
            "collinear",
        ),
        (pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "a": [1.0] * 6, "b": [3.0, 1, 2, 5, 4, 6]}), "no variance"),
        (pd.DataFrame({"y": [1.0, 2, 3], "a": [2.0, 1, 3], "b": [3.0, 1, 2]}), "complete row"),
    ],
)
def test_degenerate_drivers_are_clear_errors(frame, match):
    with pytest.raises(InputError, match=match):
        drivers.relative_weights(frame, "y", ["a", "b"])


def test_bad_arguments():
    d = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "a": [2.0, 1, 4, 3, 6, 5]})
    with pytest.raises(InputError, match="has no column 'b'"):
        drivers.key_drivers(d, "y", ["a", "b"])
    with pytest.raises(InputError, match="importance must be one of"):
        drivers.importance_performance(d, "y", ["a", "a2"], importance="stated")
    with pytest.raises(InputError, match="missing must be one of"):
        drivers.relative_weights(d, "y", ["a"], missing="drop")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 6))
def test_relative_weights_are_non_negative_and_sum_to_r_squared(seed, k):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, k)) @ rng.normal(size=(k, k))
    df = pd.DataFrame(x, columns=[f"d{i}" for i in range(k)])
    df["y"] = x @ rng.normal(size=k) + rng.normal(size=200)
    rw = drivers.relative_weights(df, "y", [f"d{i}" for i in range(k)])
    r2 = sm.OLS(df["y"], sm.add_constant(x)).fit().rsquared
    assert (rw["estimate"] >= -1e-12).all()
    assert rw["estimate"].sum() == pytest.approx(r2, abs=1e-9)
    assert rw["percent"].sum() == pytest.approx(100)
