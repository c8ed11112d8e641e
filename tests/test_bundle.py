"""``cxkit bundle`` and ``make lab``: a student's kit holds lessons, exercises, own data; no answers."""

from __future__ import annotations

import json
import zipfile

from conftest import ROOT

from cxlib import data
from cxlib.kit import bundle, cli


def test_a_roster_gets_a_kit_each_without_solutions_keys_or_hidden_tests(tmp_path):
    roster = tmp_path / "class.csv"
    roster.write_text("student_id,name\nann,Ann\nben,Ben\n")
    assert cli.main(["bundle", "--roster", str(roster), "--out", str(tmp_path / "kits")]) == 0
    for sid in ("ann", "ben"):
        kit = tmp_path / "kits" / sid
        names = zipfile.ZipFile(tmp_path / "kits" / f"{sid}.zip").namelist()
        assert sorted({n.split("/")[1] for n in names}) == ["data", "exercises", "notebooks"]
        assert f"{sid}/exercises/START_HERE.md" in names
        assert {p.name for p in (kit / "exercises").glob("*.ipynb")} == {
            p.name for p in (ROOT / "exercises").glob("*.ipynb")
        }
        assert not [n for n in names if "solution" in n.lower() or "hidden" in n or "/keys" in n]
        text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in kit.rglob("*.ipynb"))
        assert "BEGIN SOLUTION" not in text and "def task1(" not in text
        nb = json.loads((kit / "exercises" / "08_moments_of_truth.ipynb").read_text(encoding="utf-8"))
        params = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
        assert 'data_dir = "../data"' in "".join(params["source"])
    ann = data.load("survey", tmp_path / "kits" / "ann" / "data")
    ben = data.load("survey", tmp_path / "kits" / "ben" / "data")
    assert not ann.equals(ben)  # each student's own business


def test_a_bad_student_id_is_refused(tmp_path, capsys):
    assert cli.main(["bundle", "--student", "../escape", "--out", str(tmp_path)]) == 2
    assert "not a usable student id" in capsys.readouterr().err


def test_make_lab_opens_a_kit_without_solutions():
    make = (ROOT / "Makefile").read_text()
    recipe = make.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "cxkit bundle --out lab" in recipe and "--ServerApp.root_dir=lab/kit" in recipe
    assert "root_dir=." not in recipe


def test_point_at_data_changes_only_the_parameters_cell():
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "data_dir = None  # x"},
            {"cell_type": "code", "metadata": {}, "source": "data_dir = None"},
        ]
    }
    out = json.loads(bundle._point_at_data(json.dumps(nb)))
    assert out["cells"][0]["source"].startswith('data_dir = "../data"')
    assert out["cells"][1]["source"] == "data_dir = None"
