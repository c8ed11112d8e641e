"""Every public function of cxlib documents itself with an example that runs (as a doctest)."""

import importlib
import inspect
import pkgutil

import pytest

import cxlib

# Not given a runnable example, and why:
NO_EXAMPLE = {
    "main": "command-line entry points; `--help` documents them and the tests run them as commands",
    "run": "a cxkit verb's entry point; `cxkit VERB --help` documents it, tests/test_kit_cli.py runs it",
    "cxlib.kit.site.build": "runs Sphinx over the whole course (tens of seconds); "
    "tests/test_site.py builds and browses it",
    "cxlib.kit.site.setup": "the Sphinx extension hook, called by Sphinx, not by users",
    "cxlib.kit.notebooks.execute": "executes a lesson in a kernel; `cxkit notebooks` and test_sources use it",
    "cxlib.kit.notebooks.build": "executes lessons in kernels (minutes); `make notebooks` runs it",
    "cxlib.kit.course.execute_lessons": "executes every lesson (minutes); `make course` runs it",
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


def test_the_walk_finds_the_functions_the_course_relies_on():
    assert {
        "cxlib.metrics.nps",
        "cxlib.data.load",
        "cxlib.tracking.p_chart",
        "cxlib.kit.batch.run_batch",
    } <= set(FUNCTIONS)


@pytest.mark.parametrize("qualname", sorted(FUNCTIONS))
def test_public_function_has_a_numpydoc_docstring_with_an_example(qualname):
    doc = inspect.getdoc(FUNCTIONS[qualname]) or ""
    assert doc, f"{qualname} has no docstring"
    if qualname in NO_EXAMPLE or qualname.rsplit(".", 1)[1] in NO_EXAMPLE:
        return
    assert ">>> " in doc, (
        f"{qualname}: add an Examples section with a runnable example (it runs as a doctest)"
    )
