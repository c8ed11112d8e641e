"""A kernel that dies before it runs anything is started again; a notebook's own failure is not retried."""

from __future__ import annotations

import papermill as pm
import pytest

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


def test_a_kernel_error_after_start_is_not_retried():
    calls = []

    def start():
        calls.append(1)
        raise RuntimeError("the notebook's own error")

    with pytest.raises(RuntimeError, match="own error"):
        execute.retrying_kernel_start(start)()
    assert calls == [1]


def test_nbval_starts_its_kernels_with_the_same_retries():
    # tests/conftest.py wraps nbval's kernel start: without it a port race errors a whole notebook
    import nbval.kernel

    assert nbval.kernel.start_new_kernel.retries_kernel_start == execute.KERNEL_START_TRIES


def test_nbval_kernel_start_is_retried_when_the_kernel_dies(monkeypatch):
    import nbval.kernel

    deaths = []

    class DyingOnce:
        """A KernelManager stand-in whose first kernel dies before replying, as in a port race."""

        def __init__(self, **kwargs):
            pass

        def start_kernel(self, **kwargs):
            pass

        def shutdown_kernel(self):
            pass

        def client(self):
            manager = self

            class Client:
                def start_channels(self):
                    pass

                def stop_channels(self):
                    pass

                def wait_for_ready(self, timeout):
                    if not deaths:
                        deaths.append(manager)
                        raise RuntimeError("Kernel died before replying to kernel_info")

            return Client()

    monkeypatch.setattr(nbval.kernel, "KernelManager", DyingOnce)
    km, kc = nbval.kernel.start_new_kernel(kernel_name="python3")
    assert len(deaths) == 1 and km is not deaths[0]
