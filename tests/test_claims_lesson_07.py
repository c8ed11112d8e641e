"""Lesson 7's claims: every recorded name has a truth, and the truths decide as the design says."""

from __future__ import annotations

from conftest import DATASETS, ROOT
from lesson_claims import assert_agrees_with_clear_truths
from lesson_claims import small_population as small_population_of

from cxlib.kit.truths import Context, lesson_07
from cxlib.record import collect_details

NOTEBOOK = ROOT / "notebooks" / "07_levels_of_service.ipynb"
CLAIMS = {c.name: c for c in lesson_07.CLAIMS}


small_population = small_population_of(lesson_07, "_LEVELS")


def _ctx(**params):
    return Context(0, {"confidence": 0.95, "max_effort": 2, **params}, DATASETS)


def test_every_recorded_name_has_a_truth_and_every_truth_is_recorded():
    assert set(collect_details(NOTEBOOK)) == set(CLAIMS)


def test_the_stored_lesson_agrees_with_every_clear_truth_on_the_shipped_data(small_population):
    # a 4x population is too small to judge the coverage of an interval: verdicts only
    assert_agrees_with_clear_truths(NOTEBOOK, CLAIMS.values(), _ctx(), intervals=False)


def test_kano_truths_use_the_share_that_lands_in_each_category_not_the_generators_rule():
    share = CLAIMS["kano_share_in_line"].truth(_ctx()).value
    assert 0.66 < share < 0.70  # 60% answer typically, others' answers land in the category too
    assert CLAIMS["kano_correct"].truth(_ctx()) == lesson_07.Truth(8, clear=True)


def test_steps_at_the_bottom_are_clear_and_at_the_top_they_are_not(small_population):
    assert CLAIMS["step_nps_below_satisfy"].truth(_ctx()) == lesson_07.Truth("rises", clear=True)
    assert not CLAIMS["step_repurchase_exceed_delight"].truth(_ctx()).clear
