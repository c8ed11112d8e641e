"""The expectation gap and the SERVQUAL gaps (cxlib.gaps)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

from cxlib import InputError
from cxlib.gaps import expectation_gap, servqual_gaps

# Student (1908) sleep data as shipped with R (datasets::sleep).
DRUG1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
DRUG2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def _expectations(customer, employee, item="x"):
    n_c = len(customer)
    return pd.DataFrame(
        {
            "respondent_id": np.arange(1, n_c + len(employee) + 1),
            "role": ["customer"] * n_c + ["employee"] * len(employee),
            "expectation": item,
            "importance": list(customer) + list(employee),
        }
    )


def test_expectation_gap_is_welchs_difference_employee_minus_customer():
    # R documentation ?t.test, t.test(extra ~ group, data = sleep): Welch t = -1.8608,
    # df = 17.776, p-value = 0.07939, 95% CI -3.3654832 0.2054832 for group 1 - group 2.
    # Here employees = group 2 and customers = group 1, so the gap (employee - customer)
    # is +1.58 with the interval mirrored.
    out = expectation_gap(_expectations(DRUG1, DRUG2))
    row = out.loc["x"]
    assert row["estimate"] == pytest.approx(1.58)
    assert (row["low"], row["high"]) == pytest.approx((-0.2054832, 3.3654832), abs=5e-8)
    assert row["p_value"] == pytest.approx(0.07939, abs=5e-6)
    assert row["df"] == pytest.approx(17.776, abs=5e-4)
    assert (row["customer_mean"], row["employee_mean"]) == pytest.approx((0.75, 2.33))
    assert (row["n_customer"], row["n_employee"]) == (10, 10)


def test_expectation_gap_ranks_and_correction():
    rng = np.random.default_rng(4)
    items = {
        "listened to": (6.2, 5.2),
        "low prices": (4.6, 6.0),
        "clean store": (5.0, 5.0),
        "speed": (5.0, 6.1),
    }
    rows = []
    rid = 0
    for role, n in (("customer", 60), ("employee", 25)):
        for _ in range(n):
            rid += 1
            for item, (c, e) in items.items():
                mu = c if role == "customer" else e
                rows.append((rid, role, item, int(np.clip(round(rng.normal(mu, 1.0)), 1, 7))))
    d = pd.DataFrame(rows, columns=["respondent_id", "role", "expectation", "importance"])
    out = expectation_gap(d)
    # Holm-adjusted p-values are statsmodels' multipletests(method="holm") of the raw ones
    assert out["p_adjusted"].to_numpy() == pytest.approx(multipletests(out["p_value"], method="holm")[1])
    assert expectation_gap(d, correction="bonferroni")["p_adjusted"].to_numpy() == pytest.approx(
        np.minimum(out["p_value"].to_numpy() * 4, 1)
    )
    means_c = d[d.role == "customer"].groupby("expectation")["importance"].mean()
    means_e = d[d.role == "employee"].groupby("expectation")["importance"].mean()
    assert out["customer_rank"].to_dict() == means_c.rank(ascending=False, method="min").astype(int).to_dict()
    assert out["employee_rank"].to_dict() == means_e.rank(ascending=False, method="min").astype(int).to_dict()
    assert (out["rank_difference"] == out["employee_rank"] - out["customer_rank"]).all()
    assert out["customer_rank"].is_monotonic_increasing  # ordered by what customers value most
    assert out.loc["listened to", "estimate"] < 0 < out.loc["low prices", "estimate"]  # under- and over-rated
    assert out.loc["listened to", "p_adjusted"] < 0.05


def test_expectation_gap_on_the_course_data():
    from cxlib.data import load, load_truth

    out = expectation_gap(load("expectations"))
    truth = load_truth()["expectation_gap"]
    assert set(out.index) == set(truth)
    for item, t in truth.items():  # estimates within 4 standard errors of the generating values
        assert abs(out.loc[item, "estimate"] - t["gap"]) < 4 * out.loc[item, "se"]


def test_expectation_gap_errors():
    d = _expectations([5, 6, 7], [4, 5, 6])
    with pytest.raises(
        InputError, match="neither 'customer' nor 'employee'.*'Customer'.*did you mean 'customer'"
    ):
        expectation_gap(d.assign(role=["Customer"] + d.role.tolist()[1:]))
    with pytest.raises(InputError, match="appear both as 'customer' and as 'employee'.*1"):
        expectation_gap(
            pd.concat([d, d.iloc[[0]].assign(role="employee", expectation="y")], ignore_index=True)
        )
    with pytest.raises(InputError, match="repeat the same respondent_id \\+ expectation"):
        expectation_gap(pd.concat([d, d.iloc[[0]]], ignore_index=True))
    with pytest.raises(InputError, match="importance: 1 missing"):
        expectation_gap(d.assign(importance=[5, None, 7, 4, 5, 6]))
    with pytest.raises(InputError, match="not numbers"):
        expectation_gap(d.assign(importance=["high", 6, 7, 4, 5, 6]))
    with pytest.raises(InputError, match="at least 2 ratings"):
        expectation_gap(_expectations([5], [4, 5, 6]))
    with pytest.raises(InputError, match="only one of"):
        expectation_gap(
            pd.concat(
                [d, _expectations([5, 6], [], item="y").assign(respondent_id=[1, 2])], ignore_index=True
            )
        )
    with pytest.raises(InputError, match="no column 'rol'"):
        expectation_gap(d, role="rol")
    with pytest.raises(InputError, match="correction"):
        expectation_gap(d, correction="holmes")


def _servqual(expectation, perception, item="reliability_1", dimension="reliability", start=1):
    n = len(expectation)
    return pd.DataFrame(
        {
            "respondent_id": np.arange(start, start + n),
            "dimension": dimension,
            "item": item,
            "expectation": expectation,
            "perception": perception,
        }
    )


def test_servqual_item_gap_is_the_paired_t_interval():
    # R documentation ?t.test, t.test(extra ~ group, data = sleep, paired = TRUE):
    # t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 -0.7001142 for group 1 - group 2.
    # With perception = group 2 and expectation = group 1 the gap is +1.58, interval mirrored.
    out = servqual_gaps(_servqual(DRUG1, DRUG2), by="item")
    row = out.loc["reliability_1"]
    assert row["estimate"] == pytest.approx(1.58)
    assert (row["low"], row["high"]) == pytest.approx((0.7001142, 2.4598858), abs=5e-8)
    assert row["p_value"] == pytest.approx(0.002833, abs=5e-7)
    assert row["n"] == 10 and row["dimension"] == "reliability"


def _random_servqual(seed=0, n=40):
    rng = np.random.default_rng(seed)
    items = {
        "tangibles": ["tangibles_1", "tangibles_2"],
        "reliability": ["reliability_1", "reliability_2", "reliability_3"],
    }
    rows = []
    for r in range(1, n + 1):
        for dim, its in items.items():
            for it in its:
                if rng.random() < 0.1:
                    continue  # some items unanswered
                e = int(rng.integers(4, 8))
                rows.append((r, dim, it, e, int(np.clip(e - rng.integers(-1, 3), 1, 7))))
    return pd.DataFrame(rows, columns=["respondent_id", "dimension", "item", "expectation", "perception"])


def test_servqual_items_dimensions_and_overall_by_hand():
    d = _random_servqual()
    items = servqual_gaps(d, by="item")
    for it, g in d.groupby("item"):
        ref = stats.ttest_rel(g["perception"], g["expectation"])  # scipy 1.17 paired t
        ci = ref.confidence_interval(0.95)
        assert (items.loc[it, "p_value"], items.loc[it, "low"], items.loc[it, "high"]) == pytest.approx(
            (ref.pvalue, ci.low, ci.high)
        )
    dims = servqual_gaps(d, by="dimension", confidence=0.9)
    per_resp = d.assign(g=d.perception - d.expectation).groupby(["dimension", "respondent_id"])["g"].mean()
    for dim in ("tangibles", "reliability"):
        scores = per_resp.loc[dim]
        ref = stats.ttest_1samp(scores, 0)
        ci = ref.confidence_interval(0.9)
        assert dims.loc[dim, "estimate"] == pytest.approx(scores.mean())
        assert (dims.loc[dim, "low"], dims.loc[dim, "high"]) == pytest.approx((ci.low, ci.high))
        assert dims.loc[dim, "n"] == len(scores)
    overall = servqual_gaps(d, by="overall")
    score = per_resp.groupby("respondent_id").mean()
    assert overall.loc["overall", "estimate"] == pytest.approx(score.mean())
    assert overall.loc["overall", "n"] == len(score)


def test_servqual_on_the_course_data():
    from cxlib.data import load, load_truth

    out = servqual_gaps(load("servqual"))
    assert out.index.tolist() == ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]
    for dim, t in load_truth()["servqual"].items():
        assert abs(out.loc[dim, "estimate"] - t["gap"]) < 4 * out.loc[dim, "se"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 7), st.integers(1, 7)), min_size=2, max_size=30))
def test_servqual_gap_is_perception_minus_expectation(pairs):
    e, p = zip(*pairs)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # identical differences have no spread
        row = servqual_gaps(_servqual(list(e), list(p)), by="item").iloc[0]
    assert row["estimate"] == pytest.approx(row["perception"] - row["expectation"])
    assert row["low"] <= row["estimate"] <= row["high"]
    assert -6 <= row["estimate"] <= 6


def test_servqual_errors():
    d = _random_servqual(n=5)
    with pytest.raises(InputError, match="by must be one of.*did you mean 'item'"):
        servqual_gaps(d, by="items")
    with pytest.raises(InputError, match="repeat the same respondent_id \\+ item"):
        servqual_gaps(pd.concat([d, d.iloc[[0]]], ignore_index=True))
    moved = d.copy()
    moved.loc[0, "dimension"] = "empathy"
    with pytest.raises(InputError, match="more than one dimension"):
        servqual_gaps(moved)
    with pytest.raises(InputError, match="perception: 1 missing"):
        servqual_gaps(d.assign(perception=[None] + d.perception.tolist()[1:]))
    with pytest.raises(InputError, match="at least 2 respondents"):
        servqual_gaps(_servqual([5], [4]), by="item")
    with pytest.raises(InputError, match="no column 'perceptoin'"):
        servqual_gaps(d, perception="perceptoin")
    with pytest.raises(InputError, match="item: 1 missing"):
        servqual_gaps(d.assign(item=[None] + d["item"].tolist()[1:]))
