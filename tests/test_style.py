"""Code style: ruff's linter and formatter agree with the code (configured in pyproject.toml).

Lines are at most 110 characters, so code cells on the course site do not scroll sideways.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PY_TREES = ["cxlib", "tests", "benchmarks"]


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
