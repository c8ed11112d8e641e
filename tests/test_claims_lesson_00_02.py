"""Lessons 0, 1 and 2 against the truth of the shipped business (seed 0), with their default parameters.

``cxkit claims`` checks the lessons over many businesses and parameters; this test keeps the stored
notebooks honest between sweeps: every name they record has a registered claim, and on the shipped
data every interval covers its truth, every verdict the truth decides clearly agrees with it, and
every count is exact. (Seed 0 is one business: a 95% interval may miss in another, which is what the
sweep measures.)
"""

from __future__ import annotations

import pytest
from conftest import ROOT

from cxlib.kit.notebooks import read_source
from cxlib.kit.roster import notebook_parameters
from cxlib.kit.truths import Context, registry
from cxlib.record import collect_details

LESSONS = ["00_welcome", "01_three_factors", "02_measuring_factors"]


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_the_stored_lesson_agrees_with_the_truth_of_the_shipped_data(lesson):
    notebook = ROOT / "notebooks" / f"{lesson}.ipynb"
    recorded = collect_details(notebook)
    claims = {c.name: c for c in registry()[lesson]}
    assert set(recorded) == set(claims), "every recorded name has a claim, and every claim is recorded"
    ctx = Context(0, notebook_parameters(notebook), ROOT / "datasets")
    for name, claim in claims.items():
        truth = claim.truth(ctx)
        got = recorded[name]
        if claim.kind == "interval":
            assert got["low"] <= truth.value <= got["high"], (name, got, truth)
        elif claim.kind == "verdict" and truth.clear:
            assert got["value"] == truth.value, (name, got, truth)
        elif claim.kind == "estimate" and isinstance(truth.value, int):
            assert got["value"] == truth.value, (name, got, truth)
        elif claim.kind == "estimate":
            assert got["value"] == pytest.approx(truth.value, abs=0.05 * abs(truth.value)), (name, got, truth)


@pytest.mark.parametrize("lesson", LESSONS[1:])
def test_the_sweep_covers_every_branch_and_the_four_confidence_levels(lesson):
    from cxlib import synth

    sweep = read_source(ROOT / "notebooks" / f"{lesson}.md").metadata["cxkit"]["sweep"]
    assert sorted(sweep["branch"]) == sorted(synth.BRANCHES)
    assert sweep["confidence"] == [0.8, 0.9, 0.95, 0.99]


def test_no_channel_difference_is_the_truth_and_it_is_judged_where_the_family_rarely_errs(tmp_path):
    # The truth says every channel-factor difference is 0 because the generator draws the channel
    # independently of the factors. Check that on a business 10 times the course's size: each channel's
    # mean factor score against the first channel's, within 4 standard errors of 0 (responses as
    # independent is enough here: the check is about the generator, not an interval).
    import numpy as np

    from cxlib import scales, synth
    from cxlib.kit.truths import lesson_01

    survey = synth.generate(seed=0, scale=10, comments=False)[0]["survey"]
    scores = scales.factor_scores(survey)
    channel = survey["channel"].astype(str).to_numpy()
    base = sorted(set(channel))[0]
    for factor in lesson_01.FACTORS:
        a = scores.loc[channel == base, factor].dropna()
        for other in sorted(set(channel) - {base}):
            b = scores.loc[channel == other, factor].dropna()
            se = np.sqrt(a.var() / len(a) + b.var() / len(b))
            assert abs(b.mean() - a.mean()) < 4 * se, (factor, other, b.mean() - a.mean(), se)
    for confidence, clear in ((0.8, False), (0.95, False), (0.99, True)):
        truth = lesson_01._channel_differences(Context(0, {"confidence": confidence}, tmp_path))
        assert truth.value == 0 and truth.clear is clear
