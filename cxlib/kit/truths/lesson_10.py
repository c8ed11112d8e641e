"""The truth behind lesson 10 (tracking improvement): the training programme's true effects.

The generator raises the people factor of each trained branch by a fixed amount from the month
after its training, and writes, for every trained branch, the average effect this had on the
people score (mean of the answered people items, 1-5) over its trained months, against the same
responses without training (``truth.json: training.by_branch``), and the same over all trained
branches (``training.att_people_score``). Each claim is checked against the effect of the branches
its estimate is about:

* the interrupted time series of one branch: that branch's effect;
* the difference-in-differences of one wave against the never-trained branches, collapsed to one
  change per branch: the unweighted mean of the wave's branches' effects (every branch counts
  once in that estimate);
* the difference between the two waves' collapsed estimates: the difference of their truths;
* two-way fixed effects over both waves: the effect over all trained branch-months.

**When a verdict is clear** (see :mod:`cxlib.kit.truths._clear`): the lesson's verdict on the
trained wave's control chart is that at least one month after training falls above the upper
limit. It is clear when that happens with probability at least 95% given the truth: the true
monthly top-2-box shares of the wave come from the same business regenerated at
:data:`SCALE` times the size, the chart's centre line is the true share of the months before
training, each month's limit and spread use the run's own numbers of responses, and months are
independent. (The lesson's run rule can only add signals, so this is a lower bound.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlib._dist import normal_sf

from . import Claim, Context, Truth
from ._clear import POWER

LESSON = "10_tracking_improvement"
#: How many times the course's size the population regeneration is.
SCALE = 40.0


def _training(ctx: Context) -> pd.DataFrame:
    t = pd.read_csv(ctx.data_dir / "training.csv", parse_dates=["start_month"])
    t["trained"] = t["trained"].astype(str).str.lower().eq("true")
    return t.set_index("branch")


def _wave(ctx: Context) -> list[str]:
    t = _training(ctx)
    start = t.loc[ctx["branch"], "start_month"]
    return t.index[t["start_month"] == start].tolist()


def _its_level_change(ctx: Context) -> Truth:
    """The followed branch's average training effect on its people score."""
    return Truth(float(ctx.truth["training"]["by_branch"][ctx["branch"]]["att_people_score"]))


def _did_estimate(ctx: Context) -> Truth:
    """The unweighted mean of the followed branch's wave's branch effects."""
    by_branch = ctx.truth["training"]["by_branch"]
    return Truth(float(np.mean([by_branch[b]["att_people_score"] for b in _wave(ctx)])))


def _twfe_estimate(ctx: Context) -> Truth:
    """The average training effect over every trained branch-month (both waves)."""
    return Truth(float(ctx.truth["training"]["att_people_score"]))


def _wave_difference(ctx: Context) -> Truth:
    """The earlier wave's collapsed-estimate truth minus the later wave's.

    Each wave's collapsed difference-in-differences weighs its branches equally, so its truth is
    the unweighted mean of its branches' effects (as for ``did_estimate``); the lesson's difference
    is the earlier wave's estimate minus the later one's, so its truth is the difference of those
    means. The generator gives every trained branch the same step on the people factor, so this is
    near zero; it is not exactly zero because each branch's effect is measured on its own responses
    (the people score is an average of rounded items capped at 1-5).
    """
    by_branch = ctx.truth["training"]["by_branch"]
    t = _training(ctx)
    starts = sorted(t.loc[t["trained"], "start_month"].unique())[:2]
    waves = [t.index[t["start_month"] == s] for s in starts]
    means = [np.mean([by_branch[b]["att_people_score"] for b in wave]) for wave in waves]
    return Truth(float(means[0] - means[1]))


def _chart_signals_after_training(ctx: Context) -> Truth:
    """A month above the upper limit after training; clear when its chance is at least 95%."""
    wave, start = _wave(ctx), _training(ctx).loc[ctx["branch"], "start_month"]
    sigma = float(ctx.params.get("sigma", 3))
    pop = ctx.population(SCALE)["survey"]
    pop = pop[pop["branch"].isin(wave)].dropna(subset=["people_helpfulness"])
    true_share = (pop["people_helpfulness"] >= 4).groupby(pop["month"]).mean()
    run = pd.read_csv(ctx.data_dir / "survey.csv", usecols=["branch", "month", "people_helpfulness"])
    run = run[run["branch"].isin(wave)].dropna(subset=["people_helpfulness"])
    n = run.groupby(pd.to_datetime(run["month"])).size().reindex(true_share.index)
    before = true_share.index <= start
    center = float(true_share[before].mean())
    after = ~before
    p, k = true_share[after].to_numpy(), n[after].to_numpy(dtype=float)
    upper = center + sigma * np.sqrt(center * (1 - center) / k)
    chance_each = normal_sf((upper - p) / np.sqrt(p * (1 - p) / k))
    chance_any = 1 - float(np.prod(1 - chance_each))
    return Truth(True, clear=chance_any >= POWER)


CLAIMS = [
    Claim(
        "chart_signals_after_training",
        "verdict",
        "the trained wave's control chart signals after training",
        _chart_signals_after_training,
    ),
    Claim(
        "its_level_change",
        "interval",
        "one trained branch's level change (interrupted time series)",
        _its_level_change,
    ),
    Claim(
        "did_estimate",
        "interval",
        "one wave's training effect, collapsed difference-in-differences",
        _did_estimate,
    ),
    Claim(
        "wave_difference",
        "interval",
        "the earlier wave's collapsed estimate minus the later wave's",
        _wave_difference,
    ),
    Claim(
        "twfe_estimate", "interval", "training effect over both waves, two-way fixed effects", _twfe_estimate
    ),
]
