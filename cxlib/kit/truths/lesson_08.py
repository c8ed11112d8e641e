"""The truth behind lesson 8 (moments of truth): the touchpoints' population values.

The touchpoints table has no branch, month or seed-specific effect: every order of every
business comes from the same process (``cxlib.synth._touchpoints``: contact ratings around 7.2
with an order-level halo, a delay lowering the delivery contact by 2 points plus 0.15 a day
late, a warning giving 1 point back, a thank-you adding 0.8 to the last contact, and an overall
rating ``0.55 mean + 0.2 peak + 0.25 end`` plus noise, rounded and capped at 1-10). So the
population value of every quantity the lesson estimates is the same for every seed and every
branch; it is computed once from :data:`POPULATION_ORDERS` generated orders, by the lesson's own
estimators (the value they converge to). Rounding the overall rating and capping it at 10
flattens the generator's weights a little on the observed scale (the mean's 0.55 acts as about
0.543): the population values are the effects on the rating a customer gives, which is what the
lesson reads.

**When a verdict is clear** (see :mod:`cxlib.kit.truths._clear`): when the lesson's test has at
least 95% power against the true value, the standard error being the population one scaled to
the number of orders the run analyses (the whole chain's or one branch's).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from cxlib import journey, synth

from . import Claim, Context, Truth
from ._clear import resolvable

LESSON = "08_moments_of_truth"
#: Scale of the one population generation (300 times the course's 3,000 orders).
POPULATION_SCALE = 300
POPULATION_ORDERS = 3000 * POPULATION_SCALE


@functools.lru_cache(maxsize=1)
def _population() -> dict:
    """The population values, computed once per process from 900,000 generated orders."""
    orders, _ = synth._touchpoints(np.random.default_rng(20240801), POPULATION_SCALE, 5000)
    pe = journey.peak_end_regression(orders)
    effects = journey.moment_effects(orders).set_index(["effect", "method"])
    at_delivery = journey.moment_effects(orders, outcome="contact_3").set_index(["effect", "method"])
    ratings = orders[["contact_1", "contact_2", "contact_3"]].astype(float)
    gap = ratings["contact_3"] - (ratings["contact_1"] + ratings["contact_2"]) / 2
    follow = orders["n_contacts"] > 3
    return {
        "n": len(orders),
        "coefficients": pe.coefficients,
        "per_contact": pe.per_contact.weights,
        "claim": pe.per_contact.claim,
        "effects": effects,
        "at_delivery": at_delivery,
        "delivery_gap": float(gap.mean()),
        "delivery_gap_sd": float(gap.std()),
        "follow_up_difference": float(
            orders.loc[follow, "overall"].mean() - orders.loc[~follow, "overall"].mean()
        ),
    }


def _orders_in_run(ctx: Context) -> int:
    """How many orders the run analysed (the chain's, or its branch's)."""
    branch = pd.read_csv(ctx.data_dir / "touchpoints.csv", usecols=["branch"])["branch"]
    return int(len(branch) if ctx.params.get("branch") is None else (branch == ctx.params["branch"]).sum())


def _scaled_se(se_population: float, ctx: Context) -> float:
    return se_population * np.sqrt(_population()["n"] / _orders_in_run(ctx))


def _confidence(ctx: Context) -> float:
    return float(ctx.params.get("confidence", 0.95))


def _delivery_gap(ctx: Context) -> Truth:
    """Delivery's rating minus the mean of the order's and confirmation's, on the same orders."""
    return Truth(_population()["delivery_gap"])


def _delivery_rated_lower(ctx: Context) -> Truth:
    """Delivery is rated below the two contacts before it; clear when a paired test resolves the gap."""
    pop = _population()
    se = pop["delivery_gap_sd"] / np.sqrt(_orders_in_run(ctx))
    return Truth(pop["delivery_gap"] < 0, clear=resolvable(pop["delivery_gap"], se, _confidence(ctx)))


def _effect(table: str, effect: str):
    def truth(ctx: Context) -> Truth:
        return Truth(float(_population()[table].loc[(effect, "regression"), "estimate"]))

    truth.__doc__ = f"The regression estimate of the {effect} effect ({table}) in the population."
    return truth


def _weight(term: str):
    def truth(ctx: Context) -> Truth:
        return Truth(float(_population()["coefficients"].loc[term, "estimate"]))

    truth.__doc__ = f"The peak-end weight of the {term} on the observed overall rating, in the population."
    return truth


def _end_contact_weight_3(ctx: Context) -> Truth:
    """The last contact's weight in sequences of three contacts (mean/3 + peak x its best share + end)."""
    return Truth(float(_population()["per_contact"].loc[(3, 3), "estimate"]))


