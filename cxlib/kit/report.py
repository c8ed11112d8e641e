"""The batch's summary: ``summary.csv``, ``notebooks.csv`` and ``summary.html``.

The last step of a batch (write). ``summary.csv`` and ``summary.html`` have one row per run: its
parameters, status, duration, the first failure (notebook, cell counted from 1 from the top, the
cell's first line, the error), and the headline numbers the notebooks recorded with
:func:`cxlib.record.record` (one column per name; a name recorded by several notebooks gets the
notebook's name as a prefix, ``11_capstone.nps``). ``notebooks.csv`` has one row per run and
notebook. A notebook that runs an exercise's checks (:func:`cxlib.checks.exercise`) adds how many
tasks were correct, wrong and unanswered; such a notebook has not passed (``passed``) unless every
task is correct, and its run's status says ``unanswered tasks`` or ``wrong answers``. Every cell of
the CSV files is safe in a spreadsheet (no formula runs), and every text
in the HTML page is escaped.
"""

from __future__ import annotations

import csv
import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from cxlib.export import safe_cell

from .plan import STATUS_FAILED, STATUS_OK, STATUS_SKIPPED
from .roster import Run

NOTEBOOK_COLUMNS = [
    "run_id",
    "notebook",
    "status",
    "duration_s",
    "failed_cell",
    "failed_code",
    "error",
    "correct",
    "wrong",
    "unanswered",
]


@dataclass
class Result:
    """The outcome of one notebook in one run."""

    run_id: str
    notebook: str
    status: str
    duration: float = 0.0
    cell: int | None = None
    code: str = ""
    error: str = ""
    parameters: dict = field(default_factory=dict)
    recorded: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)  # tasks correct / wrong / unanswered / error (exercises)


# The tasks of a notebook that runs checks (cxlib.checks.exercise): counted per run.
CHECK_COLUMNS = ["correct", "wrong", "unanswered"]


def _not_all_correct(r: Result) -> bool:
    """A notebook that ran to the end but whose checks found a task wrong or unanswered."""
    c = r.checks
    return r.status != STATUS_FAILED and bool(c.get("wrong") or c.get("unanswered") or c.get("error"))


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _recorded_columns(results: list[Result], taken: list[str]) -> dict:
    """(notebook, name) -> column: the name, or ``<notebook stem>.<name>`` when several notebooks
    record it or another column (a parameter, the status...) has that name."""
    who = {}
    for r in results:
        for name in r.recorded:
            who.setdefault(name, set()).add(r.notebook)
    return {
        (r.notebook, name): name
        if len(who[name]) == 1 and name not in taken
        else f"{Path(r.notebook).stem}.{name}"
        for r in results
        for name in r.recorded
    }


def _run_row(rid: str, rs: list[Result], given: dict, param_cols: list[str], rec: dict) -> dict:
    row = {"run_id": rid}
    for k in param_cols:
        shown = [r.parameters[k] for r in rs if k in r.parameters]
        row[k] = shown[0] if shown else given.get(k, "")
    failures = [r for r in rs if r.status == STATUS_FAILED]
    row["status"] = STATUS_FAILED if failures else (STATUS_OK if rs else "not run")
    if rs and all(r.status == STATUS_SKIPPED for r in rs):
        row["status"] = "ok (up to date)"
    unfinished = [r for r in rs if _not_all_correct(r)]
    if not failures and unfinished:  # it ran, but an exercise with tasks not all correct has not passed
        unanswered = any(r.checks.get("unanswered") for r in unfinished)
        row["status"] = "unanswered tasks" if unanswered else "wrong answers"
    row["passed"] = f"{len(rs) - len(failures) - len(unfinished)}/{len(rs)}"
    if any(r.checks for r in rs):
        row["correct"] = sum(r.checks.get("correct", 0) for r in rs)
        row["wrong"] = sum(r.checks.get("wrong", 0) + r.checks.get("error", 0) for r in rs)
        row["unanswered"] = sum(r.checks.get("unanswered", 0) for r in rs)
    row["duration_s"] = f"{sum(r.duration for r in rs):.1f}"
    if failures:
        first = failures[0]
        more = (
            f" (+{len(failures) - 1} more failed notebook(s), see notebooks.csv)" if len(failures) > 1 else ""
        )
        row.update(
            failed_notebook=first.notebook,
            failed_cell=first.cell,
            failed_code=first.code,
            error=first.error + more,
        )
    for r in rs:
        for name, v in r.recorded.items():
            row[rec[r.notebook, name]] = v
    return row


