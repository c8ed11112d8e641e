"""Lesson 12's claims: every recorded name has a truth, and the truths are the lesson's estimands."""

from __future__ import annotations

import pytest
from conftest import DATASETS, ROOT
from lesson_claims import assert_agrees_with_clear_truths

from cxlib import data
from cxlib.kit.truths import Context, lesson_12
from cxlib.record import collect_details

NOTEBOOK = ROOT / "notebooks" / "12_listening.ipynb"
CLAIMS = {c.name: c for c in lesson_12.CLAIMS}


@pytest.fixture
def small_population(monkeypatch):
    """A 4x regeneration instead of 20x, so the test stays fast."""
    monkeypatch.setattr(lesson_12, "SCALE", 4)
    lesson_12._population.cache_clear()
    yield
    lesson_12._population.cache_clear()


def _ctx(**params):
    return Context(0, {"confidence": 0.95, "branch": None, "n_read": 8, **params}, DATASETS)


def test_every_recorded_name_has_a_truth_and_every_truth_is_recorded():
    assert set(collect_details(NOTEBOOK)) == set(CLAIMS)


def test_the_stored_lesson_agrees_with_every_clear_truth_on_the_shipped_data(small_population):
    # a 4x population is too small to judge the coverage of 30 intervals: verdicts only
    assert_agrees_with_clear_truths(NOTEBOOK, CLAIMS.values(), _ctx(), intervals=False)


def test_the_truths_are_what_the_codebook_finds_and_differ_from_the_generators_topic_shares(small_population):
    """The codebook's delivery pattern also counts 'the delivery was not late': the population value of
    the lesson's estimate lies above the generator's true share, and the truths say so."""
    true_share = 100 * data.load_truth()["comments"]["topics"]["delivery"]["prevalence_by_group"]["detractor"]
    coded_share = CLAIMS["prevalence_delivery_detractor"].truth(_ctx()).value
    assert coded_share > true_share + 1
    # complaints go with lower ratings and praise with higher, in the population too
    assert CLAIMS["gap_praise"].truth(_ctx()).value > 0 > CLAIMS["gap_unresolved"].truth(_ctx()).value
    assert 80 < CLAIMS["name_recall"].truth(_ctx()).value < 100
