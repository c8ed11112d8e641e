"""Lesson 8's claims: every recorded name has a truth, and the two exact-zero truths hold in the generator.

Two truths are zero by construction (see their docstrings in :mod:`cxlib.kit.truths.lesson_08`): an
early delivery's effect on the overall rating, and the correlation between a repeat customer's first
two orders. Rather than trust the argument alone, a large regeneration of the touchpoints measures
both, with the lesson's own grouping, and must find them within sampling error of zero; the same
measurement must also see a planted effect of the size the lesson could report, so it can fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import DATASETS, ROOT

from cxlib import synth
from cxlib.kit.truths import Context, lesson_08

NOTEBOOK = ROOT / "notebooks" / "08_moments_of_truth.ipynb"
CLAIMS = {c.name: c for c in lesson_08.CLAIMS}


def _ctx(**params):
    return Context(0, {"confidence": 0.95, "branch": None, **params}, DATASETS)


@pytest.fixture(scope="module")
def orders():
    """180,000 generated orders from 20,000 customers (about nine orders each)."""
    df, _ = synth._touchpoints(np.random.default_rng(8), 60, 20000)
    return df


def _early_minus_on_the_day(orders: pd.DataFrame) -> tuple[float, float]:
    """The lesson's comparison: a day or more early minus up to a day early, and its standard error."""
    early_by = orders["promised_days"] - orders["processing_days"]
    a = orders.loc[early_by >= 1, "overall"]
    b = orders.loc[(early_by >= 0) & (early_by < 1), "overall"]
    return float(a.mean() - b.mean()), float(np.sqrt(a.var() / len(a) + b.var() / len(b)))


def _first_two_orders_correlation(orders: pd.DataFrame) -> tuple[float, int]:
    """The lesson's check: contacts 1-2 of a customer's first order against their second order's."""
    ranked = orders.sort_values("order_id").assign(
        k=lambda d: d.groupby("customer_id").cumcount(),
        before=lambda d: d[["contact_1", "contact_2"]].astype(float).mean(axis=1),
    )
    pairs = ranked[ranked["k"] < 2].pivot(index="customer_id", columns="k", values="before").dropna()
    return float(np.corrcoef(pairs[0], pairs[1])[0, 1]), len(pairs)


def test_an_early_delivery_and_a_customers_other_order_are_worth_exactly_zero_by_the_truth():
    for branch in (None, "Brookside"):
        assert CLAIMS["early_delivery_effect"].truth(_ctx(branch=branch)) == lesson_08.Truth(0.0)
        assert CLAIMS["repeat_customer_correlation"].truth(_ctx(branch=branch)) == lesson_08.Truth(0.0)


def test_the_generator_gives_an_early_delivery_no_effect(orders):
    diff, se = _early_minus_on_the_day(orders)
    assert se < 0.02  # 180,000 orders: precise enough to see the +-0.2 a branch's interval reaches
    assert abs(diff) < 4 * se, (diff, se)
    # the same measurement sees an effect of the size the swept branches reported (+0.3 points)
    planted = orders.assign(overall=orders["overall"].astype(float))
    early = (planted["promised_days"] - planted["processing_days"]) >= 1
    planted.loc[early, "overall"] += 0.3
    diff, se = _early_minus_on_the_day(planted)
    assert diff > 4 * se


def test_the_generator_draws_a_repeat_customers_orders_independently(orders):
    r, n = _first_two_orders_correlation(orders)
    assert n > 15000
    assert abs(r) < 4 / np.sqrt(n), (r, n)
    # a customer term of a third of the halo's SD would show: the measurement can fail
    tendency = np.random.default_rng(1).normal(0, 0.33, size=orders["customer_id"].max() + 1)
    shifted = orders.copy()
    for c in ("contact_1", "contact_2"):
        shifted[c] = shifted[c].astype(float) + tendency[shifted["customer_id"]]
    r, n = _first_two_orders_correlation(shifted)
    assert r > 4 / np.sqrt(n)
