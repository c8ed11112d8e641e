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
    assert tasks, f"{path.name} defines no task"
    for task, args in tasks.items():
        assert task in key.TASKS, f"{path.name}: {task} is not a task of the key"
        assert args == ["env", *key.TASKS[task]], f"{path.name}: {task} must take env and the key's answers"


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
