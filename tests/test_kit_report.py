"""The batch summary (cxlib.kit.report): columns, first failures, safe in a spreadsheet and a browser."""

from __future__ import annotations

import csv

from cxlib.kit.report import Result, summary_table, write_summary
from cxlib.kit.roster import build_runs


def _csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_one_row_per_run_with_its_first_failure_and_recorded_values(tmp_path):
    runs = build_runs(roster=[{"student_id": "a", "n": "1", "email": "a@x"}, {"student_id": "b", "n": "3"}])
    results = [
        Result("a", "03.ipynb", "ok", 2.0, parameters={"n": 1}, recorded={"nps": 12.5, "n": 10}),
        Result("a", "11.ipynb", "skipped", 1.0, parameters={"n": 1}, recorded={"nps": 14.0}),
        Result(
            "b",
            "03.ipynb",
            "failed",
            1.5,
            cell=4,
            code="if n == 3:",
            error="ValueError: three",
            parameters={"n": 3},
        ),
        Result("b", "11.ipynb", "failed", 0.5, cell=2, code="x", error="NameError: x", parameters={"n": 3}),
    ]
    cols, rows = summary_table(results, runs)
    # a name recorded by several notebooks gets the notebook as a prefix; one recorded once keeps its name
    assert cols == [
        "run_id", "student_id", "n", "email", "status", "passed", "duration_s", "failed_notebook",
        "failed_cell", "failed_code", "error", "03.nps", "03.n", "11.nps",
    ]  # fmt: skip
    a, b = rows
    assert (a["status"], a["passed"], a["duration_s"], a["03.nps"], a["11.nps"]) == (
        "ok",
        "2/2",
        "3.0",
        12.5,
        14.0,
    )
    assert a["n"] == 1 and a["email"] == "a@x"  # the converted value, and a column no notebook takes
    assert (b["status"], b["passed"], b["failed_notebook"], b["failed_cell"]) == (
        "failed",
        "0/2",
        "03.ipynb",
        4,
    )
    assert b["error"] == "ValueError: three (+1 more failed notebook(s), see notebooks.csv)"
    _, rows = summary_table([Result("c", "03.ipynb", "skipped")])
    assert rows[0]["status"] == "ok (up to date)"
    write_summary(results, tmp_path, runs)
    assert [r["status"] for r in _csv(tmp_path / "notebooks.csv")] == ["ok", "skipped", "failed", "failed"]
    page = (tmp_path / "summary.html").read_text()
    assert "1 of 2 runs passed" in page and "2 of 4 notebook\nruns passed (1 were up to date" in page
    assert page.count('<tr class="failed">') == 3  # b in the summary, and its two failed notebooks


def test_summaries_are_safe_in_a_spreadsheet_and_a_browser(tmp_path):
    runs = build_runs(roster=[{"student_id": '=HYPERLINK("http://x")<b>', "name": "+cmd|' /C calc'!A0"}])
    evil = "<script>alert(1)</script>"
    results = [Result(runs[0].run_id, "03.ipynb", "failed", error=f"@SUM(1) {evil}", parameters={"n": -2})]
    write_summary(results, tmp_path, runs)
    text = (tmp_path / "summary.csv").read_text()
    assert "'+cmd" in text and ",+cmd" not in text and "'@SUM" in text and "'=HYPERLINK" in text
    assert ",-2," in text  # a negative number stays a number
    page = (tmp_path / "summary.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>" not in page and "=HYPERLINK(&quot;http://x&quot;)&lt;b&gt;" in page
    assert 'href="HYPERLINK_http_x_b/"' in page  # the link to the run's folder
