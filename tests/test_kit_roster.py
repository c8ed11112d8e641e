"""Rosters, grids and parameter conversion (cxlib.kit.roster): no notebook runs here."""

from __future__ import annotations

import ast
import re

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
    evil = roster.build_runs(
        roster=[{"student_id": '=HYPERLINK("http://x")<b>'}, {"run_id": "../.."}, {"run_id": "/./"}]
    )
    ids = [r.run_id for r in evil]
    # an id with nothing to keep gets a name made from its hash: stable, and distinct from another's
    assert ids[0] == "HYPERLINK_http_x_b" and ids[1].startswith("run-") and ids[2].startswith("run-")
    assert ids[1] != ids[2] and ids[1] == roster.build_runs(roster=[{"run_id": "../.."}])[0].run_id


def test_ids_in_any_script_keep_their_letters():
    # they all used to become "run" (only A-Z, a-z and digits were kept), then clash
    names = ["李明", "王芳", "Дмитрий", "هبة", "हिन्दी", "Ελένη", "José Ñúñez"]
    runs = roster.build_runs(roster=[{"student_id": n} for n in names])
    assert [r.run_id for r in runs] == ["李明", "王芳", "Дмитрий", "هبة", "हिन्दी", "Ελένη", "José_Ñúñez"]
    # é typed as one character or as e + a combining accent is one student: one folder, so a clash
    with pytest.raises(RunError, match="runs 1 and 2 have the same id 'José'"):
        roster.build_runs(roster=[{"student_id": "Jos\u00e9"}, {"student_id": "Jose\u0301"}])
    # symbols, controls and bidi overrides go; a long id stays within what a file system allows
    assert roster.build_runs(roster=[{"student_id": "a\u202eb\x00c/😀"}])[0].run_id == "a_b_c"
    long = roster.build_runs(roster=[{"student_id": "字" * 300}])[0].run_id
    assert len(long.encode("utf-8")) <= 200 and set(long) == {"字"}


@pytest.mark.parametrize("ident", ["summary.csv", "Summary.CSV", "notebooks.csv", "summary.html"])
def test_a_run_cannot_take_the_name_of_a_summary_file(ident):
    # a student id summary.csv made a folder where the summary is written, and the batch crashed at the end
    with pytest.raises(RunError, match=rf"run 2: the id '{ident}' is the name of a file the batch writes"):
        roster.build_runs(roster=[{"student_id": "ann"}, {"student_id": ident}])


def test_yaml_names_that_are_not_text_are_named(tmp_path):
    path = tmp_path / "class.yaml"
    path.write_text("- {student_id: a, n: 1}\n- {student_id: b, yes: 1}\n")
    with pytest.raises(RunError, match=r"run 2: the name True is true/false, not text.*quote a name"):
        roster.read_roster(path)
    path.write_text("- {student_id: a, 2024-01-01: 1}\n")
    with pytest.raises(RunError, match=r"run 1: the name datetime.date\(2024, 1, 1\) is a date, not text"):
        roster.read_roster(path)
    path.write_text("- {student_id: a, 'n': 1, 'n ': 2}\n")
    with pytest.raises(RunError, match="'n' and 'n ' name the same parameter"):
        roster.read_roster(path)


def test_yaml_values_a_parameter_cannot_be_are_named_with_their_parameter(tmp_path):
    # dates, sets and mappings with keys of mixed types used to fail deep inside json.dumps
    path = tmp_path / "class.yaml"
    path.write_text(
        "- {student_id: a, start: 2024-01-01}\n"
        "- {student_id: b, start: !!set {x, y}}\n"
        "- {student_id: c, start: {1: 0.5, a: 0.3}}\n"
        "- {student_id: d, start: [1, 2023-12-31 10:00:00]}\n"
        "- {student_id: e, start: .nan}\n"
        "- {student_id: f, start: [x, {k: [1, 2.5, null, true]}]}\n"
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("start = None", metadata={"tags": ["parameters"]})]
    nbformat.write(nb, tmp_path / "p.ipynb")
    from cxlib.kit.plan import plan

    with pytest.raises(RunError) as info:
        plan([tmp_path / "p.ipynb"], roster.build_runs(roster.read_roster(path)), tmp_path / "out", "fp")
    lines = str(info.value).splitlines()
    assert len(lines) == 5  # f is plain data: nested lists and mappings of text, numbers, null, true
    expected = [
        r"run a: parameter start: datetime.date\(2024, 1, 1\) is not .*: it is a date; quote it in the YAML",
        r"run b: parameter start: \{.*\} is not .*: it is a set; write a list \[a, b\]",
        r"run c: parameter start: .* is not a mapping with text keys \(it has a whole number as a key: 1\)",
        r"run d: parameter start: .* is not .* \(in the list\): it is a date and time",
        r"run e: parameter start: nan is not a finite number",
    ]
    for line, pattern in zip(lines, expected):
        assert re.match(pattern, line), line
        assert line.endswith("(the notebook's default is None)")


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
