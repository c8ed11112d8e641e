"""Shared fixtures for the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "datasets"

# Notebooks and tests must never read the network; a polite reminder for libraries that try.
os.environ.setdefault("NO_PROXY", "*")


# nbval starts one kernel per notebook. Kernels started at once (the two xdist workers, the runner's
# tests) can race for the same free port, and the kernel dies before replying to kernel_info: every
# cell of that notebook then errors at setup (CI, 2026-12-02: all 12 cells of solutions/01). Nothing
# of the notebook has run, so start it again, as the runner does (cxlib.kit.execute.KERNEL_START_TRIES).
try:
    import nbval.kernel as _nbval_kernel
except ImportError:  # nbval is in the test extra; without it there is nothing to patch
    _nbval_kernel = None
if _nbval_kernel is not None and not hasattr(_nbval_kernel.start_new_kernel, "retries_kernel_start"):
    from cxlib.kit.execute import retrying_kernel_start

    _nbval_kernel.start_new_kernel = retrying_kernel_start(_nbval_kernel.start_new_kernel)


# Doctests that start a kernel: marked slow like the tests that do (make test-fast leaves them out).
SLOW_DOCTESTS = {"cxlib.kit.batch.run_batch"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if isinstance(item, pytest.DoctestItem) and item.name in SLOW_DOCTESTS:
            item.add_marker(pytest.mark.slow)


def without_root_powers() -> dict:
    """subprocess arguments under which file permissions apply to the command, also for root.

    Root reads and writes any file through two capabilities (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH);
    the command runs without them (dropped from its bounding set, which an exec keeps), so that a
    folder of mode 0o555 is read-only to it and one of mode 0 closed. Other users need nothing.
    """
    if os.geteuid() != 0:
        return {}

    def drop():
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "cannot drop a capability")

    return {"preexec_fn": drop}


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def survey():
    from cxlib.data import load

    return load("survey")


def _find_or_install_chromium() -> tuple[str | None, str]:
    """Debian's chromium: found on PATH, else installed with apt-get when we are root.

    Returns (path, reason): path is None when no browser can be had, with the reason why.
    """
    import shutil
    import subprocess

    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path, ""
    if os.environ.get("CXKIT_NO_BROWSER_INSTALL"):
        return None, "chromium is not installed and CXKIT_NO_BROWSER_INSTALL is set"
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return None, "chromium is not installed and cannot be installed here (needs apt-get as root)"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True, timeout=600, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            check=True,
            capture_output=True,
            timeout=1200,
            env=env,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return None, f"installing Debian's chromium with apt-get failed: {exc}"
    path = shutil.which("chromium")
    return (path, "") if path else (None, "apt-get installed chromium but it is not on PATH")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of a headless-capable Debian chromium; the test skips, saying why, where there is none."""
    lock = ROOT / "build" / ".chromium-install.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    import fcntl

    with open(lock, "w") as fh:  # pytest-xdist workers: one apt-get at a time
        fcntl.flock(fh, fcntl.LOCK_EX)
        path, reason = _find_or_install_chromium()
    if path is None:
        pytest.skip(reason)
    return path


# Flags that keep headless chromium off the network and quiet on this machine.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
