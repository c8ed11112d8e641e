"""``cxkit grade`` end to end: a class of real exercise submissions, each kind of mistake, the outputs."""

from __future__ import annotations

import csv
import json
import re

import nbformat
import pytest
from conftest import ROOT

from cxlib.kit import grade as grading
from cxlib.kit.sandbox import Limits

EXERCISE = ROOT / "exercises" / "08_moments_of_truth.ipynb"
NAME = EXERCISE.name
SOLVED = {
    "late_pct": 'late_pct = orders.loc[orders["promised_days"] == promised, "delayed"].mean() * 100',
    "mean_end": 'mean_end = journey.sequence_summary(orders)["end"].mean()',
    "coefs": (
        'coefs = journey.peak_end_regression(orders, predictors=("mean", "peak", "trough", "end"))'
        ".coefficients"
    ),
    "thanks_effect": (
        "eff = journey.moment_effects(orders)\n"
        'raw = eff[eff["method"] == "difference in means"].set_index("effect")\n'
        'thanks_effect = raw.loc["thank-you note", "estimate"]'
    ),
}
# One wrong answer of each kind the checks tell apart.
WRONG = {
    "late_pct": SOLVED["late_pct"].replace(" * 100", ""),  # a proportion for a percentage
    "mean_end": SOLVED["mean_end"] + " * 1.004",  # 0.4% off, as rounding too early gives
    "coefs": "coefs = dict(journey.peak_end_regression(orders).coefficients['estimate'])",  # a plain dict
    "thanks_effect": SOLVED["thanks_effect"].replace("thanks_effect = raw", "thanks_effect = -raw"),  # sign
}


