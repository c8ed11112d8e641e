"""Kano classification and the four levels of service (cxlib.levels)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib import InputError
from cxlib.levels import (
    KANO_CATEGORIES,
    SERVICE_LEVELS,
    kano,
    kano_summary,
    satisfaction_coefficients,
    service_level,
)

ANSWERS = ["like", "expect", "neutral", "tolerate", "dislike"]

# Kano evaluation table as published by Berger et al. (1993), Center for Quality of Management
# Journal 2(4), and reproduced in the R package stp25kano (README, "Evaluations Tabelle"):
# rows = functional answer, columns = dysfunctional answer, in the order like, must-be (expect),
# neutral, live with (tolerate), dislike.
PUBLISHED_TABLE = [
    "Q A A A O",
    "R I I I M",
    "R I I I M",
    "R I I I M",
    "R R R R Q",
]
LETTER = {
    "A": "attractive",
    "O": "one-dimensional",
    "M": "must-be",
    "I": "indifferent",
    "R": "reverse",
    "Q": "questionable",
}


def test_kano_reproduces_the_published_evaluation_table():
    for f, row in zip(ANSWERS, PUBLISHED_TABLE):
        for d, letter in zip(ANSWERS, row.split()):
            assert kano(f, d) == LETTER[letter], (f, d)


def test_kano_is_vectorised_and_keeps_the_index():
    f = pd.Series(["like", "Expect ", " NEUTRAL", "dislike"], index=[10, 11, 12, 13])
    d = pd.Series(["dislike", "dislike", "like", "like"], index=[10, 11, 12, 13])
    out = kano(f, d)
    assert out.tolist() == ["one-dimensional", "must-be", "reverse", "reverse"]
    assert out.index.tolist() == [10, 11, 12, 13]
    assert list(out.cat.categories) == list(KANO_CATEGORIES)
    arr = kano(np.array(["like", "neutral"]), ["expect", "neutral"])
    assert isinstance(arr, np.ndarray) and arr.tolist() == ["attractive", "indifferent"]


def test_kano_accepts_the_documented_synonyms():
    assert kano("I like it", "must-be") == "attractive"
    assert kano("live with", "dislike") == "must-be"
    assert kano("I expect it", "I dislike it") == "must-be"


def test_kano_errors_name_the_answers():
    with pytest.raises(InputError, match=r"functional: 1 answer\(s\) are not Kano answers.*row 1: 'love'"):
        kano(pd.Series(["like", "love"]), pd.Series(["dislike", "dislike"]))
    with pytest.raises(InputError, match="'dislik'.*did you mean 'dislike'"):
        kano(["like"], ["dislik"])
    with pytest.raises(InputError, match="dysfunctional: 1 missing answer"):
        kano(pd.Series(["like", "like"]), pd.Series(["dislike", None]))
    with pytest.raises(InputError, match="same length"):
        kano(["like", "like"], ["dislike"])
    with pytest.raises(InputError, match="not Kano answers"):
        kano(pd.Series([1, 2]), pd.Series([1, 2]))


# R package stp25kano (Wolfgang Peter), README "Kano Analyse", table of five attributes with
# counts of M, O, A, I, R, Q (n = 296 each), "max Category", the "M>O>A>I" category (a 5
# percentage-point band counts as a tie), and CS plus / CS minus (Berger et al. 1993).
STP25 = {
    #                     M    O    A    I   R  Q   max  M>O>A>I  CS+    CS-
    "Service app": (95, 123, 45, 33, 0, 0, "O", "O", 0.568, -0.736),
    "Excellent service": (101, 54, 54, 81, 3, 3, "M", "M", 0.372, -0.534),
    "Hotline": (15, 24, 121, 124, 6, 6, "I", "A", 0.511, -0.137),
    "Loan machine": (65, 87, 93, 51, 0, 0, "A", "O", 0.608, -0.514),
    "Ready-to-use return": (9, 18, 83, 177, 6, 3, "I", "I", 0.352, -0.094),
}
PAIR = {
    "M": ("expect", "dislike"),
    "O": ("like", "dislike"),
    "A": ("like", "neutral"),
    "I": ("neutral", "neutral"),
    "R": ("dislike", "like"),
    "Q": ("like", "like"),
}


def _answers_from_counts(table):
    rows = []
    for attr, vals in table.items():
        for letter, count in zip("MOAIRQ", vals[:6]):
            rows += [(attr, *PAIR[letter])] * count
    return pd.DataFrame(rows, columns=["attribute", "functional", "dysfunctional"])


def test_kano_summary_matches_a_published_table():
    answers = _answers_from_counts(STP25)
    plain = kano_summary(answers)
    banded = kano_summary(answers, tie_margin=0.05)
    for attr, (m, o, a, i, r, q, top, rule, better, worse) in STP25.items():
        row = plain.loc[attr]
        assert [
            row["must-be"],
            row["one-dimensional"],
            row["attractive"],
            row["indifferent"],
            row["reverse"],
            row["questionable"],
        ] == [m, o, a, i, r, q]
        assert row["n"] == 296
        assert row["better"] == pytest.approx(better, abs=5e-4)
        assert row["worse"] == pytest.approx(worse, abs=5e-4)
        assert row["category"] == LETTER[top]
        assert banded.loc[attr, "category"] == LETTER[rule]
    assert plain.loc["Hotline", "category_share"] == pytest.approx(124 / 296)


def test_kano_summary_breaks_exact_ties_by_m_o_a_i():
    d = pd.DataFrame(
        {
            "attribute": "x",
            "functional": ["like", "expect", "like", "neutral"],
            "dysfunctional": ["neutral", "dislike", "dislike", "neutral"],
        }
    )  # A, M, O, I once each
    assert kano_summary(d).loc["x", "category"] == "must-be"
    d2 = d.iloc[[0, 2, 3]]  # A, O, I
    assert kano_summary(d2).loc["x", "category"] == "one-dimensional"


def test_kano_summary_on_the_course_data_finds_the_true_categories():
    from cxlib.data import load, load_truth

    out = kano_summary(load("kano"))
    truth = load_truth()["kano"]["true_category"]
    assert out["category"].to_dict() == truth
    assert out.index.tolist() == list(truth)  # schema (category) order


def test_kano_summary_warns_when_coefficients_are_undefined():
    d = pd.DataFrame(
        {"attribute": "x", "functional": ["like", "dislike"], "dysfunctional": ["like", "dislike"]}
    )
    with pytest.warns(UserWarning, match="undefined"):
        out = kano_summary(d)
    assert np.isnan(out.loc["x", "better"]) and out.loc["x", "category"] == "questionable"


def test_kano_summary_errors():
    d = _answers_from_counts({"x": STP25["Hotline"]})
    with pytest.raises(InputError, match="no column 'atribute'"):
        kano_summary(d, attribute="atribute")
    with pytest.raises(InputError, match="tie_margin"):
        kano_summary(d, tie_margin=5)
    with pytest.raises(InputError, match="attribute: 1 missing"):
        kano_summary(d.assign(attribute=[None] + d.attribute.tolist()[1:]))
    with pytest.raises(InputError, match="no rows"):
        kano_summary(d.iloc[:0])
    with pytest.raises(InputError, match="not Kano answers"):
        kano_summary(d.assign(functional="maybe"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 500), min_size=4, max_size=4).filter(lambda c: sum(c) > 0))
def test_coefficients_stay_in_their_ranges(counts):
    a, o, m, i = counts
    out = satisfaction_coefficients(a, o, m, i).iloc[0]
    assert 0 <= out["better"] <= 1
    assert -1 <= out["worse"] <= 0
    assert out["better"] - out["worse"] == pytest.approx((a + 2 * o + m) / (a + o + m + i))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(ANSWERS), st.sampled_from(ANSWERS)),
        min_size=1,
        max_size=40,
    )
)
def test_kano_summary_counts_every_answer(rows):
    import warnings

    d = pd.DataFrame(rows, columns=["attribute", "functional", "dysfunctional"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out = kano_summary(d)
    assert out[list(KANO_CATEGORIES)].sum(axis=1).tolist() == out["n"].tolist()
    assert out["n"].sum() == len(d)
    assert set(out["category"]) <= set(KANO_CATEGORIES)


def _survey(**cols):
    base = {"satisfaction": 5, "effort": 1, "i1": 5, "i2": 5, "i3": 5, **cols}
    n = max([len(v) for v in base.values() if isinstance(v, list)], default=1)
    return pd.DataFrame({k: v if isinstance(v, list) else [v] * n for k, v in base.items()})


@pytest.mark.parametrize(
    "answers, level",
    [
        (dict(satisfaction=1), "below"),
        (dict(satisfaction=3, effort=1), "below"),
        (dict(satisfaction=4), "satisfy"),
        (dict(satisfaction=5, effort=3), "exceed"),  # very satisfied but not easy
        (dict(satisfaction=5, effort=2, i3=3), "exceed"),  # one item below good
        (dict(satisfaction=5, effort=2, i2=4, i3=4), "delight"),  # 1 of 3 excellent: under 70%
        (dict(satisfaction=5, effort=2, i3=4), "delight"),  # 2 of 3 = 67%: under 70%
        (dict(satisfaction=5, effort=2), "amaze"),
        (dict(satisfaction=5, effort=1, i2=None, i3=None), "amaze"),  # blanks: answered items only
        (dict(satisfaction=5, effort=1, i1=None, i2=None, i3=None), "exceed"),  # nothing answered
    ],
)
def test_service_level_rule(answers, level):
    assert service_level(_survey(**answers), items=["i1", "i2", "i3"]).iloc[0] == level


def test_service_level_is_an_ordered_categorical_and_thresholds_move():
    d = _survey(satisfaction=[2, 4, 5, 5], effort=[1, 1, 3, 1], i3=[5, 5, 5, 4])
    out = service_level(d, items=["i1", "i2", "i3"])
    assert out.cat.ordered and list(out.cat.categories) == list(SERVICE_LEVELS)
    assert out.tolist() == ["below", "satisfy", "exceed", "delight"]
    assert (out.cat.codes.diff().dropna() > 0).all()  # ordered: below < satisfy < exceed < delight
    relaxed = service_level(d, items=["i1", "i2", "i3"], max_effort=3, excellent_share=0.6)
    assert relaxed.tolist() == ["below", "satisfy", "amaze", "amaze"]


def test_service_level_on_the_course_data():
    from cxlib.data import load

    s = load("survey")
    out = service_level(s)
    counts = out.value_counts()
    assert counts.sum() == len(s) and (counts > 0).all()
    assert (out[s.satisfaction <= 3] == "below").all()


def test_service_level_errors():
    d = _survey()
    with pytest.raises(InputError, match="satisfaction: 1 value outside the allowed range 1 to 5"):
        service_level(_survey(satisfaction=6), items=["i1"])
    with pytest.raises(InputError, match="satisfaction: 1 missing"):
        service_level(_survey(satisfaction=None), items=["i1"])
    with pytest.raises(InputError, match="i1: 1 value outside the allowed range"):
        service_level(_survey(i1=7), items=["i1"])
    with pytest.raises(InputError, match="no column 'people_friendliness'"):
        service_level(d)  # default items are the survey's
    with pytest.raises(InputError, match="max_effort"):
        service_level(d, items=["i1"], max_effort=0)
    with pytest.raises(InputError, match="excellent_share"):
        service_level(d, items=["i1"], excellent_share=70)
    with pytest.raises(InputError, match="good"):
        service_level(d, items=["i1"], good=6)
    with pytest.raises(InputError, match="at least one"):
        service_level(d, items=[])


def _level_survey(seed=0, n=600):
    rng = np.random.default_rng(seed)
    lv = rng.choice(["below", "satisfy", "exceed", "delight", "amaze"], n, p=[0.3, 0.35, 0.15, 0.12, 0.08])
    base = pd.Series(lv).map({"below": 0, "satisfy": 1, "exceed": 2, "delight": 3, "amaze": 4}).to_numpy()
    recommend = np.clip(np.round(5 + 1.2 * base + rng.normal(0, 1.5, n)), 0, 10).astype(int)
    buy_again = np.clip(np.round(2.5 + 0.6 * base + rng.normal(0, 0.8, n)), 1, 5).astype(int)
    return pd.DataFrame({"service_level": lv, "recommend": recommend, "buy_again": buy_again})


def test_levels_outcomes_by_hand():
    pytest.importorskip("cxlib.metrics")
    from statsmodels.stats.proportion import proportion_confint

    from cxlib.levels import levels_outcomes

    d = _level_survey()
    out = levels_outcomes(d)
    assert out.index.tolist() == list(SERVICE_LEVELS)  # lowest level first
    assert out.columns.get_level_values(0).unique().tolist() == ["responses", "repurchase", "nps"]
    assert (
        out["repurchase"].columns.tolist() == out["nps"].columns.tolist() == ["estimate", "se", "low", "high"]
    )
    assert out["responses", "n"].sum() == len(d) and out["responses", "percent"].sum() == pytest.approx(100)
    rep, nps_table = out["repurchase"], out["nps"]
    for lv, g in d.groupby("service_level"):
        k, n = int((g.buy_again == 5).sum()), len(g)
        assert rep.loc[lv, "estimate"] == pytest.approx(100 * k / n)
        # Wilson score interval, statsmodels proportion_confint(method="wilson")
        lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert (rep.loc[lv, "low"], rep.loc[lv, "high"]) == pytest.approx((100 * lo, 100 * hi))
        nps = 100 * ((g.recommend >= 9).mean() - (g.recommend <= 6).mean())
        assert nps_table.loc[lv, "estimate"] == pytest.approx(nps)
        assert nps_table.loc[lv, "low"] <= nps_table.loc[lv, "estimate"] <= nps_table.loc[lv, "high"]
    # in these data loyalty and word of mouth climb with the level
    assert rep["estimate"].is_monotonic_increasing and nps_table["estimate"].is_monotonic_increasing
    top2 = levels_outcomes(d, top=2)
    assert (top2["repurchase", "estimate"] >= rep["estimate"]).all()


def test_levels_outcomes_computes_levels_when_missing():
    pytest.importorskip("cxlib.metrics")
    from cxlib.data import load
    from cxlib.levels import levels_outcomes

    s = load("survey")
    out = levels_outcomes(s)
    assert out.index.name == "service_level"
    assert out["responses", "n"].tolist() == service_level(s).value_counts().reindex(out.index).tolist()


def test_levels_outcomes_errors():
    pytest.importorskip("cxlib.metrics")
    from cxlib.levels import levels_outcomes

    d = _level_survey(n=50)
    with pytest.raises(InputError, match="'Amaze' are not levels of service.*did you mean 'amaze'"):
        levels_outcomes(
            d.assign(service_level=np.where(d.service_level == "amaze", "Amaze", d.service_level))
        )
    with pytest.raises(InputError, match="missing level"):
        levels_outcomes(d.assign(service_level=[None] + d.service_level.tolist()[1:]))
    with pytest.raises(InputError, match="no column 'recomend'"):
        levels_outcomes(d, recommend="recomend")
    with pytest.raises(ValueError):
        levels_outcomes(d.assign(recommend=d.recommend + 5))  # off the 0-10 scale
