"""pyproject.toml and environment.yml describe the same environment: runtime, tests, docs and cluster."""

import re
import tomllib

import yaml
from conftest import ROOT

# conda-forge names that differ from PyPI's
CONDA_NAMES = {"playwright-python": "playwright", "python-fastjsonschema": "fastjsonschema"}


def _name(spec: str) -> str:
    name = re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")
    return CONDA_NAMES.get(name, name)


def _conda_packages() -> set[str]:
    """The packages environment.yml installs: from conda-forge, and from PyPI in its pip section."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    return conda | {_name(d) for d in pip if not d.startswith("-")}


def test_environment_yml_installs_cxlib_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section, "environment.yml must install cxlib itself with pip (-e .)"


def test_environment_yml_names_every_runtime_test_and_docs_package_of_pyproject():
    # a conda or Binder user can run the course, make test and build the site
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    for group, specs in [
        ("runtime", project["dependencies"]),
        ("test", extras["test"]),
        ("docs", extras["docs"]),
        ("cluster", extras["cluster"]),
    ]:
        missing = sorted({_name(d) for d in specs} - _conda_packages())
        assert not missing, f"environment.yml lacks pyproject's {group} packages {missing}"
    every = {
        _name(d) for d in [*project["dependencies"], *extras["test"], *extras["docs"], *extras["cluster"]]
    }
    assert _conda_packages() <= every, f"only in environment.yml: {sorted(_conda_packages() - every)}"


def test_the_name_map_is_needed_and_used():
    assert _name("playwright-python>=1.45") == "playwright" and _name("Py_Yaml>=6") == "py-yaml"
    text = (ROOT / "environment.yml").read_text()
    assert all(conda in text for conda in CONDA_NAMES)


def test_environment_yml_pins_the_python_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert project["requires-python"] == ">=3.11" and python == "python=3.11"


def test_readme_opens_with_the_two_commands_that_ci_runs():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make course", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci.splitlines()[-1]