def _end_weighs_most_per_contact(ctx: Context) -> Truth:
    """The end outweighs every other contact at every length; clear when every one-sided test has power.

    The smallest true margin (the end minus its closest rival, about 0.25 points) is compared
    with the standard error of that contrast at the run's number of orders.
    """
    claim = _population()["claim"]
    closest = claim["estimate"].idxmin()
    margin = float(claim.loc[closest, "estimate"])
    se = _scaled_se(float(claim.loc[closest, "se"]), ctx)
    return Truth(bool((claim["estimate"] > 0).all()), clear=resolvable(margin, se, _confidence(ctx), True))


def _early_delivery_effect(ctx: Context) -> Truth:
    """Overall rating of deliveries a day or more early minus those on the day or up to a day early: 0.

    Exactly zero, from how :func:`cxlib.synth._touchpoints` builds an order. Both groups are orders
    with ``processing_days <= promised_days``, so ``delayed`` is False, ``told_of_delay`` is False
    and ``late = max(processing - promised, 0)`` is 0 in both: the only terms that move the delivery
    contact (``DELAY_EFFECT * delayed``, ``TOLD_EFFECT * told``, ``LATE_DAY_EFFECT * late``) are zero
    for every order of either group. The other contacts (halo and per-contact noise), the thank-you
    note (drawn independently, ``rng.random(n) < 0.4``), the number of contacts (drawn independently)
    and the overall rating's noise depend neither on ``processing_days`` nor on ``promised_days``;
    the promise only changes how many days early an order can be, never a rating. So given that an
    order is not late, its ratings have the same distribution however early it arrives, and the two
    groups' mean overall ratings are equal in the population.
    """
    return Truth(0.0)


def _repeat_customer_correlation(ctx: Context) -> Truth:
    """Correlation of a repeat customer's first two contacts between their first and second order: 0.

    Exactly zero, from :func:`cxlib.synth._touchpoints`: an order's contacts are
    ``7.2 + halo + noise`` with ``halo`` drawn afresh for every order (``rng.normal(0, 1.0, size=n)``)
    and independent noise per contact; nothing in them depends on ``customer_id``, which is drawn
    independently of every rating. Contacts 1 and 2 (order, confirmation) receive no delay, warning
    or thank-you term (those act on contact 3 and on the last contact, at least the third). So two
    orders of one customer have independent ratings, and which customers order twice is independent
    of the ratings too: the population correlation is 0.
    """
    return Truth(0.0)


def _follow_up_difference(ctx: Context) -> Truth:
    """Mean overall rating of orders with a follow-up contact minus those without."""
    return Truth(_population()["follow_up_difference"])


CLAIMS = [
    Claim(
        "repeat_customer_correlation",
        "interval",
        "correlation of a customer's first-two-contact ratings between their first and second order",
        _repeat_customer_correlation,
    ),
    Claim("delivery_gap", "interval", "delivery's rating minus the two contacts before it", _delivery_gap),
    Claim(
        "delivery_rated_lower",
        "verdict",
        "delivery is rated below the contacts before it",
        _delivery_rated_lower,
    ),
    Claim(
        "delay_effect_overall",
        "interval",
        "an unannounced delay's effect on the overall rating (regression)",
        _effect("effects", "delay"),
    ),
    Claim(
        "told_effect_overall",
        "interval",
        "a warning's effect on the overall rating, among delayed orders (regression)",
        _effect("effects", "told of delay"),
    ),
    Claim(
        "thank_you_effect_overall",
        "interval",
        "a thank-you note's effect on the overall rating (regression)",
        _effect("effects", "thank-you note"),
    ),
    Claim(
        "told_effect_delivery",
        "interval",
        "a warning's effect on the delivery contact's rating (regression)",
        _effect("at_delivery", "told of delay"),
    ),
    Claim("mean_weight", "interval", "peak-end weight of the mean of the contacts", _weight("mean")),
    Claim("peak_weight", "interval", "peak-end weight of the best contact", _weight("peak")),
    Claim("end_weight", "interval", "peak-end weight of the last contact", _weight("end")),
    Claim(
        "end_contact_weight_3",
        "interval",
        "the last contact's weight per contact, sequences of three",
        _end_contact_weight_3,
    ),
    Claim(
        "end_weighs_most_per_contact",
        "verdict",
        "per contact, the last contact outweighs every other one",
        _end_weighs_most_per_contact,
    ),
    Claim(
        "early_delivery_effect",
        "interval",
        "overall rating of deliveries a day or more early minus those up to a day early",
        _early_delivery_effect,
    ),
    Claim(
        "follow_up_difference",
        "interval",
        "overall rating with a follow-up contact minus without",
        _follow_up_difference,
    ),
]
