"""Benchmark gaps against competitors and best in class (cxlib.benchmark)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from cxlib import InputError
from cxlib.benchmark import benchmark_gaps, importance_vs_lead
from cxlib.compare import mean_difference

# Student (1908) sleep data as shipped with R (datasets::sleep).
DRUG1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
DRUG2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def _market(seed=0, n=80):
    """Ratings of us, two competitors and a best-in-class business on three items."""
    rng = np.random.default_rng(seed)
    means = {
        "Us": (4.3, 3.6, 3.4),
        "Rival A": (3.8, 4.1, 3.4),
        "Rival B": (4.2, 3.6, 3.5),
        "Grand Hotel": (4.7, 4.4, 4.3),
    }
    kinds = {"Us": "us", "Rival A": "competitor", "Rival B": "competitor", "Grand Hotel": "best in class"}
    rows = []
    for name in ["Grand Hotel", "Us", "Rival A", "Rival B"]:  # best in class first: the output reorders
        for _ in range(n):
            r = [int(np.clip(round(rng.normal(m, 0.8)), 1, 5)) for m in means[name]]
            rows.append([name, kinds[name], *r])
    d = pd.DataFrame(rows, columns=["business", "business_type", "people", "environment", "practices"])
    d = d.astype({c: "Int64" for c in ("people", "environment", "practices")})
    d.loc[d.index[::17], "practices"] = pd.NA  # some blanks: not answered
    return d


ITEMS = ["people", "environment", "practices"]


def test_a_benchmark_gap_is_welchs_difference_us_minus_them():
    # R documentation ?t.test, t.test(extra ~ group, data = sleep): Welch 95% CI for
    # group 1 - group 2 is -3.3654832 0.2054832, p-value = 0.07939. With us = group 2 and
    # them = group 1 the difference is +1.58, interval mirrored: not significant, so "on par".
    d = pd.DataFrame(
        {
            "business": ["Us"] * 10 + ["Them"] * 10,
            "business_type": ["us"] * 10 + ["competitor"] * 10,
            "score": DRUG2 + DRUG1,
        }
    )
    row = benchmark_gaps(d, items=["score"]).iloc[0]
    assert row["estimate"] == pytest.approx(1.58)
    assert (row["low"], row["high"]) == pytest.approx((-0.2054832, 3.3654832), abs=5e-8)
    assert row["p_value"] == pytest.approx(0.07939, abs=5e-6)
    assert row["verdict"] == "on par" and bool(row["meets_minimum"])
    assert (row["mean_us"], row["mean_them"]) == pytest.approx((2.33, 0.75))


def test_every_row_matches_a_two_sample_welch_test():
    d = _market()
    out = benchmark_gaps(d, items=ITEMS)
    assert len(out) == 3 * 3
    for _, row in out.iterrows():
        ours = d.loc[d.business == "Us", row["item"]].dropna().astype(float)
        theirs = d.loc[d.business == row["business"], row["item"]].dropna().astype(float)
        ref = mean_difference(ours, theirs)
        assert (row["estimate"], row["low"], row["high"], row["p_value"]) == pytest.approx(
            (ref.estimate, ref.low, ref.high, ref.p_value)
        )
        assert (row["n_us"], row["n_them"]) == (len(ours), len(theirs))
    # blanks are left out per item
    assert (
        out.loc[out.item == "practices", "n_us"].iloc[0] < 80 == out.loc[out.item == "people", "n_us"].iloc[0]
    )


def test_correction_verdicts_and_minimum_standard():
    out = benchmark_gaps(_market(), items=ITEMS)
    assert out["p_adjusted"].to_numpy() == pytest.approx(multipletests(out["p_value"], method="holm")[1])
    raw = benchmark_gaps(_market(), items=ITEMS, correction="none")
    assert (raw["p_adjusted"] == raw["p_value"]).all()
    bh = benchmark_gaps(_market(), items=ITEMS, correction="fdr_bh")
    assert bh["p_adjusted"].to_numpy() == pytest.approx(multipletests(out["p_value"], method="fdr_bh")[1])
    sig = out["p_adjusted"] < 0.05
    assert (out.loc[sig & (out.estimate > 0), "verdict"] == "leads").all()
    assert (out.loc[sig & (out.estimate < 0), "verdict"] == "trails").all()
    assert (out.loc[~sig, "verdict"] == "on par").all()
    assert (out["meets_minimum"] == (out["verdict"] != "trails")).all()
    # competitors come first, then best in class; our business never appears as "them"
    assert out["business_type"].tolist() == ["competitor"] * 6 + ["best in class"] * 3
    assert "Us" not in set(out["business"])
    by = out.set_index(["business", "item"])
    assert by.loc[("Rival A", "people"), "verdict"] == "leads"
    assert by.loc[("Rival A", "environment"), "verdict"] == "trails"
    assert (
        by.loc[[("Grand Hotel", "environment"), ("Grand Hotel", "practices")], "verdict"] == "trails"
    ).all()


def test_us_by_name_and_without_a_type_column():
    d = _market()
    a = benchmark_gaps(d, items=ITEMS)
    b = benchmark_gaps(d.drop(columns="business_type"), items=ITEMS, us="Us", business_type=None)
    assert b["business_type"].isna().all()
    key = ["business", "item"]
    pd.testing.assert_series_equal(
        a.set_index(key)["estimate"].sort_index(), b.set_index(key)["estimate"].sort_index()
    )


def test_default_items_are_the_survey_items():
    from cxlib.data import items, load

    out = benchmark_gaps(load("benchmark"))
    assert out["item"].unique().tolist() == items()
    assert out.groupby("business")["item"].count().eq(10).all()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 5), min_size=2, max_size=25), st.lists(st.integers(1, 5), min_size=2, max_size=25)
)
def test_difference_properties(ours, theirs):
    d = pd.DataFrame({"business": ["Us"] * len(ours) + ["Them"] * len(theirs), "x": ours + theirs})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        row = benchmark_gaps(d, items=["x"], us="Us", business_type=None).iloc[0]
    assert row["estimate"] == pytest.approx(np.mean(ours) - np.mean(theirs))
    assert row["low"] <= row["estimate"] <= row["high"]
    assert row["verdict"] in ("leads", "on par", "trails")


def test_benchmark_errors():
    d = _market(n=10)
    with pytest.raises(InputError, match="no value 'us ' \\(argument us\\).*did you mean 'Us'"):
        benchmark_gaps(d, items=ITEMS, us="us ")
    two = d.assign(business_type=np.where(d.business == "Rival A", "us", d.business_type))
    with pytest.raises(InputError, match="exactly one business as 'us'.*found 2"):
        benchmark_gaps(two, items=ITEMS)
    with pytest.raises(InputError, match="say which business is ours"):
        benchmark_gaps(d.drop(columns="business_type"), items=ITEMS)
    with pytest.raises(InputError, match="only our business"):
        benchmark_gaps(d[d.business == "Us"], items=ITEMS)
    few = d[~((d.business == "Rival B") & (d.index % 10 != 0))]
    with pytest.raises(InputError, match="at least 2 ratings.*Rival B / people"):
        benchmark_gaps(few, items=ITEMS)
    mixed = d.copy()
    mixed.loc[mixed.index[mixed.business == "Rival A"][0], "business_type"] = "best in class"
    with pytest.raises(InputError, match="varies for 'Rival A'"):
        benchmark_gaps(mixed, items=ITEMS)
    with pytest.raises(InputError, match="no column 'peeple'"):
        benchmark_gaps(d, items=["peeple"])
    with pytest.raises(InputError, match="not numbers"):
        benchmark_gaps(d.assign(people="good"), items=ITEMS)
    with pytest.raises(InputError, match="missing business name"):
        benchmark_gaps(d.assign(business=[None] + d.business.tolist()[1:]), items=ITEMS)
    with pytest.raises(InputError, match="correction"):
        benchmark_gaps(d, items=ITEMS, correction="holms")
    with pytest.raises(InputError, match="confidence"):
        benchmark_gaps(d, items=ITEMS, confidence=0)


def _gaps():
    return pd.DataFrame(
        {
            "business": ["A", "A", "A", "B", "B", "B", "Hotel", "Hotel", "Hotel"],
            "business_type": ["competitor"] * 6 + ["best in class"] * 3,
            "item": ["people", "environment", "practices"] * 3,
            "estimate": [0.5, -0.4, 0.2, 0.3, 0.3, -0.3, -0.2, -0.8, -0.6],
            "verdict": [
                "leads",
                "trails",
                "on par",
                "leads",
                "leads",
                "trails",
                "on par",
                "trails",
                "trails",
            ],
        }
    )


def test_importance_vs_lead_by_hand():
    out = importance_vs_lead(_gaps(), pd.Series({"people": 35.0, "environment": 12.0, "practices": 53.0}))
    assert out.index.tolist() == ["practices", "people", "environment"]  # most important first
    assert out["importance_rank"].tolist() == [1, 2, 3]
    assert out["matters"].tolist() == [True, True, False]
    assert out.loc["people", ["leads", "on_par", "trails"]].tolist() == [2, 0, 0]
    assert out.loc["practices", ["leads", "on_par", "trails"]].tolist() == [0, 1, 1]
    assert out["position"].to_dict() == {"practices": "trails", "people": "leads", "environment": "mixed"}
    assert out.loc["people", "mean_difference"] == pytest.approx(0.4)  # best in class left out
    every = importance_vs_lead(
        _gaps(),
        pd.DataFrame({"percent": [35.0, 12.0, 53.0]}, index=["people", "environment", "practices"]),
        competitors_only=False,
    )
    assert every.loc["environment", ["leads", "on_par", "trails"]].tolist() == [1, 0, 2]
    assert every.loc["practices", "position"] == "trails"


def test_importance_vs_lead_on_the_course_data():
    from cxlib.data import items, load
    from cxlib.drivers import relative_weights

    rw = relative_weights(load("survey"), "satisfaction", items(), missing="listwise")
    out = importance_vs_lead(benchmark_gaps(load("benchmark")), rw)
    assert sorted(out.index) == sorted(items())
    # the story in the data: we lead on people, trail the environment leader
    assert (out.loc[[i for i in items() if i.startswith("people")], "position"] == "leads").all()
    assert (out.loc[[i for i in items() if i.startswith("env")], "trails"] >= 1).all()


def test_importance_vs_lead_errors():
    imp = pd.Series({"people": 35.0, "environment": 12.0, "practices": 53.0})
    with pytest.raises(InputError, match=r"no value for item\(s\) 'practices'"):
        importance_vs_lead(_gaps(), imp.drop("practices"))
    with pytest.raises(InputError, match="no competitor rows"):
        importance_vs_lead(_gaps().assign(business_type="best in class"), imp)
    with pytest.raises(InputError, match="'percent' column"):
        importance_vs_lead(_gaps(), pd.DataFrame({"weight": imp}))
    with pytest.raises(InputError, match="must be a pandas Series"):
        importance_vs_lead(_gaps(), imp.to_dict())
    with pytest.raises(InputError, match="gaps has no column 'verdict'"):
        importance_vs_lead(_gaps().drop(columns="verdict"), imp)
    with pytest.raises(InputError, match="not numbers"):
        importance_vs_lead(_gaps(), imp.astype(object).replace({35.0: "high"}))
