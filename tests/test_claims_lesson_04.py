"""Lesson 4's claims: every recorded name has a truth, and the latent truth the lesson compares with.

``truth.json: drivers_latent`` holds what a driver analysis of the same customers would find with
perfectly measured perceptions. The lesson's claim that relative weights stay close to it while beta
weights move (measurement error) is checked here on the shipped data, and the recorded names against
the registered truths.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import DATASETS, ROOT

from cxlib import data, drivers, scales, synth
from cxlib.kit.truths import Context, lesson_04
from cxlib.record import collect_details

NOTEBOOK = ROOT / "notebooks" / "04_drivers.ipynb"
FACTORS = list(data.FACTORS)


def test_the_truth_file_holds_the_latent_drivers_of_the_chain_and_every_branch():
    latent = data.load_truth()["drivers_latent"]
    assert set(latent) == {"whole chain", *synth.BRANCHES}
    for scope, found in latent.items():
        shares = pd.Series(found["relative_weight_percent"])
        assert shares.sum() == pytest.approx(100, abs=0.05), scope
        # the generator's weights (practices .5, people .35, environment .12) on factors of similar spread
        assert shares.sort_values().index.tolist() == ["environment", "people", "practices"], scope
        assert pd.Series(found["beta"]).idxmax() == "practices", scope


def test_relative_weights_stay_near_the_latent_ones_while_betas_move():
    survey = data.load("survey")
    scores = scales.factor_scores(survey).join(survey["satisfaction"])
    latent = data.load_truth()["drivers_latent"]["whole chain"]
    rw = drivers.relative_weights(scores, "satisfaction", FACTORS, missing="listwise")["percent"]
    beta = drivers.key_drivers(scores, "satisfaction", FACTORS, missing="listwise")["estimate"]
    latent_beta = pd.Series(latent["beta"])
    rw_gap = (rw - pd.Series(latent["relative_weight_percent"])).abs().max()
    beta_gap = (100 * beta / beta.sum() - 100 * latent_beta / latent_beta.sum()).abs().max()
    assert rw_gap < 3 < beta_gap  # measurement error: the weakest factor's beta share is inflated
    assert (100 * beta / beta.sum())["environment"] > (100 * latent_beta / latent_beta.sum())["environment"]


def test_lmg_stays_within_half_a_point_of_relative_weights_in_every_scope():
    # lesson_04's methods_agree_on_ranking takes the clear margin of relative weights for LMG too
    survey = data.load("survey")
    scores = scales.factor_scores(survey).join(survey[["satisfaction", "recommend", "buy_again", "branch"]])
    for branch in [None, *synth.BRANCHES]:
        part = scores if branch is None else scores[scores["branch"] == branch]
        for outcome in ("satisfaction", "recommend", "buy_again"):
            shares = {
                f.__name__: f(part, outcome, FACTORS, missing="listwise")["percent"]
                for f in (drivers.lmg, drivers.relative_weights)
            }
            assert (shares["lmg"] - shares["relative_weights"]).abs().max() < 0.5, (branch, outcome)


@pytest.mark.slow
def test_the_shipped_lesson_agrees_with_the_truth_of_the_shipped_business():
    ctx = Context(0, {"branch": None, "outcome": "satisfaction", "confidence": 0.95}, DATASETS)
    recorded = collect_details(NOTEBOOK)
    truths = {c.name: c.truth(ctx) for c in lesson_04.CLAIMS}
    assert truths["driver_ranking"] == lesson_04.Truth("practices > people > environment", clear=True)
    assert recorded["driver_ranking"]["value"] == truths["driver_ranking"].value
    assert truths["methods_agree_on_ranking"] == lesson_04.Truth(True, clear=True)
    assert recorded["methods_agree_on_ranking"]["value"] is True
    for name in [f"{m}_share_{f}" for m in ("rw", "lmg") for f in FACTORS]:
        got = recorded[name]
        assert got["low"] <= truths[name].value <= got["high"], name


def test_a_trained_branch_truth_is_what_course_size_samples_of_it_estimate():
    # The 20-seed sweep's share misses fell in branches trained part-way through the period, which
    # raised the suspicion that the truth mixes the months before and after the training differently
    # from the course's samples. A seeded Monte Carlo at the lesson's size: draws of course-size samples
    # of Hillcrest (trained 2024-10) from the same business regenerated at SCALE times the size, each
    # customer kept with chance 1/SCALE (all their responses, as the generator's own samples hold them).
    # The truth (the shares of the whole regeneration, as lesson_04 computes them) must be what the
    # draws estimate, and the lesson's customer bootstrap must give their spread (Efron & Tibshirani
    # 1993, ch. 6: the bootstrap standard error estimates the estimator's sampling standard deviation).
    scale, branch, outcome = 6, "Hillcrest", "satisfaction"
    survey = synth.generate(seed=0, scale=scale)[0]["survey"]
    whole = lesson_04._frame(survey, branch).join(
        survey.loc[survey["branch"] == branch, "customer_id"].reset_index(drop=True)
    )

    def shares(frame):
        return drivers.relative_weights(frame, outcome, FACTORS, missing="listwise")["percent"]

    truth = shares(whole)
    rng = np.random.default_rng(20241001)
    customer = pd.factorize(whole["customer_id"])[0]
    draws, boot_se = [], []
    for i in range(40):
        sample = whole[rng.random(customer.max() + 1)[customer] < 1 / scale].reset_index(drop=True)
        draws.append(shares(sample))
        if i < 8:  # the lesson's bootstrap: resample whole customers, recompute, take the spread
            own = pd.factorize(sample["customer_id"])[0]
            k = own.max() + 1
            boot = [
                shares(
                    sample.iloc[
                        np.repeat(
                            np.arange(len(sample)), np.bincount(rng.integers(0, k, k), minlength=k)[own]
                        )
                    ]
                )
                for _ in range(100)
            ]
            boot_se.append(pd.DataFrame(boot).std())
    draws = pd.DataFrame(draws)
    # two draws share about 1/scale of their customers: undo that finite-population shrinkage
    spread = draws.std() / np.sqrt(1 - 1 / scale)
    assert ((draws.mean() - truth).abs() < 0.5 * spread).all(), (draws.mean() - truth) / spread
    ratio = pd.DataFrame(boot_se).mean() / spread
    assert ((ratio > 0.8) & (ratio < 1.25)).all(), ratio
