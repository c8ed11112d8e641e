"""Lesson 5's claims: every recorded name has a truth, and the truths decide as the design says.

The stored notebook ran on the shipped data (seed 0): every verdict the truth decides clearly must
agree with it there, and every interval recorded must be one the truth can judge.
"""

from __future__ import annotations

import pytest
from conftest import DATASETS, ROOT
from lesson_claims import assert_agrees_with_clear_truths

from cxlib.kit.truths import Context, lesson_05
from cxlib.record import collect_details

NOTEBOOK = ROOT / "notebooks" / "05_know_your_customers.ipynb"
CLAIMS = {c.name: c for c in lesson_05.CLAIMS}


def _ctx(**params):
    return Context(0, {"confidence": 0.95, "top": 5, **params}, DATASETS)


def test_every_recorded_name_has_a_truth_and_every_truth_is_recorded():
    assert set(collect_details(NOTEBOOK)) == set(CLAIMS)


def test_the_stored_lesson_agrees_with_every_clear_truth_on_the_shipped_data():
    assert_agrees_with_clear_truths(NOTEBOOK, CLAIMS.values(), _ctx())


def test_a_large_gap_is_clear_and_a_tiny_one_is_not():
    speed = CLAIMS["gap_speed_of_service"].truth(_ctx())
    assert speed.value == "over-rated by staff" and speed.clear
    advice = CLAIMS["gap_knowledgeable_advice"].truth(_ctx())  # true gap about -0.09 points
    assert advice.value == "under-rated by staff" and not advice.clear


@pytest.mark.parametrize("confidence, clear", [(0.8, False), (0.95, False), (0.99, True)])
def test_no_difference_between_statements_is_clear_only_when_the_test_rarely_errs(confidence, clear):
    # the generator draws a dimension's statements alike: a test at level alpha says so 1 - alpha of the time
    truth = CLAIMS["servqual_items_differ"].truth(_ctx(confidence=confidence))
    assert truth.value is False and truth.clear is clear


def test_the_top_list_overlap_follows_the_true_means():
    assert CLAIMS["top_list_overlap"].truth(_ctx(top=5)).value == 3
    assert CLAIMS["top_list_overlap"].truth(_ctx(top=3)).value == 0
