"""Write a student's kit: the lessons, the exercises, the student's own data; no answers.

``cxkit bundle --out DIR --student ID`` (repeatable) or ``--roster class.csv`` (a ``student_id``
column) writes, per student, the folder ``DIR/<student_id>/`` and the zip ``DIR/<student_id>.zip``
holding

* ``notebooks/``: the lessons (``.ipynb``, with their outputs);
* ``exercises/``: the exercise notebooks, whose ``data_dir`` already points at ``../data``, and
  ``START_HERE.md``;
* ``data/``: the student's own business, generated from the id (:func:`cxlib.synth.student_seed`,
  the same data ``cxkit grade`` grades against).

Nothing from ``solutions/`` (no solution notebook, no hidden test) is copied, and the checks' keys
stay in the installed package (see ``solutions/README.md``). Without ``--student`` or ``--roster``
it writes one kit, ``DIR/kit/``, on the course's data.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

from cxlib.errors import CxlibError

ROOT = Path(__file__).resolve().parents[2]
DATA_LINE = re.compile(r"^data_dir\s*=\s*None\b.*$", re.M)


def _point_at_data(source: str) -> str:
    """An exercise's text with its parameters cell's ``data_dir = None`` set to ``"../data"``."""
    nb = json.loads(source)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            text = DATA_LINE.sub('data_dir = "../data"  # your own data: the data/ folder of this kit', text)
            cell["source"] = text
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def write_kit(folder, student: str | None, root=None) -> Path:
    """Write one student's kit into ``folder`` (replacing it) and zip it beside.

    Parameters
    ----------
    folder : path
        The kit's folder.
    student : str or None
        The student id (their own data); None ships the course's data instead.
    root : path, optional
        The course's folder (default: this repository).

    Returns
    -------
    Path
        The zip file.

    Examples
    --------
    >>> import tempfile
    >>> zipped = write_kit(Path(tempfile.mkdtemp()) / "ann", "ann")
    >>> names = zipfile.ZipFile(zipped).namelist()
    >>> "ann/exercises/START_HERE.md" in names, any("solution" in n for n in names)
    (True, False)
    """
    from cxlib.synth import student_seed, write

    root = Path(root or ROOT)
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "notebooks").mkdir(parents=True)
    (folder / "exercises").mkdir()
    for nb in sorted((root / "notebooks").glob("*.ipynb")):
        shutil.copy2(nb, folder / "notebooks" / nb.name)
    for nb in sorted((root / "exercises").glob("*.ipynb")):
        text = _point_at_data(nb.read_text(encoding="utf-8"))
        (folder / "exercises" / nb.name).write_text(text, encoding="utf-8")
    shutil.copy2(root / "exercises" / "START_HERE.md", folder / "exercises" / "START_HERE.md")
    if student is None:
        shutil.copytree(root / "datasets", folder / "data")
    else:
        write(folder / "data", seed=student_seed(student))
    zipped = folder.with_suffix(".zip")
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, (Path(folder.name) / p.relative_to(folder)).as_posix())
    return zipped


def add_arguments(parser) -> None:
    """The options of ``cxkit bundle``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The verb's parser.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> parser.parse_args(["--out", "kits", "--student", "ann", "--student", "ben"]).student
    ['ann', 'ben']
    """
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--student", action="append", default=None, help="a student id (repeatable)")
    parser.add_argument("--roster", type=Path, default=None, help="a CSV or YAML with a student_id column")


def run(args) -> int:
    """``cxkit bundle``: write each student's kit.

    Parameters
    ----------
    args : argparse.Namespace
        The options of :func:`add_arguments`.

    Returns
    -------
    int
        0 when every kit was written, 2 when it could not start (a bad id or roster).
    """
    from .roster import read_roster

    students = list(args.student or [])
    try:
        if args.roster is not None:
            rows = read_roster(args.roster)
            missing = [i + 1 for i, r in enumerate(rows) if not str(r.get("student_id", "")).strip()]
            if missing:
                raise CxlibError(f"{args.roster}: rows {missing[:10]} have no student_id")
            students += [str(r["student_id"]).strip() for r in rows]
        for s in students:
            if not s or Path(s).name != s or s.startswith("."):
                raise CxlibError(f"not a usable student id for a folder name: {s!r}")
    except CxlibError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    targets = [(s, args.out / s) for s in dict.fromkeys(students)] or [(None, args.out / "kit")]
    for student, folder in targets:
        zipped = write_kit(folder, student)
        print(f"wrote {folder}/ and {zipped.name}")
    return 0
