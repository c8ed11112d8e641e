"""Hidden tests (``solutions/hidden/exNN.py``): they match their keys, a right answer passes them and
the typical wrong answers the public check lets through fail them, with feedback that never shows the
expected value. Fast: the answers are computed here and graded with ``grade_namespace``, the function
the grading cell of ``cxkit grade`` calls in the student's kernel."""

from __future__ import annotations

import ast
import dataclasses
import importlib

import numpy as np
import pytest
from conftest import ROOT

from cxlib import data, listen
from cxlib.kit import grade as grading

HIDDEN = sorted((ROOT / "solutions" / "hidden").glob("ex*.py"))


@pytest.mark.parametrize("path", HIDDEN, ids=lambda p: p.stem)
def test_each_hidden_test_takes_its_keys_answers(path):
    key = importlib.import_module(f"cxlib.keys._{path.stem}")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tasks = {f.name: [a.arg for a in f.args.args] for f in tree.body if isinstance(f, ast.FunctionDef)}
    tasks = {name: args for name, args in tasks.items() if not name.startswith("_")}  # helpers
    for task, args in tasks.items():
        assert task in key.TASKS, f"{path.name}: {task} is not a task of the key"
        assert args == ["env", *key.TASKS[task]], f"{path.name}: {task} must take env and the key's answers"


NEW = ["ex04", "ex05", "ex06", "ex07", "ex09", "ex10"]


@pytest.mark.parametrize("name", NEW)
def test_each_task_has_a_hidden_test_or_the_docstring_says_why_not(name):
    path = ROOT / "solutions" / "hidden" / f"{name}.py"
    key = importlib.import_module(f"cxlib.keys._{name}")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tested = {f.name for f in tree.body if isinstance(f, ast.FunctionDef)}
    doc = ast.get_docstring(tree)
    untested = doc.split("Tasks without a hidden test", 1)[1] if "Tasks without a hidden test" in doc else ""
    for task in key.TASKS:
        listed = f"- {task}: " in untested
        assert (task in tested) != listed, f"{path.name}: {task} needs a hidden test or a line saying why not"


@pytest.fixture(scope="module")
def ex12_answers():
    """The right answers of exercise 12 on the course's data (topic 'waiting'), as the solution gets them."""
    survey = data.load("survey")
    survey["comment"] = listen.redact(survey["comment"])
    texts = survey[listen.has_text(survey["comment"])].copy()
    coded = listen.code_topics(texts["comment"])
    plain = listen.code_topics(texts["comment"], negation=False)
    return {
        "text_pct": listen.has_text(survey["comment"]).mean() * 100,
        "detractor_pct": coded.loc[texts["recommend"] <= 6, "waiting"].mean() * 100,
        "kappa": listen.cohen_kappa(coded["waiting"], plain["waiting"]),
        "promoter_tone": listen.sentiment(texts.loc[texts["recommend"] >= 9, "comment"]).mean(),
        "_codings": (coded["waiting"], plain["waiting"]),
    }


def _grade12(answers):
    hidden = (ROOT / "solutions" / "hidden" / "ex12.py").read_text(encoding="utf-8")
    answers = {k: v for k, v in answers.items() if not k.startswith("_")}
    return grading.grade_namespace("12", {"data_dir": None, "topic": "waiting"}, answers, hidden)


def test_ex12_a_right_answer_passes_the_public_checks_and_the_hidden_tests(ex12_answers):
    result = _grade12(ex12_answers)
    statuses = {t: r["status"] for t, r in result.items()}
    assert statuses == dict.fromkeys(["task1", "task2", "task3", "task4"], "correct")


def test_ex12_an_interval_at_another_level_passes_the_public_check_but_not_the_hidden_test(ex12_answers):
    kappa_90 = listen.cohen_kappa(*ex12_answers["_codings"], confidence=0.9)
    result = _grade12({**ex12_answers, "kappa": kappa_90})
    assert result["task3"]["status"] == "wrong"
    reason = result["task3"]["reason"]
    assert "passes the public check but not a hidden test" in reason and "lower end of the interval" in reason
    assert f"{ex12_answers['kappa'].low:.3f}"[:5] not in reason  # never the expected value
    assert [result[t]["status"] for t in ("task1", "task2", "task4")] == ["correct"] * 3


