"""The key of exercise 04_drivers: the expected value of each task, from the student's own data.

Generated from the check cells of ``solutions/04_drivers.md``; the exercise calls
``check("taskN", answer)`` and never shows this code. See ``solutions/README.md``.
"""

# ruff: noqa: E501, F401, F841, N806

from __future__ import annotations

from cxlib.checks import check_choice, check_frame, check_number, part

PARAMETERS = ("data_dir", "channel", "outcome", "confidence")


def johnson(frame, y, xs):
    """Relative weights: an independent implementation of Johnson (2000), for checking."""
    import numpy as np
    import pandas as pd

    r = frame[[y] + xs].astype(float).dropna().corr().to_numpy()
    vals, vecs = np.linalg.eigh(r[1:, 1:])
    lam = vecs @ np.diag(np.sqrt(vals)) @ vecs.T
    w = (lam**2) @ np.linalg.solve(lam, r[1:, 0]) ** 2
    return pd.Series(100 * w / w.sum(), index=xs)


def setup(data_dir, channel, outcome, confidence):
    """Load the data and check the parameters as the exercise does; return the names it defines."""
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm

    from cxlib import data, drivers, params, scales

    folder = params.data_folder(data_dir, ["survey"])
    survey = data.load("survey", folder)
    channel = params.check_choice("channel", channel, list(survey["channel"].cat.categories))
    outcome = params.check_choice("outcome", outcome, ["satisfaction", "recommend", "buy_again"])
    confidence = params.check_confidence(confidence)
    truth = data.load_truth(folder) if (folder / "truth.json").exists() else None
    FACTORS = list(data.FACTORS)
    items = data.items()
    scores = scales.factor_scores(survey).join(
        survey[["satisfaction", "recommend", "buy_again", "effort", "channel"]]
    )
    mine = survey[survey["channel"] == channel]
    return dict(locals())


def task1(env, sum_r2, r_squared):
    FACTORS = env["FACTORS"]
    scores = env["scores"]
    channel = env["channel"]
    outcome = env["outcome"]
    sm = env["sm"]
    np = env["np"]
    sub = scores.loc[scores["channel"] == channel, FACTORS + [outcome]].astype(float)
    pairwise = [sub[[f, outcome]].dropna().to_numpy().T for f in FACTORS]
    check_number(
        sum_r2, sum(np.corrcoef(p)[0, 1] ** 2 for p in pairwise), "Task 1 (sum of squared correlations)"
    )
    full = sub.dropna()
    check_number(
        r_squared, sm.OLS(full[outcome], sm.add_constant(full[FACTORS])).fit().rsquared, "Task 1 (R²)"
    )


def task2(env, kd, n_used):
    sm = env["sm"]
    outcome = env["outcome"]
    FACTORS = env["FACTORS"]
    scores = env["scores"]
    confidence = env["confidence"]
    channel = env["channel"]
    full = scores.loc[scores["channel"] == channel, FACTORS + [outcome]].astype(float).dropna()
    zz = (full - full.mean()) / full.std()
    fit = sm.OLS(zz[outcome], sm.add_constant(zz[FACTORS])).fit()
    check_frame(part(kd, "estimate"), fit.params[FACTORS].rename("estimate"), "Task 2 (the betas)")
    check_number(
        part(part(kd, "low"), "practices"),
        fit.conf_int(alpha=1 - confidence).loc["practices", 0],
        "Task 2 (the lower end for practices)",
    )
    check_number(n_used, len(full), "Task 2 (rows used)")


def task3(env, rw_effort, effort_top, effort_top_share):
    scores = env["scores"]
    FACTORS = env["FACTORS"]
    pd = env["pd"]
    np = env["np"]

    ref = johnson(scores, "effort", FACTORS)
    check_frame(part(rw_effort, "percent"), ref.rename("percent"), "Task 3 (the shares)")
    check_choice(effort_top, ref.idxmax(), "Task 3 (the top factor)", choices=FACTORS)
    check_number(effort_top_share, ref.max(), "Task 3 (its share)")


