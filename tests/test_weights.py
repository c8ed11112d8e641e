"""Survey weights: raking against R's survey package, Kish's effective sample size, weighted estimates."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cxlib import InputError, metrics, scales, weights
from cxlib.results import WeightedEstimate

DATA = Path(__file__).parent / "data"

# R package survey, tests/rakecheck.R and its saved output (rakecheck.Rout.save):
#   dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)
#   pop.types <- data.frame(stype=c("E","H","M"), Freq=c(4421,755,1018))
#   pop.schwide <- data.frame(sch.wide=c("No","Yes"), Freq=c(1072,5122))
#   dclus1r <- rake(dclus1, list(~stype,~sch.wide), list(pop.types, pop.schwide))
#   svymean(~api00, dclus1r)        641.23
#   svytotal(~enroll, dclus1r)      3647300  (rake's default stopping rule, epsilon = 1)
#   calibrate(..., calfun="raking") 3647280  (converged to the end)
POP_TYPES = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}


@pytest.fixture(scope="module")
def apiclus1():
    return pd.read_csv(DATA / "apiclus1.csv")


def test_rake_reproduces_r_survey_api_example(apiclus1):
    w = weights.rake(
        apiclus1, {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}, weights=apiclus1["pw"], total=6194
    )
    assert w.attrs["converged"]
    mean = np.average(apiclus1["api00"], weights=w)
    assert mean == pytest.approx(641.23, abs=0.005)
    assert (w * apiclus1["enroll"]).sum() == pytest.approx(3647280, abs=1)
    # the margins are the population's, exactly
    assert w.groupby(apiclus1["stype"]).sum().to_dict() == pytest.approx(POP_TYPES)
    assert w.groupby(apiclus1["sch.wide"]).sum().to_dict() == pytest.approx(POP_SCHWIDE)
    # the weighted mean through cxlib gives the same estimate
    est = metrics.mean_score(apiclus1["api00"], weights=w)
    assert est.estimate == pytest.approx(641.23, abs=0.005)


def test_rake_shares_and_counts_agree_and_default_total_is_n(apiclus1):
    counts = weights.rake(apiclus1, {"stype": POP_TYPES}, weights=apiclus1["pw"])
    shares = weights.rake(
        apiclus1, {"stype": {k: v / 6194 for k, v in POP_TYPES.items()}}, weights=apiclus1["pw"]
    )
    np.testing.assert_allclose(counts, shares)
    assert counts.sum() == pytest.approx(len(apiclus1))
    assert counts.name == "weight" and counts.index.equals(apiclus1.index)


def test_rake_one_margin_is_post_stratification():
    d = pd.DataFrame({"channel": ["store"] * 6 + ["online"] * 4})
    w = weights.rake(d, {"channel": pd.Series({"store": 40, "online": 60})})
    assert w[d["channel"] == "store"].unique() == pytest.approx([4 / 6])
    assert w[d["channel"] == "online"].unique() == pytest.approx([1.5])
    assert w.attrs["iterations"] == 1


def test_rake_trims_and_still_matches_margins_when_it_can():
    rng = np.random.default_rng(0)
    d = pd.DataFrame(
        {"a": rng.choice(["x", "y", "z"], 2000, p=[0.7, 0.2, 0.1]), "b": rng.choice(["u", "v"], 2000)}
    )
    margins = {"a": {"x": 0.4, "y": 0.3, "z": 0.3}, "b": {"u": 0.7, "v": 0.3}}
    free = weights.rake(d, margins)
    trimmed = weights.rake(d, margins, trim=(0.3, 3.5))
    assert free.max() / free.mean() > 4  # the trim has work to do
    assert trimmed.max() / trimmed.mean() <= 3.5 + 1e-6
    assert trimmed.min() / trimmed.mean() >= 0.3 - 1e-6
    assert trimmed.attrs["converged"]
    share = trimmed.groupby(d["a"]).sum() / trimmed.sum()
    assert share.to_dict() == pytest.approx(margins["a"], abs=1e-8)


def test_rake_warns_when_trim_and_margins_cannot_both_hold():
    d = pd.DataFrame({"a": ["x"] * 90 + ["y"] * 10})
    with pytest.warns(UserWarning, match="trimming bounds and the margins cannot both hold"):
        w = weights.rake(d, {"a": {"x": 0.5, "y": 0.5}}, trim=(0.5, 2))
    assert not w.attrs["converged"] and w.attrs["max_error"] > 0.1


def test_rake_errors_name_the_problem():
    d = pd.DataFrame({"channel": ["store", "phone", "online", "fax"]})
    with pytest.raises(
        InputError, match=r"channel: 1 response\(s\) in categories the margin does not list: \['fax'\]"
    ):
        weights.rake(d, {"channel": {"store": 1, "phone": 1, "online": 1}})
    with pytest.raises(InputError, match=r"no respondent in \['kiosk'\]"):
        weights.rake(d.iloc[:3], {"channel": {"store": 1, "phone": 1, "online": 1, "kiosk": 1}})
    with pytest.raises(InputError, match="no column 'chanel'"):
        weights.rake(d, {"chanel": {"store": 1}})
    with pytest.raises(InputError, match="trim must satisfy"):
        weights.rake(d.iloc[:3], {"channel": {"store": 1, "phone": 1, "online": 1}}, trim=(2, 3))
    with pytest.raises(InputError, match="margins must be a dict"):
        weights.rake(d, [("channel", {})])
    blank = pd.DataFrame({"channel": ["store", None]})
    with pytest.raises(InputError, match="channel: 1 missing category"):
        weights.rake(blank, {"channel": {"store": 1}})
    with pytest.raises(InputError, match="weights: 2 weight"):
        weights.rake(d, {"channel": {"store": 1, "phone": 1, "online": 1, "fax": 1}}, weights=[1, 2])


def test_effective_n_and_report():
    # Kish (1965; 1992): n_eff = (sum w)^2 / sum w^2, design effect 1 + cv^2 (cv with the population sd)
    w = np.r_[np.ones(50), 2 * np.ones(50)]
    assert weights.effective_n(w) == pytest.approx(90.0)
    rep = weights.weights_report(w)
    assert rep.design_effect == pytest.approx(1 + rep.cv**2)
    assert (rep.n, rep.min, rep.max, rep.ratio, rep.total) == (100, 1.0, 2.0, 2.0, 150.0)
    assert weights.effective_n(np.ones(37)) == pytest.approx(37)
    with pytest.raises(InputError, match="every weight is 0"):
        weights.effective_n([0, 0])
    with pytest.raises(InputError, match="missing value"):
        weights.effective_n([1, np.nan])


def test_equal_weights_give_the_unweighted_results():
    # With every weight equal, n_effective = n and every weighted estimate is the published
    # unweighted one: Newcombe (1998) Table I example (a) for top-box, Student's sleep data for the mean.
    scores = [5] * 81 + [1] * (263 - 81)
    box = metrics.top_box(scores, top=1, weights=np.full(263, 3.0))
    assert isinstance(box, WeightedEstimate)
    assert (round(box.low, 2), round(box.high, 2), box.n, box.n_effective) == (25.53, 36.62, 263, 263)
    drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    m = metrics.mean_score(drug1, weights=np.ones(10))
    plain = metrics.mean_score(drug1)
    assert (m.estimate, m.se, m.low, m.high) == pytest.approx(
        (plain.estimate, plain.se, plain.low, plain.high)
    )
    nps_scores = [10] * 50 + [8] * 30 + [3] * 20
    w = metrics.nps(nps_scores, weights=np.full(100, 0.5))
    p = metrics.nps(nps_scores)
    assert (w.estimate, w.low, w.high, w.se) == pytest.approx((p.estimate, p.low, p.high, p.se))


def test_integer_weights_estimate_like_repeated_responses():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 11, 300)
    f = rng.integers(1, 4, 300)
    expanded = np.repeat(x, f)
    assert metrics.nps(x, weights=f).estimate == pytest.approx(metrics.nps(expanded).estimate)
    assert metrics.top_box(x, scale=(0, 10), top=3, weights=f).estimate == pytest.approx(
        metrics.top_box(expanded, scale=(0, 10), top=3).estimate
    )
    assert metrics.mean_score(x, weights=f).estimate == pytest.approx(expanded.mean())


def test_weighted_mean_se_is_the_linearised_one(apiclus1):
    # R's svymean for svydesign(ids = ~1, weights = ~w) is the sandwich (HC1) variance of a weighted
    # least-squares intercept; statsmodels computes that independently.
    w = weights.rake(apiclus1, {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}, weights=apiclus1["pw"])
    est = metrics.mean_score(apiclus1["api00"], weights=w)
    fit = sm.WLS(apiclus1["api00"].to_numpy(float), np.ones(len(w)), weights=w.to_numpy()).fit(cov_type="HC1")
    assert est.se == pytest.approx(float(fit.bse[0]), rel=1e-10)
    assert est.n == 183 and est.n_effective == pytest.approx(weights.effective_n(w))
    assert est.low < est.estimate < est.high


def test_weighted_nps_interval_rests_on_n_effective():
    scores = np.r_[np.full(60, 10), np.full(40, 3)]
    w = np.r_[np.full(60, 1.0), np.full(40, 3.0)]
    e = metrics.nps(scores, weights=w, method="wald")
    n_eff = weights.effective_n(w)
    p, d = 60 / 180, 120 / 180
    assert e.estimate == pytest.approx(100 * (p - d))
    assert e.se == pytest.approx(100 * np.sqrt((p + d - (p - d) ** 2) / n_eff))
    assert e.n == 100 and e.n_effective == pytest.approx(n_eff)


def test_by_group_weighted_matches_each_group_alone():
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"branch": rng.choice(list("ABC"), 600), "recommend": rng.integers(0, 11, 600)})
    d["w"] = rng.uniform(0.5, 2, 600)
    table = metrics.by_group(d, "recommend", "branch", "nps", weights="w")
    for b, sub in d.groupby("branch"):
        one = metrics.nps(sub["recommend"], weights=sub["w"])
        assert table.loc[b, ["estimate", "low", "high", "n", "n_effective"]].tolist() == pytest.approx(
            [one.estimate, one.low, one.high, one.n, one.n_effective]
        )
    means = metrics.by_group(d, "recommend", "branch", "mean", weights=d["w"].to_numpy())
    alone = metrics.mean_score(d.loc[d.branch == "B", "recommend"], weights=d.loc[d.branch == "B", "w"])
    assert means.loc["B", "high"] == pytest.approx(alone.high)
    with pytest.raises(InputError, match="no column 'wt'"):
        metrics.by_group(d, "recommend", "branch", "nps", weights="wt")


def test_weighted_alpha_with_frequency_weights_equals_repeated_rows():
    d = pd.DataFrame({"a": [3, 4, 5, 2, 4, 5], "b": [3, 5, 4, 2, 4, 5], "c": [2, 4, 5, 3, 3, 4]})
    f = np.array([1, 2, 1, 3, 1, 2])
    expanded = d.loc[d.index.repeat(f)].reset_index(drop=True)
    weighted = scales.cronbach_alpha(d, ["a", "b", "c"], weights=f)
    assert weighted.estimate == pytest.approx(scales.cronbach_alpha(expanded, ["a", "b", "c"]).estimate)
    assert weighted.n == 6
