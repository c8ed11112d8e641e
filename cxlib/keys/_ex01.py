"""The key of exercise 01_three_factors: the expected value of each task, from the student's own data.

Generated from the check cells of ``solutions/01_three_factors.md``; the exercise calls
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

    from cxlib import compare, data, metrics, params, scales

    folder = params.data_folder(data_dir, ["survey"])
    survey = data.load("survey", folder)
    branch = params.check_choice("branch", branch, list(survey["branch"].cat.categories))
    return dict(locals())


def task1(env, waiting_t2b):
    metrics = env["metrics"]
    survey = env["survey"]
    reference = metrics.by_group(
        survey[survey["practices_waiting"].notna()].astype({"practices_waiting": int}),
        "practices_waiting",
        by="branch",
        metric="top_box",
    )["estimate"]
    check_frame(waiting_t2b, reference, "Task 1")


def task2(env, slowest_branch):
    metrics = env["metrics"]
    survey = env["survey"]
    shares = {
        b: metrics.top_box(g["practices_waiting"].dropna().astype(int)).estimate
        for b, g in survey.groupby("branch", observed=True)
    }
    check_choice(slowest_branch, min(shares, key=shares.get), "Task 2", choices=list(shares))


def task3(env, blank_by_channel):
    survey = env["survey"]
    branch = env["branch"]
    sub = survey.loc[survey["branch"] == branch, ["channel", "practices_resolution"]]
    counts = sub.groupby("channel", observed=True).agg(
        total=("channel", "size"), answered=("practices_resolution", "count")
    )
    check_frame(blank_by_channel, (1 - counts["answered"] / counts["total"]) * 100, "Task 3")


def task4(env, r_people_env):
    branch = env["branch"]
    survey = env["survey"]
    np = env["np"]
    scales = env["scales"]
    here = (survey["branch"] == branch).to_numpy()
    both = scales.factor_scores(survey)[here][["people", "environment"]].dropna()
    check_number(
        r_people_env, np.corrcoef(both["people"].to_numpy(), both["environment"].to_numpy())[0, 1], "Task 4"
    )


def task5(env, practices_gap):
    survey = env["survey"]
    compare = env["compare"]
    scales = env["scales"]
    branch = env["branch"]
    pd = env["pd"]
    data = env["data"]
    fs = scales.factor_scores(survey, factors={"p": data.items("practices")})["p"]
    here = (survey["branch"] == branch).to_numpy()
    table = pd.DataFrame({"p": fs, "happy": survey["satisfaction"] >= 4})[here].dropna()
    stats = compare.group_stats(table, "p", "happy")
    expected = compare.welch_from_stats(
        stats.loc[True, "mean"],
        stats.loc[True, "var"],
        stats.loc[True, "n"],
        stats.loc[False, "mean"],
        stats.loc[False, "var"],
        stats.loc[False, "n"],
    )
    check_number(part(practices_gap, "estimate"), expected["estimate"].iloc[0], "Task 5 (the difference)")
    check_number(
        part(practices_gap, "low"), expected["low"].iloc[0], "Task 5 (the lower end of the interval)"
    )


# task id: the names of the student's answers it checks, in order
TASKS = {
    "task1": ("waiting_t2b",),
    "task2": ("slowest_branch",),
    "task3": ("blank_by_channel",),
    "task4": ("r_people_env",),
    "task5": ("practices_gap",),
}
