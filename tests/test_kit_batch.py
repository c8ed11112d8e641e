"""run_batch's paths that start no kernel: checks before anything runs, data that cannot be made.

The end-to-end runs, with kernels, are in test_run.py.
"""

from __future__ import annotations

import csv
import json

import nbformat
import pytest

from cxlib.kit.batch import run_batch
from cxlib.kit.roster import RunError, build_runs


@pytest.fixture
def tiny(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("n = 1\nflag = False\ndata_dir = None")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("print(n)")]
    nbformat.write(nb, tmp_path / "tiny.ipynb")
    return tmp_path / "tiny.ipynb"


def test_a_bad_value_stops_the_batch_before_anything_runs(tiny, tmp_path):
    runs = build_runs(
        roster=[
            {"student_id": "a", "n": "1"},
            {"student_id": "b", "n": "five"},
            {"student_id": "c", "flag": "perhaps"},
        ]
    )
    with pytest.raises(RunError, match=r"(?s)run b: parameter n: 'five'.*run c: parameter flag: 'perhaps'"):
        run_batch([tiny], runs, tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()
    with pytest.raises(RunError, match="no runs"):
        run_batch([tiny], [], tmp_path / "out", progress=False)
    with pytest.raises(RunError, match="notebook not found"):
        run_batch([tmp_path / "nope.ipynb"], build_runs(), tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def test_data_that_cannot_be_made_fail_that_runs_notebooks_only(tiny, tmp_path):
    out = tmp_path / "out"
    (out / "s1").mkdir(parents=True)
    (out / "s1" / "data").write_text("a file where the data folder should be")
    results = run_batch([tiny], build_runs(roster=[{"student_id": "s1", "seed": "5"}]), out, progress=False)
    assert [(r.run_id, r.status) for r in results] == [("s1", "failed")]
    assert results[0].error.startswith("generating the data for seed 5 failed: NotADirectoryError")
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    assert row["status"] == "failed" and row["error"].startswith("generating the data for seed 5 failed")
    manifest = json.loads((out / "s1" / "manifest.json").read_text())
    assert manifest["tiny.ipynb"]["status"] == "failed"  # tried again next time


def test_a_batch_with_nothing_to_do_runs_nothing_and_still_reports(tiny, tmp_path):
    out = tmp_path / "out"
    (out / "run001").mkdir(parents=True)
    run = build_runs()
    # pretend the notebook ran: same key, passed, output present
    from cxlib.kit.plan import fingerprint, plan, write_json

    task = plan([tiny], run, out, fingerprint())[0]
    task.target.write_text(json.dumps(nbformat.v4.new_notebook()))
    write_json(
        out / "run001" / "manifest.json", {"tiny.ipynb": {"key": task.key, "status": "ok", "duration": 3}}
    )
    results = run_batch([tiny], run, out, progress=False)
    assert [(r.status, r.duration) for r in results] == [("skipped", 3)]
    assert "ok (up to date)" in (out / "summary.csv").read_text()
