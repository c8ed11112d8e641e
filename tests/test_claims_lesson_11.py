"""The capstone's claims (``cxlib.kit.truths.lesson_11``): the truth functions and the stored notebook.

``cxkit claims`` checks the capstone over many businesses and parameters; these tests keep the truth
functions and the stored notebook honest between sweeps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from cxlib import synth
from cxlib.kit.notebooks import read_source
from cxlib.kit.roster import notebook_parameters
from cxlib.kit.truths import Context, lesson_11, registry
from cxlib.record import collect_details

LESSON = "11_capstone"


def test_per_contact_recovers_known_weights_by_position():
    # overall = sum of known weights times each contact's rating: the last contact weighs 0.30 more
    # than the average of the others in every sequence length, so the contrast is 0.30 whatever the mix
    rng = np.random.default_rng(5)
    weights = {3: [0.20, 0.20, 0.50], 4: [0.10, 0.15, 0.05, 0.40], 5: [0.1, 0.1, 0.1, 0.1, 0.4]}
    frames = []
    for n, w in weights.items():
        ratings = rng.integers(1, 11, size=(400, n)).astype(float)
        frame = pd.DataFrame(ratings, columns=[f"contact_{k}" for k in range(1, n + 1)])
        frame["overall"] = 1.0 + ratings @ np.array(w) + rng.normal(0, 0.05, 400)
        frame["n_contacts"] = n
        frames.append(frame)
    orders = pd.concat(frames, ignore_index=True)
    for k in range(1, 6):
        orders[f"contact_{k}"] = orders.get(f"contact_{k}", np.nan)
    est, se = lesson_11._per_contact(orders)
    assert est == pytest.approx(0.30, abs=0.005)
    assert 0 < se < 0.005


#: the population's scale of the sweep (the fixture below lowers it for its own small business)
FULL_SCALE = lesson_11.SCALE


@pytest.fixture(scope="module")
def small_business(tmp_path_factory):
    """A business written like the sweep's, with its population regenerated at a small scale."""
    folder = tmp_path_factory.mktemp("seed-4")
    synth.write(folder, seed=4)
    old = lesson_11.SCALE
    lesson_11.SCALE = 3.0
    lesson_11.population_facts.cache_clear()
    yield folder
    lesson_11.SCALE = old
    lesson_11.population_facts.cache_clear()


def _truths(folder, confidence=0.95):
    ctx = Context(4, {"confidence": confidence, "discount": 0.1}, folder)
    return {c.name: c.truth(ctx) for c in registry()[LESSON]}


def test_truths_follow_the_generator(small_business):
    got = _truths(small_business)
    truth = Context(4, {}, small_business).truth
    assert got["training_effect"].value == truth["training"]["att_people_score"]
    assert got["training_works"].value is True and got["training_works"].clear
    assert got["training_effect_satisfaction"].value == truth["training"]["att_satisfaction"]
    # "concentrate here": the practices carry half of latent satisfaction and waiting is set 0.2 below
    # the other items on the latent scale; the environment weighs 0.12, so none of its items is important
    concentrate = {n[len("concentrate_") :]: g for n, g in got.items() if n.startswith("concentrate_")}
    assert set(concentrate) == set(synth.ITEMS)
    assert concentrate["practices_waiting"].value is True
    assert not any(concentrate[i].value for i in synth.ITEMS if i.startswith("env_"))
    assert all(concentrate[i].clear for i in synth.ITEMS if i.startswith("env_"))
    # the delivery plan: the generator sets a delay at -2 on the delivery contact, a warning at +1 and a
    # thank-you note at +0.8 on the last contact; the note reaches the 60% of orders without one, the
    # other two the tenth late without warning, so the note's gain is the largest by far
    coef = lesson_11.population_facts(4)["delivery_coef"]
    assert coef["delay"] < 0 < coef["told"] < -coef["delay"] and coef["note"] > 0
    assert [got[f"delivery_first_tier_{k}"].value for k in ("on_time", "warn", "note")] == [
        False,
        False,
        True,
    ]
    assert got["training_raises_satisfaction"].value is (truth["training"]["att_satisfaction"] > 0)
    assert got["largest_servqual_shortfall"].value == "reliability"
    assert got["servqual_largest_gap"].value == truth["servqual"]["reliability"]["gap"]
    assert got["staff_underrate_top_three"].value is True
    assert got["below_competitor_standard"].value == (
        "Northfield Furniture: env_appearance, env_cleanliness, env_comfort; "
        "QuickHome: practices_ordering, practices_waiting"
    )
    # per contact, the generator adds b_end = 0.25 to the last contact's weight
    assert got["end_weighs_most_per_contact"].value is True
    assert 0.15 < got["end_minus_other_contact"].value < 0.35
    assert 0 <= got["csat"].value <= 100
    # the survey over-represents in-store customers, who recommend more: the raked NPS estimates the
    # customers' NPS, the unweighted one the survey's mix of channels
    assert got["nps"].value == truth["channels"]["population_nps"]
    assert got["nps_surveyed"].value == truth["channels"]["sample_mix_nps"] > got["nps"].value
    # the value claims are priced with the generator's own survival and margin of a year as a customer,
    # not with a re-estimate of 'bought again the next year' (which runs above survival)
    survival = {int(k): v for k, v in truth["value"]["annual_retention_by_satisfaction"].items()}
    m = truth["value"]["expected_annual_margin_per_active_customer"]
    clv = {k: m * r / (1.1 - r) for k, r in survival.items()}
    assert got["recovered_customer_value"].value == pytest.approx(clv[4] - clv[2])
    n_level = lesson_11.run_facts(str(small_business.resolve()))["n_level"]
    top = clv[int(n_level.index.max())]
    expected = sum(n * max(top - clv[int(k)], 0) for k, n in n_level.items())
    assert got["value_at_risk"].value == pytest.approx(expected) and expected > 0
    assert {g.value for n, g in got.items() if n.startswith("branch_vs_rest_")} <= {
        "above the rest",
        "below the rest",
        "on par",
    }


