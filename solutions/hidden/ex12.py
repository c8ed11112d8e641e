"""Hidden tests of exercise 12 (listening): run by ``cxkit grade`` only, never shipped.

See ``solutions/hidden/ex03.py`` for how hidden tests are written.
"""

from cxlib.checks import check_number, part


def task3(env, kappa):
    """Both ends of kappa's 95% interval (the public check looks at the estimate and n).

    The expected ends come from statsmodels' own ``cohens_kappa`` (the Fleiss-Cohen-Everitt
    asymptotic standard error), not from cxlib, so a result built another way is judged on its
    numbers: an interval at another confidence level, or with the standard error under kappa = 0,
    passes the public check and fails here.
    """
    import pandas as pd
    from statsmodels.stats.inter_rater import cohens_kappa

    listen, said, topic = env["listen"], env["said"], env["topic"]
    a = listen.code_topics(said["comment"])[topic]
    b = listen.code_topics(said["comment"], negation=False)[topic]
    table = pd.crosstab(a, b).reindex(index=[False, True], columns=[False, True], fill_value=0)
    fit = cohens_kappa(table.to_numpy())  # its interval is at 95%
    check_number(part(kappa, "low"), fit.kappa_low, "Task 3 (hidden: the lower end of the interval)")
    check_number(part(kappa, "high"), fit.kappa_upp, "Task 3 (hidden: the upper end of the interval)")
