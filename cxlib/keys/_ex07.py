"""The key of exercise 07_levels_of_service: the expected value of each task, from the student's own data.

Generated from the check cells of ``solutions/07_levels_of_service.md``; the exercise calls
``check("taskN", answer)`` and never shows this code. See ``solutions/README.md``.
"""

# ruff: noqa: E501, F401, F841, N806

from __future__ import annotations

from cxlib.checks import check_choice, check_frame, check_number, part

PARAMETERS = ("data_dir", "channel")


def setup(data_dir, channel):
    """Load the data and check the parameters as the exercise does; return the names it defines."""
    import numpy as np
    import pandas as pd

    from cxlib import data, levels, metrics, params

    folder = params.data_folder(data_dir, ["survey", "kano"])
    survey = data.load("survey", folder)
    kano = data.load("kano", folder)
    channel = params.check_choice("channel", channel, list(survey["channel"].cat.categories))
    return dict(locals())


def task1(env, share_amazed):
    levels = env["levels"]
    survey = env["survey"]
    shares = levels.levels_outcomes(survey.drop(columns="service_level", errors="ignore"))[
        "responses", "percent"
    ]
    check_number(share_amazed, float(shares.get("amaze", 0.0)), "Task 1")


def task2(env, by_level):
    metrics = env["metrics"]
    survey = env["survey"]
    channel = env["channel"]
    levels = env["levels"]
    sub = survey.loc[survey["channel"] == channel].drop(columns="service_level", errors="ignore")
    sub = sub.assign(service_level=levels.service_level(sub, max_effort=2))
    expected = metrics.by_group(sub, "recommend", by="service_level", metric="nps")["estimate"]
    check_frame(part(part(by_level, "nps"), "estimate"), expected, "Task 2")


def task3(env, n_attractive):
    kano = env["kano"]
    levels = env["levels"]
    check_number(n_attractive, int(levels.kano_summary(kano)["attractive"].sum()), "Task 3")


def task4(env, best_feature):
    kano = env["kano"]
    levels = env["levels"]
    s = levels.kano_summary(kano)
    check_choice(
        best_feature, max(s.index, key=lambda a: s.loc[a, "better"]), "Task 4", choices=list(s.index)
    )


# task id: the names of the student's answers it checks, in order
TASKS = {
    "task1": ("share_amazed",),
    "task2": ("by_level",),
    "task3": ("n_attractive",),
    "task4": ("best_feature",),
}
