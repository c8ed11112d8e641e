"""Lesson 1, the three factors: what each recorded claim should be, for the business a run analysed.

Population quantities (a share, a branch's gap to the rest of the chain, correlations) are those
of the same business at :data:`~cxlib.kit.truths._factors.SCALE` times the size
(:func:`~cxlib.kit.truths._factors.population`).

How "clear" is decided: a verdict counts when the true value is at least
:func:`~cxlib.kit.truths._factors.clear_margin` standard errors from the lesson's boundary, the
standard error being the one the lesson itself computes on the run's data (cluster-robust by
customer) and the margin the one at which the lesson's test (its confidence, Bonferroni-adjusted
for the comparisons it makes together) has 95% power. Closer than that, the lesson's data cannot
be expected to decide, and the verdict is reported, not targeted.
"""

from __future__ import annotations

import numpy as np

from . import Claim, Truth
from ._factors import clear_margin, cluster_se, long_scores, population, run_survey

LESSON = "01_three_factors"
FACTORS = ("people", "environment", "practices")
#: The lesson compares the three factor means together, and the spotlight's three factors together.
FAMILY = 3


def _confidence(ctx) -> float:
    return float(ctx.params.get("confidence", 0.95))


def _population(key):
    return lambda ctx: Truth(population(ctx)[key])


def _skipped_gap(ctx):
    """The generator leaves practices_resolution blank at random (independently of everything), so the
    true satisfaction gap between responses that skip it and those that answer is exactly zero."""
    return Truth(0.0)


def _channel_differences(ctx):
    """How many channel-factor differences are truly nonzero: none. The generator draws each response's
    channel independently of its factor scores (``cxlib.synth``: the channel is drawn from its mix after
    the factors and moves only the recommendation), so every true difference is exactly 0.

    Clear when the lesson's family of Bonferroni-adjusted tests finds nothing with probability at least
    :data:`~cxlib.kit.truths._decide.CLEAR_AT`: that chance is at least the run's confidence (the
    family-wise error is at most ``1 - confidence``), so the count is judged at 99%, and reported, not
    targeted, at 80-95%, where a clear difference that is not there is a risk the lesson states.
    """
    from ._decide import CLEAR_AT

    return Truth(0, clear=bool(_confidence(ctx) >= CLEAR_AT))


def _ranked_factor(position: int):
    """The factor with the highest (``position=0``) or lowest (``-1``) population mean score.

    Clear when the population gap to the next factor is at least :func:`clear_margin` standard errors
    of the run's estimate of that gap (the lesson's cluster-robust interval over three gaps).
    """

    def truth(ctx):
        means = population(ctx)["factor_means"]
        order = sorted(FACTORS, key=lambda f: means[f], reverse=True)
        first, second = (order[0], order[1]) if position == 0 else (order[-1], order[-2])
        survey, _ = run_survey(ctx)
        se = cluster_se(long_scores(survey), "score", "factor", first, second).iloc[0]
        margin = abs(means[first] - means[second]) / se
        return Truth(order[position], clear=bool(margin >= clear_margin(_confidence(ctx), FAMILY)))

    return truth


def _spotlight(factor: str):
    def truth(ctx):
        return Truth(population(ctx)["spotlight"][ctx["branch"]][factor])

    return truth


def _spotlight_verdict(factor: str):
    """leads / trails the rest of the chain by the sign of the population gap; clear when that gap is at
    least :func:`clear_margin` (three comparisons) of the run's own cluster-robust standard errors."""

    def truth(ctx):
        gap = population(ctx)["spotlight"][ctx["branch"]][factor]
        survey, _ = run_survey(ctx)
        long = long_scores(survey)
        long = long[long["factor"] == factor]
        side = np.where(long["branch"].astype(str) == ctx["branch"], "branch", "rest")
        se = cluster_se(long.assign(side=side), "score", "side", "branch", "rest").iloc[0]
        clear = abs(gap) / se >= clear_margin(_confidence(ctx), FAMILY)
        return Truth("leads" if gap > 0 else "trails", clear=bool(clear))

    return truth


def _links_remain(ctx):
    """Whether at least half of the correlation between items of different factors remains within a
    branch and month (customers, not stores). Clear when the population ratio is outside 0.25-0.75:
    each correlation rests on thousands of responses, so a run's ratio is within a few hundredths of
    the population's."""
    pop = population(ctx)
    ratio = pop["across_factor_r_within_branch_month"] / pop["across_factor_r"]
    return Truth(bool(ratio >= 0.5), clear=bool(abs(ratio - 0.5) >= 0.25))


CLAIMS = [
    Claim(
        "share_of_fours",
        "estimate",
        "share of all item answers that are 4 (%)",
        _population("share_of_fours"),
    ),
    Claim(
        "missing_resolution_pct",
        "estimate",
        "share of responses leaving problem resolution blank (%)",
        _population("missing_resolution_pct"),
    ),
    Claim(
        "skipped_resolution_satisfaction_gap",
        "interval",
        "satisfaction of responses that skip resolution minus those that answer (blanks at random: 0)",
        _skipped_gap,
    ),
    Claim("highest_factor", "verdict", "the factor customers rate highest", _ranked_factor(0)),
    Claim("lowest_factor", "verdict", "the factor customers rate lowest", _ranked_factor(-1)),
    *[
        Claim(
            f"spotlight_{f}", "interval", f"spotlight branch minus the rest of the chain, {f}", _spotlight(f)
        )
        for f in FACTORS
    ],
    *[
        Claim(
            f"spotlight_{f}_verdict",
            "verdict",
            f"the spotlight branch leads or trails the rest of the chain on {f}",
            _spotlight_verdict(f),
        )
        for f in FACTORS
    ],
    Claim(
        "channel_differences_clear",
        "verdict",
        "how many channel-factor differences are clear of zero (the channel is drawn independently: 0)",
        _channel_differences,
    ),
    Claim(
        "within_factor_r",
        "estimate",
        "mean correlation of items of the same factor",
        _population("within_factor_r"),
    ),
    Claim(
        "across_factor_r",
        "estimate",
        "mean correlation of items of different factors",
        _population("across_factor_r"),
    ),
    Claim(
        "across_factor_r_within_branch_month",
        "estimate",
        "the same, within a branch and month (branch-month means removed)",
        _population("across_factor_r_within_branch_month"),
    ),
    Claim(
        "links_remain_within_branch_months",
        "verdict",
        "links between factors are between customers, not stores (half or more remain within branch-months)",
        _links_remain,
    ),
    Claim(
        "halo_rise",
        "interval",
        "environment score of responses rating friendliness 5 minus those rating it 1-2",
        _population("halo_rise"),
    ),
]
