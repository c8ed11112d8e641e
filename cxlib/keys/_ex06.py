"""The key of exercise 06_benchmarking: the expected value of each task, from the student's own data.

Generated from the check cells of ``solutions/06_benchmarking.md``; the exercise calls
``check("taskN", answer)`` and never shows this code. See ``solutions/README.md``.
"""

# ruff: noqa: E501, F401, F841, N806

from __future__ import annotations

from cxlib.checks import Refused, check_choice, check_frame, check_number, part

PARAMETERS = ("data_dir", "competitor")


def setup(data_dir, competitor):
    """Load the data and check the parameters as the exercise does; return the names it defines."""
    import numpy as np
    import pandas as pd

    from cxlib import benchmark, compare, data, groups, params

    folder = params.data_folder(data_dir, ["benchmark"])
    bench = data.load("benchmark", folder)
    competitors = bench.loc[bench["business_type"] == "competitor", "business"].unique()
    competitor = params.check_choice("competitor", competitor, list(competitors))
    us = bench.loc[bench["business_type"] == "us", "business"].iloc[0]
    return dict(locals())


def task1(env, clean_gap):
    bench = env["bench"]
    benchmark = env["benchmark"]
    competitor = env["competitor"]
    table = benchmark.benchmark_gaps(bench, items=["env_cleanliness"])
    check_number(clean_gap, table.loc[table["business"] == competitor, "estimate"].iloc[0], "Task 1")


def task2(env, n_trail):
    bench = env["bench"]
    benchmark = env["benchmark"]
    competitor = env["competitor"]
    ref = benchmark.benchmark_gaps(bench, correction="holm")
    mine = ref[ref["business"] == competitor]
    check_number(
        n_trail, sum(1 for d, p in zip(mine["estimate"], mine["p_adjusted"]) if d < 0 and p < 0.05), "Task 2"
    )


def task3(env, ranking):
    bench = env["bench"]
    compare = env["compare"]
    stats_ = compare.group_stats(bench, "overall_quality", "business")["mean"]
    check_frame(
        ranking, stats_.rename("overall_quality").sort_values(ascending=False), "Task 3", ordered=True
    )


def task4(env, n_changed):
    bench = env["bench"]
    benchmark = env["benchmark"]
    a = benchmark.benchmark_gaps(bench, correction="none", confidence=0.95)
    b = benchmark.benchmark_gaps(bench, correction="holm", confidence=0.95)
    check_number(n_changed, sum(x != y for x, y in zip(a["verdict"], b["verdict"])), "Task 4")


def task6(env, pairs, n_holm, n_bh):
    bench = env["bench"]
    compare = env["compare"]
    answered = bench[bench["people_helpfulness"].notna()]
    names = sorted(answered["business"].astype(str).unique())
    raw = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            raw.append(
                compare.mean_difference(
                    answered.loc[answered["business"] == a, "people_helpfulness"],
                    answered.loc[answered["business"] == b, "people_helpfulness"],
                ).p_value
            )
    p_values = part(pairs, "p_value")
    check_number(
        p_values if p_values is Ellipsis or isinstance(p_values, Refused) else float(p_values.sum()),
        sum(raw),
        "Task 6 (the unadjusted p-values, summed)",
    )
    check_number(
        n_holm, int((compare.adjust_pvalues(raw, "holm") < 0.05).sum()), "Task 6 (pairs that differ, Holm)"
    )
    check_number(
        n_bh, int((compare.adjust_pvalues(raw, "fdr_bh") < 0.05).sum()), "Task 6 (pairs that differ, BH)"
    )


def task_published(env, standing):
    # the same league table, built with plain pandas: mean per business and item, then ranks
    bench, us = env["bench"], env["us"]
    items = env["data"].items()
    long = bench.melt(id_vars="business", value_vars=items, var_name="item", value_name="rating").dropna()
    means = long.pivot_table(index="item", columns="business", values="rating", aggfunc="mean", observed=True)
    ranks = means.rank(axis=1, ascending=False, method="min")[us]
    best = means.max(axis=1)
    got_rank, got_gap = part(standing, "rank"), part(standing, "gap_to_best")
    check_number(
        got_rank if got_rank is Ellipsis or isinstance(got_rank, Refused) else float(got_rank.sum()),
        float(ranks.sum()),
        "Task (published scores): our ranks, summed over the items",
    )
    check_number(
        got_gap if got_gap is Ellipsis or isinstance(got_gap, Refused) else float(got_gap.sum()),
        float((means[us] - best).sum()),
        "Task (published scores): the gaps to the best, summed",
    )


# task id: the names of the student's answers it checks, in order
TASKS = {
    "task1": ("clean_gap",),
    "task2": ("n_trail",),
    "task3": ("ranking",),
    "task4": ("n_changed",),
    "task6": ("pairs", "n_holm", "n_bh"),
    "task_published": ("standing",),
}
