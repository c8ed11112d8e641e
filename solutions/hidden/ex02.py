"""Hidden tests of exercise 02 (measuring factors): run by ``cxkit grade`` only, never shipped.

See ``solutions/hidden/ex03.py`` for how hidden tests are written.
"""

from cxlib.checks import check_number, part


def task1(env, env_alpha):
    """The upper end of Feldt's interval (the public check looks at alpha and the lower end)."""
    survey, stats, confidence = env["survey"], env["stats"], env["confidence"]
    x = survey[survey["channel"] == env["channel"]][env["data"].items("environment")].astype(float)
    a, n, k = env["pg"].cronbach_alpha(x)[0], len(x), x.shape[1]
    # Feldt (1965): (1 - alpha) / (1 - alpha_hat) follows F(n - 1, (n - 1)(k - 1))
    feldt_high = 1 - (1 - a) * stats.f.ppf(0.5 - confidence / 2, n - 1, (n - 1) * (k - 1))
    check_number(part(env_alpha, "high"), feldt_high, "Task 1 (hidden: the upper end of the interval)")


def task5(env, env_change):
    """The lower end of the Welch interval at ``confidence`` (the public check looks at the estimate
    and the upper end); from scipy's own Welch test, not from cxlib."""
    import pandas as pd
    from scipy import stats

    survey, branch, start = env["survey"], env["branch"], env["start"]
    e = env["scales"].factor_scores(survey, factors={"e": env["data"].items("environment")})["e"]
    rows = pd.DataFrame({"e": e, "b": survey["branch"].astype(str), "m": survey["month"]}).dropna()
    rows = rows[(rows["b"] == branch) & (rows["m"] != start)]
    after, before = rows.loc[rows["m"] > start, "e"], rows.loc[rows["m"] < start, "e"]
    low = stats.ttest_ind(after, before, equal_var=False).confidence_interval(env["confidence"]).low
    check_number(part(env_change, "low"), low, "Task 5 (hidden: the lower end of the interval)")
