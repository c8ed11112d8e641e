"""Planning a batch (cxlib.kit.plan): tasks, the cache key, manifests. No notebook runs here."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

import cxlib
from cxlib.kit import plan
from cxlib.kit.roster import Run, RunError, build_runs


def _notebook(path: Path, params: str = 'name = "x"\nn = 1\ndata_dir = None') -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("print(n)")]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def package(tmp_path):
    """A copy of the cxlib package to edit."""
    copy = tmp_path / "cxlib"
    shutil.copytree(Path(cxlib.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_cache_key_ignores_the_kit_and_follows_the_learner_package(package):
    before = plan.fingerprint(package)
    assert before == plan.fingerprint()  # the copy hashes like the package itself
    # the instructor's tooling is not something a notebook uses
    with open(package / "kit" / "site.py", "a", encoding="utf-8") as fh:
        fh.write("\n# a new comment in the site builder\n")
    (package / "kit" / "grade.py").write_text("def grade():\n    return 1\n")
    assert plan.fingerprint(package) == before
    # an analysis module is
    metrics = package / "metrics.py"
    metrics.write_text(metrics.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    after_module = plan.fingerprint(package)
    assert after_module != before
    # and so is the schema, and a learner-side subpackage
    schema = package / "datapackage.json"
    schema.write_text(schema.read_text(encoding="utf-8") + " ", encoding="utf-8")
    after_schema = plan.fingerprint(package)
    assert after_schema != after_module
    (package / "newpart").mkdir()
    (package / "newpart" / "__init__.py").write_text("X = 1\n")
    assert plan.fingerprint(package) != after_schema


def test_tasks_convert_parameters_and_key_what_the_notebook_uses(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a, b = _notebook(tmp_path / "a.ipynb"), _notebook(tmp_path / "b.ipynb", "n = 1.0")
    runs = build_runs(roster=[{"student_id": "s1", "n": "2", "data_dir": "export"}, {"student_id": "s2"}])
    tasks = plan.plan([a, b], runs, "out", "fp")
    assert [(t.run.run_id, t.notebook.name, t.target) for t in tasks] == [
        ("s1", "a.ipynb", Path("out/s1/a.ipynb")),
        ("s1", "b.ipynb", Path("out/s1/b.ipynb")),
        ("s2", "a.ipynb", Path("out/s2/a.ipynb")),
        ("s2", "b.ipynb", Path("out/s2/b.ipynb")),
    ]
    # each notebook gets the values it declares, of its default's type; a relative data_dir is absolute
    assert tasks[0].params == {"n": 2, "data_dir": str(tmp_path / "export")}
    assert tasks[1].params == {"n": 2.0}
    assert tasks[2].params == {} and tasks[3].params == {}
    assert len({t.key for t in tasks}) == 4
    # the key depends on the parameters, the notebook, the data seed and the package; not on the run's name
    same = plan.plan([a], build_runs(roster=[{"student_id": "other"}]), "out", "fp")[0]
    assert same.key == tasks[2].key
    assert plan.plan([a], build_runs(roster=[{"student_id": "s2"}]), "out", "fp2")[0].key != tasks[2].key
    seeded = plan.plan([a], build_runs(roster=[{"student_id": "s2", "seed": "1"}]), "out", "fp")[0]
    assert seeded.key != tasks[2].key and seeded.params == {"data_dir": str(tmp_path / "out" / "s2" / "data")}
    with open(a, "a", encoding="utf-8") as fh:
        fh.write(" ")
    assert plan.plan([a], build_runs(roster=[{"student_id": "s2"}]), "out", "fp")[0].key != tasks[2].key


def test_every_bad_value_is_named_before_anything_runs(tmp_path):
    nb = _notebook(tmp_path / "a.ipynb")
    runs = build_runs(roster=[{"student_id": "a", "n": "1"}, {"student_id": "b", "n": "five"}])
    runs += build_runs(roster=[{"student_id": f"c{i}", "n": f"x{i}"} for i in range(25)])
    with pytest.raises(
        RunError, match=r"(?s)run b: parameter n: 'five'.*run c0: .*\.\.\. and 6 more"
    ) as info:
        plan.plan([nb], runs, tmp_path / "out", "fp")
    assert str(info.value).count("\n") == 20
    assert not (tmp_path / "out").exists()


def test_notebooks_must_exist_and_have_distinct_names(tmp_path):
    a = _notebook(tmp_path / "a.ipynb")
    (tmp_path / "sub").mkdir()
    twin = _notebook(tmp_path / "sub" / "a.ipynb")
    assert plan.check_notebooks([a, str(a)]) == [a]
    with pytest.raises(RunError, match="two notebooks are both named a.ipynb"):
        plan.check_notebooks([a, twin])
    with pytest.raises(RunError, match="notebook not found"):
        plan.check_notebooks([tmp_path / "nope.ipynb"])
    with pytest.raises(RunError, match="no notebooks to run"):
        plan.check_notebooks([])


def test_manifest_and_data_stamp_decide_what_is_up_to_date(tmp_path):
    task = plan.Task(Run("ann", {}), Path("a.ipynb"), tmp_path / "ann" / "a.ipynb", {}, "k1")
    (tmp_path / "ann").mkdir()
    assert plan.read_manifest(tmp_path / "ann") == {}
    plan.write_json(tmp_path / "ann" / plan.MANIFEST, {"a.ipynb": {"key": "k1", "status": "ok"}})
    manifest = plan.read_manifest(tmp_path / "ann")
    assert not plan.up_to_date(task, manifest)  # no output yet
    task.target.write_text("{}")
    assert plan.up_to_date(task, manifest)
    assert not plan.up_to_date(task, {"a.ipynb": {"key": "k1", "status": "failed"}})
    assert not plan.up_to_date(task, {"a.ipynb": {"key": "k0", "status": "ok"}})
    (tmp_path / "ann" / plan.MANIFEST).write_text("{ damaged by an interruption")
    assert plan.read_manifest(tmp_path / "ann") == {}
    stamp = plan.data_stamp(Run("ann", {}, data_seed=3), "fp")
    assert not plan.data_is_current(tmp_path / "data", stamp)
    (tmp_path / "data").mkdir()
    plan.write_json(tmp_path / "data" / plan.DATA_STAMP, stamp)
    assert plan.data_is_current(tmp_path / "data", stamp)
    assert not plan.data_is_current(tmp_path / "data", plan.data_stamp(Run("ann", {}, data_seed=4), "fp"))
    assert not list(tmp_path.rglob("*.tmp"))  # written atomically, nothing left behind


def test_manifest_entries_that_are_not_sound_objects_are_run_again(tmp_path):
    # an entry that is not an object used to crash the batch (`'str' object has no attribute 'get'`)
    task = plan.Task(Run("ann", {}), Path("a.ipynb"), tmp_path / "ann" / "a.ipynb", {}, "k1")
    (tmp_path / "ann").mkdir()
    task.target.write_text("{}")
    sound = {"key": "k1", "status": "ok", "duration": 2.5}
    damaged_entries = [
        "ok",
        ["k1", "ok"],
        3,
        None,
        {"key": 1, "status": "ok"},
        {"key": "k1"},
        {"key": "k1", "status": "ok", "duration": "long"},
        {"key": "k1", "status": "ok", "duration": True},
    ]
    for damaged in damaged_entries:
        plan.write_json(tmp_path / "ann" / plan.MANIFEST, {"a.ipynb": damaged, "b.ipynb": sound})
        manifest = plan.read_manifest(tmp_path / "ann")
        assert manifest == {"b.ipynb": sound}, damaged
        assert not plan.up_to_date(task, manifest)
    plan.write_json(tmp_path / "ann" / plan.MANIFEST, {"a.ipynb": sound})
    assert plan.up_to_date(task, plan.read_manifest(tmp_path / "ann"))
    # a notebook handed to a worker and never finished is not up to date, whatever it left behind
    started = {"a.ipynb": {"key": "k1", "status": plan.STATUS_STARTED}}
    plan.write_json(tmp_path / "ann" / plan.MANIFEST, started)
    assert not plan.up_to_date(task, plan.read_manifest(tmp_path / "ann"))
