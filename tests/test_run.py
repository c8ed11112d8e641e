"""The instructors' batch runner end to end (`cxkit run`) on tiny notebooks in real kernels.

Every test runs real notebooks in real kernels through papermill, so they are kept few
and small: a notebook that records its parameters' values and types, one that fails
for a given value, one that sleeps past the time limit. The parts that run no notebook
(rosters, planning, scheduling, reports, the command line) are tested in test_kit_*.py.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from cxlib.kit import cli
from cxlib.kit import roster as runner
from cxlib.kit.batch import run_batch
from cxlib.record import collect

pytestmark = pytest.mark.slow  # every test starts kernels

PARAMS = 'name = "x"\nn = 1\nratio = 0.5\nflag = False\ndata_dir = None'
BODY = (
    "if n == 3:\n    raise ValueError('three is not allowed')\n"
    "record('n2', n * 2)\n"
    "record('types', ','.join(type(v).__name__ for v in (name, n, ratio, flag, data_dir)))\n"
    "record('data_dir', str(data_dir))\n"
    "open('name.txt', 'w', encoding='utf-8').write(name)"
)


def _notebook(path, body: str = BODY, params: str = PARAMS, extra_cells: tuple = ()):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A tiny notebook"),
        cell,
        nbformat.v4.new_code_cell("from cxlib.record import record"),
        nbformat.v4.new_code_cell(body),
        *[nbformat.v4.new_code_cell(c) for c in extra_cells],
    ]
    nbformat.write(nb, path)
    return str(path)


@pytest.fixture
def tiny(tmp_path):
    return _notebook(tmp_path / "tiny.ipynb")


def _csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _kernels_of_this_process() -> list[str]:
    """Command lines of ipykernel processes that are children of this (test) process."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat[1]) == os.getpid() and "ipykernel" in cmd:
            found.append(cmd)
    return found


def test_grid_runs_every_combination_in_parallel_and_records_results(tiny, tmp_path):
    out = tmp_path / "out"
    runs = runner.build_runs(grid={"n": ["1", "2"], "flag": ["true", "no"]})
    assert [r.run_id for r in runs] == ["n-1_flag-true", "n-1_flag-no", "n-2_flag-true", "n-2_flag-no"]
    results = run_batch([tiny], runs, out, workers=2, progress=False)
    assert [r.status for r in results] == ["ok"] * 4
    rows = _csv(out / "summary.csv")
    assert [(row["run_id"], row["n"], row["flag"], row["n2"], row["status"]) for row in rows] == [
        ("n-1_flag-true", "1", "True", "2", "ok"),
        ("n-1_flag-no", "1", "False", "2", "ok"),
        ("n-2_flag-true", "2", "True", "4", "ok"),
        ("n-2_flag-no", "2", "False", "4", "ok"),
    ]
    assert rows[0]["types"] == "str,int,float,bool,NoneType"
    assert (out / "n-2_flag-no" / "tiny.ipynb").exists()
    assert (out / "summary.html").read_text().count('<tr class="ok">') == 4


def test_csv_and_yaml_rosters_convert_values_to_the_notebooks_types(tiny, tmp_path):
    roster = tmp_path / "class.csv"
    # a spreadsheet's BOM, spaces around names, an empty cell (= the notebook's default), a blank line
    roster.write_text(
        "\ufeffstudent_id , n,ratio,flag,name,email\nann,2,0.25,yes,Ann,a@x\nbob,,1,0,,b@x\n,,,,,\n",
        encoding="utf-8",
    )
    yaml_roster = tmp_path / "class.yaml"
    yaml_roster.write_text("- {student_id: cy, n: 4, ratio: 2, flag: true, name: '007'}\n")
    out = tmp_path / "out"
    runs = runner.build_runs(roster=runner.read_roster(roster)) + runner.build_runs(
        roster=runner.read_roster(yaml_roster)
    )
    assert runner.unused_columns([tiny], runs) == ["email"]
    results = {r.run_id: r for r in run_batch([tiny], runs, out, workers=2, progress=False)}
    assert results["ann"].parameters == {"n": 2, "ratio": 0.25, "flag": True, "name": "Ann"}
    assert results["bob"].parameters == {"ratio": 1.0, "flag": False}  # empty cells: the defaults
    assert results["cy"].parameters == {"n": 4, "ratio": 2.0, "flag": True, "name": "007"}
    assert {rid: r.recorded["types"] for rid, r in results.items()} == dict.fromkeys(
        ["ann", "bob", "cy"], "str,int,float,bool,NoneType"
    )
    assert results["bob"].recorded["n2"] == 2 and (out / "bob" / "name.txt").read_text() == "x"
    assert [row["email"] for row in _csv(out / "summary.csv")] == ["a@x", "b@x", ""]


