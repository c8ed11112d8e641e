"""Every public function of cxlib documents itself: numpydoc Parameters and Returns, and an example that runs.

The examples run as doctests (``--doctest-modules``). Shared parameter text (``confidence``,
``missing``, the figure labels, ...) is written once in ``cxlib/_docs.py`` and substituted into
the docstrings, so this test reads the docstrings as a user sees them (``help()``), filled in.
"""

import importlib
import inspect
import pkgutil
import re

import pytest

import cxlib

# Not given a runnable example, and why:
NO_EXAMPLE = {
    "cxlib.kit.claims.run_lesson": "executes a lesson per business in kernels; tests/test_claims.py runs it",
    "cxlib.kit.claims.sweep": "executes lessons over many businesses; tests/test_claims.py runs a toy",
    "main": "command-line entry points; `--help` documents them and the tests run them as commands",
    "run": "a cxkit verb's entry point; `cxkit VERB --help` documents it, tests/test_kit_cli.py runs it",
    "cxlib.kit.site.build": "runs Sphinx over the whole course (tens of seconds); "
    "tests/test_site.py builds and browses it",
    "cxlib.kit.site.setup": "the Sphinx extension hook, called by Sphinx, not by users",
    "cxlib.kit.notebooks.execute": "executes a lesson in a kernel; `cxkit notebooks` and test_sources use it",
    "cxlib.kit.notebooks.build": "executes lessons in kernels (minutes); `make notebooks` runs it",
    "cxlib.kit.course.execute_lessons": "executes every lesson (minutes); `make course` runs it",
    "cxlib.kit.grade.grade": "grades a class in kernels (minutes); tests/test_grade.py runs it end to end",
    "cxlib.kit.grade.grade_submission": "executes a submission in a sandboxed kernel; tests/test_grade.py",
    "cxlib.kit.sandbox.execute_cells": "executes a notebook in a kernel; tests/test_grade.py runs it",
    "cxlib.kit.sandbox.run_sandboxed": "executes a notebook in a sandboxed kernel; tests/test_grade.py",
}

# The instructors' tooling (cxlib/kit/, with its own docstring tests in test_kit_layout.py): the
# Parameters/Returns rule covers the learner's library, which is what a student reads with help().
TOOLING = {"cxlib.kit"}

# Functions still without the sections, and why: the loader and export modules are being reworked on
# another branch, which writes their sections; empty this when it merges.
PENDING_SECTIONS = {
    "cxlib.data.tables",
    "cxlib.data.resource",
    "cxlib.data.fields",
    "cxlib.data.items",
    "cxlib.data.item_labels",
    "cxlib.data.categories",
    "cxlib.data.default_data_dir",
    "cxlib.data.read_csv",
    "cxlib.data.load_truth",
    "cxlib.export.safe_cell",
    "cxlib.export.to_csv",
}


def _public_functions():
    for info in pkgutil.walk_packages(cxlib.__path__, prefix="cxlib."):
        if info.name.rsplit(".", 1)[1].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if not name.startswith("_") and inspect.isfunction(obj) and obj.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", obj


FUNCTIONS = dict(_public_functions())
LIBRARY = {q: f for q, f in FUNCTIONS.items() if not any(q.startswith(t + ".") for t in TOOLING)}


def _has_section(doc: str, title: str) -> bool:
    return re.search(rf"^{title}\n-{{{len(title)}}}$", doc, re.MULTILINE) is not None


def test_the_walk_finds_the_functions_the_course_relies_on():
    assert {
        "cxlib.metrics.nps",
        "cxlib.data.load",
        "cxlib.tracking.p_chart_limits",
        "cxlib.kit.batch.run_batch",
    } <= set(FUNCTIONS)
    assert "cxlib.scales.cronbach_alpha" in LIBRARY and "cxlib.kit.batch.run_batch" not in LIBRARY


@pytest.mark.parametrize("qualname", sorted(FUNCTIONS))
def test_public_function_has_a_numpydoc_docstring_with_an_example(qualname):
    doc = inspect.getdoc(FUNCTIONS[qualname]) or ""
    assert doc, f"{qualname} has no docstring"
    if qualname in NO_EXAMPLE or qualname.rsplit(".", 1)[1] in NO_EXAMPLE:
        return
    assert ">>> " in doc, (
        f"{qualname}: add an Examples section with a runnable example (it runs as a doctest)"
    )


@pytest.mark.parametrize("qualname", sorted(set(LIBRARY) - PENDING_SECTIONS))
def test_public_function_has_parameters_and_returns_sections(qualname):
    fn = LIBRARY[qualname]
    doc = inspect.getdoc(fn) or ""
    if inspect.signature(fn).parameters:
        assert _has_section(doc, "Parameters"), f"{qualname}: add a numpydoc Parameters section"
    assert _has_section(doc, "Returns"), f"{qualname}: add a numpydoc Returns section"
    assert "{" + "confidence}" not in doc, (
        f"{qualname}: a shared-text slot was not filled (decorate with fill)"
    )


def _undescribed(fn) -> list[str]:
    """The parameters of ``fn`` that its Parameters section does not name."""
    doc = inspect.getdoc(fn) or ""
    section = re.search(r"^Parameters\n-+\n(.*?)(?:^\w[\w ]*\n-+\n|\Z)", doc, re.MULTILINE | re.DOTALL)
    described = set()
    for line in section.group(1).splitlines() if section else []:
        if line and not line[0].isspace():  # "name : type" or "a, b : type" or "**options"
            described |= {n.strip().lstrip("*") for n in line.split(" :")[0].split(",")}
    return [p for p in inspect.signature(fn).parameters if p not in described]


@pytest.mark.parametrize("qualname", sorted(set(LIBRARY) - PENDING_SECTIONS))
def test_every_parameter_is_described(qualname):
    # a Parameters section that forgets an argument is how docs drift: each name appears in it
    missing = _undescribed(LIBRARY[qualname])
    assert not missing, f"{qualname}: the Parameters section does not describe {missing}"


def test_an_undescribed_parameter_is_found():
    def f(df, outcome, confidence=0.95, **options):
        """Do it.

        Parameters
        ----------
        df, outcome : DataFrame, str
            The data.
        **options
            More.

        Returns
        -------
        None
        """

    assert _undescribed(f) == ["confidence"]


def test_pending_sections_are_still_pending():
    # when the other branch adds the sections, this list must shrink with it
    done = [
        q
        for q in sorted(PENDING_SECTIONS)
        if _has_section(inspect.getdoc(LIBRARY[q]) or "", "Returns")
        and (
            not inspect.signature(LIBRARY[q]).parameters
            or _has_section(inspect.getdoc(LIBRARY[q]), "Parameters")
        )
    ]
    assert not done, f"these now have their sections: remove them from PENDING_SECTIONS: {done}"


def test_shared_text_is_filled_in_and_unknown_slots_fail_loudly():
    from cxlib import _docs, metrics

    assert "Confidence level of the interval(s)" in metrics.nps.__doc__

    def f(confidence=0.95):
        """Do it.

        Parameters
        ----------
        {no_such_text}
        """

    with pytest.raises(KeyError, match="no_such_text"):
        _docs.fill(f)
