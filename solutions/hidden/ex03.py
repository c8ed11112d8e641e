"""Hidden tests of exercise 03 (headline metrics): run by ``cxkit grade`` only, never shipped.

Each ``taskN(env, *answers)`` takes what the key's task takes (``env``: the names the key's
``setup`` defines, from the student's own data; then the student's answers, in the order of the
key's ``TASKS``) and checks parts of the answers the public check does not look at, with
:mod:`cxlib.checks` (whose messages never show the expected value). A task's hidden tests run
only when its public check passes.
"""

from cxlib.checks import check_frame, check_number, part


def task2(env, repurchase):
    """The upper end of the Wilson interval (the public check looks at the lower end)."""
    from statsmodels.stats.proportion import proportion_confint

    mine, confidence = env["mine"], env["confidence"]
    x = int((mine["buy_again"] == 5).sum())
    _, high = proportion_confint(x, len(mine), alpha=1 - confidence, method="wilson")
    check_number(part(repurchase, "high"), 100 * high, "Task 2 (hidden: the upper end of the interval)")


def task3(env, effort_by_channel, easiest):
    """The lower ends of the t intervals and the counts (the public check looks at the upper ends)."""
    import numpy as np
    from scipy import stats

    g = env["survey"].groupby("channel", observed=True)["effort"]
    m, s, n = g.mean().astype(float), g.std().astype(float), g.count()
    lower = m - stats.t.ppf(0.5 + env["confidence"] / 2, n - 1) * s / np.sqrt(n)
    check_frame(part(effort_by_channel, "low"), lower.rename("low"), "Task 3 (hidden: the lower ends)")


def task4(env, vs_others, verdict):
    """The lower end of the comparison's interval (the public check looks at the upper end)."""
    survey, mine = env["survey"], env["mine"]
    others = survey[survey["channel"] != env["channel"]]
    swapped = env["metrics"].compare_nps(others["recommend"], mine["recommend"], confidence=env["confidence"])
    check_number(part(vs_others, "low"), -swapped.high, "Task 4 (hidden: the lower end of the interval)")
