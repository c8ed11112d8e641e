"""The key of exercise 03_headline_metrics: the expected value of each task, from the student's own data.

Generated from the check cells of ``solutions/03_headline_metrics.md``; the exercise calls
``check("taskN", answer)`` and never shows this code. See ``solutions/README.md``.
"""

# ruff: noqa: E501, F401, F841, N806

from __future__ import annotations

from cxlib.checks import check_choice, check_frame, check_number, part

PARAMETERS = ("data_dir", "channel", "confidence")


def setup(data_dir, channel, confidence):
    """Load the data and check the parameters as the exercise does; return the names it defines."""
    import numpy as np
    import pandas as pd
    from scipy import stats
    from statsmodels.stats.proportion import proportion_confint, samplesize_proportions_2indep_onetail

    from cxlib import data, metrics, params, tracking, weights

    folder = params.data_folder(data_dir, ["survey", "population"])
    survey = data.load("survey", folder)
    population = data.load("population", folder)
    channel = params.check_choice("channel", channel, list(survey["channel"].cat.categories))
    confidence = params.check_confidence(confidence)
    mine = survey[survey["channel"] == channel]
    return dict(locals())


def task1(env, nps_channel):
    survey = env["survey"]
    metrics = env["metrics"]
    channel = env["channel"]
    by_channel = metrics.by_group(survey, "recommend", by="channel", metric="nps")
    check_number(nps_channel, by_channel.loc[channel, "estimate"], "Task 1")


def task2(env, repurchase):
    proportion_confint = env["proportion_confint"]
    mine = env["mine"]
    confidence = env["confidence"]
    x = int((mine["buy_again"] == 5).sum())
    low, high = proportion_confint(x, len(mine), alpha=1 - confidence, method="wilson")
    check_number(part(repurchase, "estimate"), 100 * x / len(mine), "Task 2 (the percentage)")
    check_number(part(repurchase, "low"), 100 * low, "Task 2 (the lower end of the interval)")
    check_number(part(repurchase, "n"), len(mine), "Task 2 (n)")


def task3(env, effort_by_channel, easiest):
    survey = env["survey"]
    np = env["np"]
    stats = env["stats"]
    confidence = env["confidence"]
    g = survey.groupby("channel", observed=True)["effort"]
    m, s, n = g.mean().astype(float), g.std().astype(float), g.count()
    upper = m + stats.t.ppf(0.5 + confidence / 2, n - 1) * s / np.sqrt(n)
    check_frame(part(effort_by_channel, "estimate"), m.rename("estimate"), "Task 3 (the means)")
    check_frame(part(effort_by_channel, "high"), upper.rename("high"), "Task 3 (the upper ends)")
    check_choice(easiest, m.idxmin(), "Task 3 (the easiest channel)", choices=list(m.index))


def task4(env, vs_others, verdict):
    survey = env["survey"]
    channel = env["channel"]
    metrics = env["metrics"]
    mine = env["mine"]
    confidence = env["confidence"]
    others = survey[survey["channel"] != channel]
    # others minus channel: the interval mirrored
    swapped = metrics.compare_nps(others["recommend"], mine["recommend"], confidence=confidence)

    def nps_of(r):
        return 100 * ((r >= 9).mean() - (r <= 6).mean())

    check_number(
        part(vs_others, "estimate"),
        nps_of(mine["recommend"]) - nps_of(others["recommend"]),
        "Task 4 (the difference)",
    )
    check_number(part(vs_others, "high"), -swapped.low, "Task 4 (the upper end of the interval)")
    expected = "lower" if swapped.low > 0 else "higher" if swapped.high < 0 else "cannot tell"
    check_choice(verdict, expected, "Task 4 (the verdict)", choices=["higher", "lower", "cannot tell"])


def task5(env, nps_quarter, max_swing):
    np = env["np"]
    mine = env["mine"]
    q = mine["month"].dt.to_period("Q").astype(str)
    ref = (mine["recommend"].ge(9).groupby(q).mean() - mine["recommend"].le(6).groupby(q).mean()) * 100
    check_frame(
        part(nps_quarter, "estimate"), ref.rename_axis("quarter").rename("estimate"), "Task 5 (the table)"
    )
    check_number(max_swing, np.abs(np.diff(ref.sort_index().to_numpy())).max(), "Task 5 (the largest swing)")


def task6(env, n_needed, quarters_needed):
    samplesize_proportions_2indep_onetail = env["samplesize_proportions_2indep_onetail"]
    np = env["np"]
    confidence = env["confidence"]
    mine = env["mine"]
    p = float(np.mean(mine["buy_again"].to_numpy() == 5))
    exact = samplesize_proportions_2indep_onetail(0.05, p, 0.8, alpha=1 - confidence, alternative="two-sided")
    check_number(n_needed, np.ceil(exact - 1e-9), "Task 6 (responses per period)")
    check_number(
        quarters_needed,
        np.ceil(exact - 1e-9) / (len(mine) / mine["month"].dt.to_period("Q").nunique()),
        "Task 6 (quarters of responses)",
    )


def task8(env, nps_weighted, design_effect):
    np = env["np"]
    survey = env["survey"]
    population = env["population"]
    # one margin: raking is post-stratification, each channel's weight is population share / sample share
    sample_share = survey["channel"].value_counts(normalize=True)
    target = population.set_index("channel")["share"]
    ref_w = (target / sample_share)[survey["channel"].astype(str)].to_numpy()
    score = np.select([survey["recommend"] >= 9, survey["recommend"] <= 6], [100.0, -100.0], 0.0)
    check_number(
        part(nps_weighted, "estimate"), np.average(score, weights=ref_w), "Task 8 (the weighted NPS)"
    )
    check_number(
        part(nps_weighted, "n_effective"), ref_w.sum() ** 2 / (ref_w**2).sum(), "Task 8 (n_effective)"
    )
    check_number(
        design_effect, len(ref_w) * (ref_w**2).sum() / ref_w.sum() ** 2, "Task 8 (the design effect)"
    )


# task id: the names of the student's answers it checks, in order
TASKS = {
    "task1": ("nps_channel",),
    "task2": ("repurchase",),
    "task3": ("effort_by_channel", "easiest"),
    "task4": ("vs_others", "verdict"),
    "task5": ("nps_quarter", "max_swing"),
    "task6": ("n_needed", "quarters_needed"),
    "task8": ("nps_weighted", "design_effect"),
}