def task4(env, kd_items, n_negative, rows_ten, rows_nine):
    items = env["items"]
    outcome = env["outcome"]
    np = env["np"]
    mine = env["mine"]
    sm = env["sm"]
    full = mine[items + [outcome]].astype(float).dropna()
    zz = (full - full.mean()) / full.std()
    betas = sm.OLS(zz[outcome], sm.add_constant(zz[items])).fit().params[items]
    check_frame(part(kd_items, "estimate"), betas.rename("estimate"), "Task 4 (the betas)")
    check_number(n_negative, int(np.sum(betas.to_numpy() < 0)), "Task 4 (negative betas)")
    check_number(rows_ten, len(full), "Task 4 (rows with all ten items)")
    nine_and_outcome = [i for i in items if i != "practices_resolution"] + [outcome]
    check_number(
        rows_nine,
        int(mine[nine_and_outcome].notna().all(axis=1).sum()),
        "Task 4 (rows without problem resolution)",
    )


def task5(env, ipa_channel, concentrate):
    mine = env["mine"]
    outcome = env["outcome"]
    items = env["items"]
    imp = johnson(mine, outcome, items)
    perf = mine[items].astype(float).mean()
    expected = sorted(i for i in items if imp[i] >= imp.mean() and perf[i] < perf.mean())
    check_frame(part(ipa_channel, "importance"), imp.rename("importance"), "Task 5 (importance)")
    answer = ", ".join(sorted(map(str, concentrate))) if isinstance(concentrate, list) else concentrate
    check_choice(answer, ", ".join(expected), "Task 5 (the items to concentrate on)")


def task6(env, true_order, channel_order):
    truth = env["truth"]
    outcome = env["outcome"]
    FACTORS = env["FACTORS"]
    scores = env["scores"]
    channel = env["channel"]

    def as_text(answer):
        return " > ".join(map(str, answer)) if isinstance(answer, list) else answer

    if truth is None:
        print("… Task 6: these data have no truth.json, so there is no truth to compare with.")
    else:
        w = truth["driver_weights"]
        check_choice(
            as_text(true_order),
            " > ".join(f for _, f in sorted((-w[f], f) for f in FACTORS)),
            "Task 6 (true order)",
        )
        mine_rw = johnson(scores[scores["channel"] == channel], outcome, FACTORS)
        check_choice(
            as_text(channel_order),
            " > ".join(mine_rw.sort_values(ascending=False).index),
            "Task 6 (estimated order)",
        )


def task8(env, shares, ci, clear_first):
    FACTORS = env["FACTORS"]
    pd = env["pd"]
    confidence = env["confidence"]
    np = env["np"]
    scores = env["scores"]
    outcome = env["outcome"]
    channel = env["channel"]
    drivers = env["drivers"]
    sm = env["sm"]
    from itertools import permutations

    rows = scores.loc[scores["channel"] == channel, [outcome, *FACTORS]].dropna()

    def r2(frame, cols):
        if not cols:
            return 0.0
        return sm.OLS(frame[outcome], sm.add_constant(frame[list(cols)])).fit().rsquared

    # LMG by its definition: the R-squared gain of each factor, averaged over the 6 orders of entry
    gain = pd.Series(0.0, index=pd.Index(FACTORS, name="driver"), name="estimate")
    for order in permutations(FACTORS):
        for i, f in enumerate(order):
            gain[f] += (r2(rows, order[: i + 1]) - r2(rows, order[:i])) / 6
    check_frame(part(shares, "estimate"), gain, "Task 8 (the LMG shares)")

    # the bootstrap by hand: resample the complete rows 500 times (seed 1), LMG percentages of each resample
    rng = np.random.default_rng(1)
    reps = pd.DataFrame(
        [
            drivers.lmg(rows.iloc[rng.integers(0, len(rows), size=len(rows))], outcome, FACTORS)["percent"]
            for _ in range(500)
        ]
    )
    a = (1 - confidence) / 2
    check_frame(
        part(ci, "percent_low"),
        reps.quantile(a).rename("percent_low").rename_axis("driver"),
        "Task 8 (lower ends, percent)",
    )
    high = reps.quantile(1 - a)
    top = gain.sort_values(ascending=False).index
    told_apart = reps.quantile(a)[top[0]] > high[top[1]]
    check_choice(clear_first, "yes" if told_apart else "no", "Task 8 (told apart?)", choices=["yes", "no"])


# task id: the names of the student's answers it checks, in order
TASKS = {
    "task1": ("sum_r2", "r_squared"),
    "task2": ("kd", "n_used"),
    "task3": ("rw_effort", "effort_top", "effort_top_share"),
    "task4": ("kd_items", "n_negative", "rows_ten", "rows_nine"),
    "task5": ("ipa_channel", "concentrate"),
    "task6": ("true_order", "channel_order"),
    "task8": ("shares", "ci", "clear_first"),
}
