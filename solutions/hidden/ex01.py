"""Hidden tests of exercise 01 (three factors): run by ``cxkit grade`` only, never shipped.

See ``solutions/hidden/ex03.py`` for how hidden tests are written.
"""

from cxlib.checks import check_number, part


def task5(env, practices_gap):
    """The upper end of the Welch interval and the group sizes (the public check looks at the
    estimate and the lower end); the upper end comes from scipy's own Welch test, not from cxlib."""
    import pandas as pd
    from scipy import stats

    survey, branch = env["survey"], env["branch"]
    fs = env["scales"].factor_scores(survey, factors={"p": env["data"].items("practices")})["p"]
    here = (survey["branch"] == branch).to_numpy()
    table = pd.DataFrame({"p": fs, "happy": survey["satisfaction"] >= 4})[here].dropna()
    a, b = table.loc[table["happy"], "p"], table.loc[~table["happy"], "p"]
    high = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95).high
    check_number(part(practices_gap, "high"), high, "Task 5 (hidden: the upper end of the interval)")
    check_number(part(practices_gap, "n_a"), len(a), "Task 5 (hidden: the satisfied customers counted)")