def test_one_failing_run_does_not_stop_the_others_and_the_summary_says_where(tiny, tmp_path):
    out = tmp_path / "out"
    other = _notebook(tmp_path / "other.ipynb", "record('m', n + 100)")
    runs = runner.build_runs(
        roster=[{"student_id": "a", "n": "1"}, {"student_id": "b", "n": "3"}, {"student_id": "c", "n": "2"}]
    )
    results = run_batch([tiny, other], runs, out, workers=2, progress=False)
    by = {(r.run_id, r.notebook): r for r in results}
    assert [r.status for r in results] == ["ok", "ok", "failed", "ok", "ok", "ok"]
    bad = by["b", "tiny.ipynb"]
    # the failing cell is the 4th from the top (markdown, parameters, import, body), as in the source notebook
    assert (bad.cell, bad.code, bad.error) == (4, "if n == 3:", "ValueError: three is not allowed")
    assert by["b", "other.ipynb"].recorded == {"m": 103}  # the run's other notebook still ran
    rows = {row["run_id"]: row for row in _csv(out / "summary.csv")}
    assert rows["b"]["status"] == "failed" and rows["b"]["passed"] == "1/2"
    assert (rows["b"]["failed_notebook"], rows["b"]["failed_cell"], rows["b"]["failed_code"]) == (
        "tiny.ipynb",
        "4",
        "if n == 3:",
    )
    assert rows["b"]["error"] == "ValueError: three is not allowed" and rows["b"]["m"] == "103"
    assert rows["a"]["status"] == "ok" and rows["a"]["n2"] == "2" and rows["a"]["m"] == "101"
    page = (out / "summary.html").read_text()
    assert "Failed notebooks" in page and "three is not allowed" in page and "2 of 3 runs passed" in page
    assert [row["status"] for row in _csv(out / "notebooks.csv")] == ["ok", "ok", "failed", "ok", "ok", "ok"]
    # the exit status says whether all passed; a batch that cannot start says so with 2
    assert cli.main(["run", tiny, "--out", str(tmp_path / "cli"), "-p", "n", "3", "--quiet"]) == 1
    assert cli.main(["run", tiny, "--out", str(tmp_path / "cli2"), "-p", "n", "2", "--quiet"]) == 0
    assert cli.main(["run", tiny, "--out", str(tmp_path / "cli3"), "-p", "n", "two", "--quiet"]) == 2


