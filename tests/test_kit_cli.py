"""The cxkit command: verbs, help, exit statuses; batches that stop before any kernel starts."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, without_root_powers

from cxlib.kit import cli


@pytest.fixture
def tiny(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("n = 1\nname = 'x'")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "tiny.ipynb")
    return str(tmp_path / "tiny.ipynb")


def test_help_lists_every_verb_with_one_line(capsys):
    assert cli.main(["--help"]) == 0
    text = capsys.readouterr().out
    for verb in ("run", "notebooks", "exercises", "synth", "site", "course", "datadoc"):
        line = next(line for line in text.splitlines() if line.split()[:1] == [verb])
        assert len(line.split()) > 3, line  # a one-line description follows the name
    assert cli.main([]) == 2  # no verb: the same text, as an error
    assert "verbs:" in capsys.readouterr().err


@pytest.mark.parametrize("verb", cli.VERBS, ids=lambda v: v.name)
def test_every_verb_has_help_and_a_module_with_its_two_functions(verb, capsys):
    assert cli.main([verb.name, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: cxkit {verb.name}")
    module = __import__(verb.module, fromlist=["run"])
    assert callable(module.add_arguments) and callable(module.run)
    assert module.__doc__.strip(), f"{verb.module} needs a docstring: it is the verb's description"


def test_unknown_verbs_and_bad_options_exit_2_saying_why(tiny, capsys):
    assert cli.main(["rnu"]) == 2
    assert "did you mean 'run'" in capsys.readouterr().err
    assert cli.main([tiny, "--out", "x"]) == 2  # the command before verbs
    assert f"cxkit run {tiny}" in capsys.readouterr().err
    assert cli.main(["run", tiny]) == 2  # --out is required
    assert "--out" in capsys.readouterr().err


def test_a_batch_that_cannot_start_exits_2_and_runs_nothing(tiny, tmp_path, capsys):
    out = tmp_path / "o"
    assert cli.main(["run", tiny, "--out", str(out), "--grid", "n"]) == 2
    assert "--grid takes name=value1,value2" in capsys.readouterr().err
    assert cli.main(["run", str(tmp_path / "*.ipynbx"), "--out", str(out)]) == 2
    assert "no notebook matches" in capsys.readouterr().err
    assert cli.main(["run", tiny, "--out", str(out), "-p", "n", "two"]) == 2
    assert "parameter n: 'two' is not a whole number" in capsys.readouterr().err
    assert cli.main(["run", tiny, "--out", str(out), "--roster", str(tmp_path / "none.csv")]) == 2
    assert not out.exists()


def test_dry_run_lists_runs_from_a_glob_and_notes_unknown_columns(tiny, tmp_path, capsys):
    argv = ["run", str(tmp_path / "t*.ipynb"), "--out", str(tmp_path / "o"), "--grid", "n=1,2"]
    assert cli.main([*argv, "--grid", "colour=red", "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert "colour is not a parameter of any of these notebooks" in captured.err
    assert "n-1_colour-red: tiny.ipynb {'n': 1}" in captured.out
    assert "n-2_colour-red: tiny.ipynb {'n': 2}" in captured.out
    assert not (tmp_path / "o").exists()


def test_the_installed_command_and_python_m_are_the_same(tmp_path):
    exe = Path(sys.executable).with_name("cxkit")
    done = subprocess.run([str(exe), "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and "verbs:" in done.stdout, done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "cxlib.kit", "nope"], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 2 and "'nope' is not a verb" in done.stderr


def test_synth_verb_makes_a_students_own_business(tmp_path, capsys):
    from cxlib import data
    from cxlib.synth import student_seed

    assert cli.main(["synth", "--student", "s1234567", "--scale", "0.05", "--out", str(tmp_path / "s")]) == 0
    assert f"wrote seed {student_seed('s1234567')}" in capsys.readouterr().out
    assert (
        cli.main(
            [
                "synth",
                "--seed",
                str(student_seed("s1234567")),
                "--scale",
                "0.05",
                "--out",
                str(tmp_path / "t"),
            ]
        )
        == 0
    )
    assert (tmp_path / "s" / "survey.csv").read_bytes() == (tmp_path / "t" / "survey.csv").read_bytes()
    assert len(data.load("survey", tmp_path / "s")) > 0
    assert cli.main(["synth", "--seed", "1", "--student", "x", "--out", str(tmp_path / "u")]) == 2
    assert cli.main(["synth", "--seed", "-1", "--out", str(tmp_path / "u")]) == 2
    assert "seed must be a non-negative whole number" in capsys.readouterr().err


def test_datadoc_and_exercises_verbs_check_what_is_stored(tmp_path, capsys):
    assert cli.main(["datadoc", "--check"]) == 0
    stale = tmp_path / "README.md"
    stale.write_text("# old\n")
    assert cli.main(["datadoc", "--check", "--out", str(stale)]) == 1
    assert cli.main(["datadoc", "--out", str(stale)]) == 0
    assert cli.main(["datadoc", "--check", "--out", str(stale)]) == 0
    assert stale.read_text() == (ROOT / "datasets" / "README.md").read_text()
    assert cli.main(["exercises", "--check"]) == 0
    assert cli.main(["exercises", "--check", "--exercises", str(tmp_path / "none")]) == 1
    assert "out of date" in capsys.readouterr().err


def test_an_output_folder_that_cannot_be_written_is_a_message_and_exit_2():
    # it used to be a traceback and exit status 1, after starting the batch
    base = Path(tempfile.mkdtemp(prefix="cxkit-readonly-"))  # outside pytest's folder, which is private
    try:
        base.chmod(0o755)
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("n = 1", metadata={"tags": ["parameters"]})]
        nbformat.write(nb, base / "tiny.ipynb")
        (base / "readonly").mkdir(mode=0o555)
        (base / "readonly").chmod(0o555)
        exe = str(Path(sys.executable).with_name("cxkit"))
        for out, says in [
            (base / "readonly", "cannot write into the output folder"),  # the run's folder cannot be made
            (base / "readonly" / "new", "cannot create the output folder"),
        ]:
            done = subprocess.run(
                [exe, "run", str(base / "tiny.ipynb"), "--out", str(out), "--quiet"],
                capture_output=True,
                text=True,
                cwd=base,
                **without_root_powers(),
            )
            assert done.returncode == 2, done.stderr
            assert says in done.stderr and "Permission denied" in done.stderr, done.stderr
            assert "Traceback" not in done.stderr
        assert list((base / "readonly").iterdir()) == []
    finally:
        (base / "readonly").chmod(0o755)
        shutil.rmtree(base)


def test_a_file_where_a_runs_folder_goes_is_a_message_and_exit_2(tiny, tmp_path, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "run001").write_text("not a folder")
    assert cli.main(["run", tiny, "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "run001 is a file, where run run001 writes its notebooks" in capsys.readouterr().err
    assert cli.main(["run", tiny, "--out", str(tmp_path / "out" / "run001"), "--quiet"]) == 2
    assert "the output folder" in capsys.readouterr().err


def test_a_student_id_that_names_a_summary_file_is_a_message_and_exit_2(tiny, tmp_path, capsys):
    roster = tmp_path / "class.csv"
    roster.write_text("student_id\nann\nsummary.csv\n")
    assert cli.main(["run", tiny, "--roster", str(roster), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "run 2: the id 'summary.csv' is the name of a file the batch writes" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_cluster_options_are_checked_before_anything_runs(tiny, tmp_path, capsys):
    out = str(tmp_path / "o")
    assert cli.main(["run", tiny, "--out", out, "--scheduler", "my cluster"]) == 2
    assert "--scheduler takes a Dask scheduler's address" in capsys.readouterr().err
    assert cli.main(["run", tiny, "--out", out, "--scheduler", "local:2", "--workers", "2"]) == 2
    assert "--workers sizes the local pool" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
