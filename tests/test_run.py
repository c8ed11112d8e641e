"""The instructors' batch runner on tiny notebooks: grids, rosters, failures, resume, safety."""

from __future__ import annotations

import csv
import json

import nbformat
import pytest

from cxlib import run as runner
from cxlib.record import collect


def _notebook(path, body: str, params: str = 'name = "x"\nn = 1\nflag = False\ndata_dir = None'):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("from cxlib.record import record"), nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)
    return str(path)


@pytest.fixture
def tiny(tmp_path):
    return _notebook(tmp_path / "tiny.ipynb",
                     "if n == 3:\n    raise ValueError('three is not allowed')\n"
                     "record('n2', n * 2)\nrecord('name_len', len(name))\nrecord('flag', flag)\n"
                     "open('name.txt', 'w').write(name)")


def _summary(out):
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_grid_runs_every_combination_and_records_results(tiny, tmp_path):
    out = tmp_path / "out"
    runs = runner.build_runs(grid={"n": ["1", "2"], "flag": ["true", "false"]})
    results = runner.run_batch([tiny], runs, out, workers=2, progress=False)
    assert [r.status for r in results] == ["ok"] * 4
    rows = _summary(out)
    assert {(row["n"], row["flag"], row["n2"]) for row in rows} == {
        ("1", "True", "2"), ("1", "False", "2"), ("2", "True", "4"), ("2", "False", "4")}
    assert (out / "summary.html").read_text().count("<tr class='ok'>") == 4


def test_one_failing_run_does_not_stop_the_others(tiny, tmp_path):
    out = tmp_path / "out"
    runs = runner.build_runs(roster=[{"student_id": "a", "n": "1"}, {"student_id": "b", "n": "3"},
                                     {"student_id": "c", "n": "2"}])
    results = runner.run_batch([tiny], runs, out, workers=2, progress=False)
    status = {r.run_id: r for r in results}
    assert status["a"].status == status["c"].status == "ok"
    assert status["b"].status == "failed" and status["b"].cell == 2
    assert "ValueError: three is not allowed" in status["b"].error
    row = next(r for r in _summary(out) if r["run_id"] == "b")
    assert row["failed_cell"] == "2" and "three is not allowed" in row["error"]
    assert runner.main([tiny, "--out", str(tmp_path / "cli"), "-p", "n", "3", "--quiet"]) == 1
    assert runner.main([tiny, "--out", str(tmp_path / "cli2"), "-p", "n", "2", "--quiet"]) == 0


def test_resume_skips_complete_runs_and_reruns_changed_ones(tiny, tmp_path):
    out = tmp_path / "out"
    runs = runner.build_runs(roster=[{"student_id": "a", "n": "1"}, {"student_id": "b", "n": "2"}])
    runner.run_batch([tiny], runs, out, workers=1, progress=False)
    again = runner.run_batch([tiny], runs, out, workers=1, progress=False)
    assert [r.status for r in again] == ["skipped", "skipped"]
    assert again[0].recorded["n2"] == 2  # recorded results still in the summary
    changed = runner.build_runs(roster=[{"student_id": "a", "n": "5"}, {"student_id": "b", "n": "2"}])
    third = runner.run_batch([tiny], changed, out, workers=1, progress=False)
    assert [r.status for r in third] == ["ok", "skipped"]


def test_parameters_reach_the_notebook_as_data_never_as_code(tiny, tmp_path):
    out = tmp_path / "out"
    evil = "x\"; open('PWNED', 'w').write('1'); y = \"'\n__import__('os').system('touch PWNED2')"
    roster = tmp_path / "class.yaml"
    roster.write_text(json.dumps([{"student_id": "eve", "name": evil}]))  # JSON is valid YAML
    runs = runner.build_runs(roster=runner.read_roster(roster))
    results = runner.run_batch([tiny], runs, out, workers=1, progress=False)
    assert results[0].status == "ok", results[0].error
    assert (out / "eve" / "name.txt").read_text() == evil
    assert not list(out.rglob("PWNED*"))


def test_roster_values_are_converted_to_the_default_type_before_anything_runs(tiny, tmp_path):
    assert runner.convert("n", "5", 1) == 5
    assert runner.convert("flag", "yes", False) is True
    assert runner.convert("data_dir", "None", None) is None
    runs = runner.build_runs(roster=[{"student_id": "a", "n": "1"}, {"student_id": "b", "n": "five"}])
    with pytest.raises(runner.RunError, match=r"run b: parameter n: 'five' is not a valid int"):
        runner.run_batch([tiny], runs, tmp_path / "out", progress=False)
    assert not (tmp_path / "out" / "a").exists()


def test_seed_column_generates_each_students_data(tmp_path):
    nb = _notebook(tmp_path / "data.ipynb",
                   "from cxlib import data, params\nfolder = params.data_folder(data_dir, ['survey'])\n"
                   "record('responses', len(data.load('survey', folder)))")
    roster = tmp_path / "class.csv"
    roster.write_text("student_id,seed\ns1,1\ns2,2\n")
    results = runner.run_batch([nb], runner.build_runs(roster=runner.read_roster(roster)), tmp_path / "out",
                               workers=2, progress=False)
    counts = {r.run_id: r.recorded["responses"] for r in results}
    assert counts["s1"] != counts["s2"]
    assert (tmp_path / "out" / "s1" / "data" / "truth.json").exists()


def test_time_limit_fails_the_run_and_says_so(tmp_path):
    nb = _notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)")
    results = runner.run_batch([nb], runner.build_runs(), tmp_path / "out", workers=1, timeout=4, progress=False)
    assert results[0].status == "failed" and ("time limit" in results[0].error or "Timeout" in results[0].error)
    assert results[0].duration < 40


def test_summary_csv_is_safe_to_open_in_a_spreadsheet(tiny, tmp_path):
    runs = runner.build_runs(roster=[{"student_id": "=HYPERLINK(\"http://x\")", "n": "-2", "name": "+cmd|' /C calc'!A0"}])
    # the id is sanitised for the folder; the name parameter is written to the summary
    runner.run_batch([tiny], runs, tmp_path / "out", workers=1, progress=False)
    text = (tmp_path / "out" / "summary.csv").read_text()
    assert "'+cmd" in text and ",+cmd" not in text
    assert ",-2," in text  # a negative number stays a number
    assert "&lt;" not in text and "<script" not in (tmp_path / "out" / "summary.html").read_text()


def test_bad_batches_are_clear_errors(tiny, tmp_path):
    with pytest.raises(runner.RunError, match="same id"):
        runner.build_runs(roster=[{"student_id": "a"}, {"student_id": "a"}])
    with pytest.raises(runner.RunError, match="roster file not found"):
        runner.read_roster(tmp_path / "missing.csv")
    with pytest.raises(runner.RunError, match="notebook not found"):
        runner.run_batch([str(tmp_path / "nope.ipynb")], runner.build_runs(), tmp_path / "o", progress=False)
    assert runner.main([tiny, "--out", str(tmp_path / "o"), "--grid", "n"]) == 2


def test_collect_reads_recorded_values(tiny, tmp_path):
    runner.run_batch([tiny], runner.build_runs(fixed={"n": "4"}), tmp_path / "out", workers=1, progress=False)
    executed = next((tmp_path / "out").glob("*/tiny.ipynb"))
    assert collect(executed)["n2"] == 8
