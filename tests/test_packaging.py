"""The installed package: a wheel carries the course's data, so cxlib.data.load works outside a checkout.

The wheel is built offline (``pip wheel --no-deps --no-build-isolation``, with the setuptools of
the test environment), unzipped into a folder, and a fresh Python run from a folder outside the
repository with only that folder on its path loads the survey from the wheel's own copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow  # builds the package with pip (make test-fast leaves it out)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # built from a copy: setuptools writes build/ and *.egg-info beside the sources it builds
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("cxlib", "datasets"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
    done = subprocess.run([*pip, "-w", str(out), str(src)], capture_output=True, text=True, cwd=out)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (found,) = out.glob("cx_course_kit-*.whl")
    return found


def test_the_wheel_holds_the_learners_package_the_kit_and_the_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "cxlib/__init__.py",
        "cxlib/metrics.py",
        "cxlib/datapackage.json",
        "cxlib/kit/cli.py",
        "cxlib/survey_spec.schema.json",  # the survey spec's schema (cxlib.survey reads it)
        "cxlib/kit/survey_report.md",  # the report notebook of cxkit report
    ):
        assert name in names
    # every subpackage ships (a package left out of pyproject's list works in a checkout, not installed)
    for init in (ROOT / "cxlib").rglob("__init__.py"):
        for module in init.parent.glob("*.py"):
            assert module.relative_to(ROOT).as_posix() in names, f"{module} is not in the wheel"
    shipped = {p.name for p in (ROOT / "datasets").iterdir() if p.is_file()}
    assert {n.split("/", 2)[2] for n in names if n.startswith("cxlib/datasets/")} == shipped
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "cxkit = cxlib.kit.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_an_installed_wheel_loads_the_course_data_from_its_own_copy(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import json, cxlib, cxlib.data as d\n"
        "df = d.load('survey')\n"
        "print(json.dumps([cxlib.__file__, str(d.default_data_dir()), len(df), list(df.columns[:2])]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CXKIT_DATA"}
    env["PYTHONPATH"] = str(site)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=elsewhere, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    package, folder, rows, columns = json.loads(done.stdout.strip().splitlines()[-1])
    assert package == str(site / "cxlib" / "__init__.py")  # the wheel's cxlib, not the checkout's
    assert folder == str(site / "cxlib" / "datasets")
    from cxlib.data import load

    checkout = load("survey")  # the same table, read here from the checkout's datasets/
    assert rows == len(checkout) and columns == list(checkout.columns[:2])


def test_a_checkout_finds_the_top_level_datasets_folder():
    from cxlib.data import default_data_dir

    assert default_data_dir() == ROOT / "datasets"
