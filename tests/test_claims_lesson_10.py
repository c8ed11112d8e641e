"""Lesson 10's claims: every recorded name has a truth, and the waves' difference is what the lesson says.

The difference between the two waves' collapsed estimates is recorded with an interval built from
three groups of branches (each wave's own changes, and the never-trained branches' change at the
first split minus their change at the second). That decomposition must give exactly the difference
of the two collapsed estimates, or the interval would not be about the number it is printed with.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import DATASETS, ROOT

from cxlib import data, scales, tracking
from cxlib.kit.truths import Context, lesson_10
from cxlib.record import collect_details

NOTEBOOK = ROOT / "notebooks" / "10_tracking_improvement.ipynb"
CLAIMS = {c.name: c for c in lesson_10.CLAIMS}


def _ctx(**params):
    return Context(0, {"confidence": 0.95, "branch": "Brookside", "sigma": 3, **params}, DATASETS)


def test_the_wave_difference_truth_is_the_earlier_waves_mean_effect_minus_the_later_ones():
    by_branch = json.loads((DATASETS / "truth.json").read_text())["training"]["by_branch"]
    october = np.mean([by_branch[b]["att_people_score"] for b in ("Brookside", "Eastleigh", "Hillcrest")])
    april = np.mean([by_branch[b]["att_people_score"] for b in ("Carlton", "Fairview", "Juniper")])
    for branch in ("Brookside", "Carlton"):  # the same truth whichever branch the lesson follows
        truth = CLAIMS["wave_difference"].truth(_ctx(branch=branch))
        assert truth.value == pytest.approx(october - april, abs=1e-12)
    assert truth.value == pytest.approx(0.0270, abs=5e-5)  # the shipped truth.json: 0.3959 - 0.3689


def test_the_three_groups_of_branches_give_exactly_the_difference_of_the_two_collapsed_estimates():
    survey, training = data.load("survey", DATASETS), data.load("training", DATASETS)
    survey["people"] = scales.factor_scores(survey)["people"]
    scored = survey.dropna(subset=["people"])
    never = training.loc[~training["trained"], "branch"].astype(str).tolist()
    waves = sorted(
        (s, m["branch"].astype(str).tolist()) for s, m in training[training["trained"]].groupby("start_month")
    )
    estimates, changes = [], []
    for split, wave in waves:
        part = scored[scored["branch"].isin(wave + never)]
        part = part.assign(
            treated=part["branch"].isin(wave).astype(int), post=(part["month"] > split).astype(int)
        )
        estimates.append(
            tracking.collapsed_diff_in_diff(part, "people", "treated", "post", "branch").estimate
        )
        means = scored.groupby([scored["branch"].astype(str), scored["month"] > split])["people"].mean()
        changes.append(means.xs(True, level=1) - means.xs(False, level=1))
    (_, first), (_, second) = waves
    from_groups = (
        changes[0][first].mean() - changes[1][second].mean() - (changes[0] - changes[1])[never].mean()
    )
    assert from_groups == pytest.approx(estimates[0] - estimates[1], abs=1e-12)
    recorded = collect_details(NOTEBOOK)["wave_difference"]
    assert recorded["value"] == pytest.approx(from_groups, abs=1e-4)  # recorded to 4 significant digits
    assert recorded["low"] < recorded["value"] < recorded["high"]