def test_ex12_an_interval_built_on_the_null_standard_error_fails_the_hidden_test(ex12_answers):
    # a common slip: kappa +/- 1.96 se0, the standard error under kappa = 0 (for the test), as the interval
    # (Fleiss, Cohen & Everitt 1969, eq. 14), written out here from the two codings' margins
    a, b = (c.to_numpy() for c in ex12_answers["_codings"])
    rows, cols = np.array([1 - a.mean(), a.mean()]), np.array([1 - b.mean(), b.mean()])
    pe = float(rows @ cols)
    se0 = np.sqrt(pe + pe**2 - float((rows * cols * (rows + cols)).sum())) / (np.sqrt(len(a)) * (1 - pe))
    k = ex12_answers["kappa"]
    assert se0 > 1.5 * k.se  # the slip is large enough to matter
    slipped = dataclasses.replace(k, low=k.estimate - 1.96 * se0, high=k.estimate + 1.96 * se0)
    assert _grade12({**ex12_answers, "kappa": slipped})["task3"]["status"] == "wrong"


def test_ex12_the_estimate_alone_is_wrong_at_the_public_check(ex12_answers):
    result = _grade12({**ex12_answers, "kappa": ex12_answers["kappa"].estimate})
    assert result["task3"]["status"] == "wrong"
    assert "hidden" not in result["task3"]["reason"]


def _grade(number, parameters, answers):
    hidden = (ROOT / "solutions" / "hidden" / f"ex{number}.py").read_text(encoding="utf-8")
    return grading.grade_namespace(number, parameters, answers, hidden)


def _ends_at_two_levels(right, other, end):
    """A slip the public check misses: one end of the interval taken from a result at another level."""
    return dataclasses.replace(right, **{end: getattr(other, end)})


def test_ex01_the_upper_end_is_checked_by_the_hidden_test():
    from cxlib import compare, scales

    survey = data.load("survey")
    scored = survey.assign(practices=scales.factor_scores(survey)["practices"])
    scored = scored[(scored["branch"] == "Ironbridge") & scored["practices"].notna()]
    a, b = (
        scored.loc[scored["satisfaction"] >= 4, "practices"],
        scored.loc[scored["satisfaction"] <= 3, "practices"],
    )
    right = compare.mean_difference(a, b)
    parameters = {"data_dir": None, "branch": "Ironbridge"}
    assert _grade("01", parameters, {"practices_gap": right})["task5"]["status"] == "correct"
    slipped = _ends_at_two_levels(right, compare.mean_difference(a, b, 0.9), "high")
    result = _grade("01", parameters, {"practices_gap": slipped})["task5"]
    assert result["status"] == "wrong" and "upper end" in result["reason"] and "hidden" in result["reason"]


def test_ex02_the_other_ends_are_checked_by_the_hidden_tests():
    from cxlib import compare, scales

    survey, training = data.load("survey"), data.load("training")
    parameters = {"data_dir": None, "channel": "online", "branch": "Hillcrest", "confidence": 0.9}
    items = data.items("environment")
    in_channel = survey[survey["channel"] == "online"]
    alpha = scales.cronbach_alpha(in_channel, items, confidence=0.9)
    start = training.set_index("branch").loc["Hillcrest", "start_month"]
    scored = survey.assign(environment=scales.factor_scores(survey)["environment"])
    mine = scored[(scored["branch"] == "Hillcrest") & scored["environment"].notna()]
    after, before = (
        mine.loc[mine["month"] > start, "environment"],
        mine.loc[mine["month"] < start, "environment"],
    )
    change = compare.mean_difference(after, before, 0.9)
    right = _grade("02", parameters, {"env_alpha": alpha, "env_change": change})
    assert (right["task1"]["status"], right["task5"]["status"]) == ("correct", "correct")
    slipped = {
        "env_alpha": _ends_at_two_levels(alpha, scales.cronbach_alpha(in_channel, items), "high"),
        "env_change": _ends_at_two_levels(change, compare.mean_difference(after, before), "low"),
    }
    wrong = _grade("02", parameters, slipped)
    assert "upper end" in wrong["task1"]["reason"] and "lower end" in wrong["task5"]["reason"]
    assert all(wrong[t]["status"] == "wrong" and "hidden" in wrong[t]["reason"] for t in ("task1", "task5"))


