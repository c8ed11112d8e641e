"""Grade a class's submitted exercise notebooks: a gradebook, grades for an LMS, feedback pages.

``cxkit grade SUBMISSIONS --out DIR`` reads ``SUBMISSIONS/<student_id>/<exercise>.ipynb`` (as
collected from an LMS or a shared folder). For each student it generates the student's own data
(the seed comes from the id, :func:`cxlib.synth.student_seed`, as ``cxkit run --student-data``
does) into ``DIR/<student_id>/data``; for each submission it

1. adds, after the parameters cell, the grader's parameters (``data_dir``: the student's data; the
   others: the exercise's defaults) and, at the end, one grading cell;
2. executes it as untrusted code in its own working folder ``DIR/<student_id>/<exercise>/``
   (:mod:`cxlib.kit.sandbox`: a subprocess with resource limits and no network, cells run one by
   one with errors allowed, a time limit for the notebook);
3. in the grading cell, runs each task's public check (the exercise's key, :mod:`cxlib.keys`) and,
   when it passes, its hidden tests (``solutions/hidden/exNN.py``, never shipped to students)
   against the student's variables. A task whose answer cells raised (or ran out of time) is an
   error; the other tasks are still graded.

It writes ``DIR/gradebook.csv`` (one row per student, notebook and task: ``status`` correct,
wrong, unanswered, error, or missing; points; a reason that never holds an expected value),
``DIR/grades.csv`` (one row per student, one column per assignment: the points, as an LMS
gradebook imports), ``DIR/feedback/<student_id>.html`` (escaped) and ``DIR/summary.html`` (which
tasks most students missed, and why). A malformed, empty or missing submission gets its own row
with a reason. Each graded submission is stored in ``DIR/<student_id>/<exercise>.json`` with a key
(the submission, the keys and hidden tests, the limits): running again grades only what changed.

The checks run inside the student's kernel, after the student's code: a student who writes code
on purpose to fool the checks (replacing cxlib's functions, say) can fool them. The grader catches
mistakes and keeps accidents contained; read the notebooks of grades that look too good.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from cxlib.errors import CxlibError

from .sandbox import GRADE_MARK, Limits, run_sandboxed

ROOT = Path(__file__).resolve().parents[2]
CORRECT, WRONG, UNANSWERED, ERROR, MISSING = "correct", "wrong", "unanswered", "error", "missing"
GRADEBOOK_COLUMNS = ["student_id", "notebook", "task", "status", "points", "max_points", "reason"]
GRADE_TAG = "cxkit-grade"


class GradeError(CxlibError):
    """``cxkit grade`` cannot start: a missing folder, no exercise to grade."""


# ---------------------------------------------------------------------------------------------
# In the student's kernel: the grading cell calls this.


def grade_namespace(number: str, parameters: dict, namespace: dict, hidden_source: str = "") -> dict:
    """Run every task's public check and hidden tests on the answers in ``namespace``; print the JSON.

    Parameters
    ----------
    number : str
        The exercise's number (``"03"``).
    parameters : dict
        The exercise's parameters, as the grader set them.
    namespace : dict
        The student's variables (the kernel's ``globals()``).
    hidden_source : str
        The text of the exercise's hidden tests (a module defining ``taskN(env, *answers)``).

    Returns
    -------
    dict
        Task id to ``{"status": ..., "reason": ...}``; also printed after :data:`GRADE_MARK`.

    Examples
    --------
    >>> out = grade_namespace("08", {"data_dir": None, "promised": 7}, {"coefs": {"mean": 0.1}})
    ... # doctest: +ELLIPSIS
    CXKIT-GRADE-RESULT:{"task1": {"status": "unanswered", ...
    >>> out["task3"]["status"], out["task3"]["reason"][:28]
    ('wrong', 'Task 3: got a plain dict: st')
    """
    from cxlib.checks import CORRECT as OK
    from cxlib.checks import _combine, collecting, exercise

    checker = exercise(number, **parameters)
    hidden: dict = {}
    if hidden_source:
        exec(compile(hidden_source, f"hidden tests of exercise {number}", "exec"), hidden)  # noqa: S102
    results = {}
    for task, names in checker.key.TASKS.items():
        answers = tuple(namespace.get(name, Ellipsis) for name in names)
        verdict = checker.run(task, answers, quiet=True)
        if verdict.status == OK and callable(hidden.get(task)):
            import contextlib

            with contextlib.redirect_stdout(None), collecting() as got:
                try:
                    hidden[task](checker.env(), *answers)
                except Exception as exc:  # noqa: BLE001 - a strange answer fails its hidden test
                    from cxlib.checks import Verdict

                    got.append(Verdict(False, ERROR, f"a hidden test could not run ({type(exc).__name__})."))
            extra = _combine(task, got) if got else None
            if extra is not None and extra.status != OK:
                verdict = type(verdict)(
                    False, WRONG, "passes the public check but not a hidden test: " + extra.reason
                )
        results[task] = {"status": verdict.status, "reason": verdict.reason}
    print(GRADE_MARK + json.dumps(results))
    return results


# ---------------------------------------------------------------------------------------------
# Preparing and grading one submission (in a worker).


def _check_cells(nb) -> list[tuple[int, str]]:
    """(cell index, task id) of each check cell ``check("taskN", ...)`` of a notebook."""
    import re

    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        m = re.search(r"""\bcheck\(\s*["'](task\w+)["']""", cell.source)
        if m:
            found.append((i, m.group(1)))
    return found


def _grading_cell_source(number: str, parameters: dict, hidden: str) -> str:
    return (
        "from cxlib.kit.grade import grade_namespace as _cxkit_grade\n"
        f"_ = _cxkit_grade({number!r}, {parameters!r}, globals(), {hidden!r})"
    )


def prepare(nb, number: str, parameters: dict, hidden: str):
    """The submission as it is executed: grader's parameters injected, a grading cell appended.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The student's notebook.
    number : str
        The exercise's number.
    parameters : dict
        The grader's parameters (they replace the student's values).
    hidden : str
        The hidden tests' source.

    Returns
    -------
    nbformat.NotebookNode
        A new notebook; the injected cells are tagged ``injected-parameters`` and ``cxkit-grade``.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("data_dir = None", metadata={"tags": ["parameters"]}),
    ...     nbformat.v4.new_code_cell("answer = ...")])
    >>> [c.source for c in prepare(nb, "08", {"data_dir": "/d"}, "").cells][:3]
    ['data_dir = None', "data_dir = '/d'", 'answer = ...']
    """
    import copy

    import nbformat

    nb = copy.deepcopy(nb)
    assign = "\n".join(f"{k} = {v!r}" for k, v in parameters.items())
    injected = nbformat.v4.new_code_cell(assign, metadata={"tags": ["injected-parameters"]})
    where = next(
        (i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), 0
    )
    nb.cells.insert(where, injected)
    grading = nbformat.v4.new_code_cell(
        _grading_cell_source(number, parameters, hidden), metadata={"tags": [GRADE_TAG]}
    )
    nb.cells.append(grading)
    return nb


def _task_errors(nb, errors: dict, tasks: list[str]) -> dict:
    """Task id to the first error in its answer cells (the cells after the previous check cell)."""
    checks = _check_cells(nb)
    out, previous = {}, -1
    for index, task in checks:
        if task in tasks and task not in out:
            for i in range(previous + 1, index + 1):
                if str(i) in errors:
                    out[task] = (i, errors[str(i)])
                    break
        previous = index
    return out


def _code_number(nb, index: int) -> int:
    """A cell's position counted from 1 among the student's cells (the injected ones not counted)."""
    return sum(
        1
        for c in nb.cells[: index + 1]
        if not set(c.get("metadata", {}).get("tags", [])) & {"injected-parameters", GRADE_TAG}
    )


def _rows(student: str, notebook: str, tasks: dict, points: dict, status: str, reason: str) -> list[dict]:
    """The same status and reason for every task of a notebook (missing, malformed, not run)."""
    return [
        {
            "student_id": student,
            "notebook": notebook,
            "task": task,
            "status": status,
            "points": 0,
            "max_points": points.get(task, 1),
            "reason": reason,
        }
        for task in tasks
    ]


def _digest_folder(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _read_submission(path: str | None):
    """(notebook, "") for a readable submission with code; (None or MISSING, why) otherwise."""
    import nbformat

    if path is None:
        return MISSING, "no submission for this exercise"
    raw = Path(path).read_bytes()
    if not raw.strip():
        return None, "the submitted file is empty"
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with the file, it gets a row
        return None, f"not a readable notebook ({type(exc).__name__})"
    if not any(c.cell_type == "code" and c.source.strip() for c in nb.cells):
        return None, "the notebook has no code"
    return nb, ""


def _task_row(student: str, name: str, task: str, grade: dict, failed: dict, points: dict, graded) -> dict:
    """A task's gradebook row: the grading cell's verdict, or the error its answer cells raised."""
    got = grade.get(task) if isinstance(grade.get(task), dict) else {}
    status, reason = str(got.get("status", ERROR)), str(got.get("reason", "not graded"))
    if task in failed:
        index, text = failed[task]
        status, reason = ERROR, f"cell {_code_number(graded, index)}: {text}"
    max_points = points.get(task, 1)
    return {
        "student_id": student,
        "notebook": name,
        "task": task,
        "status": status,
        "points": max_points if status == CORRECT else 0,
        "max_points": max_points,
        "reason": reason,
    }


def grade_submission(spec: dict) -> dict:
    """Grade one submission (a job for a scheduler's worker); never raises for the submission.

    Parameters
    ----------
    spec : dict
        ``student``, ``notebook`` (the exercise's file name), ``path`` (the submission, or None
        when missing), ``folder`` (the working folder), ``data_dir``, ``parameters``, ``hidden``
        (source), ``tasks`` (task id to its answers' names), ``points``, ``limits`` (a dict).

    Returns
    -------
    dict
        ``rows`` (gradebook rows), ``duration`` and ``isolation``.
    """
    import nbformat

    start = time.perf_counter()
    student, name, tasks, points = spec["student"], spec["notebook"], spec["tasks"], spec["points"]

    def done(rows, isolation=""):
        return {"rows": rows, "duration": round(time.perf_counter() - start, 2), "isolation": isolation}

    nb, problem = _read_submission(spec["path"])
    if problem:
        return done(_rows(student, name, tasks, points, MISSING if nb is MISSING else ERROR, problem))
    number = name[:2]
    graded = prepare(nb, number, spec["parameters"], spec["hidden"])
    folder = Path(spec["folder"])
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / ("graded_" + name)
    nbformat.write(graded, source)
    before = _digest_folder(Path(spec["data_dir"]))
    result = run_sandboxed(str(source), str(folder / name), str(folder), Limits(**spec["limits"]))
    isolation = result.get("isolation", "")
    if _digest_folder(Path(spec["data_dir"])) != before:
        return done(
            _rows(student, name, tasks, points, ERROR, "the notebook changed its data files: not graded"),
            isolation,
        )
    grade = result.get("grade")
    if not isinstance(grade, dict):
        why = result.get("kernel", "")
        why = why if why and why != "ok" else "the grading cell did not run"
        if result.get("errors"):
            first = min(result["errors"], key=int)
            why = f"cell {_code_number(graded, int(first))}: {result['errors'][first]}"
        return done(_rows(student, name, tasks, points, ERROR, f"could not be graded: {why}"), isolation)
    failed = _task_errors(graded, result.get("errors", {}), list(tasks))
    rows = [_task_row(student, name, task, grade, failed, points, graded) for task in tasks]
    return done(rows, isolation)


# ---------------------------------------------------------------------------------------------
# The class: what to grade, jobs, outputs.


def _hidden_source(number: str, hidden_dir: Path) -> str:
    path = hidden_dir / f"ex{number}.py"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _defaults(exercise: Path) -> dict:
    from .roster import notebook_parameters

    return notebook_parameters(exercise)


def discover(submissions: Path, exercises_dir: Path, names: list[str] | None = None):
    """The students (sub-folders) and the assignments to grade.

    Parameters
    ----------
    submissions : path
        ``<student_id>/<exercise>.ipynb``.
    exercises_dir : path
        The exercise notebooks (``exercises/``): an assignment must be one of them.
    names : list of str, optional
        The assignments (file names or stems); default: every exercise some student submitted.

    Returns
    -------
    (list of str, list of str)
        Student ids (sorted) and assignment file names (sorted).

    Examples
    --------
    >>> import tempfile
    >>> subs = Path(tempfile.mkdtemp())
    >>> (subs / "ann").mkdir(); (subs / "ben").mkdir()
    >>> _ = (subs / "ann" / "08_moments_of_truth.ipynb").write_text("{}")
    >>> discover(subs, ROOT / "exercises")
    (['ann', 'ben'], ['08_moments_of_truth.ipynb'])
    """
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise GradeError(f"the submissions folder {submissions} does not exist")
    students = sorted(p.name for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise GradeError(f"{submissions} holds no student folder (expected <student_id>/<exercise>.ipynb)")
    known = {p.name for p in Path(exercises_dir).glob("*.ipynb")}
    if names:
        wanted = [n if n.endswith(".ipynb") else n + ".ipynb" for n in names]
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise GradeError(f"not exercises: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        return students, sorted(set(wanted))
    found = {p.name for s in students for p in (submissions / s).glob("*.ipynb")} & known
    if not found:
        raise GradeError(f"no submission in {submissions} is named after an exercise of {exercises_dir}")
    return students, sorted(found)


def _grader_fingerprint() -> str:
    """What every grade depends on besides the submission: the package, its keys, this grader."""
    from cxlib.kit.plan import fingerprint

    here = Path(__file__).resolve().parent
    h = hashlib.sha256(fingerprint().encode())  # the learner's package, the keys (cxlib/keys/) included
    for p in (here / "grade.py", here / "sandbox.py"):
        h.update(p.read_bytes())
    return h.hexdigest()


def _key_of(spec: dict, raw: bytes | None, grader: str) -> str:
    """A submission's grading key: its bytes, parameters, hidden tests, limits and the grader."""
    blob = json.dumps(
        [
            hashlib.sha256(raw).hexdigest() if raw is not None else None,
            spec["parameters"],
            hashlib.sha256(spec["hidden"].encode()).hexdigest(),
            spec["limits"],
            grader,
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    from cxlib.export import safe_cell

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for row in rows:
            w.writerow([safe_cell(str(row.get(c, ""))) for c in columns])


_STYLE = (
    "<style>body{font-family:sans-serif;margin:2em;max-width:60em} table{border-collapse:collapse}"
    "td,th{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}"
    ".correct{background:#dfd}.wrong,.error,.missing{background:#fdd}.unanswered{background:#ffd}</style>"
)


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"{_STYLE}</head><body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n"
    )


def feedback_page(student: str, rows: list[dict]) -> str:
    """A student's feedback page: per notebook and task, the verdict and the reason, all escaped.

    Parameters
    ----------
    student : str
        The student id.
    rows : list of dict
        The student's gradebook rows.

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> row = {"notebook": "03.ipynb", "task": "task1", "status": "wrong", "points": 0, "max_points": 1,
    ...        "reason": "<script>alert(1)</script>"}
    >>> "<script>" in feedback_page("ann", [row])
    False
    """
    parts = []
    for notebook in dict.fromkeys(r["notebook"] for r in rows):
        mine = [r for r in rows if r["notebook"] == notebook]
        got = sum(float(r["points"]) for r in mine)
        total = sum(float(r["max_points"]) for r in mine)
        parts.append(f"<h2>{html.escape(notebook)}: {got:g} of {total:g} points</h2><table>")
        parts.append("<tr><th>task</th><th>verdict</th><th>points</th><th>why</th></tr>")
        for r in mine:
            cls = html.escape(str(r["status"]))
            parts.append(
                f'<tr class="{cls}"><td>{html.escape(str(r["task"]))}</td><td>{cls}</td>'
                f"<td>{float(r['points']):g} / {float(r['max_points']):g}</td>"
                f"<td>{html.escape(str(r['reason']))}</td></tr>"
            )
        parts.append("</table>")
    return _page(f"Feedback for {student}", "\n".join(parts))


def _kind(reason: str) -> str:
    """The mistake kind of a reason: its text after the task's label, up to the first colon or period."""
    text = reason.split(": ", 1)[1] if ": " in reason and reason.startswith("Task") else reason
    for stop in (":", ".", "("):
        text = text.split(stop, 1)[0]
    return text.strip() or "(no reason)"


def summary_page(rows: list[dict]) -> str:
    """Which tasks most students missed, and why (the mistake kinds, counted), escaped.

    Parameters
    ----------
    rows : list of dict
        The whole gradebook.

    Returns
    -------
    str
        The HTML page: tasks sorted by how many students missed them.

    Examples
    --------
    >>> rows = [{"student_id": s, "notebook": "08.ipynb", "task": "task1", "status": st, "reason": why}
    ...         for s, st, why in [("ann", "correct", "correct."),
    ...                            ("ben", "wrong", "Task 1: the sign is flipped: check the order.")]]
    >>> "wrong: the sign is flipped (1)" in summary_page(rows)
    True
    """
    by_task: dict = {}
    for r in rows:
        by_task.setdefault((r["notebook"], r["task"]), []).append(r)
    order = sorted(by_task, key=lambda k: (-sum(r["status"] != CORRECT for r in by_task[k]), k))
    students = len({r["student_id"] for r in rows})
    parts = [f"<p>{students} students; tasks sorted by how many missed them.</p><table>"]
    parts.append("<tr><th>notebook</th><th>task</th><th>correct</th><th>missed</th><th>why (count)</th></tr>")
    for key in order:
        rs = by_task[key]
        missed = [r for r in rs if r["status"] != CORRECT]
        kinds = Counter(f"{r['status']}: {_kind(str(r['reason']))}" for r in missed)
        why = "<br>".join(f"{html.escape(k)} ({n})" for k, n in kinds.most_common())
        parts.append(
            f"<tr><td>{html.escape(key[0])}</td><td>{html.escape(str(key[1]))}</td>"
            f"<td>{len(rs) - len(missed)}</td><td>{len(missed)}</td><td>{why}</td></tr>"
        )
    parts.append("</table>")
    return _page("Grading summary", "\n".join(parts))


def grades_table(rows: list[dict], students: list[str], assignments: list[str]) -> list[dict]:
    """One row per student: ``student_id`` and the points of each assignment (its file stem).

    Parameters
    ----------
    rows : list of dict
        The gradebook's rows.
    students, assignments : list of str
        Every student id (a row each, also without a submission) and assignment file name.

    Returns
    -------
    list of dict
        The rows of ``grades.csv``.

    Examples
    --------
    >>> rows = [{"student_id": "ann", "notebook": "03_x.ipynb", "points": 1},
    ...         {"student_id": "ann", "notebook": "03_x.ipynb", "points": 0}]
    >>> grades_table(rows, ["ann", "bob"], ["03_x.ipynb"])
    [{'student_id': 'ann', '03_x': '1'}, {'student_id': 'bob', '03_x': '0'}]
    """
    out = []
    for s in students:
        row = {"student_id": s}
        for a in assignments:
            total = sum(float(r["points"]) for r in rows if r["student_id"] == s and r["notebook"] == a)
            row[Path(a).stem] = f"{total:g}"
        out.append(row)
    return out


def _assignment(name: str, exercises_dir: Path, hidden_dir: Path) -> dict:
    """What grading an exercise needs: its tasks, points, the grader's parameters, the hidden tests."""
    from cxlib.checks import key_module

    key = key_module(name)
    return {
        "tasks": {t: list(names) for t, names in key.TASKS.items()},
        "points": dict(getattr(key, "POINTS", {})),
        "parameters": {k: v for k, v in _defaults(exercises_dir / name).items() if k in key.PARAMETERS},
        "hidden": _hidden_source(name[:2], hidden_dir),
    }


def _spec(student: str, name: str, path: Path, folder: Path, data_dir: Path, meta: dict, limits) -> dict:
    """The job of one submission (plain data: it may go to another process)."""
    return {
        "student": student,
        "notebook": name,
        "path": str(path) if path.is_file() else None,
        "folder": str(folder / Path(name).stem),
        "data_dir": str(data_dir.resolve()),
        "parameters": {**meta["parameters"], "data_dir": str(data_dir.resolve())},
        "hidden": meta["hidden"],
        "tasks": meta["tasks"],
        "points": meta["points"],
        "limits": asdict(limits),
    }


def _stored(path: Path, key: str) -> dict | None:
    """A submission's stored result when it was graded with the same key (resume), else None."""
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return previous if isinstance(previous, dict) and previous.get("key") == key else None


def write_outputs(out: Path, rows: list[dict], students: list[str], assignments: list[str]) -> None:
    """Write ``gradebook.csv``, ``grades.csv`` (spreadsheet-safe), the feedback pages and the summary.

    Parameters
    ----------
    out : Path
        The output folder.
    rows : list of dict
        The gradebook's rows.
    students, assignments : list of str
        Every student id and assignment file name (a row each, a column each in ``grades.csv``).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> row = {"student_id": "ann", "notebook": "08_x.ipynb", "task": "task1", "status": "wrong",
    ...        "points": 0, "max_points": 1, "reason": "=HYPERLINK(1)"}
    >>> write_outputs(out, [row], ["ann"], ["08_x.ipynb"])
    >>> sorted(p.name for p in out.iterdir()), "'=HYPERLINK" in (out / "gradebook.csv").read_text()
    (['feedback', 'gradebook.csv', 'grades.csv', 'summary.html'], True)
    """
    _write_csv(out / "gradebook.csv", GRADEBOOK_COLUMNS, rows)
    grades = grades_table(rows, students, assignments)
    _write_csv(out / "grades.csv", ["student_id", *(Path(a).stem for a in assignments)], grades)
    (out / "feedback").mkdir(exist_ok=True)
    for s in students:
        page = feedback_page(s, [r for r in rows if r["student_id"] == s])
        (out / "feedback" / f"{s}.html").write_text(page, encoding="utf-8")
    (out / "summary.html").write_text(summary_page(rows), encoding="utf-8")


def grade(
    submissions,
    out,
    exercises: list[str] | None = None,
    limits: Limits | None = None,
    workers: int | None = None,
    force: bool = False,
    exercises_dir=None,
    hidden_dir=None,
    scheduler: str | None = None,
) -> list[dict]:
    """Grade every submission; write the gradebook, grades, feedback pages and summary.

    Parameters
    ----------
    submissions : path
        ``<student_id>/<exercise>.ipynb``.
    out : path
        The output folder.
    exercises : list of str, optional
        The assignments (default: every exercise some student submitted).
    limits : Limits, optional
        Time and resource limits of each submission.
    workers : int, optional
        Submissions graded at once (default: the number of cores).
    force : bool
        Grade again what is up to date.
    exercises_dir, hidden_dir : path, optional
        Default ``exercises/`` and ``solutions/hidden/``.
    scheduler : str, optional
        A Dask scheduler's address, or ``local:N``: the submissions are graded on that cluster,
        as ``cxkit run --scheduler`` runs notebooks. The workers must share this machine's
        folders (the submissions, the output folder and the exercises).

    Returns
    -------
    list of dict
        The gradebook's rows.
    """
    from cxlib.synth import student_seed

    from .execute import generate_data
    from .plan import data_is_current, data_stamp, fingerprint, write_json
    from .roster import Run
    from .schedule import Job, make_scheduler

    limits = limits or Limits()
    exercises_dir = Path(exercises_dir or ROOT / "exercises")
    hidden_dir = Path(hidden_dir or ROOT / "solutions" / "hidden")
    submissions, out = Path(submissions), Path(out)
    students, assignments = discover(submissions, exercises_dir, exercises)
    out.mkdir(parents=True, exist_ok=True)
    fp = fingerprint()
    grader = _grader_fingerprint()
    meta = {a: _assignment(a, exercises_dir, hidden_dir) for a in assignments}
    jobs, specs, results = [], {}, {}
    for s in students:
        sdir = out / s
        data_dir = sdir / "data"
        stamp = data_stamp(Run(s, {}, data_seed=student_seed(s)), fp)
        data_job = None
        if not data_is_current(data_dir, stamp):
            data_job = ("data", s)
            jobs.append(Job(data_job, generate_data, (str(data_dir), student_seed(s), stamp)))
        for a in assignments:
            path = submissions / s / a
            spec = _spec(s, a, path, sdir, data_dir, meta[a], limits)
            spec["key"] = _key_of(spec, path.read_bytes() if path.is_file() else None, grader)
            previous = None if force or data_job else _stored(sdir / (Path(a).stem + ".json"), spec["key"])
            if previous is not None:
                results[s, a] = previous
                continue
            specs["grade", s, a] = spec
            jobs.append(Job(("grade", s, a), grade_submission, (spec,), (data_job,) if data_job else ()))
    for done in make_scheduler(workers, max(1, len(specs)), scheduler).run(jobs):
        if done.key[0] != "grade":
            continue
        spec = specs[done.key]
        s, a = spec["student"], spec["notebook"]
        if done.error is not None:
            why = f"could not be graded: {done.error}"
            res = {"rows": _rows(s, a, spec["tasks"], spec["points"], ERROR, why)}
        else:
            res = dict(done.value)
            res["key"] = spec["key"]
            write_json(out / s / (Path(a).stem + ".json"), res)
        results[s, a] = res
    rows = [r for s in students for a in assignments for r in results.get((s, a), {}).get("rows", [])]
    write_outputs(out, rows, students, assignments)
    return rows


def add_arguments(parser) -> None:
    """The options of ``cxkit grade``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The verb's parser.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> parser.parse_args(["subs", "--out", "g", "--timeout", "60"]).timeout
    60.0
    """
    parser.add_argument("submissions", type=Path, help="folder of <student_id>/<exercise>.ipynb")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--exercise", action="append", default=None, help="an assignment (repeatable)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per notebook (default 300)")
    parser.add_argument("--memory", type=int, default=4096, help="MB of address space per process")
    parser.add_argument("--workers", type=int, default=None, help="submissions graded at once")
    parser.add_argument("--force", action="store_true", help="grade again what is up to date")
    parser.add_argument(
        "--scheduler",
        default=None,
        help="grade on a Dask cluster: a scheduler's address (tcp://host:8786) or local:N; the "
        "workers must share the submissions, exercises and output folders",
    )


def run(args) -> int:
    """``cxkit grade``: grade, then print how many tasks got each status.

    Parameters
    ----------
    args : argparse.Namespace
        The options of :func:`add_arguments`.

    Returns
    -------
    int
        0 when every submission was graded (whatever its grade), 2 when grading could not start.
    """
    limits = Limits(timeout=args.timeout, memory_mb=args.memory)
    try:
        rows = grade(
            args.submissions,
            args.out,
            args.exercise,
            limits,
            args.workers,
            args.force,
            scheduler=args.scheduler,
        )
    except (GradeError, CxlibError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    counts = Counter(r["status"] for r in rows)
    print(
        f"graded {len({(r['student_id'], r['notebook']) for r in rows})} submission(s): "
        + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        + f"; see {os.fspath(args.out)}/gradebook.csv"
    )
    return 0
