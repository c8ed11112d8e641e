"""The key of exercise 08_moments_of_truth: the expected value of each task, from the student's own data.

Generated from the check cells of ``solutions/08_moments_of_truth.md``; the exercise calls
``check("taskN", answer)`` and never shows this code. See ``solutions/README.md``.
"""

# ruff: noqa: E501, F401, F841, N806

from __future__ import annotations

from cxlib.checks import check_choice, check_frame, check_number, part

PARAMETERS = ("data_dir", "promised")


def setup(data_dir, promised):
    """Load the data and check the parameters as the exercise does; return the names it defines."""
    import numpy as np
    import pandas as pd

    from cxlib import compare, data, journey, params

    folder = params.data_folder(data_dir, ["touchpoints"])
    orders = data.load("touchpoints", folder)
    promised = int(
        params.check_choice("promised", promised, sorted(orders["promised_days"].unique().tolist()))
    )
    return dict(locals())


def task1(env, late_pct):
    orders = env["orders"]
    promised = env["promised"]
    sub = orders[orders["promised_days"] == promised]
    check_number(late_pct, 100 * sub["delayed"].sum() / len(sub), "Task 1")


def task2(env, mean_end):
    orders = env["orders"]
    np = env["np"]
    last = [row[f"contact_{k}"] for k, (_, row) in zip(orders["n_contacts"], orders.iterrows())]
    check_number(mean_end, float(np.mean(last)), "Task 2")


def task3(env, coefs):
    orders = env["orders"]
    journey = env["journey"]
    import statsmodels.api as sm

    s = journey.sequence_summary(orders)
    fit = sm.OLS(orders["overall"].astype(float), sm.add_constant(s[["mean", "peak", "trough", "end"]])).fit()
    check_frame(part(coefs, "estimate"), fit.params.rename("estimate"), "Task 3", check_index=False)


def task4(env, thanks_effect):
    orders = env["orders"]
    compare = env["compare"]
    with_note = orders.loc[orders["thank_you"], "overall"]
    without = orders.loc[~orders["thank_you"], "overall"]
    check_number(thanks_effect, compare.mean_difference(with_note, without).estimate, "Task 4")


# task id: the names of the student's answers it checks, in order
TASKS = {
    "task1": ("late_pct",),
    "task2": ("mean_end",),
    "task3": ("coefs",),
    "task4": ("thanks_effect",),
}