# Exercises 04, 05, 06, 07, 09 and 10: each right answer is computed here as the solution computes it on
# the course's data (the exercise's default parameters), then one realistic slip the public check lets
# through. The reason of a slip never holds the expected value: ``_no_value_in`` looks for it. The fixture
# ``right`` (at the end) makes each exercise's right answers once, with ``answers_NN``.


def _no_value_in(reason, *values):
    for v in values:
        for shown in (f"{v:.2f}", f"{v:.3f}", f"{v:.4g}", f"{round(v, 1)}"):
            if shown not in ("0.00", "-0.00", "0.000", "0", "0.0", "-0.0"):
                assert shown not in reason, f"the reason shows the expected value {shown}: {reason}"


def _statuses(result):
    return {t: r["status"] for t, r in result.items()}


def _hidden_failure(result, task, words):
    assert result[task]["status"] == "wrong", result[task]
    reason = result[task]["reason"]
    assert "passes the public check but not a hidden test" in reason and words in reason, reason
    return reason


def answers_10(data_dir=None, branch="Carlton"):
    """Exercise 10's right answers, as the solution computes them, the DiD's rows and the parameters."""
    from cxlib import params, scales, tracking

    folder = params.data_folder(data_dir, ["survey", "training"])
    survey, training = data.load("survey", folder), data.load("training", folder)
    survey["people"] = scales.factor_scores(survey)["people"]
    start = training.set_index("branch").loc[branch, "start_month"]
    chart = tracking.top_box_limits(survey, "satisfaction", "month", baseline=12)
    rows = survey[survey["branch"] == branch].dropna(subset=["people"])
    wave = training.loc[training["start_month"] == start, "branch"].astype(str).tolist()
    never = training.loc[~training["trained"], "branch"].astype(str).tolist()
    d = survey[survey["branch"].isin(wave + never)].dropna(subset=["people"])
    d = d.assign(treated=d["branch"].isin(wave).astype(int), post=(d["month"] > start).astype(int))
    answers = {
        "n_signals": int(chart["signal"].sum()),
        "before_after": rows.loc[rows["month"] > start, "people"].mean()
        - rows.loc[rows["month"] <= start, "people"].mean(),
        "did": tracking.diff_in_diff(d, "people", "treated", "post", cluster="branch"),
        "n_needed": tracking.sample_size_proportions(0.70, 0.75),
    }
    return answers, d, {"data_dir": data_dir, "branch": branch}


def test_ex10_errors_that_treat_a_branch_as_independent_responses_fail_the_hidden_test(right):
    from cxlib import tracking

    answers, d, parameters = right("10")
    right = answers["did"]
    plain = tracking.diff_in_diff(d, "people", "treated", "post")  # cluster= forgotten
    assert plain.estimate == pytest.approx(right.estimate)  # the public check cannot see it
    assert plain.high < right.high and plain.se < right.se  # the responses of a branch taken as independent
    result = _grade("10", parameters, {**answers, "did": plain})
    reason = _hidden_failure(result, "task3", "the lower end of the interval")
    assert "the standard error" in reason
    _no_value_in(reason, right.low, right.high, right.se)
    # the estimate alone (stored from the result, not the result) passes the public check, not the hidden
    result = _grade("10", parameters, {**answers, "did": right.estimate})
    _hidden_failure(result, "task3", "the answer has no 'low'")


