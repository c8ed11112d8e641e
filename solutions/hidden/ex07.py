"""Hidden tests of exercise 07 (levels of service): run by ``cxkit grade`` only, never shipped.

See ``solutions/hidden/ex03.py`` for how hidden tests are written.

Tasks without a hidden test, because the public check sees the whole answer:

- task1: ``share_amazed`` is one percentage, checked.
- task3: ``n_attractive`` is one count, checked exactly.
- task4: ``best_feature`` is one name, checked.
"""

from cxlib.checks import check_frame, part


def task2(env, by_level):
    """The repurchase block and the counts of the levels table (the public check looks at the NPS).

    The repurchase share is the top box of ``buy_again`` ("definitely will", 5 of 5) with a 95%
    Wilson interval, here from statsmodels' own ``proportion_confint``, not from cxlib: a table
    made with ``top=2`` (the top two boxes, a common reading of "intends to buy again") or at
    another confidence level has the right NPS, passes the public check and fails here.
    """
    import pandas as pd
    from statsmodels.stats.proportion import proportion_confint

    survey, channel, levels = env["survey"], env["channel"], env["levels"]
    sub = survey[survey["channel"] == channel].drop(columns="service_level", errors="ignore")
    level = levels.service_level(sub).astype(str).rename("service_level")
    answered = sub["buy_again"].notna()
    hits = (sub["buy_again"] == 5)[answered].groupby(level[answered]).sum().astype(int)
    asked = answered[answered].groupby(level[answered]).size()
    low, high = proportion_confint(hits, asked, alpha=0.05, method="wilson")
    repurchase = pd.DataFrame({"estimate": 100 * hits / asked, "low": 100 * low, "high": 100 * high})
    got = part(by_level, "repurchase")
    names = {
        "estimate": "Task 2 (hidden: the repurchase share of each level)",
        "low": "Task 2 (hidden: the lower ends of the repurchase intervals)",
        "high": "Task 2 (hidden: the upper ends of the repurchase intervals)",
    }
    for column, name in names.items():
        check_frame(part(got, column), repurchase[column], name)
    check_frame(
        part(part(by_level, "responses"), "n"),
        level.value_counts().rename("n"),
        "Task 2 (hidden: the responses at each level)",
    )
