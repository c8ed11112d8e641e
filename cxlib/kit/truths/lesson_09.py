"""The truth behind lesson 9 (the dollar value of a customer): population values of its measures.

The lesson measures what a purchase history can show: the share of a year's customers who buy
again the next year (*repeat-purchase retention*), the margin a retained customer brings in the
next year (a whole calendar year as a customer), and, for customers who answered the survey by the
end of the year, both by their satisfaction. Lifetime value, value at risk and the value of a
recovered complaint are the Gupta-Lehmann formula applied to those measures.

The truth of each claim is the same measure in the business's population: the same business
regenerated at :data:`SCALE` times the size (its customers' satisfaction levels, churn and
purchases follow the same rules; the shares of each level are the business's own), and, for the
formulas, the formula applied to the population measures. The value at risk uses the run's own
number of customers at each level (the claim is about the customers the lesson counted).

These are not the generator's *survival* rates (``truth.json: value.annual_retention_by_satisfaction``,
the chance of still being a customer twelve months later): a customer who leaves in March of the
next year has still bought in it, so repeat-purchase retention runs above survival, most at low
satisfaction. The lesson shows that difference and what it does to the value; its claims are about
what it measures, checked against the truth of that.

**When a verdict is clear** (see :mod:`cxlib.kit.truths._clear`): "the most satisfied customers are
retained more than the dissatisfied (levels 1-2)" is clear when the true gap is resolvable by the
lesson's test at the run's numbers of customers in the two groups.

**Measured coverage of the retention gap.** Customers leave and buy independently of one another
given their level, so Newcombe's interval should keep its level. Over 2,600 generated businesses
(``python -m benchmarks.coverage retention_gap --businesses 2600``: the lesson's groups, the
generator's exact retention by level, :func:`exact_retention_by_level`) it covered 79.8, 90.5, 95.4
and 99.1% at 80, 90, 95 and 99%. The 40-seed sweeps' 32 of 40 were chance.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from cxlib import value

from . import Claim, Context, Truth
from ._clear import resolvable

LESSON = "09_customer_value"
#: How many times the course's size the population regeneration is.
SCALE = 40.0


def exact_retention_by_level() -> dict[int, float]:
    """The generator's chance that a customer who bought in year 1 buys again in year 2, by level.

    From :mod:`cxlib.synth`: a customer joins in a month drawn uniformly from year 1, stays a
    geometric number of months (monthly churn by level), and buys in each month alive with a fixed
    chance. Retained = at least one purchase in year 2, given at least one in year 1.

    Returns
    -------
    dict
        ``{level: retention}`` for satisfaction levels 1 to 5, exact for the generator.

    Examples
    --------
    >>> {k: round(float(v), 3) for k, v in exact_retention_by_level().items()}
    {1: 0.474, 2: 0.598, 3: 0.729, 4: 0.823, 5: 0.878}
    """
    from cxlib import synth

    q, life = synth.PURCHASE_PROB, np.arange(1, 5000)
    out = {}
    for level, h in synth.MONTHLY_CHURN.items():
        chance = h * (1 - h) ** (life - 1)
        both = first = 0.0
        for join in range(12):
            in_1 = 1 - (1 - q) ** np.minimum(life, 12 - join)
            in_2 = 1 - (1 - q) ** np.maximum(0, np.minimum(join + life, 24) - 12)
            both += np.sum(chance * in_1 * in_2)
            first += np.sum(chance * in_1)
        out[level] = both / first
    return out


def _first_answers(survey: pd.DataFrame, year: int) -> pd.Series:
    """Each customer's satisfaction at their first survey answer, if given by the end of ``year``."""
    first = survey.sort_values("response_id").drop_duplicates("customer_id")
    first = first[first["month"].dt.year <= year]
    return first.set_index("customer_id")["satisfaction"]


def _measures(purchases: pd.DataFrame, survey: pd.DataFrame, year: int) -> dict:
    """The lesson's measures on one business: retention, margin, and both by satisfaction."""
    customers = value.customer_years(purchases, year)
    joined = customers.join(_first_answers(survey, year), how="inner")
    by_level = joined.groupby("satisfaction")["retained"].agg(["mean", "size"])
    top = joined["satisfaction"].max()
    return {
        "retention": float(customers["retained"].mean()),
        "margin": float(customers.loc[customers["retained"], "margin_next"].mean()),
        "by_level": by_level,
        "gap": float(by_level.loc[top, "mean"] - joined.loc[joined["satisfaction"] <= 2, "retained"].mean()),
        "joined": joined,
    }


