"""A kernel that dies before it runs anything is started again; a notebook's own failure is not retried."""

from __future__ import annotations

import papermill as pm

from cxlib.kit import execute


def _flaky(fails: int, calls: list):
    def fake(notebook, target, **kwargs):
        calls.append(target)
        if len(calls) <= fails:
            raise RuntimeError("Kernel died before replying to kernel_info")

    return fake


def test_a_kernel_that_died_before_starting_is_started_again(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(pm, "execute_notebook", _flaky(1, calls))
    out = execute.execute_notebook("nb.ipynb", str(tmp_path / "out.ipynb"), {}, str(tmp_path), 10)
    assert out.status == execute.STATUS_OK and len(calls) == 2


def test_a_kernel_that_never_starts_is_reported_after_its_tries(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(pm, "execute_notebook", _flaky(99, calls))
    out = execute.execute_notebook("nb.ipynb", str(tmp_path / "out.ipynb"), {}, str(tmp_path), 10)
    assert out.status == execute.STATUS_FAILED and "kernel_info" in out.error
    assert len(calls) == execute.KERNEL_START_TRIES


def test_any_other_failure_is_not_retried(monkeypatch, tmp_path):
    calls = []

    def fails(notebook, target, **kwargs):
        calls.append(target)
        raise RuntimeError("something else broke")

    monkeypatch.setattr(pm, "execute_notebook", fails)
    out = execute.execute_notebook("nb.ipynb", str(tmp_path / "out.ipynb"), {}, str(tmp_path), 10)
    assert out.status == execute.STATUS_FAILED and calls == [str(tmp_path / "out.ipynb")]