def answers_07(data_dir=None, channel="online"):
    """Exercise 07's right answers, as the solution computes them, the channel's rows and the parameters."""
    from cxlib import levels, params

    folder = params.data_folder(data_dir, ["survey", "kano"])
    survey, kano = data.load("survey", folder), data.load("kano", folder)
    survey["service_level"] = levels.service_level(survey)
    online = survey[survey["channel"] == channel]
    answers = {
        "share_amazed": (survey["service_level"] == "amaze").mean() * 100,
        "by_level": levels.levels_outcomes(online),
        "n_attractive": int((levels.kano(kano["functional"], kano["dysfunctional"]) == "attractive").sum()),
        "best_feature": levels.kano_summary(kano)["better"].idxmax(),
    }
    return answers, online, {"data_dir": data_dir, "channel": channel}


def test_ex07_repurchase_read_from_the_top_two_boxes_fails_the_hidden_test(right):
    from cxlib import levels

    answers, online, parameters = right("07")
    two_boxes = levels.levels_outcomes(online, top=2)  # "probably will" counted as intending to buy again
    assert two_boxes["nps"].equals(answers["by_level"]["nps"])  # the public check cannot see it
    result = _grade("07", parameters, {**answers, "by_level": two_boxes})
    reason = _hidden_failure(result, "task2", "the repurchase share of each level")
    _no_value_in(reason, *answers["by_level"]["repurchase"].to_numpy().ravel())
    at_90 = levels.levels_outcomes(online, confidence=0.9)
    result = _grade("07", parameters, {**answers, "by_level": at_90})
    reason = _hidden_failure(result, "task2", "the lower ends of the repurchase intervals")
    assert "the repurchase share" not in reason


def answers_06(data_dir=None, competitor="Northfield Furniture"):
    """Exercise 06's right answers, as the solution computes them, the tables behind them, the parameters."""
    import pandas as pd

    from cxlib import benchmark, groups, params

    bench = data.load("benchmark", params.data_folder(data_dir, ["benchmark"]))
    us = bench.loc[bench["business_type"] == "us", "business"].iloc[0]
    ours = bench.loc[bench["business"] == us, "env_cleanliness"].mean()
    gaps_all = benchmark.benchmark_gaps(bench)
    plain = benchmark.benchmark_gaps(bench, correction="none")
    rated = bench.dropna(subset=["people_helpfulness"])
    pairs = groups.pairwise(rated, "people_helpfulness", "business", "mean", correction="holm")
    bh = groups.pairwise(rated, "people_helpfulness", "business", "mean", correction="fdr_bh")
    long = bench.melt(
        id_vars="business", value_vars=data.items(), var_name="item", value_name="rating"
    ).dropna()
    stats = long.groupby(["business", "item"], observed=True)["rating"].agg(["mean", "std", "count"])
    published = pd.DataFrame(
        {"outcome": stats["mean"], "se": stats["std"] / np.sqrt(stats["count"]), "n": stats["count"]}
    ).reset_index()
    answers = {
        "clean_gap": ours - bench.loc[bench["business"] == competitor, "env_cleanliness"].mean(),
        "n_trail": int(((gaps_all["business"] == competitor) & (gaps_all["verdict"] == "trails")).sum()),
        "ranking": bench.groupby("business", observed=True)["overall_quality"]
        .mean()
        .sort_values(ascending=False),
        "n_changed": int((plain["verdict"] != gaps_all["verdict"]).sum()),
        "pairs": pairs,
        "n_holm": int((pairs["verdict"] != "no difference").sum()),
        "n_bh": int((bh["verdict"] != "no difference").sum()),
        "standing": benchmark.published_ranks(
            published, "outcome", us, organisation="business", measure="item", se="se"
        ),
    }
    made = {"bh": bh, "rated": rated, "published": published, "us": us}
    return answers, made, {"data_dir": data_dir, "competitor": competitor}


def test_ex06_a_pairs_table_adjusted_by_benjamini_hochberg_fails_the_hidden_test(right):
    # the name reused: pairs = pairwise(..., "holm"); n_holm = ...; then pairs = pairwise(..., "fdr_bh")
    answers, made, parameters = right("06")
    assert not np.allclose(made["bh"]["p_adjusted"], answers["pairs"]["p_adjusted"])  # the slip matters
    result = _grade("06", parameters, {**answers, "pairs": made["bh"]})
    reason = _hidden_failure(result, "task6", "the Holm-adjusted p-values")
    assert "intervals" not in reason  # the ends are right: only the adjustment is named


