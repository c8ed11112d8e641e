"""Self-checks explain the mistake and never reveal the expected value."""

import numpy as np
import pandas as pd
import pytest

from cxlib.checks import check_choice, check_frame, check_number


@pytest.mark.parametrize(
    "answer, expected, words",
    [
        (..., 61.3, "not yet answered"),
        (None, 61.3, "not yet answered"),
        (pd.Series([61.3]), 61.3, "take it out with float"),
        (pd.DataFrame({"a": [1.0, 2.0]}), 61.3, "wrong type"),
        ("61.3", 61.3, "wrong type"),
        (float("nan"), 61.3, "NaN"),
        (-61.3, 61.3, "sign is flipped"),
        (0.613, 61.3, "percentage (0-100), not a proportion"),
        (6130.0, 61.3, "proportion (0-1), not a percentage"),
        (61.5, 61.3, "round too early"),
        (40.0, 61.3, "not the expected value"),
    ],
)
def test_check_number_explains_each_mistake(answer, expected, words, capsys):
    assert check_number(answer, expected, "Task") == False
    out = capsys.readouterr().out
    assert words in out and "61.3" not in out


def test_check_number_accepts_numpy_scalars_within_tolerance(capsys):
    assert check_number(np.float64(61.30001), 61.3, "Task") == True
    assert "✔ Task: correct." in capsys.readouterr().out


def test_check_frame_explains_each_mistake(capsys):
    exp = pd.DataFrame({"mean": [3.5, 4.0], "n": [10, 12]}, index=pd.Index(["a", "b"], name="branch"))
    cases = [
        (..., "not yet answered"),
        ([1, 2], "wrong type"),
        (exp[["mean"]], "missing column(s): 'n'"),
        (exp.iloc[:1], "has 1 rows, expected 2"),
        (exp.set_axis(["x", "y"]), "row labels"),
        (exp / 100, "factor of 100"),
        (exp.assign(mean=[3.6, 4.0]), "1 of 4 values differ"),
    ]
    for answer, words in cases:
        assert check_frame(answer, exp, "T") == False
        out = capsys.readouterr().out
        assert words in out, (words, out)
        assert "3.5" not in out
    assert check_frame(exp.iloc[::-1], exp, "T") == True  # row order does not matter


def test_check_frame_series(capsys):
    exp = pd.Series([1.0, 2.0], index=["a", "b"], name="x")
    assert check_frame(exp.to_frame(), exp, "T") == False
    assert "expected a Series" in capsys.readouterr().out
    assert check_frame(exp * 1.0, exp, "T") == True


def test_check_choice(capsys):
    assert check_choice("Practices", "practices", "T") == True
    assert check_choice("people", "practices", "T", choices=["people", "practices"]) == False
    out = capsys.readouterr().out
    assert "not the right answer" in out
    assert check_choice(["a"], "a", "T") == False