def test_the_benchmark_list_is_targeted_only_where_holm_can_promise_it(small_business):
    # the list is a family verdict: at 80% confidence Holm lets a level item be flagged in up to
    # 20% of runs, so the truth reports it there without targeting it
    assert _truths(small_business, 0.95)["below_competitor_standard"].clear
    assert not _truths(small_business, 0.8)["below_competitor_standard"].clear


def test_the_sweep_covers_the_four_confidence_levels_and_several_discount_rates():
    sweep = read_source(ROOT / "notebooks" / f"{LESSON}.md").metadata["cxkit"]["sweep"]
    assert sweep["confidence"] == [0.8, 0.9, 0.95, 0.99]
    assert len(sweep["discount"]) >= 2 and all(0 <= d <= 0.5 for d in sweep["discount"])


#: Intervals of the stored notebook (seed 0) known to miss their truth, and why.
#: - effort_change: -0.216 [-0.298, -0.134] against -0.111, 2.5 standard errors off; on seeds 1-8 the
#:   same estimator minus its truth was +0.003, -0.042, +0.018, +0.016, +0.028, -0.003, +0.023, +0.065
#:   (no bias at this size), so seed 0's sample is an unlucky draw.
#: - annual_margin: $109.63 [106.34, 112.92] against $114.34: the monthly purchase chance of the 1,793
#:   surveyed customers is 0.241 [0.235, 0.248] against the generator's 0.25; the whole cohort gives
#:   0.249, and seed 1 covers ($115.63 [112.24, 119.02]).
#: The claims sweep measures both over seeds. The value at risk used to miss here: it priced every
#: level against the top level's own survival, which on seed 0 is tied with the next level's (0.82
#: against 0.81; true 0.87 and 0.78). Read from one curve fitted to every level
#: (value.survival_curve) it is $317k [245k, 411k] against a truth of $309k; over 40
#: generated businesses (seeds 0-39) its 95% interval covered 38 and its 80% interval 30.
MISSED_ON_SEED_0: set[str] = {"effort_change", "annual_margin"}


@pytest.mark.slow
def test_the_stored_capstone_agrees_with_the_truth_of_the_shipped_data(monkeypatch):
    # at the sweep's scale, whichever tests ran before (small_business lowers it for the module)
    monkeypatch.setattr(lesson_11, "SCALE", FULL_SCALE)
    lesson_11.population_facts.cache_clear()
    notebook = ROOT / "notebooks" / f"{LESSON}.ipynb"
    recorded = collect_details(notebook)
    claims = {c.name: c for c in registry()[LESSON]}
    assert set(recorded) == set(claims), "every recorded name has a claim, and every claim is recorded"
    ctx = Context(0, notebook_parameters(notebook), ROOT / "datasets")
    for name, claim in claims.items():
        truth = claim.truth(ctx)
        got = recorded[name]
        if name in MISSED_ON_SEED_0:
            # a 95% interval misses in about 1 run in 20; the claims sweep measures the rate over seeds
            assert not got["low"] <= truth.value <= got["high"], f"{name} now covers: drop it from the list"
        elif claim.kind == "interval":
            assert got["low"] <= truth.value <= got["high"], (name, got, truth)
        elif truth.clear:
            assert got["value"] == truth.value, (name, got, truth)