def test_ex06_pairs_at_another_level_fail_the_hidden_test(right):
    from cxlib import groups

    answers, made, parameters = right("06")
    at_90 = groups.pairwise(made["rated"], "people_helpfulness", "business", "mean", confidence=0.9)
    result = _grade("06", parameters, {**answers, "pairs": at_90})
    reason = _hidden_failure(result, "task6", "the lower ends of the intervals")
    assert "upper ends" in reason
    _no_value_in(reason, *answers["pairs"][["low", "high"]].to_numpy().ravel())


def test_ex06_rank_intervals_from_a_wrong_standard_error_fail_the_hidden_test(right):
    from cxlib import benchmark

    answers, made, parameters = right("06")
    published, us = made["published"], made["us"]
    rank = {"organisation": "business", "measure": "item"}
    without_se = benchmark.published_ranks(published, "outcome", us, **rank)  # se= forgotten: no interval
    sd_as_se = benchmark.published_ranks(
        published.assign(se=published["se"] * np.sqrt(published["n"])), "outcome", us, se="se", **rank
    )  # the ratings' standard deviation taken for the score's standard error
    for slipped in (without_se, sd_as_se):
        assert slipped[["rank", "gap_to_best"]].equals(answers["standing"][["rank", "gap_to_best"]])
        result = _grade("06", parameters, {**answers, "standing": slipped})
        _hidden_failure(result, "task_published", "the items whose rank interval is off")


def answers_04(data_dir=None, channel="phone", outcome="buy_again", confidence=0.9):
    """Exercise 04's right answers, as the solution computes them, the rows behind them, the parameters."""
    from cxlib import drivers, params, scales

    folder = params.data_folder(data_dir, ["survey"])
    survey = data.load("survey", folder)
    weights = data.load_truth(folder)["driver_weights"]
    factors, items = list(data.FACTORS), data.items()
    scores = scales.factor_scores(survey).join(
        survey[["satisfaction", "recommend", "buy_again", "effort", "channel"]]
    )
    mine, sub = survey[survey["channel"] == channel], scores[scores["channel"] == channel]
    kd = drivers.key_drivers(sub, outcome, factors, confidence=confidence, missing="listwise")
    kd_items = drivers.key_drivers(mine, outcome, items, confidence=confidence, missing="listwise")
    rw_effort = drivers.relative_weights(scores, "effort", factors, missing="listwise")
    ipa = drivers.importance_performance(mine, outcome, items)
    ci = drivers.importance_intervals(
        sub, outcome, factors, method="lmg", n_boot=500, confidence=confidence, seed=1, missing="listwise"
    )
    first, second = ci.sort_values("percent", ascending=False).index[:2]
    nine = [i for i in items if i != "practices_resolution"]
    answers = {
        "sum_r2": (sub[factors].corrwith(sub[outcome]) ** 2).sum(),
        "r_squared": drivers.key_drivers(sub, outcome, factors, missing="listwise").attrs["r_squared"],
        "kd": kd,
        "n_used": kd.attrs["n"],
        "rw_effort": rw_effort,
        "effort_top": rw_effort["percent"].idxmax(),
        "effort_top_share": rw_effort["percent"].max(),
        "kd_items": kd_items,
        "n_negative": int((kd_items["estimate"] < 0).sum()),
        "rows_ten": kd_items.attrs["n"],
        "rows_nine": drivers.key_drivers(mine, outcome, nine, missing="listwise").attrs["n"],
        "ipa_channel": ipa,
        "concentrate": ipa.index[ipa["quadrant"] == "Concentrate here"].tolist(),
        "true_order": sorted(weights, key=weights.get, reverse=True),
        "channel_order": drivers.relative_weights(sub, outcome, factors, missing="listwise")["percent"]
        .sort_values(ascending=False)
        .index.tolist(),
        "shares": drivers.lmg(sub, outcome, factors, missing="listwise"),
        "ci": ci,
        "clear_first": "yes" if ci.loc[first, "percent_low"] > ci.loc[second, "percent_high"] else "no",
    }
    parameters = {"data_dir": data_dir, "channel": channel, "outcome": outcome, "confidence": confidence}
    return answers, {"sub": sub, "mine": mine}, parameters


