"""Exercises are generated from solutions, leak no answers, run as shipped, and checks work."""

from __future__ import annotations

import re

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

from cxlib.kit import exercises
from cxlib.kit.exercises import ExerciseError, make_exercise
from cxlib.kit.notebooks import read_source
from cxlib.synth import student_seed

SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def _nb(*sources):
    nb = nbformat.v4.new_notebook()
    for i, src in enumerate(sources):
        cell = (
            nbformat.v4.new_markdown_cell(src[3:])
            if src.startswith("md:")
            else nbformat.v4.new_code_cell(src)
        )
        cell["id"] = f"c{i}"
        nb.cells.append(cell)
    return nb


def test_every_marker_form():
    nb = _nb(
        "x = 1\n# HINT: use mean\n# BEGIN SOLUTION\ny = x + 1\nz, w = y, 2\n# END SOLUTION\nprint(y)",
        "answer = compute(data)  # SOLUTION",
        "    value = f(x)  # SOLUTION",
        "plot(x)  # SOLUTION",
        "### BEGIN SOLUTION\nsecret = 42\n### END SOLUTION",
        "md:Why?\n\n<!-- BEGIN SOLUTION -->\nBecause of the halo.\n<!-- END SOLUTION -->\n\nNext.",
    )
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="2\n")]
    nb.cells[0].execution_count = 3
    ex = make_exercise(nb, "tiny.ipynb")
    assert (
        ex.cells[0].source == "x = 1\n# HINT: use mean\n# YOUR CODE HERE\ny = ...\nz = ...\nw = ...\nprint(y)"
    )
    assert ex.cells[0].outputs == [] and ex.cells[0].execution_count is None
    assert ex.cells[1].source == "answer = ...  # YOUR CODE HERE"
    assert ex.cells[2].source == "    value = ...  # YOUR CODE HERE"
    assert ex.cells[3].source == "...  # YOUR CODE HERE"
    assert ex.cells[4].source == "# YOUR CODE HERE\nsecret = ..."
    assert ex.cells[5].source == "Why?\n\n*Your answer here.*\n\nNext."
    assert "42" not in nbformat.writes(ex) and "halo" not in nbformat.writes(ex)


@pytest.mark.parametrize(
    "source, match",
    [
        ("# BEGIN SOLUTION\ny = 1", r"bad\.ipynb, cell 0 \(id c0\), line 1: BEGIN SOLUTION is never closed"),
        (
            "y = 1\n# END SOLUTION",
            r"bad\.ipynb, cell 0 \(id c0\), line 2: END SOLUTION without a matching BEGIN",
        ),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", r"line 2: BEGIN SOLUTION inside another"),
        ("md:<!-- BEGIN SOLUTION -->\ntext", r"cell 0 \(id c0\): <!-- BEGIN SOLUTION --> is never closed"),
    ],
)
def test_malformed_markers_name_the_notebook_and_cell(source, match):
    with pytest.raises(ExerciseError, match=match):
        make_exercise(_nb(source), "bad.ipynb")


def test_generator_is_deterministic(tmp_path):
    if not SOLUTIONS:
        pytest.skip("no solutions yet")
    exercises.generate(exercises=tmp_path / "a")
    exercises.generate(exercises=tmp_path / "b")
    for p in (tmp_path / "a").iterdir():
        assert p.read_bytes() == (tmp_path / "b" / p.name).read_bytes()


def test_exercises_folder_is_up_to_date():
    stale = exercises.generate(check=True)
    assert stale == [], f"exercises/ is out of date for {stale}: run cxkit exercises"
    assert {p.name for p in EXERCISES} == {p.name for p in SOLUTIONS}


def _answer_lines(nb) -> list[str]:
    """The content of every marked solution line (right-hand sides for single lines)."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            inside = False
            for line in cell.source.split("\n"):
                if exercises.BEGIN.match(line):
                    inside = True
                elif exercises.END.match(line):
                    inside = False
                elif inside and line.strip() and not line.strip().startswith("#"):
                    found.append(line.strip())
                elif exercises.SINGLE.match(line):
                    body = exercises.SINGLE.match(line).group("body").strip()
                    found.append(body.split("=", 1)[1].strip() if "=" in body.split("(")[0] else body)
        else:
            for m in re.finditer(
                r"<!--\s*BEGIN SOLUTION\s*-->(.*?)<!--\s*END SOLUTION\s*-->", cell.source, re.S
            ):
                found.extend(s.strip() for s in m.group(1).split("\n") if len(s.strip()) > 20)
    return [f for f in found if len(f) >= 12]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_no_answer_appears_in_the_exercise(solution):
    text = (ROOT / "exercises" / solution.name).read_text(encoding="utf-8")
    nb = nbformat.read(solution, as_version=4)
    answers = _answer_lines(nb)
    assert answers, f"{solution.name} marks no answers"
    leaked = [a for a in answers if a in text or a.replace('"', '\\"') in text]
    assert leaked == [], f"answer code leaked into exercises/{solution.name}: {leaked}"


@pytest.mark.slow
@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda p: p.stem)
def test_shipped_exercise_runs_and_checks_say_not_yet_answered(exercise):
    nb = nbformat.read(exercise, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(exercise.parent)}}
    ).execute()
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    verdicts = [line for line in text.splitlines() if line[:1] in "✔✘…"]
    assert verdicts, "no check ran"
    assert all("not yet answered" in v for v in verdicts), verdicts


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_every_check_passes_in_the_stored_solution(solution):
    nb = nbformat.read(solution, as_version=4)
    text = "".join(
        o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream"
    )
    verdicts = [line for line in text.splitlines() if line[:1] in "✔✘…"]
    assert verdicts and all(v.startswith("✔") for v in verdicts), verdicts


@pytest.fixture(scope="module")
def other_business(tmp_path_factory):
    from cxlib import synth

    return synth.write(tmp_path_factory.mktemp("student"), seed=student_seed("s0000001"))


@pytest.mark.slow
@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_solutions_and_their_checks_follow_a_students_own_data(solution, other_business, tmp_path):
    import papermill as pm

    meta = read_source(solution.with_suffix(".md")).metadata.get("cxkit", {})  # the front matter
    params = {"data_dir": str(other_business), **(meta.get("test_parameters") or [{}])[0]}
    out = tmp_path / solution.name
    pm.execute_notebook(
        str(solution),
        str(out),
        parameters=params,
        cwd=str(tmp_path),
        kernel_name="python3",
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    text = "".join(
        o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream"
    )
    verdicts = [line for line in text.splitlines() if line[:1] in "✔✘…"]
    assert verdicts and all(v.startswith("✔") for v in verdicts), verdicts