def summary_table(results: list[Result], runs: list[Run] | None = None) -> tuple[list[str], list[dict]]:
    """One row per run: parameters, status, duration, first failure, recorded values.

    Parameters
    ----------
    results : list of Result
        One per run and notebook.
    runs : list of Run, optional
        The batch's runs: their order and the values given (also those no notebook took).

    Returns
    -------
    (list of str, list of dict)
        The column names and the rows (a missing key is an empty cell).

    Examples
    --------
    >>> results = [Result("ana", "03.ipynb", STATUS_OK, 4.2, parameters={"branch": "Ashford"},
    ...                   recorded={"nps": 31.5}),
    ...            Result("ben", "03.ipynb", STATUS_FAILED, 1.0, cell=7, code="metrics.nps(x)",
    ...                   error="InputError: scores is empty", parameters={"branch": "Nowhere"})]
    >>> cols, rows = summary_table(results)
    >>> cols
    ['run_id', 'branch', 'status', 'passed', 'duration_s', 'failed_notebook', 'failed_cell', 'failed_code',
     'error', 'nps']
    >>> rows[1]["status"], rows[1]["failed_cell"], rows[0]["nps"]
    ('failed', 7, 31.5)
    """
    order = list(dict.fromkeys([r.run_id for r in runs] if runs else [r.run_id for r in results]))
    values = {r.run_id: r.values for r in runs} if runs else {}
    param_cols = list(dict.fromkeys(k for rid in order for k in values.get(rid, {})))
    param_cols += [k for k in dict.fromkeys(k for r in results for k in r.parameters) if k not in param_cols]
    cols = ["run_id", *param_cols, "status", "passed", "duration_s"]
    if any(r.checks for r in results):
        cols += CHECK_COLUMNS
    cols += ["failed_notebook", "failed_cell", "failed_code", "error"]
    rec = _recorded_columns(results, cols)
    cols += dict.fromkeys(rec.values())
    rows = [
        _run_row(rid, [r for r in results if r.run_id == rid], values.get(rid, {}), param_cols, rec)
        for rid in order
    ]
    return cols, rows


def _write_csv(path: Path, cols: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([safe_cell(c) for c in cols])
        for row in rows:
            w.writerow([safe_cell(_fmt(row.get(c))) for c in cols])


def _html_table(cols: list[str], rows: list[dict], link_col: str | None = None) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for row in rows:
        cells = []
        for c in cols:
            text = html.escape(_fmt(row.get(c)))
            if c == link_col and row.get(c):
                text = f'<a href="{html.escape(quote(str(row[c])))}/">{text}</a>'
            cells.append(f"<td>{text}</td>")
        status = str(row.get("status", ""))
        skipped = status.startswith(("ok (", STATUS_SKIPPED))
        cls = "failed" if status == STATUS_FAILED else ("skipped" if skipped else "ok")
        cls = "incomplete" if status in ("unanswered tasks", "wrong answers") else cls
        body.append(f'<tr class="{cls}">' + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cx-course-kit batch run</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;margin-bottom:2em}}
td,th{{border:1px solid #bbb;padding:4px 8px;font-size:90%;vertical-align:top;text-align:left}}
th{{background:#eee;position:sticky;top:0}} tr.failed{{background:#fdd}}
tr.incomplete{{background:#ffd}} tr.skipped{{color:#555}}</style>
</head><body><h1>Batch run summary</h1>
<p>{runs_ok} of {runs} runs passed;
{nbs_ok} of {nbs} notebook
runs passed ({skipped} were up to date and skipped).
Each run's notebooks are in its folder (follow the run id). Cells are counted from 1, from the top
of the notebook.</p>
{table}
{failures}
</body></html>
"""


def _notebook_row(r: Result) -> dict:
    return {
        "run_id": r.run_id,
        "notebook": r.notebook,
        "status": r.status,
        "duration_s": f"{r.duration:.1f}",
        "failed_cell": r.cell,
        "failed_code": r.code,
        "error": r.error,
        **(
            {
                "correct": r.checks.get("correct", 0),
                "wrong": r.checks.get("wrong", 0) + r.checks.get("error", 0),
                "unanswered": r.checks.get("unanswered", 0),
            }
            if r.checks
            else {}
        ),
    }


def write_summary(results: list[Result], out: str | os.PathLike, runs: list[Run] | None = None) -> None:
    """Write ``summary.csv`` and ``notebooks.csv`` (spreadsheet-safe) and ``summary.html`` (escaped).

    Parameters
    ----------
    results : list of Result
        One per run and notebook.
    out : path
        The batch's output folder (it must exist).
    runs : list of Run, optional
        The batch's runs (see :func:`summary_table`).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> write_summary([Result("ana", "03.ipynb", STATUS_FAILED, 1.0, cell=2, error="=HYPERLINK(x)")], out)
    >>> sorted(p.name for p in out.iterdir())
    ['notebooks.csv', 'summary.csv', 'summary.html']
    >>> "'=HYPERLINK(x)" in (out / "summary.csv").read_text()  # a formula is neutralised
    True
    """
    out = Path(out)
    cols, rows = summary_table(results, runs)
    _write_csv(out / "summary.csv", cols, rows)
    nb_rows = [_notebook_row(r) for r in results]
    _write_csv(out / "notebooks.csv", NOTEBOOK_COLUMNS, nb_rows)
    failures = [row for row in nb_rows if row["status"] == STATUS_FAILED]
    page = _PAGE.format(
        runs_ok=sum(row["status"] in (STATUS_OK, "ok (up to date)") for row in rows),
        runs=len(rows),
        nbs_ok=len(results) - len(failures),
        nbs=len(results),
        skipped=sum(r.status == STATUS_SKIPPED for r in results),
        table=_html_table(cols, rows, "run_id"),
        failures=("<h2>Failed notebooks</h2>" + _html_table(NOTEBOOK_COLUMNS, failures, "run_id"))
        if failures
        else "",
    )
    (out / "summary.html").write_text(page, encoding="utf-8")
