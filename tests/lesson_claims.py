"""Helpers for the tests of a lesson's claims (tests/test_claims_lesson_NN.py)."""

from __future__ import annotations

import pytest

from cxlib.record import collect_details


def assert_agrees_with_clear_truths(notebook, claims, ctx, intervals: bool = True) -> None:
    """The stored notebook agrees with every clear verdict of the truth (and its intervals cover it)."""
    recorded = collect_details(notebook)
    for claim in claims:
        truth = claim.truth(ctx)
        if truth is None:
            continue
        got = recorded[claim.name]
        if claim.kind == "interval" and intervals:
            assert got["low"] <= truth.value <= got["high"], claim.name
        elif claim.kind == "verdict" and truth.clear:
            assert got["value"] == truth.value, claim.name


def small_population(module, cache_name: str):
    """A fixture: the module's population truths from a 4x regeneration, so a test stays fast."""

    @pytest.fixture
    def fixture(monkeypatch):
        monkeypatch.setattr(module, "POPULATION_SCALE", 4.0)
        getattr(module, cache_name).clear()
        yield
        getattr(module, cache_name).clear()

    return fixture
