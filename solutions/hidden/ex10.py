"""Hidden tests of exercise 10 (tracking improvement): run by ``cxkit grade`` only, never shipped.

See ``solutions/hidden/ex03.py`` for how hidden tests are written.

Tasks without a hidden test, because the public check sees the whole answer:

- task1: ``n_signals`` is one count, checked exactly.
- task2: ``before_after`` is one number, checked.
- task4: ``n_needed`` is one number, checked.
"""

from cxlib.checks import check_number, part


def task3(env, did):
    """The interval, standard error and rows of the difference-in-differences (the public check looks
    at the estimate only).

    The expected values come from statsmodels' own OLS of ``people ~ treated * post`` with
    cluster-robust errors by branch (t on G - 1 degrees of freedom, as Stata and the task's
    ``cluster="branch"`` do), not from cxlib: a result fitted without ``cluster=`` (errors that
    treat the responses of one branch as independent: an interval far too narrow), or at another
    confidence level, passes the public check and fails here.
    """
    import pandas as pd
    import statsmodels.formula.api as smf

    survey, training, start = env["survey"], env["training"], env["start"]
    flags = training.set_index(training["branch"].astype(str))
    wave = flags.index[flags["start_month"] == start]
    never = flags.index[~flags["trained"].astype(bool)]
    rows = survey[survey["branch"].astype(str).isin(wave.union(never))].dropna(subset=["people"])
    frame = pd.DataFrame(
        {
            "people": rows["people"].astype(float),
            "treated": rows["branch"].astype(str).isin(wave).astype(float),
            "post": (rows["month"] > start).astype(float),
        }
    )
    clusters = pd.factorize(rows["branch"].astype(str))[0]
    fit = smf.ols("people ~ treated * post", frame).fit(
        cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True
    )
    low, high = fit.conf_int(alpha=0.05).loc["treated:post"]
    check_number(part(did, "low"), low, "Task 3 (hidden: the lower end of the interval)")
    check_number(part(did, "high"), high, "Task 3 (hidden: the upper end of the interval)")
    check_number(part(did, "se"), fit.bse["treated:post"], "Task 3 (hidden: the standard error)")
    check_number(part(did, "n"), int(fit.nobs), "Task 3 (hidden: the responses used)")
