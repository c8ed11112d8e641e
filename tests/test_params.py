"""Notebook parameter checks and recorded headline results."""

import json

import nbformat
import pytest

from cxlib import InputError, params, record
from cxlib.params import ParameterError


def test_data_folder_defaults_to_the_course_data():
    assert (params.data_folder(None, ["survey", "training"]) / "survey.csv").is_file()


def test_data_folder_without_the_tables_names_what_is_missing(tmp_path):
    (tmp_path / "survey.csv").write_text("x\n1\n")
    with pytest.raises(
        ParameterError, match=r"has no touchpoints\.csv; this notebook needs survey\.csv, touchpoints\.csv"
    ):
        params.data_folder(tmp_path, ["survey", "touchpoints"])


def test_data_folder_must_be_text(tmp_path):
    with pytest.raises(ParameterError, match="must be a folder name"):
        params.data_folder(3, ["survey"])


@pytest.mark.parametrize("bad", [1.5, 0, 1, -0.2, "0.95", True, float("nan")])
def test_confidence_outside_zero_one(bad):
    with pytest.raises(ParameterError, match="confidence must be a number between 0 and 1"):
        params.check_confidence(bad)


@pytest.mark.parametrize("bad", [-1, 1.5, "7", None, True])
def test_bad_seed(bad):
    with pytest.raises(ParameterError, match="seed must be a whole number"):
        params.check_seed(bad)


def test_unknown_choice_suggests_a_close_one():
    with pytest.raises(
        ParameterError, match=r"branch 'ashford' is not in the data \(did you mean 'Ashford'\?\)"
    ):
        params.check_choice("branch", "ashford", ["Ashford", "Brookside"])


def test_parameter_errors_are_value_errors():
    assert issubclass(ParameterError, ValueError)


def test_recorded_results_are_collected_from_notebook_outputs(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("record('nps', 12.5)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={record.MIME: {"name": "nps", "value": 12.5}, "text/plain": "nps = 12.5"}
        )
    ]
    nb.cells.append(cell)
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    assert record.collect(path) == {"nps": 12.5}
    assert record.collect(json.loads(path.read_text())) == {"nps": 12.5}


@pytest.mark.parametrize("bad", [float("nan"), [1, 2], {"a": 1}])
def test_record_refuses_values_a_table_cannot_hold(bad):
    with pytest.raises(InputError, match="record"):
        record.record("x", bad)


def test_record_needs_an_identifier():
    with pytest.raises(InputError, match="identifier"):
        record.record("net promoter", 1)


def test_a_confidence_parameter_and_an_argument_get_the_same_check():
    # one check, two exception classes: the notebook parameter's is a ParameterError
    from cxlib import metrics

    for bad in (1.5, "0.95", True):
        with pytest.raises(ParameterError) as as_parameter:
            params.check_confidence(bad)
        with pytest.raises(InputError) as as_argument:
            metrics.nps([9, 10], confidence=bad)
        assert str(as_parameter.value) == str(as_argument.value)