def test_resume_skips_what_is_up_to_date_and_reruns_what_changed(tiny, tmp_path):
    out = tmp_path / "out"
    roster = [{"student_id": "a", "n": "1"}, {"student_id": "b", "n": "3"}]  # b fails
    first = run_batch([tiny], runner.build_runs(roster=roster), out, workers=1, progress=False)
    assert [r.status for r in first] == ["ok", "failed"]
    again = run_batch([tiny], runner.build_runs(roster=roster), out, workers=1, progress=False)
    assert [r.status for r in again] == ["skipped", "failed"]  # a failure is always run again
    assert again[0].recorded["n2"] == 2  # recorded results of skipped runs stay in the summary
    assert _csv(out / "summary.csv")[0]["status"] == "ok (up to date)"
    changed = [{"student_id": "a", "n": "5"}, {"student_id": "b", "n": "2"}]
    third = run_batch([tiny], runner.build_runs(roster=changed), out, workers=1, progress=False)
    assert [r.status for r in third] == ["ok", "ok"] and third[0].recorded["n2"] == 10
    # an edited notebook is out of date; so is a run whose output was deleted or whose manifest is damaged
    nb = nbformat.read(tiny, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A new note."))
    nbformat.write(nb, tiny)
    (out / "b" / "manifest.json").write_text("{ damaged")
    fourth = run_batch([tiny], runner.build_runs(roster=changed), out, workers=1, progress=False)
    assert [r.status for r in fourth] == ["ok", "ok"]
    (out / "a" / "tiny.ipynb").unlink()
    fifth = run_batch([tiny], runner.build_runs(roster=changed), out, workers=1, progress=False)
    assert [r.status for r in fifth] == ["ok", "skipped"]
    (out / "a" / "manifest.json").write_text('{"tiny.ipynb": ["ok"]}')  # an entry that is not an object
    sixth = run_batch([tiny], runner.build_runs(roster=changed), out, workers=1, progress=False)
    assert [r.status for r in sixth] == ["ok", "skipped"]  # it used to crash the batch
    forced = run_batch([tiny], runner.build_runs(roster=changed), out, workers=1, force=True, progress=False)
    assert [r.status for r in forced] == ["ok", "ok"]
    assert json.loads((out / "a" / "manifest.json").read_text())["tiny.ipynb"]["status"] == "ok"


EVIL = [
    "x\"; open('PWNED', 'w').write('1'); y = \"",
    "__import__('os').system('touch PWNED2')",
    "'''\\\n\"\"\"\\\\ \\n é ✓ \t end\\",
    "{name}\r\n#",
]


def test_parameters_reach_the_notebook_as_data_never_as_code(tiny, tmp_path):
    roster = tmp_path / "class.csv"
    with open(roster, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["student_id", "name"])
        for i, text in enumerate(EVIL):
            w.writerow([f"s{i}", text])
    out = tmp_path / "out"
    results = run_batch(
        [tiny], runner.build_runs(roster=runner.read_roster(roster)), out, workers=2, progress=False
    )
    assert [r.status for r in results] == ["ok"] * len(EVIL), [r.error for r in results]
    for i, text in enumerate(EVIL):  # the notebook wrote back exactly the string it was given
        assert (out / f"s{i}" / "name.txt").read_bytes().decode("utf-8") == text
    assert not list(tmp_path.rglob("PWNED*"))
    # on the command line too
    assert cli.main(["run", tiny, "--out", str(tmp_path / "cli"), "-p", "name", EVIL[1], "--quiet"]) == 0
    assert (tmp_path / "cli" / "run001" / "name.txt").read_text() == EVIL[1]
    assert not list(tmp_path.rglob("PWNED*"))


def test_a_seed_gives_each_student_their_own_data_and_a_new_seed_new_data(tmp_path):
    nb = _notebook(
        tmp_path / "data.ipynb",
        "from cxlib import data, params\nfolder = params.data_folder(data_dir, ['survey'])\n"
        "record('responses', len(data.load('survey', folder)))",
        params="data_dir = None",
    )
    roster = tmp_path / "class.csv"
    roster.write_text("student_id,seed\ns1,1\ns2,2\n")
    out = tmp_path / "out"
    results = run_batch(
        [nb], runner.build_runs(roster=runner.read_roster(roster)), out, workers=2, progress=False
    )
    counts = {r.run_id: r.recorded["responses"] for r in results}
    assert counts["s1"] != counts["s2"]
    assert results[0].parameters["data_dir"] == str((out / "s1" / "data").resolve())
    assert json.loads((out / "s1" / "data" / ".cxkit-data.json").read_text())["seed"] == 1
    roster.write_text("student_id,seed\ns1,2\ns2,2\n")  # s1 now gets s2's business
    again = run_batch(
        [nb], runner.build_runs(roster=runner.read_roster(roster)), out, workers=1, progress=False
    )
    assert [r.status for r in again] == ["ok", "skipped"]
    assert again[0].recorded["responses"] == counts["s2"]


def test_a_relative_data_dir_is_relative_to_where_the_command_runs(tiny, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "export").mkdir()
    results = run_batch(
        [tiny], runner.build_runs(fixed={"data_dir": "export"}), "out", workers=1, progress=False
    )
    assert results[0].recorded["data_dir"] == str(tmp_path / "export")


def _marked_notebook(path: Path, codes: list[str]) -> str:
    """A notebook whose code cells first note that they started (their position from the top)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("data_dir = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Slow"), params]
    for position, code in enumerate(codes, start=3):
        mark = f"open('started-{path.stem}.txt', 'a').write('{position}\\n')"
        nb.cells.append(nbformat.v4.new_code_cell(f"{mark}\n{code}"))
    nbformat.write(nb, path)
    return str(path)


def test_time_limits_fail_the_notebook_say_where_and_leave_no_kernel_behind(tmp_path):
    # Which cell is running when the time runs out depends on the machine's speed, so the test does
    # not guess it: every cell notes when it starts, and the runner must name the last one that did.
    slow_cell = _marked_notebook(
        tmp_path / "slow_cell.ipynb",
        ["import time", "time.sleep(600)\nopen('finished.txt', 'w').close()"],
    )
    # each cell alone fits in the limit; together they do not: the limit is the notebook's
    slow_total = _marked_notebook(tmp_path / "slow_total.ipynb", ["import time"] + ["time.sleep(2.5)"] * 4)
    out = tmp_path / "out"
    results = run_batch(
        [slow_cell, slow_total], runner.build_runs(), out, workers=1, timeout=4, progress=False
    )
    for res in results:
        assert res.status == "failed" and res.error == "time limit of 4 s for the notebook exceeded"
        started = [
            int(n) for n in (out / "run001" / f"started-{Path(res.notebook).stem}.txt").read_text().split()
        ]
        # the cell running: the last that started, or the next if papermill had sent it and the time ran
        # out before the kernel began it
        assert res.cell in (started[-1], started[-1] + 1), f"{res.notebook}: cells that started: {started}"
        # the first line shown is the reported cell's own (it names its position): no off-by-one
        assert res.code == f"open('started-{Path(res.notebook).stem}.txt', 'a').write('{res.cell}\\n')"
    assert not (out / "run001" / "finished.txt").exists()  # the sleeping cell was interrupted
    assert results[0].duration < 600
    assert _kernels_of_this_process() == []
    row = _csv(out / "summary.csv")[0]
    assert row["status"] == "failed" and row["passed"] == "0/2" and "+1 more failed" in row["error"]


def test_summaries_are_safe_in_a_spreadsheet_and_a_browser(tiny, tmp_path):
    runs = runner.build_runs(
        roster=[
            {
                "student_id": '=HYPERLINK("http://x")<b>',
                "n": "-2",
                "name": "+cmd|' /C calc'!A0 <script>alert(1)</script>",
            }
        ]
    )
    assert runs[0].run_id == "HYPERLINK_http_x_b"  # folder-safe
    run_batch([tiny], runs, tmp_path / "out", workers=1, progress=False)
    text = (tmp_path / "out" / "summary.csv").read_text()
    assert "'+cmd" in text and ",+cmd" not in text and "'=HYPERLINK" in text
    assert ",-2," in text  # a negative number stays a number
    page = (tmp_path / "out" / "summary.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>" not in page and "=HYPERLINK(&quot;http://x&quot;)&lt;b&gt;" in page


def test_collect_reads_recorded_values_from_an_executed_notebook(tiny, tmp_path):
    run_batch([tiny], runner.build_runs(fixed={"n": "4"}), tmp_path / "out", workers=1, progress=False)
    assert collect(tmp_path / "out" / "run001" / "tiny.ipynb")["n2"] == 8


def _processes_in(folder: Path) -> list[int]:
    """Processes (kernels) whose working folder is ``folder`` or inside it."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue
        if cwd == folder or folder in cwd.parents:
            found.append(int(proc.name))
    return found


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        time.sleep(0.2)


def test_a_notebook_interrupted_by_ctrl_c_during_force_runs_again_next_time(tmp_path):
    # The issue: after a Ctrl-C during --force, the next run skipped notebooks that held a
    # KeyboardInterrupt and never finished (their manifest entries still said "ok" from before).
    gate, began = tmp_path / "SLOW", tmp_path / "slow-began"
    body = (
        f"import os, time\nif os.path.exists({str(gate)!r}):\n"
        f"    open({str(began)!r}, 'w').close()\n    time.sleep(600)\nrecord('slow', 1)"
    )
    nbs = [
        _notebook(tmp_path / "a.ipynb", "record('a', 1)"),
        _notebook(tmp_path / "b.ipynb", body),
        _notebook(tmp_path / "c.ipynb", "record('c', 1)"),
    ]
    out = tmp_path / "out"
    cmd = [str(Path(sys.executable).with_name("cxkit")), "run", *nbs, "--out", str(out), "--workers", "1"]
    assert subprocess.run([*cmd, "--quiet"], capture_output=True).returncode == 0
    gate.touch()  # b now sleeps: its key is the same, so only --force runs it again
    # a terminal's foreground command takes Ctrl-C; a shell's background job (as CI may run the suite)
    # starts with SIGINT ignored, and the command would inherit that: give it the terminal's default
    with subprocess.Popen(
        [*cmd, "--quiet", "--force"],
        start_new_session=True,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as proc:
        _wait_for(lambda: began.exists() or proc.poll() is not None, 300, "notebook b to start")
        assert proc.poll() is None, proc.stderr.read()
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: the command's whole process group
        assert proc.wait(timeout=120) == 130
        assert "interrupted; run the same command again to resume" in proc.stderr.read().decode()
    manifest = json.loads((out / "run001" / "manifest.json").read_text())
    assert {nb: entry["status"] for nb, entry in manifest.items()} == {
        "a.ipynb": "ok",  # ran to the end in the forced run
        "b.ipynb": "started",  # interrupted: its output is there, but never finished
        "c.ipynb": "started",  # never began: the forced run had not reached it
    }
    _wait_for(lambda: not _processes_in(out), 60, "the interrupted kernel to exit")
    gate.unlink()
    again = subprocess.run([*cmd, "--quiet"], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert [(r["notebook"], r["status"]) for r in _csv(out / "notebooks.csv")] == [
        ("a.ipynb", "skipped"),
        ("b.ipynb", "ok"),
        ("c.ipynb", "ok"),
    ]
    assert "KeyboardInterrupt" not in (out / "run001" / "b.ipynb").read_text()
    assert collect(out / "run001" / "b.ipynb") == {"slow": 1}


def data_load(folder):
    from cxlib.data import load

    return load("survey", folder)


def test_without_a_shared_folder_data_and_notebooks_travel_and_the_batch_writes_outputs(tmp_path):
    nb = _notebook(
        tmp_path / "data.ipynb",
        "from cxlib import data, params\nfolder = params.data_folder(data_dir, ['survey'])\n"
        "record('responses', len(data.load('survey', folder)))\nrecord('folder', str(folder))\n"
        "open('written-by-the-notebook.txt', 'w').close()",
        params="data_dir = None",
    )
    export = tmp_path / "export"
    from cxlib.kit.execute import generate_data

    generate_data(export, 5, {"seed": 5})
    runs = runner.build_runs(
        roster=[{"student_id": "s1", "seed": "1"}, {"student_id": "own", "data_dir": str(export)}]
    )
    out = tmp_path / "out"
    results = run_batch([nb], runs, out, workers=1, progress=False, shared_fs=False)
    assert [r.status for r in results] == ["ok", "ok"], [r.error for r in results]
    for r in results:  # the notebook ran elsewhere, on a copy of the data
        assert not r.recorded["folder"].startswith(str(tmp_path))
        assert r.parameters["data_dir"].startswith(str(tmp_path))  # the summary shows the batch's folder
        assert (out / r.run_id / "data.ipynb").is_file()  # written here, from what the worker returned
        assert not (out / r.run_id / "written-by-the-notebook.txt").exists()
    # each run used its own data: the generated business (also written here) and the export
    assert results[0].recorded["responses"] == len(data_load(out / "s1" / "data"))
    assert results[1].recorded["responses"] == len(data_load(export))
    assert json.loads((out / "s1" / "data" / ".cxkit-data.json").read_text())["seed"] == 1
    again = run_batch([nb], runs, out, workers=1, progress=False, shared_fs=False)
    assert [r.status for r in again] == ["skipped", "skipped"]