@functools.lru_cache(maxsize=16)
def _population_measures(seed: int, year: int) -> dict:
    from . import _population as regenerate

    tables = regenerate(seed, SCALE)
    return _measures(tables["transactions"], tables["survey"], year)


def _run(ctx: Context) -> dict:
    from cxlib import data

    return _measures(data.load("transactions", ctx.data_dir), data.load("survey", ctx.data_dir), ctx["year"])


def _pop(ctx: Context) -> dict:
    return _population_measures(ctx.seed, int(ctx["year"]))


def _retention(ctx: Context) -> Truth:
    """Share of the year's customers who buy again the next year, in the population."""
    return Truth(_pop(ctx)["retention"])


def _annual_margin(ctx: Context) -> Truth:
    """Mean next-year margin of the retained customers, in the population."""
    return Truth(_pop(ctx)["margin"])


def _clv(ctx: Context) -> Truth:
    """The Gupta-Lehmann lifetime value at the population's margin and retention."""
    pop = _pop(ctx)
    return Truth(float(value.clv(pop["margin"], pop["retention"], ctx["discount"])))


def _retention_gap(ctx: Context) -> Truth:
    """Retention of the most satisfied level minus levels 1-2, in the population.

    The same estimand as the lesson's interval: the buyers of ``year`` (each once), by their first
    survey answer given by the end of ``year``, retained = bought again in ``year + 1``, unweighted.
    """
    return Truth(_pop(ctx)["gap"])


def _satisfied_retained_more(ctx: Context) -> Truth:
    """The most satisfied are retained more than levels 1-2; clear when the lesson's test resolves it."""
    pop, run = _pop(ctx), _run(ctx)["joined"]
    top = run["satisfaction"].max()
    a, b = run.loc[run["satisfaction"] == top, "retained"], run.loc[run["satisfaction"] <= 2, "retained"]
    p = pop["by_level"]["mean"]
    p_top, p_low = (
        float(p.loc[top]),
        float(pop["joined"].loc[pop["joined"]["satisfaction"] <= 2, "retained"].mean()),
    )
    se = np.sqrt(p_top * (1 - p_top) / len(a) + p_low * (1 - p_low) / len(b))
    return Truth(
        bool(pop["gap"] > 0), clear=resolvable(pop["gap"], se, float(ctx.params.get("confidence", 0.95)))
    )


def _value_at_risk(ctx: Context) -> Truth:
    """The value at risk of the run's customers, at the population's margin and retention by level."""
    pop, counts = _pop(ctx), _run(ctx)["by_level"]["size"]
    rates = pop["by_level"]["mean"].reindex(counts.index)
    ref = float(rates.loc[counts.index.max()])
    gain = value.clv(pop["margin"], ref, ctx["discount"]) - value.clv(
        pop["margin"], rates.to_numpy(), ctx["discount"]
    )
    return Truth(float(np.sum(counts.to_numpy() * np.clip(gain, 0, None))))


def _complaint_value(ctx: Context) -> Truth:
    """Lifetime value gained by moving a customer from satisfaction 2 to 4, in the population."""
    pop = _pop(ctx)
    r = pop["by_level"]["mean"]
    return Truth(
        float(
            value.clv(pop["margin"], r.loc[4], ctx["discount"])
            - value.clv(pop["margin"], r.loc[2], ctx["discount"])
        )
    )


CLAIMS = [
    Claim("retention", "interval", "repeat-purchase retention into the next year", _retention),
    Claim("annual_margin", "interval", "next-year margin of a retained customer", _annual_margin),
    Claim("clv", "interval", "lifetime value per customer (Gupta-Lehmann)", _clv),
    Claim("retention_gap", "interval", "retention of the most satisfied minus levels 1-2", _retention_gap),
    Claim(
        "satisfied_retained_more",
        "verdict",
        "the most satisfied customers are retained more than the dissatisfied",
        _satisfied_retained_more,
    ),
    Claim("value_at_risk", "interval", "value at risk against the top level's retention", _value_at_risk),
    Claim(
        "complaint_value",
        "interval",
        "value of moving one customer from satisfaction 2 to 4",
        _complaint_value,
    ),
]
