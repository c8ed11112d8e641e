"""The key of exercise 09_customer_value: the expected value of each task, from the student's own data.

Generated from the check cells of ``solutions/09_customer_value.md``; the exercise calls
``check("taskN", answer)`` and never shows this code. See ``solutions/README.md``.
"""

# ruff: noqa: E501, F401, F841, N806

from __future__ import annotations

from cxlib.checks import check_choice, check_frame, check_number, part

PARAMETERS = ("data_dir", "discount")


def setup(data_dir, discount):
    """Load the data and check the parameters as the exercise does; return the names it defines."""
    import numpy as np
    import pandas as pd

    from cxlib import data, params, value

    folder = params.data_folder(data_dir, ["transactions", "survey"])
    purchases = data.load("transactions", folder)
    survey = data.load("survey", folder)
    discount = params.check_number("discount", discount, 0, 0.5)
    year = int(purchases["date"].dt.year.min())
    return dict(locals())


def task1(env, margins):
    purchases = env["purchases"]
    year = env["year"]
    value = env["value"]
    check_frame(margins, value.customer_years(purchases, year)["margin"], "Task 1")


def task2(env, ashford_retention):
    purchases = env["purchases"]
    year = env["year"]
    yr = purchases[purchases["date"].dt.year == year]
    first = yr.groupby("customer_id")["branch"].first()
    ids = set(first[first == "Ashford"].index)
    back = set(purchases.loc[purchases["date"].dt.year == year + 1, "customer_id"])
    check_number(ashford_retention, len(ids & back) / len(ids), "Task 2")


def task3(env, clv_avg):
    purchases = env["purchases"]
    year = env["year"]
    value = env["value"]
    discount = env["discount"]
    m = value.customer_years(purchases, year)
    r_pct = value.retention_rate(purchases).loc[year, "estimate"] / 100
    check_number(clv_avg, m["margin"].mean() * r_pct / (1 + discount - r_pct), "Task 3")


def task4(env, total_risk):
    value = env["value"]
    discount = env["discount"]
    purchases = env["purchases"]
    year = env["year"]
    survey = env["survey"]
    sat = survey.groupby("customer_id")["satisfaction"].first()
    d = value.customer_years(purchases, year).merge(sat, left_index=True, right_index=True)
    table = value.value_at_risk(d, level="satisfaction", discount=discount)
    check_number(total_risk, float((table["value_at_risk"]).sum()), "Task 4")


# task id: the names of the student's answers it checks, in order
TASKS = {
    "task1": ("margins",),
    "task2": ("ashford_retention",),
    "task3": ("clv_avg",),
    "task4": ("total_risk",),
}
