"""The key of exercise 05_know_your_customers: the expected value of each task, from the student's own data.

Generated from the check cells of ``solutions/05_know_your_customers.md``; the exercise calls
``check("taskN", answer)`` and never shows this code. See ``solutions/README.md``.
"""

# ruff: noqa: E501, F401, F841, N806

from __future__ import annotations

from cxlib.checks import check_choice, check_frame, check_number, part

PARAMETERS = ("data_dir", "expectation")


def setup(data_dir, expectation):
    """Load the data and check the parameters as the exercise does; return the names it defines."""
    import numpy as np
    import pandas as pd

    from cxlib import data, gaps, params

    folder = params.data_folder(data_dir, ["expectations", "servqual"])
    expectations = data.load("expectations", folder)
    servqual = data.load("servqual", folder)
    expectation = params.check_choice(
        "expectation", expectation, list(expectations["expectation"].cat.categories)
    )
    return dict(locals())


def task1(env, gap_one):
    expectation = env["expectation"]
    expectations = env["expectations"]
    gaps = env["gaps"]
    expected_gap = gaps.expectation_gap(expectations).loc[expectation, "estimate"]
    check_number(gap_one, expected_gap, "Task 1")


def task2(env, n_real, width):
    expectations = env["expectations"]
    gaps = env["gaps"]
    expectation = env["expectation"]
    from cxlib import compare

    reference = gaps.expectation_gap(expectations)  # adjusted p-values do not depend on the confidence level
    check_number(n_real, sum(p < 0.01 for p in reference["p_adjusted"]), "Task 2a")
    chosen = expectations[expectations["expectation"] == expectation]
    interval = compare.mean_difference(
        chosen.loc[chosen["role"] == "employee", "importance"],
        chosen.loc[chosen["role"] == "customer", "importance"],
        confidence=0.99,
    )
    check_number(width, interval.high - interval.low, "Task 2b")


def task3(env, most_overrated):
    gaps = env["gaps"]
    expectations = env["expectations"]
    reference = gaps.expectation_gap(expectations)
    ranked = sorted(reference["estimate"].items(), key=lambda kv: kv[1])
    check_choice(most_overrated, ranked[-1][0], "Task 3", choices=list(reference.index))


def task4(env, worst_item):
    servqual = env["servqual"]
    item_means = (
        servqual.assign(d=servqual["perception"] - servqual["expectation"])
        .groupby("item", observed=True)["d"]
        .mean()
    )
    check_choice(worst_item, item_means.sort_values().index[0], "Task 4", choices=list(item_means.index))


# task id: the names of the student's answers it checks, in order
TASKS = {
    "task1": ("gap_one",),
    "task2": ("n_real", "width"),
    "task3": ("most_overrated",),
    "task4": ("worst_item",),
}