def test_ex04_intervals_at_the_default_95_percent_fail_the_hidden_tests(right):
    from cxlib import drivers

    answers, made, parameters = right("04")
    factors, items, outcome = list(data.FACTORS), data.items(), parameters["outcome"]
    kd_95 = drivers.key_drivers(made["sub"], outcome, factors, missing="listwise")
    items_95 = drivers.key_drivers(made["mine"], outcome, items, missing="listwise")  # confidence= forgotten
    ci_95 = drivers.importance_intervals(
        made["sub"], outcome, factors, method="lmg", n_boot=500, seed=1, missing="listwise"
    )
    slipped = {
        **answers,
        "kd": answers["kd"].assign(high=kd_95["high"]),
        "kd_items": items_95,
        "ci": answers["ci"].assign(percent_high=ci_95["percent_high"]),
    }
    result = _grade("04", parameters, slipped)
    _hidden_failure(result, "task2", "Task 2 (hidden: the upper ends of the intervals)")
    reason = _hidden_failure(result, "task4", "Task 4 (hidden: the lower ends of the intervals)")
    _no_value_in(reason, *answers["kd_items"][["low", "high"]].to_numpy().ravel())
    _hidden_failure(result, "task8", "Task 8 (hidden: the upper ends, percent)")
    assert {
        t: s for t, s in _statuses(result).items() if t not in ("task2", "task4", "task8")
    } == dict.fromkeys(["task1", "task3", "task5", "task6"], "correct")


def test_ex05_has_no_hidden_test_because_its_public_checks_see_every_slip():
    # ex05's module says why it has no hidden test: each answer is one value the public check sees whole.
    # Task 2's typical slip, the width of the default 95% interval, is caught there, not by a hidden test.
    from cxlib import gaps

    expectations = data.load("expectations")
    parameters = {"data_dir": None, "expectation": "follow-up after the sale"}
    gap99, gap95 = (gaps.expectation_gap(expectations, confidence=c) for c in (0.99, 0.95))
    rows = expectations[expectations["expectation"] == parameters["expectation"]]
    by_role = rows.groupby("role", observed=True)["importance"].mean()
    by_item = gaps.servqual_gaps(data.load("servqual"), by="item")
    answers = {
        "gap_one": by_role["employee"] - by_role["customer"],
        "n_real": int((gap99["p_adjusted"] < 0.01).sum()),
        "width": gap99.loc[parameters["expectation"], "high"] - gap99.loc[parameters["expectation"], "low"],
        "most_overrated": gap99["estimate"].idxmax(),
        "worst_item": by_item["estimate"].idxmin(),
    }
    assert set(_statuses(_grade("05", parameters, answers)).values()) == {"correct"}
    width_95 = gap95.loc[parameters["expectation"], "high"] - gap95.loc[parameters["expectation"], "low"]
    result = _grade("05", parameters, {**answers, "width": width_95})["task2"]
    assert result["status"] == "wrong" and "hidden" not in result["reason"]
    _no_value_in(result["reason"], answers["width"])


ANSWERS = {"04": answers_04, "06": answers_06, "07": answers_07, "10": answers_10}


@pytest.fixture(scope="module")
def right():
    """``right(number)``: an exercise's right answers on the course's data (its default parameters), once."""
    made = {}

    def answers(number):
        if number not in made:
            made[number] = ANSWERS[number]()
        return made[number]

    return answers


@pytest.mark.parametrize("number", sorted(ANSWERS))
def test_a_right_answer_passes_the_public_checks_and_the_hidden_tests(number, right):
    answers, _, parameters = right(number)
    assert set(_statuses(_grade(number, parameters, answers)).values()) == {"correct"}
