"""Code style: ruff's linter and formatter agree with the code (configured in pyproject.toml).

Lines are at most 110 characters, so code cells on the course site do not scroll sideways: the lessons'
and solutions' code cells are linted too (pyproject's ``extend-include`` covers ``.ipynb``; the stored
notebooks are generated from the MyST sources, so a finding is fixed in the ``.md``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PY_TREES = ["cxlib", "tests", "benchmarks"]
NOTEBOOK_TREES = ["notebooks", "solutions"]  # exercises/ is generated from solutions/


def _ruff() -> list[str]:
    exe = Path(sys.executable).with_name("ruff")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed: it is in the test extra (pip install -e '.[test]')")
    return [found]


def test_ruff_lint_is_clean():
    done = subprocess.run(
        [*_ruff(), "check", "--no-cache", *PY_TREES], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_applied():
    done = subprocess.run(
        [*_ruff(), "format", "--no-cache", "--check", *PY_TREES], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, "run `ruff format cxlib tests benchmarks`:\n" + done.stdout + done.stderr


def test_ruff_lint_is_clean_in_the_lessons_and_solutions():
    # solutions/ruff.toml extends pyproject.toml: every exercise's setup cell imports the same tools
    # for the student's answers, so an import a solution does not use is not an error there
    done = subprocess.run(
        [*_ruff(), "check", "--no-cache", *NOTEBOOK_TREES], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, (
        "fix these in the .md sources, then rebuild the notebooks:\n" + done.stdout + done.stderr
    )


def test_the_notebook_lint_sees_the_notebooks_and_long_lines(tmp_path):
    # the check above must not pass because ruff skipped the .ipynb files: a long line in a copy is found
    import json

    src = ROOT / "notebooks" / "00_welcome.ipynb"
    nb = json.loads(src.read_text(encoding="utf-8"))
    nb["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": ["x = " + repr("a" * 120) + "\n"],
        }
    )
    target = tmp_path / "notebooks" / "long.ipynb"
    target.parent.mkdir()
    target.write_text(json.dumps(nb), encoding="utf-8")
    done = subprocess.run(
        [*_ruff(), "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "E501" in done.stdout, done.stdout + done.stderr
