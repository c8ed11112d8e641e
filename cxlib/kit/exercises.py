"""Generate the students' exercise notebooks from the solution notebooks.

``solutions/`` is the single source. Answer code is marked with the markers otter-grader and
nbgrader also use (this is not a claim that either tool can grade these notebooks: grade them
with ``cxkit grade``):

* a block of lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` (nbgrader's
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` work too) is replaced by
  ``# YOUR CODE HERE`` and, for every name the block assigns at top level,
  ``name = ...`` so the check cells below still run;
* a single line ending in ``# SOLUTION`` keeps its assignment target and loses its
  right-hand side: ``share = (x > 3).mean()  # SOLUTION`` becomes
  ``share = ...  # YOUR CODE HERE``;
* in Markdown cells, text between ``<!-- BEGIN SOLUTION -->`` and
  ``<!-- END SOLUTION -->`` becomes *Your answer here.*

Comment lines starting with ``# HINT:`` are hints: write them outside the solution
markers and they stay in the exercise. Outputs and execution counts are cleared;
check cells are kept unchanged.

Run ``cxkit exercises`` to regenerate ``exercises/``, ``cxkit exercises --check`` to fail
when it is out of date. Per-student data: ``cxkit synth --student ID --out DIR`` generates a
student's own business (:func:`cxlib.synth.student_seed`); run the solution notebook with
``data_dir=DIR`` for that student's answer key (``cxkit run solutions/*.ipynb --roster ...
--student-data`` does it for a whole class).
"""

from __future__ import annotations

import ast
import copy
import re
import sys
from pathlib import Path

from cxlib.errors import CxlibError

ROOT = Path(__file__).resolve().parents[2]
BEGIN = re.compile(r"^\s*#+\s*BEGIN SOLUTION\b.*$")
END = re.compile(r"^\s*#+\s*END SOLUTION\b.*$")
SINGLE = re.compile(r"^(?P<body>.*?)\s*#\s*SOLUTION\s*$")
MD_BEGIN = re.compile(r"<!--\s*BEGIN SOLUTION\s*-->")
MD_END = re.compile(r"<!--\s*END SOLUTION\s*-->")
PLACEHOLDER = "# YOUR CODE HERE"
MD_PLACEHOLDER = "*Your answer here.*"


class ExerciseError(CxlibError):
    """A solution notebook's markers are malformed."""


def _assigned_names(lines: list[str]) -> list[str]:
    """Names assigned at the top level of a block of code (in order, without repeats)."""
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent("\n".join(lines)))
    except SyntaxError:
        return []
    names: list[str] = []

    def add(target):
        if isinstance(target, ast.Name) and target.id not in names:
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                add(t)

    for node in tree.body:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                add(t)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            add(node.target)
    return names


def _strip_code(source: str, where: str) -> str:
    out: list[str] = []
    block: list[str] | None = None
    indent = ""
    start_line = 0
    for lineno, line in enumerate(source.split("\n"), start=1):
        if BEGIN.match(line):
            if block is not None:
                raise ExerciseError(
                    f"{where}, line {lineno}: BEGIN SOLUTION inside another solution block "
                    f"(opened at line {start_line}); close the first block with # END SOLUTION"
                )
            block, indent, start_line = [], line[: len(line) - len(line.lstrip())], lineno
            continue
        if END.match(line):
            if block is None:
                raise ExerciseError(f"{where}, line {lineno}: END SOLUTION without a matching BEGIN SOLUTION")
            out.append(f"{indent}{PLACEHOLDER}")
            out.extend(f"{indent}{name} = ..." for name in _assigned_names(block))
            block = None
            continue
        if block is not None:
            block.append(line)
            continue
        m = SINGLE.match(line)
        if m:
            body = m.group("body")
            lead = body[: len(body) - len(body.lstrip())]
            names = _assigned_names([body.strip()])
            target = body.split("=", 1)[0].strip() if names and "=" in body else None
            out.append(f"{lead}{target} = ...  {PLACEHOLDER}" if target else f"{lead}...  {PLACEHOLDER}")
            continue
        out.append(line)
    if block is not None:
        raise ExerciseError(f"{where}, line {start_line}: BEGIN SOLUTION is never closed; add # END SOLUTION")
    return "\n".join(out)


def _strip_markdown(source: str, where: str) -> str:
    out, pos = [], 0
    while True:
        b = MD_BEGIN.search(source, pos)
        e = MD_END.search(source, pos)
        if b is None:
            if e is not None:
                raise ExerciseError(f"{where}: <!-- END SOLUTION --> without a matching BEGIN")
            out.append(source[pos:])
            return "".join(out)
        if e is None or e.start() < b.end():
            raise ExerciseError(f"{where}: <!-- BEGIN SOLUTION --> is never closed (or END comes first)")
        nested = MD_BEGIN.search(source, b.end(), e.start())
        if nested:
            raise ExerciseError(f"{where}: BEGIN SOLUTION inside another solution block")
        out.append(source[pos : b.start()])
        out.append(MD_PLACEHOLDER)
        pos = e.end()


