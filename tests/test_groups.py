"""Many groups at once: each against the rest, all pairs, period over period, with adjusted p-values."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from cxlib import InputError, compare, groups, metrics


def _two_shares(xa, na, xb, nb):
    return pd.DataFrame(
        {"g": ["a"] * na + ["b"] * nb, "y": [1] * xa + [0] * (na - xa) + [1] * xb + [0] * (nb - xb)}
    )


@pytest.mark.parametrize(
    "xa, na, xb, nb, low, high",
    [
        # Newcombe (1998), Statistics in Medicine 17, Table II, method 10 (hybrid score):
        (56, 70, 48, 80, 0.0524, 0.3339),  # example (a)
        (9, 10, 3, 10, 0.1705, 0.8090),  # example (b)
    ],
)
def test_share_difference_interval_is_newcombes_hybrid_score(xa, na, xb, nb, low, high):
    row = groups.pairwise(_two_shares(xa, na, xb, nb), "y", "g", "top_box", scale=(0, 1), top=1).iloc[0]
    assert row["estimate"] == pytest.approx(100 * (xa / na - xb / nb))
    assert (row["low"] / 100, row["high"] / 100) == pytest.approx((low, high), abs=5e-5)


def test_share_difference_test_is_the_pearson_chi_square():
    # The pooled two-proportion z test is Pearson's chi-square on the 2x2 table (z**2 = X**2).
    row = groups.pairwise(_two_shares(56, 70, 48, 80), "y", "g", "top_box", scale=(0, 1), top=1).iloc[0]
    chi2, p, _, _ = chi2_contingency([[56, 14], [48, 32]], correction=False)
    assert row["z"] ** 2 == pytest.approx(chi2) and row["p_value"] == pytest.approx(p)


def test_pairwise_means_are_welch_tests():
    # Student's (1908) sleep data, R's t.test(extra ~ group, data = sleep): t = -1.8608,
    # df = 17.776, p-value = 0.07939, 95% CI -3.3654832 to 0.2054832.
    drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    d = pd.DataFrame({"drug": ["1"] * 10 + ["2"] * 10, "extra": drug1 + drug2})
    row = groups.pairwise(d, "extra", "drug", "mean").iloc[0]
    assert (row["t"], row["p_value"]) == pytest.approx((-1.8608, 0.07939), abs=1e-4)
    assert row["df"] == pytest.approx(17.776, abs=5e-4)
    assert (row["low"], row["high"]) == pytest.approx((-3.3654832, 0.2054832), abs=1e-6)
    assert row["p_adjusted"] == row["p_value"]  # one comparison: nothing to adjust


def test_pairwise_nps_is_compare_nps():
    a = [10] * 60 + [7] * 20 + [2] * 20
    b = [10] * 40 + [7] * 30 + [2] * 30
    d = pd.DataFrame({"g": ["a"] * 100 + ["b"] * 100, "recommend": a + b})
    row = groups.pairwise(d, "recommend", "g", "nps", method="wald").iloc[0]
    ref = metrics.compare_nps(a, b, method="wald")  # its docstring: z 2.601, p 0.00929
    assert (row["estimate"], row["low"], row["high"], row["z"], row["p_value"]) == pytest.approx(
        (ref.estimate, ref.low, ref.high, ref.z, ref.p_value)
    )


def test_adjustments_on_benjamini_hochberg_example():
    # Benjamini & Hochberg (1995), JRSS B 57(1), section 4: of these 15 p-values, the FDR procedure at
    # q = 0.05 rejects the four smallest; Holm's (a Bonferroni-type) procedure only three.
    p = [
        0.0001,
        0.0004,
        0.0019,
        0.0095,
        0.0201,
        0.0278,
        0.0298,
        0.0344,
        0.0459,
        0.3240,
        0.4262,
        0.5719,
        0.6528,
        0.7590,
        1.0,
    ]
    assert (compare.adjust_pvalues(p, "fdr_bh") < 0.05).sum() == 4
    assert (compare.adjust_pvalues(p, "holm") < 0.05).sum() == 3


@pytest.fixture(scope="module")
def branches():
    rng = np.random.default_rng(7)
    n = 3000
    branch = rng.choice(list("ABCDE"), n)
    shift = pd.Series({"A": 1.5, "B": 0.0, "C": 0.0, "D": -1.5, "E": 0.0})[branch].to_numpy()
    recommend = np.clip(np.rint(7.5 + shift + rng.normal(0, 2, n)), 0, 10).astype(int)
    month = rng.choice([1, 2, 3], n)
    return pd.DataFrame({"branch": branch, "month": month, "recommend": recommend})


def test_versus_rest_matches_each_comparison_done_by_hand(branches):
    table = groups.versus_rest(branches, "recommend", "branch", "mean", correction="fdr_bh")
    for _, row in table.iterrows():
        inside = branches["branch"] == row["branch"]
        ref = compare.mean_difference(branches.loc[inside, "recommend"], branches.loc[~inside, "recommend"])
        assert (row["estimate"], row["low"], row["high"], row["p_value"]) == pytest.approx(
            (ref.estimate, ref.low, ref.high, ref.p_value)
        )
    assert table["p_adjusted"].tolist() == pytest.approx(compare.adjust_pvalues(table["p_value"], "fdr_bh"))
    verdicts = table.set_index("branch")["verdict"]
    assert verdicts["A"] == "above" and verdicts["D"] == "below"
    nps = groups.versus_rest(branches, "recommend", "branch", "nps")
    inside = branches["branch"] == "A"
    ref = metrics.compare_nps(branches.loc[inside, "recommend"], branches.loc[~inside, "recommend"])
    assert nps.iloc[0][["estimate", "low", "high", "p_value"]].tolist() == pytest.approx(
        [ref.estimate, ref.low, ref.high, ref.p_value]
    )


def test_versus_rest_within_a_column_compares_inside_each_level(branches):
    table = groups.versus_rest(
        branches, "recommend", "branch", "top_box", within="month", scale=(0, 10), top=2
    )
    assert len(table) == 15 and list(table.columns[:2]) == ["month", "branch"]
    one = branches[branches["month"] == 2]
    alone = groups.versus_rest(one, "recommend", "branch", "top_box", scale=(0, 10), top=2)
    got = table[table["month"] == 2].reset_index(drop=True)
    assert got["p_value"].tolist() == pytest.approx(alone["p_value"].tolist())
    assert got["estimate_b"].tolist() == pytest.approx(alone["estimate_b"].tolist())


def test_period_over_period(branches):
    table = groups.period_over_period(branches, "recommend", "month", "nps", by="branch")
    assert len(table) == 10  # 5 branches x 2 changes
    assert set(table["verdict"]) <= {"up", "down", "no change"}
    row = table[(table["branch"] == "C") & (table["period"] == 3)].iloc[0]
    c = branches[branches["branch"] == "C"]
    ref = metrics.compare_nps(c.loc[c["month"] == 3, "recommend"], c.loc[c["month"] == 2, "recommend"])
    assert (row["previous"], row["estimate"], row["p_value"]) == pytest.approx((2, ref.estimate, ref.p_value))


def test_weighted_comparisons_with_equal_weights_are_the_unweighted_ones(branches):
    plain = groups.pairwise(branches, "recommend", "branch", "top_box", scale=(0, 10))
    weighted = groups.pairwise(
        branches.assign(w=2.0), "recommend", "branch", "top_box", scale=(0, 10), weights="w"
    )
    assert weighted["low"].tolist() == pytest.approx(plain["low"].tolist())
    assert weighted["n_effective_a"].tolist() == pytest.approx(plain["n_a"].tolist())


def test_errors_name_the_problem(branches):
    with pytest.raises(InputError, match="metric must be one of"):
        groups.versus_rest(branches, "recommend", "branch", "median")
    with pytest.raises(InputError, match="takes the options method; got top"):
        groups.versus_rest(branches, "recommend", "branch", "nps", top=2)
    with pytest.raises(InputError, match="single group"):
        groups.pairwise(branches.assign(one="x"), "recommend", "one", "mean")
    with pytest.raises(InputError, match="correction must be one of"):
        groups.pairwise(branches, "recommend", "branch", "mean", correction="tukey")
