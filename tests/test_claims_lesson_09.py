"""Lesson 9's claims: every recorded name has a truth, the truth measures what the lesson estimates,
and the retention gap's interval keeps its confidence level at the lesson's size.

The sweep (``cxkit claims``) judges the lesson against these truths over many businesses; here the
parts that need no kernel. The retention gap (retention of the most satisfied level minus levels 1-2)
is checked two ways: its truth counts exactly the customers the lesson counts (a hand-built table),
and Newcombe's interval covers the generator's true gap at its nominal rate when the two groups are
drawn at the lesson's sizes (a direct simulation: far cheaper than notebook sweeps, and exact for the
generator, whose customers leave and buy independently of one another given their level).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import DATASETS, ROOT

from cxlib import metrics
from cxlib.kit.truths import Context, lesson_09
from cxlib.record import collect_details

NOTEBOOK = ROOT / "notebooks" / "09_customer_value.ipynb"


def test_the_gap_counts_each_buyer_of_the_year_once_by_the_first_answer_given_by_its_end():
    # Customers 1-4 bought in 2024; 5 only in 2025 (not a customer of 2024). Customer 1 answered 5 then 1:
    # the first answer counts. Customer 4 first answered in 2025: left out (it would look into the future).
    purchases = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 3, 3, 4, 4, 5],
            "date": pd.to_datetime(
                [
                    "2024-03-01",
                    "2025-02-01",
                    "2024-05-01",
                    "2024-07-01",
                    "2025-06-01",
                    "2024-01-05",
                    "2025-01-05",
                    "2025-03-01",
                ]
            ),
            "margin": [10.0, 12.0, 8.0, 5.0, 6.0, 7.0, 7.0, 9.0],
        }
    )
    survey = pd.DataFrame(
        {
            "response_id": [1, 2, 3, 4, 5, 6],
            "customer_id": [1, 2, 3, 1, 4, 5],
            "month": pd.to_datetime(
                ["2024-04-01", "2024-06-01", "2024-08-01", "2024-09-01", "2025-02-01", "2024-02-01"]
            ),
            "satisfaction": [5, 2, 1, 1, 1, 5],
        }
    )
    m = lesson_09._measures(purchases, survey, 2024)
    assert sorted(m["joined"].index) == [1, 2, 3]
    # level 5: customer 1, retained; levels 1-2: customers 2 (lost) and 3 (retained)
    assert m["gap"] == pytest.approx(1.0 - 0.5)
    assert m["by_level"]["size"].to_dict() == {1: 1, 2: 1, 5: 1}


@pytest.mark.parametrize("confidence", [0.8, 0.95])
def test_the_retention_gap_interval_covers_the_true_gap_at_the_lessons_size(confidence):
    # The shipped business: about 260 customers at level 5 and 150 at levels 1-2 (about 10% of them at
    # level 1); the groups are drawn at those sizes from the generator's exact retention. 20,000 draws:
    # the coverage is known to within about 0.006 (95%) and 0.008 (80%), two standard errors.
    p = lesson_09.exact_retention_by_level()
    rng = np.random.default_rng(9)
    draws, n_top, n_low = 20_000, 260, 150
    n1 = rng.binomial(n_low, 0.1, draws)
    low = rng.binomial(n1, p[1]) + rng.binomial(n_low - n1, p[2])
    top = rng.binomial(n_top, p[5], draws)
    true_gap = p[5] - (0.1 * p[1] + 0.9 * p[2])
    got = metrics.share_difference_from_counts(top, n_top, low, n_low, confidence=confidence)
    covered = ((got["low"] <= 100 * true_gap) & (100 * true_gap <= got["high"])).mean()
    assert covered == pytest.approx(confidence, abs=0.01)


@pytest.mark.slow
def test_the_retention_gap_truth_is_the_generators_retention_by_level():
    # The truth regenerates the shipped business at 40 times its size; its retention by level is the
    # generator's exact one within the regeneration's own sampling error (about 2 points at level 1).
    ctx = Context(0, {"year": 2024, "discount": 0.10, "confidence": 0.95}, DATASETS)
    exact = lesson_09.exact_retention_by_level()
    by_level = lesson_09._pop(ctx)["by_level"]
    for level, row in by_level.iterrows():
        se = np.sqrt(exact[level] * (1 - exact[level]) / row["size"])
        assert abs(row["mean"] - exact[level]) < 4 * se, level
    recorded = collect_details(NOTEBOOK)["retention_gap"]
    assert recorded["low"] <= lesson_09._retention_gap(ctx).value <= recorded["high"]
