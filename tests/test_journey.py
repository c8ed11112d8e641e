"""Moments of truth (cxlib.journey): sequence summaries, the peak-end regression, moment effects."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib import InputError
from cxlib.compare import mean_difference
from cxlib.journey import (
    PeakEndResult,
    contact_weights,
    moment_effects,
    peak_end_regression,
    sequence_summary,
)

CONTACTS = [f"contact_{k}" for k in range(1, 6)]


def _orders(rows):
    """Touchpoint-style orders from lists of ratings (shorter lists are padded with blanks)."""
    grid = [list(r) + [None] * (5 - len(r)) for r in rows]
    df = pd.DataFrame(grid, columns=CONTACTS).astype("Int64")
    df.insert(0, "n_contacts", [len(r) for r in rows])
    return df


def _simulated(n=4000, weights=(0.55, 0.2, 0.25), seed=0):
    """Orders whose overall rating is a known mix of mean, peak and end, plus noise."""
    rng = np.random.default_rng(seed)
    k = rng.integers(3, 6, n)
    grid = rng.integers(3, 11, size=(n, 5)).astype(float)
    grid[np.arange(5)[None, :] >= k[:, None]] = np.nan
    df = pd.DataFrame(grid, columns=CONTACTS).astype("Int64")
    df["n_contacts"] = k
    s = sequence_summary(df)
    df["overall"] = (
        0.3 + weights[0] * s["mean"] + weights[1] * s["peak"] + weights[2] * s["end"] + rng.normal(0, 0.6, n)
    )
    return df


def test_sequence_summary_by_hand():
    out = sequence_summary(_orders([[7, 5, 9], [9, 8, 4, 6], [2, 10, 6, 6, 1]]))
    assert out["mean"].tolist() == pytest.approx([7.0, 6.75, 5.0])
    assert out["peak"].tolist() == [9, 9, 10]
    assert out["trough"].tolist() == [5, 4, 1]
    assert out["first"].tolist() == [7, 9, 2]
    assert out["end"].tolist() == [9, 6, 1]
    assert out["n"].tolist() == [3, 4, 5]
    assert list(out.columns) == ["mean", "peak", "trough", "first", "end", "n"]


def test_sequence_summary_keeps_the_index_and_takes_named_contacts():
    d = pd.DataFrame({"b": [3.0, 4.0], "a": [5.0, None]}, index=[10, 20])
    out = sequence_summary(d, contacts=["b", "a"])
    assert out.index.tolist() == [10, 20]
    assert out["end"].tolist() == [5.0, 4.0]


def test_sequence_summary_on_the_course_data(root):
    from cxlib.data import load

    t = load("touchpoints")
    s = sequence_summary(t)
    assert (s["n"] == t["n_contacts"]).all()
    assert (s["end"] == t["contact_3"]).where(t["n_contacts"] == 3, True).all()


def test_sequence_summary_errors_name_rows():
    with pytest.raises(InputError, match=r"blank contact followed by a rated one.*row 1: '7 _ 8"):
        sequence_summary(_orders([[7, 5, 9], [7]]).assign(contact_3=[9, 8], n_contacts=[3, 2]))
    with pytest.raises(InputError, match=r"no rated contact.*row 0"):
        sequence_summary(pd.DataFrame({"contact_1": [None, 3.0], "contact_2": [None, 4.0]}))
    with pytest.raises(InputError, match=r"different from n_contacts.*row 1: 'n_contacts=4 but 3 rated'"):
        sequence_summary(_orders([[7, 5, 9], [1, 2, 3]]).assign(n_contacts=[3, 4]))
    with pytest.raises(InputError, match="outside the allowed range 1 to 10"):
        sequence_summary(_orders([[7, 5, 11]]))
    with pytest.raises(InputError, match="no contact columns"):
        sequence_summary(pd.DataFrame({"overall": [3]}))
    with pytest.raises(InputError, match="no column 'contact_9'"):
        sequence_summary(_orders([[1, 2, 3]]), contacts=["contact_1", "contact_9"])
    with pytest.raises(InputError, match="single string"):
        sequence_summary(_orders([[1, 2, 3]]), contacts="contact_1")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.integers(1, 10), min_size=1, max_size=5), min_size=1, max_size=20))
def test_sequence_summary_properties(rows):
    out = sequence_summary(_orders(rows))
    assert (out["trough"] <= out["mean"] + 1e-12).all() and (out["mean"] <= out["peak"] + 1e-12).all()
    assert out["first"].between(out["trough"], out["peak"]).all()
    assert out["end"].between(out["trough"], out["peak"]).all()
    assert out["n"].tolist() == [len(r) for r in rows]
    assert out["mean"].tolist() == pytest.approx([np.mean(r) for r in rows])


def test_regression_mechanics_match_nist_longley_certified_values():
    # NIST Statistical Reference Datasets, Longley (1967) linear regression, certified
    # values: coefficients and standard errors, residual SD 304.854073561965, R-squared
    # 0.995479004577296. statsmodels ships the data (statsmodels.datasets.longley).
    d = sm.datasets.longley.load_pandas().data
    res = peak_end_regression(
        d, outcome="TOTEMP", predictors=["GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"]
    )
    cert_b = [
        -3482258.63459582,
        15.0618722713733,
        -0.358191792925910e-01,
        -2.02022980381683,
        -1.03322686717359,
        -0.511041056535807e-01,
        1829.15146461355,
    ]
    cert_se = [
        890420.383607373,
        84.9149257747669,
        0.334910077722432e-01,
        0.488399681651699,
        0.214274163161675,
        0.226073200069370,
        455.478499142212,
    ]
    assert res.coefficients["estimate"].tolist() == pytest.approx(cert_b, rel=1e-7)
    assert res.coefficients["se"].tolist() == pytest.approx(cert_se, rel=1e-7)
    assert res.r_squared == pytest.approx(0.995479004577296, rel=1e-9)
    assert res.coefficients.index.tolist() == ["const", "GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"]
    assert len(res.claim) == 0 and not res.end_weighs_most


def test_peak_end_regression_recovers_known_weights_and_tests_the_claim_per_contact():
    df = _simulated()
    res = peak_end_regression(df)
    assert isinstance(res, PeakEndResult)
    coef = res.coefficients
    for term, w in [("mean", 0.55), ("peak", 0.2), ("end", 0.25)]:
        assert coef.loc[term, "low"] < w < coef.loc[term, "high"]
    # b_end is far below b_mean, yet per contact the end weighs most: the mean's weight is shared
    assert coef.loc["end", "estimate"] < coef.loc["mean", "estimate"]
    assert res.end_weighs_most and "supported" in repr(res)
    # each contrast (the end minus contact j of k) is statsmodels' t_test of the same hypothesis,
    # its variance plus the shares' sampling variance: b_peak times the end's best indicator minus
    # contact j's, whose spread over the k-contact orders is counted by hand here
    from scipy import stats

    fit = res.fit
    weights = res.per_contact.weights
    b_peak = res.coefficients.loc["peak", "estimate"]
    for (k, j), row in res.claim.iterrows():
        c = np.zeros(4)
        c[1:] = [0.0, weights.loc[(k, k), "best_share"] - weights.loc[(k, j), "best_share"], 1.0]
        tt = fit.t_test(c)
        ratings = df.loc[df["n_contacts"] == k, CONTACTS[:k]].astype(float)
        is_best = ratings.eq(ratings.max(axis=1), axis=0)
        best = is_best.div(is_best.sum(axis=1), axis=0)
        share_var = (b_peak * (best.iloc[:, k - 1] - best.iloc[:, j - 1])).var() / len(best)
        se = np.sqrt(float(np.squeeze(tt.sd)) ** 2 + share_var)
        assert row["estimate"] == pytest.approx(float(np.squeeze(tt.effect)))
        assert row["se"] == pytest.approx(se)
        t = row["estimate"] / se
        assert row["p_value"] == pytest.approx(stats.t.sf(t, fit.df_resid))
        half = stats.t.ppf(0.975, fit.df_resid) * se
        assert (row["low"], row["high"]) == pytest.approx((row["estimate"] - half, row["estimate"] + half))
    assert "end - contact 1 of 3" in res.to_frame().index
    assert set(res.to_frame()["kind"]) == {"coefficient", "claim (one-sided p)"}


def test_contact_weights_by_hand():
    # four sequences of 3 contacts, ten times over: the best contact is 1; 2 and 3 (tied); all
    # three (tied); 3. So contact 1 is the best in 1 + 1/3 of 4, contact 2 in 1/2 + 1/3, contact 3
    # in 1/2 + 1/3 + 1.
    rows = [[9, 5, 7], [5, 9, 9], [7, 7, 7], [1, 2, 3]] * 10
    df = _orders(rows)
    df["overall"] = np.random.default_rng(3).normal(6, 1, len(df))
    res = peak_end_regression(df)
    w = contact_weights(df, res)
    best = np.array([1 + 1 / 3, 1 / 2 + 1 / 3, 1 / 2 + 1 / 3 + 1]) / 4
    assert w.weights["best_share"].tolist() == pytest.approx(best.tolist())
    b = res.coefficients["estimate"]
    expected = b["mean"] / 3 + b["peak"] * best + b["end"] * np.array([0, 0, 1])
    assert w.weights["estimate"].tolist() == pytest.approx(expected.tolist())
    assert w.weights.index.tolist() == [(3, 1), (3, 2), (3, 3)]
    assert (w.weights["n"] == 40).all()
    # the trough and the first contact get their own shares and weights when they are predictors
    df = _simulated(n=600, seed=3)
    res4 = peak_end_regression(df, predictors=("mean", "peak", "trough", "first", "end"))
    w4 = contact_weights(df, res4)
    b4 = res4.coefficients["estimate"]
    for k in (3, 4, 5):
        ratings = df.loc[df["n_contacts"] == k, CONTACTS[:k]].astype(float)
        is_best = ratings.eq(ratings.max(axis=1), axis=0)
        is_worst = ratings.eq(ratings.min(axis=1), axis=0)
        best = is_best.div(is_best.sum(axis=1), axis=0).mean().to_numpy()
        worst = is_worst.div(is_worst.sum(axis=1), axis=0).mean().to_numpy()
        first, last = np.eye(k)[0], np.eye(k)[-1]
        expected = b4["mean"] / k + b4["peak"] * best + b4["trough"] * worst + b4["first"] * first
        expected += b4["end"] * last
        assert w4.weights.loc[k, "estimate"].tolist() == pytest.approx(expected.tolist())
        assert w4.weights.loc[k, "worst_share"].tolist() == pytest.approx(worst.tolist())


def test_per_contact_standard_errors_match_the_spread_over_fresh_samples():
    # The best-contact shares are estimated from the orders too. With a large peak weight and little
    # noise their sampling error is nearly all of the weights' error, so an SE that took the shares as
    # known would be about 20 times too small; with it, the SE matches the standard deviation of the
    # weights over 200 fresh samples of 300 orders (that SD is itself known to about 5%).
    rng = np.random.default_rng(11)
    cols = CONTACTS[:3]
    estimates, ses = [], []
    for _ in range(200):
        df = pd.DataFrame(rng.integers(3, 11, size=(300, 3)), columns=cols)
        s = sequence_summary(df)
        df["overall"] = 0.3 + 0.3 * s["mean"] + 0.8 * s["peak"] + 0.25 * s["end"] + rng.normal(0, 0.05, 300)
        per = peak_end_regression(df, contacts=cols).per_contact
        estimates.append(np.r_[per.weights["estimate"], per.claim["estimate"]])
        ses.append(np.r_[per.weights["se"], per.claim["se"]])
    ratio = np.mean(ses, axis=0) / np.std(estimates, axis=0, ddof=1)
    assert ratio == pytest.approx(np.ones(5), abs=0.15), ratio


def test_per_contact_weights_agree_with_a_regression_on_the_ratings_by_position():
    # The per-contact reading of the peak-end fit against a model-free route: for each length,
    # the overall rating regressed on the contacts' ratings by position. For a smooth function
    # of nearly normal ratings, a least-squares slope is the average effect of one more point on
    # that contact (Stein 1981, Annals of Statistics 9(6)), which is what contact_weights reads.
    from cxlib import synth

    orders = synth.generate(seed=4, scale=10)[0]["touchpoints"]
    per_contact = peak_end_regression(orders).per_contact.weights
    for k in (3, 4, 5):
        subset = orders[orders["n_contacts"] == k]
        direct = peak_end_regression(subset, predictors=CONTACTS[:k]).coefficients
        for j in range(1, k + 1):
            model, free = per_contact.loc[(k, j)], direct.loc[f"contact_{j}"]
            assert abs(model["estimate"] - free["estimate"]) < 3 * np.hypot(model["se"], free["se"]), (k, j)
        # ... and both say the last contact weighs most
        assert direct["estimate"].iloc[1:].idxmax() == f"contact_{k}"


def test_the_claim_fails_when_the_end_has_no_weight_of_its_own():
    res = peak_end_regression(_simulated(weights=(0.7, 0.3, 0.0), seed=2))
    assert not res.end_weighs_most and "not supported" in repr(res)
    assert (res.claim["p_value"] > 0.01).all()


def test_contact_weights_errors():
    df = _simulated(n=300)
    with pytest.raises(InputError, match="what peak_end_regression returned"):
        contact_weights(df, peak_end_regression(df).coefficients)
    no_end = peak_end_regression(df, predictors=("mean", "peak"))
    assert no_end.per_contact is None and len(no_end.claim) == 0 and not no_end.end_weighs_most
    with pytest.raises(InputError, match="no 'end' among its predictors"):
        contact_weights(df, no_end)
    with pytest.raises(InputError, match="df has 299 sequences but the regression was fitted on 300"):
        contact_weights(df.iloc[1:], peak_end_regression(df))
    shadow = df.assign(end=df["contact_1"])
    res = peak_end_regression(shadow)
    assert res.per_contact is None
    with pytest.raises(InputError, match="name of a sequence measure"):
        contact_weights(shadow, res)


def test_peak_end_regression_errors():
    df = _simulated(n=200)
    with pytest.raises(InputError, match="predictor 'ned'.*did you mean 'end'"):
        peak_end_regression(df, predictors=("mean", "ned"))
    with pytest.raises(InputError, match="more than once"):
        peak_end_regression(df, predictors=("end", "end"))
    with pytest.raises(InputError, match="no column 'overal'"):
        peak_end_regression(df, outcome="overal")
    with pytest.raises(InputError, match="confidence"):
        peak_end_regression(df, confidence=1.5)
    flat = [[r] * 3 for r in [3, 5, 7, 8, 9, 4, 6, 2]]  # every contact rated alike: mean = peak = end
    same = _orders(flat).assign(overall=[3, 6, 7, 8, 9, 4, 5, 2])
    with pytest.raises(InputError, match="cannot be separated"):
        peak_end_regression(same)
    with pytest.raises(InputError, match="cov_type"):
        peak_end_regression(df, cov_type="HC9")
    with pytest.raises(InputError, match="more than 4 rows"):
        peak_end_regression(df.head(4))


def _delay_orders(n=3000, seed=5):
    rng = np.random.default_rng(seed)
    delayed = rng.random(n) < 0.3
    told = delayed & (rng.random(n) < 0.5)
    thanks = rng.random(n) < np.where(delayed, 0.3, 0.6)  # fewer notes after delays: confounding
    overall = 7.5 - 2.0 * delayed + 1.0 * told + 0.8 * thanks + rng.normal(0, 1.2, n)
    return pd.DataFrame({"overall": overall, "delayed": delayed, "told_of_delay": told, "thank_you": thanks})


def test_moment_effects_raw_rows_are_welch_differences():
    df = _delay_orders()
    out = moment_effects(df).set_index(["effect", "method"])
    d = df["delayed"]
    ref = {
        "delay": mean_difference(df.overall[d], df.overall[~d]),
        "told of delay": mean_difference(df.overall[d & df.told_of_delay], df.overall[d & ~df.told_of_delay]),
        "thank-you note": mean_difference(df.overall[df.thank_you], df.overall[~df.thank_you]),
    }
    for effect, r in ref.items():
        row = out.loc[(effect, "difference in means")]
        assert (row["estimate"], row["low"], row["high"], row["p_value"]) == pytest.approx(
            (r.estimate, r.low, r.high, r.p_value)
        )
        assert (row["n_with"], row["n_without"]) == (r.n_a, r.n_b)


def test_moment_effects_regression_rows_match_statsmodels_and_the_truth():
    df = _delay_orders()
    out = moment_effects(df).set_index(["effect", "method"])
    fit = smf.ols(
        "overall ~ delayed + delayed:told_of_delay + thank_you",
        data=df.astype({"delayed": float, "told_of_delay": float, "thank_you": float}),
    ).fit()
    ci = fit.conf_int()
    for effect, term, truth in [
        ("delay", "delayed", -2.0),
        ("told of delay", "delayed:told_of_delay", 1.0),
        ("thank-you note", "thank_you", 0.8),
    ]:
        row = out.loc[(effect, "regression")]
        assert row["estimate"] == pytest.approx(fit.params[term])
        assert row["se"] == pytest.approx(fit.bse[term])
        assert (row["low"], row["high"]) == pytest.approx((ci.loc[term, 0], ci.loc[term, 1]))
        assert row["low"] < truth < row["high"]
    # the raw thank-you difference is confounded by delays (fewer notes after a delay)
    assert (
        out.loc[("thank-you note", "difference in means"), "estimate"]
        > out.loc[("thank-you note", "regression"), "estimate"]
    )


def test_moment_effects_errors():
    df = _delay_orders(200)
    bad = df.copy()
    bad.loc[bad.index[~bad.delayed][:2], "told_of_delay"] = True
    with pytest.raises(InputError, match="told_of_delay is true for 2 order"):
        moment_effects(bad)
    with pytest.raises(InputError, match="thank_you must be a true/false"):
        moment_effects(df.assign(thank_you=np.where(df.thank_you, "yes", "no")))
    with pytest.raises(InputError, match="must be true/false.*row 0: 2"):
        moment_effects(
            df.assign(
                delayed=np.where(df.index == 0, 2, df.delayed.astype(int)),
                told_of_delay=df.told_of_delay & (df.index != 0),
            )
        )
    with pytest.raises(InputError, match="told of delay: too few"):
        moment_effects(df.assign(told_of_delay=False))
    with pytest.raises(InputError, match="missing"):
        moment_effects(df.assign(overall=np.where(df.index == 3, np.nan, df.overall)))
    # 0/1 columns work like booleans
    ints = moment_effects(df.astype({"delayed": int, "told_of_delay": int, "thank_you": int}))
    assert ints["estimate"].tolist() == pytest.approx(moment_effects(df)["estimate"].tolist())