@pytest.mark.parametrize(
    ("top_step", "value", "clear"),
    [
        (20.0, True, True),  # every step at least (Bonferroni z over 8 + 1.645) = 4.4 standard errors
        (-1.0, False, True),  # a step that truly falls: the lesson finds a gain there in few runs
        (0.0, False, True),  # a flat step is not growth
        (3.0, True, False),  # grows by 1.5 standard errors: the lesson's data cannot show it
    ],
)
def test_loyalty_grows_is_decided_by_the_smallest_true_step(monkeypatch, top_step, value, clear):
    steps = ["below -> satisfy", "satisfy -> exceed", "exceed -> delight", "delight -> amaze"]
    true = pd.Series([30.0, 40.0, 15.0, top_step], index=steps)
    se = pd.Series(2.0, index=steps)
    monkeypatch.setattr(lesson_11, "_pop", lambda ctx: {"steps": {"nps": true, "repurchase": true}})
    monkeypatch.setattr(
        lesson_11, "_run", lambda ctx: {"steps": {"nps": (true, se), "repurchase": (true, se)}}
    )
    got = lesson_11._loyalty_grows(Context(0, {"confidence": 0.95}, "."))
    assert (got.value, got.clear) == (value, clear)


def test_loyalty_grows_is_not_decided_when_the_run_has_other_levels(monkeypatch):
    true = pd.Series([30.0, 40.0], index=["below -> satisfy", "satisfy -> exceed"])
    run = pd.Series([30.0], index=["below -> exceed"])
    monkeypatch.setattr(lesson_11, "_pop", lambda ctx: {"steps": {"nps": true, "repurchase": true}})
    monkeypatch.setattr(
        lesson_11, "_run", lambda ctx: {"steps": {"nps": (run, run), "repurchase": (run, run)}}
    )
    assert lesson_11._loyalty_grows(Context(0, {}, ".")) is None


def test_the_training_effect_on_satisfaction_is_the_same_responses_with_and_without_it(monkeypatch):
    # the generator's truth is each trained response's rating against the same response without the
    # training; generating again with no training effect (every random draw the same) gives those
    # responses, and the lesson's "active" months (after the start month) are the generator's trained ones
    tables, truth = synth.generate(seed=4, scale=0.3, comments=False)
    monkeypatch.setitem(synth.TRAINING, "effect", 0.0)
    untrained, _ = synth.generate(seed=4, scale=0.3, comments=False)
    survey = tables["survey"]
    assert (survey["response_id"] == untrained["survey"]["response_id"]).all()
    starts = tables["training"].set_index("branch")["start_month"]
    active = (survey["month"] > survey["branch"].astype(str).map(starts)).to_numpy()
    lift = (survey["satisfaction"] - untrained["survey"]["satisfaction"]).to_numpy()
    assert (lift[~active] == 0).all() and (lift[active] >= 0).all()
    assert truth["training"]["att_satisfaction"] == pytest.approx(lift[active].mean(), abs=5e-5)
    # the people factor's 0.45 latent lift reaches satisfaction through its weight: a clear gain
    assert 0.05 < truth["training"]["att_satisfaction"] < 0.45


@pytest.mark.parametrize(
    ("att", "se", "value", "clear"),
    [
        (0.17, 0.03, True, True),  # 5.7 standard errors: above t(9) 2.26 + 1.645
        (0.17, 0.05, True, False),  # 3.4 standard errors: the lesson's data miss it too often
        (-0.2, 0.03, False, True),  # a clear fall: the lesson rarely finds a gain
        (0.0, 0.03, False, False),  # no effect: saying so is not a margin the data can clear
    ],
)
def test_training_raises_satisfaction_is_clear_only_beyond_the_test_and_its_power(
    monkeypatch, att, se, value, clear
):
    ctx = Context(0, {"confidence": 0.95}, ".")
    ctx.__dict__["truth"] = {"training": {"att_satisfaction": att}}
    monkeypatch.setattr(lesson_11, "_run", lambda ctx: {"did_sat_se": se, "did_sat_clusters": 10})
    got = lesson_11._training_raises_satisfaction(ctx)
    assert (got.value, got.clear) == (value, clear)


