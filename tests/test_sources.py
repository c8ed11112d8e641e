"""Lessons and solutions are MyST Markdown sources; each stored .ipynb is generated from its source.

The .md is what people edit and review; the .ipynb beside it is what `cxkit notebooks` made by
executing it. These tests fail when the two drift apart (a cell edited in one and not the other),
so a reviewer can trust the .md diff.
"""

from __future__ import annotations

import pytest
from conftest import ROOT

from cxlib.kit import notebooks

SOURCES = notebooks.sources()


def test_every_lesson_and_solution_has_a_source_and_a_notebook():
    for folder in notebooks.SOURCE_FOLDERS:
        mds = {p.stem for p in (ROOT / folder).glob("[0-9][0-9]_*.md")}
        nbs = {p.stem for p in (ROOT / folder).glob("[0-9][0-9]_*.ipynb")}
        assert mds, f"{folder}/ has no MyST sources"
        assert nbs == mds, (
            f"{folder}/: notebooks without a source {sorted(nbs - mds)}, "
            f"sources without a notebook {sorted(mds - nbs)}"
        )


@pytest.mark.parametrize("source", SOURCES, ids=[f"{p.parent.name}/{p.name}" for p in SOURCES])
def test_stored_notebook_agrees_with_its_source(source):
    found = notebooks.differences(source, source.with_suffix(".ipynb"))
    assert not found, "run `cxkit notebooks` to rebuild:\n" + "\n".join(found)


def test_a_drifted_notebook_is_caught(tmp_path):
    import nbformat

    src = ROOT / "notebooks" / "00_welcome.md"
    nb = nbformat.read(src.with_suffix(".ipynb"), as_version=4)
    code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells[code].source += "\nprint('edited in the notebook only')"
    nb.cells[0].metadata["tags"] = ["hide-input"]
    nb.metadata["cxkit"] = {"test_parameters": []}
    target = tmp_path / "00_welcome.ipynb"
    nbformat.write(nb, target)
    found = notebooks.differences(src, target)
    assert f"00_welcome.ipynb, cell {code + 1}: the source differs from 00_welcome.md" in found
    assert "00_welcome.ipynb, cell 1: the tags differ from 00_welcome.md" in found
    assert any("cxkit metadata" in line for line in found)


def test_test_parameters_are_in_the_front_matter_a_reviewer_reads():
    for src in SOURCES:
        head = src.read_text(encoding="utf-8").split("\n---\n", 1)[0]
        assert head.startswith("---\n"), f"{src.name}: no front matter"
        assert "cxkit:" in head and "test_parameters:" in head, (
            f"{src.name}: no cxkit test_parameters in front matter"
        )
