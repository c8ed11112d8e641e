"""Hidden tests of exercise 08 (moments of truth): run by ``cxkit grade`` only, never shipped.

See ``solutions/hidden/ex03.py`` for how hidden tests are written.
"""

from cxlib.checks import check_frame, part


def task3(env, coefs):
    """The lower ends of the coefficients' 95% intervals (the public check looks at the estimates)."""
    import statsmodels.api as sm

    orders = env["orders"]
    s = env["journey"].sequence_summary(orders)
    fit = sm.OLS(orders["overall"].astype(float), sm.add_constant(s[["mean", "peak", "trough", "end"]])).fit()
    low = fit.conf_int(alpha=0.05)[0].rename("low")
    check_frame(
        part(coefs, "low"), low, "Task 3 (hidden: the lower ends of the intervals)", check_index=False
    )
