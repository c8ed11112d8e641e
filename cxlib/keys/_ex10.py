"""The key of exercise 10_tracking_improvement: the expected value of each task, from the student's own data.

Generated from the check cells of ``solutions/10_tracking_improvement.md``; the exercise calls
``check("taskN", answer)`` and never shows this code. See ``solutions/README.md``.
"""

# ruff: noqa: E501, F401, F841, N806

from __future__ import annotations

from cxlib.checks import check_choice, check_frame, check_number, part

PARAMETERS = ("data_dir", "branch")


def setup(data_dir, branch):
    """Load the data and check the parameters as the exercise does; return the names it defines."""
    import numpy as np
    import pandas as pd

    from cxlib import data, params, scales, tracking

    folder = params.data_folder(data_dir, ["survey", "training"])
    survey = data.load("survey", folder)
    training = data.load("training", folder)
    branch = params.check_choice(
        "branch", branch, training.loc[training["trained"], "branch"].astype(str).tolist()
    )
    start = training.set_index("branch").loc[branch, "start_month"]
    survey["people"] = scales.factor_scores(survey)["people"]
    return dict(locals())


def task1(env, n_signals):
    tracking = env["tracking"]
    survey = env["survey"]
    counts = survey.assign(hit=survey["satisfaction"] >= 4).groupby("month")["hit"].agg(["sum", "size"])
    ref = tracking.p_chart_limits(counts["sum"], counts["size"], baseline=12)
    check_number(n_signals, int(ref["signal"].sum()), "Task 1")


def task2(env, before_after):
    start = env["start"]
    survey = env["survey"]
    branch = env["branch"]
    b = (
        survey[survey["branch"] == branch]
        .dropna(subset=["people"])
        .assign(after=lambda d: d["month"] > start)
    )
    g = b.groupby("after")["people"].mean()
    check_number(before_after, g[True] - g[False], "Task 2")


def task3(env, did):
    training = env["training"]
    survey = env["survey"]
    start = env["start"]
    groups = training.set_index("branch")
    sel = survey.dropna(subset=["people"])
    in_wave_or_never = (
        sel["branch"]
        .astype(str)
        .map(lambda b: (not groups.loc[b, "trained"]) or groups.loc[b, "start_month"] == start)
    )
    sel = sel[in_wave_or_never]
    cell = sel.assign(
        t=sel["branch"].astype(str).map(lambda b: bool(groups.loc[b, "trained"])), p=sel["month"] > start
    )
    m = cell.groupby(["t", "p"])["people"].mean()
    expected = (m[True, True] - m[True, False]) - (m[False, True] - m[False, False])
    check_number(getattr(did, "estimate", did), expected, "Task 3")


def task4(env, n_needed):
    np = env["np"]
    from scipy.stats import norm

    p1, p2 = 0.70, 0.75
    pbar = (p1 + p2) / 2
    z_a, z_b = norm.isf(0.025), norm.isf(0.2)
    n = (z_a * np.sqrt(2 * pbar * (1 - pbar)) + z_b * np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2
    n /= (p2 - p1) ** 2
    check_number(n_needed, int(np.ceil(n)), "Task 4")


# task id: the names of the student's answers it checks, in order
TASKS = {
    "task1": ("n_signals",),
    "task2": ("before_after",),
    "task3": ("did",),
    "task4": ("n_needed",),
}