@pytest.mark.parametrize(
    ("importance", "dev", "value", "clear"),
    [
        (3.0, -0.40, True, True),  # important by 3 sd, 0.2 below the line by 20 se: both sides settled
        (1.0, -0.40, True, False),  # importance 1 sd above an equal share: not settled
        (3.0, -0.21, True, False),  # a shortfall 1 se beyond the size that matters: not settled
        (-3.0, -0.21, False, True),  # clearly unimportant: out whatever the shortfall
        (1.0, -0.05, False, True),  # importance unsettled, but clearly short of the size that matters
        (-1.0, -0.19, False, False),  # neither side keeps it out with a margin
        (3.0, 0.30, False, True),  # rated above customers' own average: out
    ],
)
def test_concentrate_is_clear_only_where_each_deciding_side_is_settled(
    monkeypatch, importance, dev, value, clear
):
    item = "practices_waiting"
    side = pd.DataFrame({"importance": [importance], "sd_importance": [1.0]}, index=[item])
    monkeypatch.setattr(lesson_11, "_importance_sides", lambda seed, n: side)
    monkeypatch.setattr(lesson_11, "_pop", lambda ctx: {"below_own": {item: dev}})
    monkeypatch.setattr(lesson_11, "_run", lambda ctx: {"below_own": {item: (dev, 0.01)}, "n_survey": 1000})
    got = lesson_11._concentrate(item)(Context(0, {"confidence": 0.95}, "."))
    assert (got.value, got.clear) == (value, clear)


def test_concentrate_asks_the_capstones_question_not_the_maps(small_business):
    # the map's quadrant counts any important item below the mean of the items' means; the capstone's
    # list asks for a shortfall of at least 0.2 points below customers' own average, so an important item
    # a little below the mean is in the quadrant and out of the list
    ctx = Context(4, {"confidence": 0.95}, small_business)
    sides = lesson_11._importance_sides(4, lesson_11._run(ctx)["n_survey"])
    below = lesson_11._pop(ctx)["below_own"]
    quadrant = set(sides.index[sides["quadrant"] == "Concentrate here"])
    listed = {i for i in synth.ITEMS if lesson_11._concentrate(i)(ctx).value}
    assert listed and listed < quadrant
    assert all(below[i] <= -0.2 for i in listed) and any(below[i] > -0.2 for i in quadrant)


def _delivery(monkeypatch, coef, se):
    """Set the population's coefficients and the run's (independent) standard errors of the plan's
    regression; both actions on late orders reach 1 point per coefficient point, the note 5."""
    names = ["const", "delay", "told", "note"]
    monkeypatch.setattr(
        lesson_11, "_pop", lambda ctx: {"delivery_coef": pd.Series([7.0, *coef], index=names)}
    )
    cov = pd.DataFrame(np.diag([0.01, *np.square(se)]), index=names, columns=names)
    reach = {"untold": 1.0, "no_note": 5.0}
    monkeypatch.setattr(lesson_11, "_run", lambda ctx: {"delivery": (None, cov, reach)})
    ctx = Context(0, {"confidence": 0.95}, ".")
    return {k: lesson_11._delivery_first_tier(k)(ctx) for k in lesson_11.DELIVERY_ACTIONS}


def test_delivery_first_tier_is_clear_when_the_best_action_is_shown_and_the_others_clearly_below(monkeypatch):
    # gains: on time 0.6, warning 0.3, note 5 x 0.35 = 1.75; the note's difference from on time is
    # 1.15 against a standard error of hypot(5 x 0.04, 0.08) = 0.22, 5.3 of them (needed: 2.39 + 1.645)
    got = _delivery(monkeypatch, [-0.6, 0.3, 0.35], [0.08, 0.1, 0.04])
    assert {k: (t.value, t.clear) for k, t in got.items()} == {
        "on_time": (False, True),
        "warn": (False, True),
        "note": (True, True),
    }


def test_delivery_first_tier_is_not_clear_for_an_action_close_to_the_best(monkeypatch):
    # on time 1.6 against the note's 1.75: the lesson may rightly tie them, so on time is reported only
    got = _delivery(monkeypatch, [-1.6, 0.3, 0.35], [0.08, 0.1, 0.04])
    assert (got["note"].value, got["note"].clear) == (True, True)
    assert (got["on_time"].value, got["on_time"].clear) == (False, False)
    assert (got["warn"].value, got["warn"].clear) == (False, True)


def test_delivery_first_tier_is_not_clear_when_the_best_action_may_not_be_shown(monkeypatch):
    # the note's gain, 0.25, is 1.25 standard errors (needed: Bonferroni over 14 candidates + 1.645, 4.6):
    # the lesson may show nothing; a warning with no true gain is still clearly out
    got = _delivery(monkeypatch, [-0.1, 0.0, 0.05], [0.08, 0.1, 0.04])
    assert (got["note"].value, got["note"].clear) == (True, False)
    assert (got["on_time"].value, got["on_time"].clear) == (False, False)
    assert (got["warn"].value, got["warn"].clear) == (False, True)
