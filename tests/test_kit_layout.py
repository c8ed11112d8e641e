"""The learner's library apart from the instructor's kit.

* ``import cxlib`` and every module outside ``cxlib/kit/`` load none of the tooling's packages
  (checked in a fresh interpreter: ``sys.modules`` after the imports);
* no module outside ``cxlib/kit/`` imports ``cxlib.kit`` (checked on the source, with ``ast``):
  the kit depends on cxlib, never the reverse;
* every public function of the kit has a numpydoc docstring with Parameters and Returns, and no
  function of the kit is longer than about a screen.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_docstrings import FUNCTIONS

import cxlib

PACKAGE = Path(cxlib.__file__).parent
KIT = PACKAGE / "kit"
TOOLING = ("papermill", "nbformat", "nbclient", "jupytext", "sphinx", "yaml", "tqdm")


def _learner_modules() -> list[str]:
    """Every module of cxlib a learner can import: all of them outside cxlib/kit/."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in ("kit", "datasets") or "__pycache__" in rel.parts:
            continue
        parts = ["cxlib", *rel.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        if parts[-1] != "__main__":
            names.append(".".join(parts))
    return names


LEARNER = _learner_modules()


def test_the_learner_modules_include_those_that_run_in_student_notebooks():
    for name in ("cxlib", "cxlib.metrics", "cxlib.data", "cxlib.synth", "cxlib.record", "cxlib.checks"):
        assert name in LEARNER
    assert not [m for m in LEARNER if m.startswith("cxlib.kit")]


def _tooling_loaded_by(modules: list[str], cwd) -> list[str]:
    """The tooling packages in ``sys.modules`` of a fresh interpreter after importing ``modules``."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {TOOLING!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_cxlib_and_every_analysis_module_loads_no_tooling(tmp_path):
    loaded = _tooling_loaded_by(LEARNER, tmp_path)
    assert loaded == [], f"importing the learner's modules loaded tooling: {loaded}"


def test_the_check_above_sees_tooling_when_it_is_loaded(tmp_path):
    loaded = _tooling_loaded_by(["json", "yaml"], tmp_path)
    assert "yaml" in loaded and {m.split(".")[0] for m in loaded} == {"yaml"}


def _imports(source: str, package: list[str]) -> list[tuple[int, str]]:
    """(line, module) of every import in a module's source, relative imports resolved from ``package``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found += [(node.lineno, module)]
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _is_kit(module: str) -> bool:
    return module == "cxlib.kit" or module.startswith("cxlib.kit.")


def test_no_module_outside_the_kit_imports_the_kit():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "kit":
            continue
        package = ["cxlib", *rel.parent.parts]
        for line, module in _imports(path.read_text(encoding="utf-8"), package):
            if _is_kit(module):
                offenders.append(f"cxlib/{rel.as_posix()}:{line} imports {module}")
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    ["from .kit import cli", "from . import kit", "import cxlib.kit.run", "from cxlib.kit.cli import main",
     "def f():\n    from .kit.roster import read_roster"],
)  # fmt: skip
def test_the_check_sees_every_spelling_of_an_import_of_the_kit(source):
    assert any(_is_kit(m) for _, m in _imports(source, ["cxlib"]))
    assert not any(_is_kit(m) for _, m in _imports("from . import metrics\nimport cxlib.kitchen", ["cxlib"]))


# the walk of test_docstrings.py (every public function of cxlib), kept to the kit
KIT_FUNCTIONS = {name: fn for name, fn in FUNCTIONS.items() if name.startswith("cxlib.kit.")}


def test_the_kit_walk_finds_its_modules():
    modules = {name.rsplit(".", 1)[0] for name in KIT_FUNCTIONS}
    for job in (
        "roster",
        "plan",
        "execute",
        "schedule",
        "report",
        "batch",
        "cli",
        "run",
        "site",
        "exercises",
    ):
        assert f"cxlib.kit.{job}" in modules


@pytest.mark.parametrize("qualname", sorted(KIT_FUNCTIONS))
def test_kit_function_has_numpydoc_parameters_and_returns(qualname):
    fn = KIT_FUNCTIONS[qualname]
    doc = inspect.getdoc(fn) or ""
    params = [p for p in inspect.signature(fn).parameters if p not in ("self", "cls")]
    if params:
        assert re.search(r"^Parameters\n-{10}", doc, re.M), f"{qualname}: add a numpydoc Parameters section"
        for p in params:
            assert re.search(rf"^{p}\b", doc, re.M) or p in doc.split("Parameters", 1)[1].split("\n\n")[0], (
                f"{qualname}: Parameters does not describe {p}"
            )
    returns = inspect.signature(fn).return_annotation
    if returns not in (None, "None"):
        assert re.search(r"^Returns\n-{7}", doc, re.M), f"{qualname}: add a numpydoc Returns section"


def _long_functions(path: Path, limit: int) -> list[str]:
    """Functions whose code (docstring left out) is longer than ``limit`` lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(getattr(body[0], "value", None), ast.Constant)
            ):
                body = body[1:]
            if body and body[-1].end_lineno - body[0].lineno + 1 > limit:
                found.append(
                    f"{path.name}:{node.lineno} {node.name} ({body[-1].end_lineno - body[0].lineno + 1})"
                )
    return found


def test_no_kit_function_is_longer_than_a_screen():
    long = [f for path in sorted(KIT.glob("*.py")) for f in _long_functions(path, 60)]
    assert long == [], f"split these by job: {long}"
