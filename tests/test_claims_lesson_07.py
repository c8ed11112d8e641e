"""Lesson 7's claims: every recorded name has a truth, and the truths decide as the design says."""

from __future__ import annotations

import pytest
from conftest import DATASETS, ROOT

from cxlib.kit.truths import Context, lesson_07
from cxlib.record import collect_details

NOTEBOOK = ROOT / "notebooks" / "07_levels_of_service.ipynb"
CLAIMS = {c.name: c for c in lesson_07.CLAIMS}


@pytest.fixture
def small_population(monkeypatch):
    """Population truths from a smaller regeneration, so the test stays fast (the sweep uses 40x)."""
    monkeypatch.setattr(lesson_07, "POPULATION_SCALE", 4.0)
    lesson_07._LEVELS.clear()
    yield
    lesson_07._LEVELS.clear()


def _ctx(**params):
    return Context(0, {"confidence": 0.95, "max_effort": 2, **params}, DATASETS)


def test_every_recorded_name_has_a_truth_and_every_truth_is_recorded():
    assert set(collect_details(NOTEBOOK)) == set(CLAIMS)


def test_the_stored_lesson_agrees_with_every_clear_truth_on_the_shipped_data(small_population):
    recorded = collect_details(NOTEBOOK)
    for name, claim in CLAIMS.items():
        truth = claim.truth(_ctx())
        if truth is None or claim.kind == "interval":  # a 4x population is too small to judge coverage
            continue
        if truth.clear:
            assert recorded[name]["value"] == truth.value, name


def test_kano_truths_use_the_share_that_lands_in_each_category_not_the_generators_rule():
    share = CLAIMS["kano_share_in_line"].truth(_ctx()).value
    assert 0.66 < share < 0.70  # 60% answer typically, others' answers land in the category too
    assert CLAIMS["kano_correct"].truth(_ctx()) == lesson_07.Truth(8, clear=True)


def test_steps_at_the_bottom_are_clear_and_at_the_top_they_are_not(small_population):
    assert CLAIMS["step_nps_below_satisfy"].truth(_ctx()) == lesson_07.Truth("rises", clear=True)
    assert not CLAIMS["step_repurchase_exceed_delight"].truth(_ctx()).clear