def _submission(answers: dict) -> str:
    """The exercise notebook as a student hands it in: the answer cells replaced by ``answers``."""
    nb = nbformat.read(EXERCISE, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or "# YOUR CODE HERE" not in cell.source:
            continue
        for name, code in answers.items():
            if re.search(rf"^{name} = \.\.\.", cell.source, re.M):
                cell.source = code
    return nbformat.writes(nb)


def _class(root):
    subs = root / "submissions"
    students = {
        "s01-untouched": EXERCISE.read_text(encoding="utf-8"),
        "s02-solved": _submission(SOLVED),
        "s03-wrong": _submission(WRONG),
        "s04-raises": _submission(
            {**SOLVED, "mean_end": "raise ValueError(\"<script>alert('x')</script>\")\nmean_end = 1"}
        ),
        "s05-loops": _submission({**SOLVED, "mean_end": "while True:\n    pass"}),
        "s06-not-a-notebook": "My answers: the NPS is about 30. <b>Please grade.</b>\n",
        "s07-empty": "",
        "s08-hidden": _submission(
            {**SOLVED, "coefs": SOLVED["coefs"].replace(".coefficients", ".coefficients.assign(low=0.0)")}
        ),
    }
    for sid, text in students.items():
        (subs / sid).mkdir(parents=True)
        (subs / sid / NAME).write_text(text, encoding="utf-8")
    (subs / "s09-missing").mkdir()
    (subs / "s09-missing" / "notes.txt").write_text("forgot to upload\n")
    return subs


C, W, U, E = "correct", "wrong", "unanswered", "error"
EXPECTED = {  # student: the status of task1..task4
    "s01-untouched": [U, U, U, U],
    "s02-solved": [C, C, C, C],
    "s03-wrong": [W, W, W, W],
    "s04-raises": [C, E, C, C],
    "s05-loops": [C, E, E, E],
    "s06-not-a-notebook": [E, E, E, E],
    "s07-empty": [E, E, E, E],
    "s08-hidden": [C, C, W, C],
    "s09-missing": ["missing"] * 4,
}
REASONS = {  # (student, task): words the reason must hold
    ("s03-wrong", "task1"): "off by a factor of 100",
    ("s03-wrong", "task2"): "round too early",
    ("s03-wrong", "task3"): "plain dict",
    ("s03-wrong", "task4"): "sign is flipped",
    ("s04-raises", "task2"): "ValueError",
    ("s05-loops", "task2"): "time limit",
    ("s05-loops", "task3"): "not run",
    ("s06-not-a-notebook", "task1"): "not a readable notebook",
    ("s07-empty", "task1"): "empty",
    ("s08-hidden", "task3"): "passes the public check but not a hidden test",
    ("s09-missing", "task1"): "no submission",
    ("s01-untouched", "task1"): "not yet answered",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs = _class(root)
    out = root / "graded"
    limits = Limits(timeout=90, grade_timeout=120)
    rows = grading.grade(subs, out, limits=limits, workers=2)
    return subs, out, rows, limits


def _gradebook(out):
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_the_gradebook_is_exactly_as_expected(graded):
    _, out, _, _ = graded
    rows = _gradebook(out)
    assert list(rows[0]) == grading.GRADEBOOK_COLUMNS
    got = {}
    for r in rows:
        assert r["notebook"] == NAME
        got.setdefault(r["student_id"], []).append(r["status"])
        assert r["points"] == ("1" if r["status"] == C else "0") and r["max_points"] == "1"
    assert got == EXPECTED
    reasons = {(r["student_id"], r["task"]): r["reason"] for r in rows}
    for where, words in REASONS.items():
        assert words in reasons[where], (where, reasons[where])
    with open(out / "grades.csv", newline="", encoding="utf-8") as fh:
        grades = {r["student_id"]: r["08_moments_of_truth"] for r in csv.DictReader(fh)}
    assert grades == {s: str(statuses.count(C)) for s, statuses in EXPECTED.items()}


def _expected_numbers(out, student) -> list[float]:
    """The key's values for a student's data: what no feedback may show."""
    from cxlib.checks import exercise

    check = exercise("08", data_dir=str(out / student / "data"), promised=7)
    env = check.env()
    orders, journey = env["orders"], env["journey"]
    values = [
        orders.loc[orders["promised_days"] == 7, "delayed"].mean() * 100,
        journey.sequence_summary(orders)["end"].mean(),
    ]
    res = journey.peak_end_regression(orders, predictors=("mean", "peak", "trough", "end")).coefficients
    values += res["estimate"].tolist() + res["low"].tolist()
    eff = journey.moment_effects(orders)
    values.append(
        eff[eff["method"] == "difference in means"].set_index("effect").loc["thank-you note", "estimate"]
    )
    return values


@pytest.mark.slow
def test_feedback_is_escaped_and_shows_no_expected_value(graded):
    _, out, _, _ = graded
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (out / "feedback").glob("*.html")}
    assert set(pages) == set(EXPECTED)
    assert "<script>" not in pages["s04-raises"] and "&lt;script&gt;" in pages["s04-raises"]
    book = (out / "gradebook.csv").read_text(encoding="utf-8")
    summary = (out / "summary.html").read_text(encoding="utf-8")
    for student in ("s02-solved", "s03-wrong", "s08-hidden"):
        for v in _expected_numbers(out, student):
            for text in {f"{v:.2f}", f"{v:.3f}", f"{v:.4g}", repr(float(v))}:
                if len(text.strip("-0.")) < 3:
                    continue  # too short to be told from other text
                assert text not in pages[student], (student, text)
                assert text not in book and text not in summary, (student, text)


@pytest.mark.slow
def test_summary_names_the_most_missed_tasks_and_why(graded):
    _, out, _, _ = graded
    page = (out / "summary.html").read_text(encoding="utf-8")
    assert "Grading summary" in page and "9 students" in page
    assert re.search(r"wrong: off by a factor of 100 \(1\)", page)
    assert "<script>" not in page


@pytest.mark.slow
def test_grading_again_resumes_and_a_changed_submission_is_graded_again(graded, monkeypatch):
    subs, out, rows, limits = graded
    calls = []
    real = grading.grade_submission

    def counting(spec):
        calls.append(spec["student"])
        return real(spec)

    monkeypatch.setattr(grading, "grade_submission", counting)
    (subs / "s07-empty" / NAME).write_text("still not a notebook", encoding="utf-8")
    again = grading.grade(subs, out, limits=limits, workers=1)
    assert calls == ["s07-empty"]
    assert [r["status"] for r in again] == [r["status"] for r in rows]


def test_prepare_injects_the_graders_parameters_and_a_grading_cell():
    nb = nbformat.read(EXERCISE, as_version=4)
    prepared = grading.prepare(nb, "08", {"data_dir": "/data/ann", "promised": 7}, "")
    tags = [c.metadata.get("tags", []) for c in prepared.cells]
    injected = tags.index(["injected-parameters"])
    assert "parameters" in tags[injected - 1]
    assert prepared.cells[injected].source == "data_dir = '/data/ann'\npromised = 7"
    assert tags[-1] == [grading.GRADE_TAG] and "_cxkit_grade('08'" in prepared.cells[-1].source


def test_a_missing_submissions_folder_or_unknown_exercise_is_a_clear_error(tmp_path):
    with pytest.raises(grading.GradeError, match="does not exist"):
        grading.discover(tmp_path / "nowhere", ROOT / "exercises")
    (tmp_path / "ann").mkdir()
    with pytest.raises(grading.GradeError, match="not exercises: 99_nothing.ipynb"):
        grading.discover(tmp_path, ROOT / "exercises", ["99_nothing"])


def test_grade_result_json_is_what_the_grading_cell_prints(capsys):
    result = grading.grade_namespace("08", {"data_dir": None, "promised": 7}, {"late_pct": ...})
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(printed.removeprefix(grading.GRADE_MARK)) == result
    assert result["task1"]["status"] == "unanswered"


def test_hidden_tests_never_ship(tmp_path):
    hidden = sorted((ROOT / "solutions" / "hidden").glob("ex*.py"))
    assert hidden
    files = [p for p in (ROOT / "exercises").rglob("*") if p.is_file()]  # checkpoints too
    shipped = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    for path in hidden:
        for name in re.findall(r"hidden: [^\"]+", path.read_text(encoding="utf-8")):
            assert name not in shipped


@pytest.mark.slow
def test_grading_on_a_dask_cluster_gives_the_same_gradebook(graded, tmp_path):
    # issue 20: cxkit grade --scheduler local:N grades on a Dask cluster with the pool's results
    pytest.importorskip("distributed")
    subs, out, rows, limits = graded
    few = tmp_path / "subs"
    for sid in ["s01-untouched", "s02-solved", "s03-wrong"]:
        (few / sid).mkdir(parents=True)
        (few / sid / NAME).write_bytes((subs / sid / NAME).read_bytes())
    on_dask = grading.grade(few, tmp_path / "graded", limits=limits, scheduler="local:2")
    by_pool = [r for r in rows if r["student_id"] in {"s01-untouched", "s02-solved", "s03-wrong"}]
    assert on_dask == by_pool


def test_a_bad_scheduler_address_stops_grading_with_status_2(tmp_path, capsys):
    (tmp_path / "subs" / "s1").mkdir(parents=True)
    (tmp_path / "subs" / "s1" / NAME).write_text("{}", encoding="utf-8")
    parser = __import__("argparse").ArgumentParser()
    grading.add_arguments(parser)
    args = parser.parse_args(
        [str(tmp_path / "subs"), "--out", str(tmp_path / "g"), "--scheduler", "my cluster"]
    )
    assert grading.run(args) == 2
    assert "--scheduler" in capsys.readouterr().err
