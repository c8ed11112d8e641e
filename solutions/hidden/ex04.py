"""Hidden tests of exercise 04 (drivers): run by ``cxkit grade`` only, never shipped.

See ``solutions/hidden/ex03.py`` for how hidden tests are written.

Tasks without a hidden test, because the public check sees everything a wrong answer gets wrong:

- task1: ``sum_r2`` and ``r_squared`` are single numbers, both checked.
- task3: the public check looks at every share, the top factor and its share; the raw weights
  (``estimate``) are the shares times the R-squared, from the same call.
- task5: the public check looks at every item's importance and at the list of items to
  concentrate on; the performance (each item's mean) and the quadrants come from the same call,
  and crosshairs put elsewhere change the list the public check reads.
- task6: two orders of three factors, both checked.
"""

from cxlib.checks import check_frame, part


def _betas_fit(rows, outcome, drivers):
    """statsmodels' OLS of the z-scored outcome on the z-scored drivers (complete rows)."""
    import statsmodels.api as sm

    full = rows[[outcome, *drivers]].astype(float).dropna()
    z = (full - full.mean()) / full.std()
    return sm.OLS(z[outcome], sm.add_constant(z[drivers])).fit()


def _ends(answer, fit, drivers, confidence, task):
    """Check both ends of every driver's interval at ``confidence`` against statsmodels' own."""
    ends = fit.conf_int(alpha=1 - confidence).loc[drivers]
    check_frame(
        part(answer, "low"), ends[0].rename("low"), f"{task} (hidden: the lower ends of the intervals)"
    )
    check_frame(
        part(answer, "high"), ends[1].rename("high"), f"{task} (hidden: the upper ends of the intervals)"
    )


def task2(env, kd, n_used):
    """Every driver's interval at ``confidence`` (the public check looks at the betas and at the lower
    end for practices only), from statsmodels, not from cxlib: a table with the other drivers' ends,
    or the upper ends, at another confidence level passes the public check and fails here."""
    factors, scores, channel = env["FACTORS"], env["scores"], env["channel"]
    fit = _betas_fit(scores[scores["channel"] == channel], env["outcome"], factors)
    _ends(kd, fit, factors, env["confidence"], "Task 2")


def task4(env, kd_items, n_negative, rows_ten, rows_nine):
    """Every item's interval at ``confidence`` (the public check looks at the betas and the counts
    only), from statsmodels, not from cxlib: ``key_drivers`` called without ``confidence=`` gives
    95% intervals where the exercise asks for ``confidence``, passes the public check, fails here."""
    items = env["items"]
    fit = _betas_fit(env["mine"], env["outcome"], items)
    _ends(kd_items, fit, items, env["confidence"], "Task 4")


def task8(env, shares, ci, clear_first):
    """The upper ends of the bootstrap intervals, in percent (the public check looks at the lower
    ends and the shares).

    The replicates are drawn as the task says (500 resamples of the complete rows, ``seed=1``),
    and each replicate's LMG shares computed here by their definition with numpy (the R-squared of
    every subset of factors from the correlation matrix, each factor's gain averaged over the six
    orders of entry), not with cxlib: an interval whose upper ends come from another confidence
    level, or from another method, fails here.
    """
    from itertools import permutations

    import numpy as np
    import pandas as pd

    factors, outcome, confidence = env["FACTORS"], env["outcome"], env["confidence"]
    scores = env["scores"]
    rows = scores.loc[scores["channel"] == env["channel"], [outcome, *factors]].astype(float).dropna()
    x = rows.to_numpy()
    rng = np.random.default_rng(1)
    k = len(factors)

    def r2(corr, subset):
        if not subset:
            return 0.0
        s = list(subset)
        r = corr[0, [j + 1 for j in s]]
        return float(r @ np.linalg.solve(corr[np.ix_([j + 1 for j in s], [j + 1 for j in s])], r))

    reps = []
    for _ in range(500):
        corr = np.corrcoef(x[rng.integers(0, len(x), size=len(x))], rowvar=False)
        gain = np.zeros(k)
        orders = list(permutations(range(k)))
        for order in orders:
            for i, j in enumerate(order):
                gain[j] += (r2(corr, order[: i + 1]) - r2(corr, order[:i])) / len(orders)
        reps.append(100 * gain / gain.sum())
    high = pd.Series(
        np.quantile(np.array(reps), (1 + confidence) / 2, axis=0), index=factors, name="percent_high"
    )
    check_frame(
        part(ci, "percent_high"), high.rename_axis("driver"), "Task 8 (hidden: the upper ends, percent)"
    )
