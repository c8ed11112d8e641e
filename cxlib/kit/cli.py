"""The ``cxkit`` command: one command for instructors, with verbs, the way git and otter-grader work.

``cxkit --help`` lists the verbs; ``cxkit VERB --help`` gives a verb's options. Each verb is a
module with two functions, ``add_arguments(parser)`` (its options, with :mod:`argparse`) and
``run(args) -> int`` (the exit status), registered by one line in :data:`VERBS`. A verb's
module is imported only when that verb runs, so ``cxkit --help`` is quick and a verb's
dependencies (papermill, Sphinx, ...) load only for the verb that needs them.

To add a verb (``grade``, ``report``, ``claims``, ``spec``, ``bundle``): write
``cxlib/kit/<verb>.py`` with its module docstring (the first line is its description),
``add_arguments`` and ``run``, and add its line to :data:`VERBS`.

Exit status, for every verb: 0 all went well, 1 something failed (a notebook, a check), 2 the
verb could not start (bad options or input). ``python -m cxlib.kit`` is the same command.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import re
import sys
from dataclasses import dataclass

import cxlib


@dataclass(frozen=True)
class Verb:
    """A verb of ``cxkit``: its name, the module that implements it, and one line for ``--help``."""

    name: str
    module: str
    summary: str


VERBS = (
    Verb("run", "cxlib.kit.run", "execute notebooks once per roster row or grid combination, in parallel"),
    Verb(
        "notebooks", "cxlib.kit.notebooks", "rebuild each lesson's and solution's .ipynb from its .md source"
    ),
    Verb("exercises", "cxlib.kit.exercises", "generate exercises/ from solutions/ (answers removed)"),
    Verb("synth", "cxlib.synth", "generate a business's data: any seed, or a student's own"),
    Verb("site", "cxlib.kit.site", "build the course's static site from the stored notebooks"),
    Verb("course", "cxlib.kit.course", "check the data, execute every lesson into build/ and build the site"),
    Verb("claims", "cxlib.kit.claims", "check every lesson's claims against the truth, over many businesses"),
    Verb("datadoc", "cxlib.kit.datadoc", "write the data dictionary (datasets/README.md) from the schema"),
    Verb("grade", "cxlib.kit.grade", "grade submitted exercise notebooks: gradebook, grades, feedback pages"),
    Verb("bundle", "cxlib.kit.bundle", "write a student's kit (lessons, exercises, own data), no answers"),
    Verb("spec", "cxlib.kit.spec", "your own survey: draft a spec from an export (init), check it (check)"),
    Verb(
        "report", "cxlib.kit.survey_report", "your own survey: a report (HTML page, XLSX tables) from a spec"
    ),
)


def usage() -> str:
    """The text of ``cxkit --help``: what the command is, and every verb with one line.

    Returns
    -------
    str
        The help text.

    Examples
    --------
    >>> print(usage())  # doctest: +ELLIPSIS
    usage: cxkit VERB [options]
    ...
      run        execute notebooks once per roster row or grid combination, in parallel
    ...
    """
    width = max(len(v.name) for v in VERBS) + 2
    lines = [
        "usage: cxkit VERB [options]",
        "",
        "The instructor's kit of cx-course-kit: batch runs, exercises, the site, the data.",
        "",
        "verbs:",
        *(f"  {v.name:<{width}} {v.summary}" for v in VERBS),
        "",
        "`cxkit VERB --help` shows a verb's options.",
        "Exit status: 0 ok, 1 something failed (a notebook, a check), 2 could not start.",
    ]
    return "\n".join(lines)


def _description(module) -> str:
    """A module's docstring as plain text for ``--help`` (reStructuredText roles and quotes removed)."""
    text = module.__doc__ or ""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", text)
    return text.replace("``", "`").replace("**", "").replace("::\n", ":\n").strip()


def parser_for(verb: Verb) -> argparse.ArgumentParser:
    """The argument parser of one verb (its module is imported here).

    Parameters
    ----------
    verb : Verb
        A verb of :data:`VERBS`.

    Returns
    -------
    argparse.ArgumentParser
        With the verb's options; its description is the module's docstring.

    Examples
    --------
    >>> parser_for(VERBS[0]).prog
    'cxkit run'
    """
    module = importlib.import_module(verb.module)
    parser = argparse.ArgumentParser(
        prog=f"cxkit {verb.name}",
        description=_description(module),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.add_arguments(parser)
    return parser


def _unknown(word: str) -> str:
    if word.endswith(".ipynb") or any(ch in word for ch in "*?["):
        return f"cxkit: {word!r} is not a verb; to execute notebooks: cxkit run {word} ... --out DIR"
    close = difflib.get_close_matches(word, [v.name for v in VERBS], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"cxkit: {word!r} is not a verb{hint} (cxkit --help lists them)"


def main(argv: list[str] | None = None) -> int:
    """The ``cxkit`` command: run the verb named first with the options that follow.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: the command line's).

    Returns
    -------
    int
        The verb's exit status: 0 ok, 1 something failed, 2 could not start.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage(), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    if argv[0] == "--version":
        print(f"cxkit (cxlib {cxlib.__version__})")
        return 0
    verb = next((v for v in VERBS if v.name == argv[0]), None)
    if verb is None:
        print(_unknown(argv[0]), file=sys.stderr)
        return 2
    try:
        args = parser_for(verb).parse_args(argv[1:])
    except SystemExit as exc:  # --help (0) or bad options (2, argparse printed why)
        return exc.code if isinstance(exc.code, int) else 2
    return importlib.import_module(verb.module).run(args)
