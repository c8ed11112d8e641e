"""Lesson 2, measuring each factor: what each recorded claim should be, for the business a run analysed.

Reliabilities, score spreads and before/after changes are those of the same business at
:data:`~cxlib.kit.truths._factors.SCALE` times the size (:func:`~cxlib.kit.truths._factors.population`):
the same branches, months and training, many more customers. A branch's before/after change is
the change in its population mean people score between the months before and after its split
month (its training month, or the first training month for an untrained branch), so it contains
the training and whatever else moved in that branch between the periods: that is what the lesson's
interval estimates.

How "clear" is decided for the verdict on the change: the population change must be at least
:func:`~cxlib.kit.truths._factors.clear_margin` standard errors from zero, the standard error being
the one the lesson computes on the run's data (cluster-robust by customer), so that the lesson's
test at its confidence has 95% power. Closer to zero, the run's data cannot be expected to decide.
"""

from __future__ import annotations

import numpy as np

from . import Claim, Truth
from ._factors import clear_margin, cluster_se, population, run_survey, split_month

LESSON = "02_measuring_factors"
FACTORS = ("people", "environment", "practices")


def _alpha(factor: str):
    def truth(ctx):
        return Truth(population(ctx)["alpha"][factor])

    return truth


def _sem_people(ctx):
    pop = population(ctx)
    return Truth(float(pop["sd"]["people"] * np.sqrt(1 - pop["alpha"]["people"])))


def _change(key: str):
    def truth(ctx):
        return Truth(population(ctx)["people_change"][ctx["branch"]][key])

    return truth


def _change_verdict(ctx):
    """improved / declined by the sign of the population change; clear when it is at least
    :func:`clear_margin` of the run's own cluster-robust standard errors from zero."""
    true = population(ctx)["people_change"][ctx["branch"]]["branch"]
    survey, training = run_survey(ctx)
    split = split_month(training, ctx["branch"])
    mine = survey[survey["branch"].astype(str) == ctx["branch"]].dropna(subset=["people"])
    mine = mine[mine["month"] != split]
    side = np.where(mine["month"] > split, "after", "before")
    se = cluster_se(mine.assign(period=side), "people", "period", "after", "before").iloc[0]
    clear = abs(true) / se >= clear_margin(float(ctx.params.get("confidence", 0.95)))
    return Truth("improved" if true > 0 else "declined", clear=bool(clear))


CLAIMS = [
    *[
        Claim(
            f"alpha_{f}",
            "interval",
            f"Cronbach's alpha of the {f} scale (one answer per customer)",
            _alpha(f),
        )
        for f in FACTORS
    ],
    Claim("sem_people", "estimate", "standard error of measurement of the people score", _sem_people),
    Claim(
        "people_change",
        "interval",
        "the branch's mean people score after minus before its split month",
        _change("branch"),
    ),
    Claim(
        "people_change_verdict",
        "verdict",
        "the branch's people score improved or declined between the periods",
        _change_verdict,
    ),
    Claim(
        "untrained_change",
        "interval",
        "the same change in the untrained branches (other than the one followed)",
        _change("untrained"),
    ),
]
