"""Rosters, grids and parameter conversion (cxlib.kit.roster): no notebook runs here."""

from __future__ import annotations

import ast

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib.kit import roster
from cxlib.kit.roster import RunError
from cxlib.synth import student_seed


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        ("5", 1, 5),
        (" -5 ", 1, -5),
        ("0.9", 0.95, 0.9),
        ("1", 0.95, 1.0),
        ("TRUE", False, True),
        ("no", True, False),
        ("None", None, None),
        ("", None, None),
        ("my_export", None, "my_export"),
        ("1e3", "text", "1e3"),
        (3, 0.5, 3.0),
        (True, False, True),
        ([1, 2], [0], [1, 2]),
        ("'); rm -rf /", "x", "'); rm -rf /"),
    ],
)
def test_convert_follows_the_type_of_the_default(value, default, expected):
    got = roster.convert("p", value, default)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("value", "default", "message"),
    [
        ("five", 1, "'five' is not a whole number"),
        ("2.5", 3, "not a whole number"),
        ("maybe", False, "not true or false"),
        ("0,95", 0.95, "not a number"),
        ("nan", 0.95, "not a finite number"),
        ("inf", 0.95, "not a finite number"),
        (True, 1, "is not a int"),
        (1, "Ashford", "quote text that looks like a number"),
        (None, 0.95, "leave the parameter out"),
        ("[1]", [0], "text cannot be converted"),
    ],
)
def test_convert_rejects_values_that_do_not_fit(value, default, message):
    with pytest.raises(RunError, match=rf"run s1: parameter p: .*{message}.*the notebook's default is"):
        roster.convert("p", value, default, "run s1: ")


def test_csv_roster_reads_a_spreadsheets_file(tmp_path):
    path = tmp_path / "class.csv"
    # a spreadsheet's BOM, spaces around names, an empty cell (= the notebook's default), a blank line
    path.write_text("\ufeffstudent_id , n,flag\nann,2,yes\nbob,,0\n,,\n", encoding="utf-8")
    assert roster.read_roster(path) == [
        {"student_id": "ann", "n": "2", "flag": "yes"},
        {"student_id": "bob", "flag": "0"},
    ]


def test_yaml_roster_keeps_its_types(tmp_path):
    path = tmp_path / "class.yaml"
    path.write_text("- {student_id: cy, n: 4, ratio: 2, flag: true, name: '007'}\n")
    assert roster.read_roster(path) == [{"student_id": "cy", "n": 4, "ratio": 2, "flag": True, "name": "007"}]


def test_runs_get_unique_folder_safe_ids():
    grid = roster.build_runs(grid={"n": ["1", "2"], "flag": ["true", "no"]})
    assert [r.run_id for r in grid] == ["n-1_flag-true", "n-1_flag-no", "n-2_flag-true", "n-2_flag-no"]
    assert [r.run_id for r in roster.build_runs(fixed={"n": "1"})] == ["run001"]
    evil = roster.build_runs(roster=[{"student_id": '=HYPERLINK("http://x")<b>'}, {"run_id": "../.."}])
    assert [r.run_id for r in evil] == ["HYPERLINK_http_x_b", "run"]


def test_seeds_give_runs_their_own_data():
    runs = roster.build_runs(
        roster=[
            {"student_id": "s1"},
            {"student_id": "s9", "seed": "4"},
            {"student_id": "s3", "data_dir": "mine"},
        ],
        student_data=True,
    )
    assert [r.data_seed for r in runs] == [student_seed("s1"), 4, None]
    assert roster.build_runs(roster=[{"student_id": "s1"}])[0].data_seed is None  # no --student-data


def test_student_seed_is_stable_and_distinct():
    # the same id always gives the same seed (a SHA-256 hash, not Python's salted hash)
    assert student_seed("s1234567") == 37197429 == student_seed(" s1234567 ")
    seeds = {student_seed(f"s{i:07d}") for i in range(2000)}
    assert len(seeds) == 2000
    with pytest.raises(ValueError, match="must not be empty"):
        student_seed("  ")


def test_bad_rosters_and_grids_are_clear_errors(tmp_path):
    with pytest.raises(RunError, match="runs 1 and 2 have the same id 'ann'"):
        roster.build_runs(roster=[{"student_id": "Ann"}, {"student_id": "ann"}])
    with pytest.raises(RunError, match="roster file not found"):
        roster.read_roster(tmp_path / "missing.csv")
    (tmp_path / "bad.yaml").write_text("student_id: a\n")
    with pytest.raises(RunError, match="list of mappings"):
        roster.read_roster(tmp_path / "bad.yaml")
    (tmp_path / "wide.csv").write_text("student_id\na,b\n")
    with pytest.raises(RunError, match="line 2: more cells than columns"):
        roster.read_roster(tmp_path / "wide.csv")
    (tmp_path / "empty.csv").write_text("student_id,n\n,\n")
    with pytest.raises(RunError, match="the roster has no rows"):
        roster.read_roster(tmp_path / "empty.csv")
    with pytest.raises(RunError, match="n: given both with -p and in the roster"):
        roster.build_runs(roster=[{"student_id": "a", "n": "1"}], fixed={"n": "2"})
    with pytest.raises(RunError, match="given both with -p and --grid"):
        roster.build_runs(grid={"n": ["1"]}, fixed={"n": "2"})
    with pytest.raises(RunError, match="a roster or a grid, not both"):
        roster.build_runs(roster=[{"n": "1"}], grid={"n": ["1"]})
    with pytest.raises(RunError, match="seed 'x1' is not a whole number"):
        roster.build_runs(roster=[{"student_id": "a", "seed": "x1"}])
    with pytest.raises(RunError, match="seed '-3' is not a whole number >= 0"):
        roster.build_runs(roster=[{"student_id": "a", "seed": "-3"}])
    with pytest.raises(RunError, match="--student-data needs a student_id"):
        roster.build_runs(roster=[{"run_id": "a"}], student_data=True)
    with pytest.raises(RunError, match="--grid takes name=value1,value2; got 'n'"):
        roster.parse_grid(["n"])


def test_parameters_cell_is_read_never_run(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("n = 1\nname: str = 'x'\nopen('PWNED', 'w')")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "p.ipynb")
    assert roster.notebook_parameters(tmp_path / "p.ipynb") == {"n": 1, "name": "x"}
    assert not (tmp_path / "PWNED").exists()
    cell.source = "n = len('abc')"
    nbformat.write(nb, tmp_path / "p.ipynb")
    with pytest.raises(RunError, match="parameter n is not a plain literal"):
        roster.notebook_parameters(tmp_path / "p.ipynb")
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "plain.ipynb")
    with pytest.raises(RunError, match="exactly one cell tagged 'parameters', found 0"):
        roster.notebook_parameters(tmp_path / "plain.ipynb")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_papermills_python_translation_of_any_text_is_that_text(text):
    # The runner relies on papermill's PythonTranslator to write parameters as literals.
    from papermill.translators import PythonTranslator

    code = PythonTranslator.assign("name", PythonTranslator.translate(text))
    tree = ast.parse(code)
    assert len(tree.body) == 1 and isinstance(tree.body[0].value, ast.Constant)
    assert ast.literal_eval(tree.body[0].value) == text
