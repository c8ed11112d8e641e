"""Executing a lesson twice gives identical outputs (images aside, which nbval skips too)."""

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient


def _outputs(path):
    nb = nbformat.read(path, as_version=4)
    # coalesce_streams: the kernel may split one print into two stream outputs depending on timing
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        coalesce_streams=True,
    ).execute()
    result = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = {k: v for k, v in out.get("data", {}).items() if not k.startswith("image/")}
            result.append(
                (out.get("output_type"), out.get("name"), out.get("text"), repr(sorted(data.items())))
            )
    return result


@pytest.mark.slow
@pytest.mark.parametrize("name", ["04_drivers.ipynb", "10_tracking_improvement.ipynb"])
def test_executing_twice_gives_identical_outputs(name):
    path = ROOT / "notebooks" / name
    first, second = _outputs(path), _outputs(path)
    assert first == second
    assert len(first) > 10