def make_exercise(nb, name: str = "notebook"):
    r"""Return the exercise version of a solution notebook (a new ``nbformat`` notebook).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The solution notebook.
    name : str
        Its name, for error messages.

    Returns
    -------
    nbformat.NotebookNode
        The exercise: answers replaced by placeholders, outputs cleared, checks kept.

    Raises
    ------
    ExerciseError
        naming the notebook, the cell (number and id) and the line of a malformed marker.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("answer = 6 * 7  # SOLUTION\ncheck_number(answer, 42, 'Task 1')"),
    ...     nbformat.v4.new_code_cell("# BEGIN SOLUTION\nx = 1\ny = 2\n# END SOLUTION")])
    >>> [cell.source for cell in make_exercise(nb).cells]
    ["answer = ...  # YOUR CODE HERE\ncheck_number(answer, 42, 'Task 1')",
     '# YOUR CODE HERE\nx = ...\ny = ...']
    >>> nb.cells[1].source = "# BEGIN SOLUTION\nx = 1"
    >>> make_exercise(nb, "demo.ipynb")
    Traceback (most recent call last):
    ...
    cxlib.kit.exercises.ExerciseError: demo.ipynb, cell 1 (id ...), line 1: BEGIN SOLUTION is never closed;
    add # END SOLUTION
    """
    ex = copy.deepcopy(nb)
    for i, cell in enumerate(ex.cells):
        where = f"{name}, cell {i}" + (f" (id {cell.get('id')})" if cell.get("id") else "")
        if cell.cell_type == "code":
            cell.source = _strip_code(cell.source, where)
            cell.outputs = []
            cell.execution_count = None
            cell.metadata = {k: v for k, v in cell.metadata.items() if k == "tags"}
        elif cell.cell_type == "markdown":
            cell.source = _strip_markdown(cell.source, where)
    keep = {"kernelspec", "language_info", "cxkit"}
    ex.metadata = {k: v for k, v in ex.metadata.items() if k in keep}
    return ex


def generate(solutions: Path | None = None, exercises: Path | None = None, check: bool = False) -> list[str]:
    """Write ``exercises/X.ipynb`` for every ``solutions/X.ipynb``; with ``check``, only compare.

    Parameters
    ----------
    solutions : path, optional
        The solution notebooks' folder (default: ``solutions/``).
    exercises : path, optional
        The exercise notebooks' folder (default: ``exercises/``).
    check : bool
        Write nothing; only say what is out of date.

    Returns
    -------
    list of str
        The names of the exercise notebooks that were (or, with ``check``, would be) written.

    Examples
    --------
    >>> import tempfile, nbformat
    >>> solutions, exercises = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer = 42  # SOLUTION")])
    >>> nbformat.write(nb, solutions / "01_demo.ipynb")
    >>> generate(solutions, exercises, check=True)  # would write it
    ['01_demo.ipynb']
    >>> generate(solutions, exercises)
    ['01_demo.ipynb']
    >>> generate(solutions, exercises, check=True)  # up to date
    []
    """
    import nbformat

    solutions = Path(solutions or ROOT / "solutions")
    exercises = Path(exercises or ROOT / "exercises")
    changed = []
    for path in sorted(solutions.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = nbformat.writes(make_exercise(nb, path.name)) + "\n"
        target = exercises / path.name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            changed.append(path.name)
            if not check:
                exercises.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    return changed


def add_arguments(parser) -> None:
    """The options of ``cxkit exercises``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The verb's parser.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> parser.parse_args(["--check"]).check
    True
    """
    parser.add_argument("--check", action="store_true", help="exit 1 if exercises/ is out of date")
    parser.add_argument("--solutions", type=Path, default=None, help="default: solutions/")
    parser.add_argument("--exercises", type=Path, default=None, help="default: exercises/")


def run(args) -> int:
    """``cxkit exercises``: write (or, with ``--check``, compare) ``exercises/``.

    Parameters
    ----------
    args : argparse.Namespace
        The options of :func:`add_arguments`.

    Returns
    -------
    int
        0 when written (or up to date), 1 when ``--check`` finds it out of date, 2 when a
        solution's markers are malformed.
    """
    try:
        changed = generate(args.solutions, args.exercises, check=args.check)
    except ExerciseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if changed:
            print("out of date: " + ", ".join(changed) + " (run cxkit exercises)", file=sys.stderr)
            return 1
        print("exercises/ is up to date")
        return 0
    print(f"wrote {len(changed)} exercise notebook(s)" + (": " + ", ".join(changed) if changed else ""))
    return 0
