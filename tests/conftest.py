"""Shared fixtures for the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "datasets"

# Notebooks and tests must never read the network; a polite reminder for libraries that try.
os.environ.setdefault("NO_PROXY", "*")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def survey():
    from cxlib.data import load

    return load("survey")
