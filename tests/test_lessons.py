"""Every lesson runs with other parameters (papermill), and a bad parameter stops it clearly.

nbval (configured in pyproject.toml) already re-executes each lesson with its default
parameters and compares the stored outputs. Here each lesson is run through papermill:

* with the data of another business (seed 1) and the other parameter sets the front
  matter of its source (``notebooks/NN_name.md``, what a reviewer reads) lists under
  ``cxkit: test_parameters``;
* with each bad parameter set under ``cxkit: bad_parameters``, which must stop the
  notebook in the checking cell with a ``ParameterError`` naming the parameter.
"""

from __future__ import annotations

import nbformat
import papermill as pm
import pytest
from conftest import ROOT

from cxlib import synth
from cxlib.kit.notebooks import read_source

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _meta(path):
    """The ``cxkit`` key of the front matter of the lesson's MyST source."""
    return read_source(path.with_suffix(".md")).metadata.get("cxkit", {})


@pytest.fixture(scope="session")
def seed1_data(tmp_path_factory):
    return synth.write(tmp_path_factory.mktemp("seed1"), seed=1)


def _cases():
    for nb in LESSONS:
        for i, p in enumerate(_meta(nb).get("test_parameters", [{}])):
            yield pytest.param(nb, p, id=f"{nb.stem}-params{i}")


def _bad_cases():
    for nb in LESSONS:
        for i, p in enumerate(_meta(nb).get("bad_parameters", [])):
            yield pytest.param(nb, p, id=f"{nb.stem}-bad{i}")


def test_the_parameter_sets_come_from_the_front_matter_a_reviewer_reads():
    cases = list(_cases()) + list(_bad_cases())
    assert len(cases) > len(LESSONS)  # lessons list other parameter sets, and bad ones
    head = (ROOT / "notebooks" / "03_headline_metrics.md").read_text(encoding="utf-8").split("\n---\n")[0]
    assert "branch: Nowhere" in head
    assert {"branch": "Nowhere"} in _meta(ROOT / "notebooks" / "03_headline_metrics.ipynb")["bad_parameters"]


def test_every_lesson_has_one_parameters_cell_followed_by_checks():
    assert LESSONS, "no lessons found"
    for nb in LESSONS:
        cells = nbformat.read(nb, as_version=4).cells
        tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{nb.name}: {len(tagged)} cells tagged 'parameters'"
        following = next(c for c in cells[tagged[0] + 1 :] if c.cell_type == "code")
        assert "params." in following.source, f"{nb.name}: the cell after the parameters must check them"
        assert "data_dir" in cells[tagged[0]].source, f"{nb.name}: every lesson takes data_dir"


@pytest.mark.slow
@pytest.mark.parametrize("notebook, parameters", list(_cases()))
def test_lesson_runs_on_other_data_and_parameters(notebook, parameters, seed1_data, tmp_path):
    out = tmp_path / notebook.name
    params = {"data_dir": str(seed1_data), **parameters}
    pm.execute_notebook(
        str(notebook),
        str(out),
        parameters=params,
        cwd=str(tmp_path),
        kernel_name="python3",
        progress_bar=False,
        execution_timeout=300,
    )
    executed = nbformat.read(out, as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


@pytest.mark.slow
@pytest.mark.parametrize("notebook, parameters", list(_bad_cases()))
def test_bad_parameter_stops_the_lesson_with_a_clear_message(notebook, parameters, tmp_path):
    out = tmp_path / notebook.name
    with pytest.raises(pm.PapermillExecutionError) as info:
        pm.execute_notebook(
            str(notebook),
            str(out),
            parameters=parameters,
            cwd=str(tmp_path),
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=300,
        )
    err = info.value
    assert err.ename == "ParameterError", f"{err.ename}: {err.evalue}"
    assert any(name in err.evalue for name in parameters), err.evalue
    # it stops in the checking cell, right after the parameters
    cells = nbformat.read(out, as_version=4).cells
    failed = next(
        i for i, c in enumerate(cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))
    )
    code_before = [c for c in cells[:failed] if c.cell_type == "code"]
    assert any("parameters" in c.metadata.get("tags", []) for c in code_before[-2:])
