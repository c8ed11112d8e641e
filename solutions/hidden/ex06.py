"""Hidden tests of exercise 06 (benchmarking): run by ``cxkit grade`` only, never shipped.

See ``solutions/hidden/ex03.py`` for how hidden tests are written.

Tasks without a hidden test, because the public check sees the whole answer:

- task1: ``clean_gap`` is one number, checked.
- task2: ``n_trail`` is one count, checked exactly.
- task3: ``ranking`` is checked whole: every business's mean and their order.
- task4: ``n_changed`` is one count, checked exactly.
"""

from cxlib.checks import Refused, check_frame, check_number, part


def task6(env, pairs, n_holm, n_bh):
    """Each pair's Holm-adjusted p-value and 95% interval (the public check looks at the sum of the
    unadjusted p-values and at the two counts).

    The expected values come from scipy's own Welch test of each pair, in the order of the
    student's rows, and statsmodels' ``multipletests`` (Holm), not from cxlib: a ``pairs`` table
    made with ``correction="fdr_bh"`` (the name reused for the Benjamini-Hochberg table, say) or
    at another confidence level passes the public check and fails here.
    """
    import pandas as pd
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    bench = env["bench"]
    rated = bench[bench["people_helpfulness"].notna()]
    ratings = {
        str(b): g["people_helpfulness"].astype(float) for b, g in rated.groupby("business", observed=True)
    }
    a, b = part(pairs, "business_a"), part(pairs, "business_b")
    refused = next((x for x in (a, b) if isinstance(x, Refused)), None)
    if refused is not None:
        check_frame(refused, None, "Task 6 (hidden: the pairs compared)")
        return
    both = list(zip(map(str, a), map(str, b)))
    if any(not set(pair) <= set(ratings) for pair in both):
        unknown = Refused("the pairs are not pairs of the businesses: compare them by their names.")
        check_frame(unknown, None, "Task 6 (hidden: the pairs compared)")
        return
    tests = [stats.ttest_ind(ratings[x], ratings[y], equal_var=False) for x, y in both]
    ends = [t.confidence_interval(0.95) for t in tests]
    expected = pd.DataFrame(
        {
            "p_adjusted": multipletests([t.pvalue for t in tests], method="holm")[1],
            "low": [e.low for e in ends],
            "high": [e.high for e in ends],
        }
    )
    names = {
        "p_adjusted": "Task 6 (hidden: the Holm-adjusted p-values)",
        "low": "Task 6 (hidden: the lower ends of the intervals)",
        "high": "Task 6 (hidden: the upper ends of the intervals)",
    }
    for column, name in names.items():
        check_frame(part(pairs, column), expected[column], name, check_index=False)


def task_published(env, standing):
    """The interval of our rank on each item (the public check looks at the ranks and the gaps).

    Every business's published score is drawn from a normal with its standard error (the standard
    deviation of its ratings over the square root of their number), and our rank read from each
    draw, as Goldstein and Spiegelhalter (1996) do; here by a simulation of our own (numpy, its own
    seed, 20,000 draws), so the ends may differ from cxlib's by one place, and only a difference
    of more than one place counts. A table ranked without ``se=`` (no intervals) or with the
    ratings' standard deviation as the standard error (intervals far too wide) passes the public
    check and fails here.
    """
    import numpy as np

    bench, us = env["bench"], str(env["us"])
    long = bench.melt(
        id_vars="business", value_vars=env["data"].items(), var_name="item", value_name="rating"
    )
    long = long.dropna().assign(business=lambda d: d["business"].astype(str))
    stats_ = long.groupby(["item", "business"])["rating"].agg(["mean", "std", "count"])
    rng = np.random.default_rng(20260)
    expected = {}
    for item, table in stats_.groupby(level="item"):
        names = table.index.get_level_values("business")
        if us not in names:
            continue
        se = (table["std"] / np.sqrt(table["count"])).to_numpy()
        draws = table["mean"].to_numpy() + se * rng.standard_normal((20_000, len(table)))
        ours = draws[:, list(names).index(us)][:, None]
        ranks = 1 + (draws > ours).sum(axis=1)
        expected[item] = (np.floor(np.quantile(ranks, 0.025)), np.ceil(np.quantile(ranks, 0.975)))
    measure, low, high = (part(standing, c) for c in ("measure", "rank_low", "rank_high"))
    refused = next((x for x in (measure, low, high) if isinstance(x, Refused)), None)
    if refused is not None:
        check_number(refused, 0, "Task (published scores) (hidden: the intervals of our rank)")
        return
    got = {str(m): (lo, hi) for m, lo, hi in zip(measure, low, high)}
    off = sum(
        item not in got or not all(np.isfinite(g) and abs(g - e) <= 1 for g, e in zip(got[item], want))
        for item, want in expected.items()
    )
    check_number(off, 0, "Task (published scores) (hidden: the items whose rank interval is off)")
