"""Keys out of sight: exercises compute no expected value; the keys match the solutions' tasks."""

from __future__ import annotations

import ast
import re

import nbformat
import pandas as pd
import pytest
from conftest import ROOT

from cxlib import checks
from cxlib.checks import Refused, check_frame, check_number, collect_checks, exercise, key_module, part

EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
CHECK_LINE = re.compile(r"""^check\("task\w+"(, [A-Za-z_]\w*)*\)$""")
SETUP_LINE = re.compile(r"""^check = exercise\("\d\d"(, ([A-Za-z_]\w*)=\2)*\)$""")
# What computing or comparing an expected value in a cell looks like.
COMPARING = re.compile(r"(?<![.\w])(check_number|check_frame|check_choice|part|expected|reference)\b")


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_no_exercise_cell_computes_an_expected_value(path):
    """Every line that mentions a check is ``check("taskN", answers...)`` or the setup's ``exercise``."""
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert not [s for s in code if COMPARING.search(s)], "a cell compares with an expected value"
    check_cells = [s for s in code if re.search(r"^check\(", s, re.M)]
    assert check_cells, "no check cell"
    for source in check_cells:  # a check cell holds nothing else: no expected value computed beside it
        lines = [line for line in source.splitlines() if line.strip()]
        assert all(CHECK_LINE.match(line) for line in lines), source
    setup = [line for s in code for line in s.splitlines() if line.startswith("check = ")]
    assert len(setup) == 1 and SETUP_LINE.match(setup[0]), setup
    assert "from cxlib.checks import exercise" in "\n".join(code)


def _check_calls(nb) -> list[tuple[str, list[str]]]:
    calls = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "check":
                calls.append((node.args[0].value, [a.id for a in node.args[1:]]))
    return calls


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_each_key_has_the_tasks_the_notebook_checks(path):
    key = key_module(path.name)
    calls = _check_calls(nbformat.read(path, as_version=4))
    assert [t for t, _ in calls] == list(key.TASKS), "a check cell per task, in the key's order"
    for task, names in calls:
        assert tuple(names) == tuple(key.TASKS[task]), task
        assert callable(getattr(key, task))
    assert key.PARAMETERS[0] == "data_dir"


def test_exercise_refuses_unknown_parameters_and_tasks():
    with pytest.raises(Exception, match="unknown parameter"):
        exercise("08", data_dir=None, colour="red")
    check = exercise("08", data_dir=None, promised=7)
    with pytest.raises(Exception, match="no task 'task9'"):
        check("task9", 1)


def test_a_task_is_correct_wrong_unanswered_or_error(capsys):
    check = exercise("08", data_dir=None, promised=7)
    env = check.env()
    orders = env["orders"]
    right = orders.loc[orders["promised_days"] == 7, "delayed"].mean() * 100
    assert check("task1", right).status == "correct"
    assert check("task1", right / 100).status == "wrong"
    assert check("task1", ...).status == "unanswered"
    assert check("task3", object()).status == "wrong"
    out = capsys.readouterr().out
    assert f"{right:.2f}" not in out and f"{right:.4g}" not in out  # no expected value shown


def test_the_expected_values_ignore_changes_the_student_makes_to_the_data():
    check = exercise("08", data_dir=None, promised=7)
    orders = check.env()["orders"]
    right = orders.loc[orders["promised_days"] == 7, "delayed"].mean() * 100
    orders.loc[:, "delayed"] = False  # a student's cell that overwrites the shared table...
    fresh = exercise("08", data_dir=None, promised=7)
    assert fresh("task1", right)  # ...does not change what a new check expects


def test_part_refuses_a_plain_dict_or_list_where_a_result_is_expected(capsys):
    assert isinstance(part({"estimate": 3.0}, "estimate"), Refused)
    assert isinstance(part([3.0], "estimate"), Refused)
    verdict = check_number(part({"estimate": 3.0}, "estimate"), 3.0, "Task 2")
    assert verdict.status == "wrong" and "plain dict" in verdict.reason
    verdict = check_frame({"a": 1.0}, pd.Series({"a": 1.0}), "Task 3")
    assert verdict.status == "wrong" and "got dict" in verdict.reason
    assert part(pd.Series({"estimate": 3.0}), "estimate") == 3.0


def test_check_frame_checks_order_when_the_task_asks_for_a_sorted_table(capsys):
    expected = pd.Series([3.0, 2.0, 1.0], index=["c", "b", "a"], name="mean")
    assert check_frame(expected.sort_index(), expected, "Task 3")  # order not asked: any order
    verdict = check_frame(expected.sort_index(), expected, "Task 3", ordered=True)
    assert verdict.status == "wrong" and "order" in verdict.reason
    assert check_frame(expected.copy(), expected, "Task 3", ordered=True)


def test_collect_checks_counts_the_last_verdict_of_each_task():
    def out(task, status):
        return {"output_type": "display_data", "data": {checks.MIME: {"task": task, "status": status}}}

    nb = {
        "cells": [
            {"cell_type": "code", "outputs": [out("t1", "wrong"), out("t1", "correct")]},
            {"cell_type": "code", "outputs": [out("t2", "unanswered"), out("t3", "error")]},
        ]
    }
    assert collect_checks(nb) == {"correct": 1, "wrong": 0, "unanswered": 1, "error": 1}
    assert collect_checks({"cells": []}) == {}


def test_a_plain_dict_for_a_result_table_is_wrong_and_says_why(capsys):
    check = exercise("06", data_dir=None, competitor="Northfield Furniture")
    verdict = check("task6", {"p_value": [0.01, 0.2]}, 3, 2)
    assert verdict.status == "wrong" and "plain dict" in verdict.reason


def test_a_check_that_cannot_run_on_an_answer_is_an_error_naming_only_the_kind(capsys):
    check = exercise("04", data_dir=None, channel="phone", outcome="buy_again", confidence=0.9)
    verdict = check("task5", pd.DataFrame({"importance": [1.0]}), object())
    assert verdict.status in ("wrong", "error")
    assert not re.search(r"\d\.\d", verdict.reason), verdict.reason  # no number in the reason


def test_the_runner_summary_tells_unanswered_and_wrong_from_passed():
    from cxlib.kit.report import Result, summary_table

    results = [
        Result("ann", "08.ipynb", "ok", 1.0, checks={"correct": 4, "wrong": 0, "unanswered": 0, "error": 0}),
        Result("ben", "08.ipynb", "ok", 1.0, checks={"correct": 0, "wrong": 0, "unanswered": 4, "error": 0}),
        Result("cat", "08.ipynb", "ok", 1.0, checks={"correct": 3, "wrong": 1, "unanswered": 0, "error": 0}),
        Result("dan", "08.ipynb", "ok", 1.0),  # a lesson: no checks
    ]
    cols, rows = summary_table(results)
    assert ["correct", "wrong", "unanswered"] == [c for c in cols if c in ("correct", "wrong", "unanswered")]
    got = {
        r["run_id"]: (r["status"], r["passed"], r.get("correct"), r.get("wrong"), r.get("unanswered"))
        for r in rows
    }
    assert got == {
        "ann": ("ok", "1/1", 4, 0, 0),
        "ben": ("unanswered tasks", "0/1", 0, 0, 4),
        "cat": ("wrong answers", "0/1", 3, 1, 0),
        "dan": ("ok", "1/1", None, None, None),
    }
