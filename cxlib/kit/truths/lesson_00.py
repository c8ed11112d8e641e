"""Lesson 0, welcome: the size of the data the lesson reports, against the files and the truth file.

The counts are checked against the run's ``survey.csv`` read with Python's :mod:`csv` module, on
its own (not through :func:`cxlib.data.load`, which the lesson uses), and against ``truth.json``:
so a loader that dropped or invented rows, or a lesson that counted the wrong thing, shows up.
"""

from __future__ import annotations

import csv
import functools

import pandas as pd

from . import Claim, Truth

LESSON = "00_welcome"


@functools.lru_cache(maxsize=4)
def _survey_columns(path: str) -> dict[str, list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {name: [row[name] for row in rows] for name in ("customer_id",)}


def _csv(ctx) -> dict[str, list[str]]:
    return _survey_columns(str(ctx.data_dir / "survey.csv"))


def _responses(ctx):
    return Truth(len(_csv(ctx)["customer_id"]))


def _customers(ctx):
    return Truth(len(set(_csv(ctx)["customer_id"])))


def _branches(ctx):
    """The branches of the business (truth file)."""
    return Truth(len(ctx.truth["branches"]))


def _months(ctx):
    """The months the truth file says the survey covers, first to last."""
    first, last = (pd.Timestamp(m) for m in ctx.truth["months"])
    return Truth((last.year - first.year) * 12 + last.month - first.month + 1)


CLAIMS = [
    Claim("survey_responses", "estimate", "survey responses loaded (rows of survey.csv)", _responses),
    Claim("customers", "estimate", "customers in the survey (distinct customer_id)", _customers),
    Claim("branches", "estimate", "branches in the survey (the truth file's branches)", _branches),
    Claim("months", "estimate", "months the survey covers (the truth file's range)", _months),
]
