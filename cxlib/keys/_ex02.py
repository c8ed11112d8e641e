"""The key of exercise 02_measuring_factors: the expected value of each task, from the student's own data.

Generated from the check cells of ``solutions/02_measuring_factors.md``; the exercise calls
``check("taskN", answer)`` and never shows this code. See ``solutions/README.md``.
"""

# ruff: noqa: E501, F401, F841, N806

from __future__ import annotations

from cxlib.checks import check_choice, check_frame, check_number, part

PARAMETERS = ("data_dir", "channel", "branch", "confidence")


def setup(data_dir, channel, branch, confidence):
    """Load the data and check the parameters as the exercise does; return the names it defines."""
    import numpy as np
    import pandas as pd
    import pingouin as pg
    from scipy import stats

    from cxlib import compare, data, params, scales

    folder = params.data_folder(data_dir, ["survey", "training"])
    survey = data.load("survey", folder)
    training = data.load("training", folder)
    channel = params.check_choice("channel", channel, list(survey["channel"].cat.categories))
    trained = training.loc[training["trained"], "branch"].astype(str).tolist()
    branch = params.check_choice("branch", branch, trained)
    confidence = params.check_confidence(confidence)
    start = training.set_index("branch").loc[branch, "start_month"]
    return dict(locals())


def task1(env, env_alpha):
    survey = env["survey"]
    pg = env["pg"]
    channel = env["channel"]
    data = env["data"]
    stats = env["stats"]
    confidence = env["confidence"]
    x = survey[survey["channel"] == channel][data.items("environment")].astype(float)
    a, n, k = pg.cronbach_alpha(x)[0], len(x), x.shape[1]
    check_number(part(env_alpha, "estimate"), a, "Task 1 (alpha)")
    feldt_low = 1 - (1 - a) * stats.f.ppf(0.5 + confidence / 2, n - 1, (n - 1) * (k - 1))
    check_number(part(env_alpha, "low"), feldt_low, "Task 1 (the lower end of the interval)")


def task2(env, n_complete):
    survey = env["survey"]
    branch = env["branch"]
    scales = env["scales"]
    data = env["data"]
    mine = survey[survey["branch"] == branch]
    check_number(
        n_complete, scales.cronbach_alpha(mine, data.items("practices"), missing="listwise").n, "Task 2"
    )


def task3(env, people_items, most_needed):
    survey = env["survey"]
    pg = env["pg"]
    branch = env["branch"]
    data = env["data"]
    mine = survey[survey["branch"] == branch][data.items("people")].astype(float)
    without = {i: pg.cronbach_alpha(mine.drop(columns=i))[0] for i in mine.columns}
    check_number(
        part(part(people_items, "alpha_if_deleted"), "people_knowledge"),
        without["people_knowledge"],
        "Task 3 (the table)",
    )
    check_choice(most_needed, min(without, key=without.get), "Task 3 (the item)", choices=list(without))


def task4(env, threshold):
    branch = env["branch"]
    pg = env["pg"]
    survey = env["survey"]
    np = env["np"]
    stats = env["stats"]
    confidence = env["confidence"]
    scales = env["scales"]
    data = env["data"]
    sel = (survey["branch"] == branch).to_numpy()
    a = pg.cronbach_alpha(survey[sel][data.items("people")].astype(float))[0]
    sd = scales.factor_scores(survey, factors={"p": data.items("people")})["p"][sel].std()
    check_number(threshold, stats.norm.ppf(0.5 + confidence / 2) * np.sqrt(2 * sd**2 * (1 - a)), "Task 4")


def task5(env, env_change):
    confidence = env["confidence"]
    survey = env["survey"]
    compare = env["compare"]
    scales = env["scales"]
    pd = env["pd"]
    start = env["start"]
    branch = env["branch"]
    data = env["data"]
    env = scales.factor_scores(survey, factors={"e": data.items("environment")})["e"]
    rows = pd.DataFrame({"e": env, "b": survey["branch"].astype(str), "m": survey["month"]}).dropna()
    rows = rows[(rows["b"] == branch) & (rows["m"] != start)].assign(after=lambda d: d["m"] > start)
    g = compare.group_stats(rows, "e", "after")
    expected = compare.welch_from_stats(
        g.loc[True, "mean"],
        g.loc[True, "var"],
        g.loc[True, "n"],
        g.loc[False, "mean"],
        g.loc[False, "var"],
        g.loc[False, "n"],
        confidence,
    )
    check_number(part(env_change, "estimate"), expected["estimate"].iloc[0], "Task 5 (the change)")
    check_number(part(env_change, "high"), expected["high"].iloc[0], "Task 5 (the upper end of the interval)")


def task6(env, people_change):
    survey = env["survey"]
    scales = env["scales"]
    branch = env["branch"]
    start = env["start"]
    pd = env["pd"]
    data = env["data"]
    ppl = scales.factor_scores(survey, factors={"p": data.items("people")})["p"]
    rows = pd.DataFrame({"p": ppl, "b": survey["branch"].astype(str), "m": survey["month"]}).dropna()
    rows = rows[(rows["b"] == branch) & (rows["m"] != start)]
    check_number(
        part(people_change, "estimate"),
        rows.loc[rows["m"] > start, "p"].mean() - rows.loc[rows["m"] < start, "p"].mean(),
        "Task 6",
    )


# task id: the names of the student's answers it checks, in order
TASKS = {
    "task1": ("env_alpha",),
    "task2": ("n_complete",),
    "task3": ("people_items", "most_needed"),
    "task4": ("threshold",),
    "task5": ("env_change",),
    "task6": ("people_change",),
}
