"""The student's JupyterLab, end to end in a real browser.

A real JupyterLab server starts on 127.0.0.1 (a free port, a token, temporary
settings, workspace and runtime folders). Debian's chromium, driven headless by
Playwright for Python (``executable_path``, no browser download), opens a notebook
through the JupyterLab interface, runs all cells from the Run menu, waits for the
kernel to finish, and reads what a student would see. A screenshot of each run is
saved under ``build/test-artifacts/``.

Where chromium cannot be had, the tests skip with the reason (see conftest.py).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest
from conftest import CHROMIUM_ARGS, ROOT

ARTIFACTS = ROOT / "build" / "test-artifacts"
START_TIMEOUT = 90  # seconds for the server to answer
RUN_TIMEOUT = 240  # seconds for a notebook to run in the browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server rooted at the repository, as `make lab` starts it."""
    tmp = tmp_path_factory.mktemp("lab")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    for var, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ("IPYTHONDIR", "ipython"),
    ):
        (tmp / sub).mkdir()
        env[var] = str(tmp / sub)
    # Test-only settings: render every cell (JupyterLab 4 otherwise keeps only the visible
    # cells in the page) and do not ask about news.
    settings = tmp / "settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false"}'
    )
    log = open(tmp / "server.log", "w")
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        "--ServerApp.open_browser=False",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--ServerApp.port_retries=0",
    ]
    if os.geteuid() == 0:  # CI runs as root
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"JupyterLab did not start: {(tmp / 'server.log').read_text()[-2000:]}")
        time.sleep(0.5)
    yield {"base": base, "token": token, "log": tmp / "server.log"}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def run_in_lab(lab, chromium_path, relpath: str, shot: str) -> dict:
    """Open ``relpath`` in JupyterLab, run all cells, return what the page shows."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    outside = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on(
            "request",
            lambda r: (
                outside.append(r.url)
                if not r.url.startswith((lab["base"], "data:", "blob:", "about:"))
                else None
            ),
        )
        page.set_default_timeout(60_000)
        # a workspace of its own per run (reset), so a previous run's tabs are not restored
        page.goto(f"{lab['base']}/lab/workspaces/{shot}/tree/{relpath}?token={lab['token']}&reset")
        panel = ".jp-NotebookPanel:not(.lm-mod-hidden)"
        page.wait_for_selector(f"{panel} .jp-Cell", state="visible")
        # the kernel must start by itself (no "select kernel" dialog) and report Idle in the status bar
        status = page.locator(".jp-StatusBar-Widget", has_text="| Idle")
        status.first.wait_for(timeout=90_000)
        assert page.locator(".jp-Dialog").count() == 0, "JupyterLab asked the student to select a kernel"
        page.locator(panel).first.click(position={"x": 400, "y": 200})
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        n_code = sum(1 for c in nbformat.read(ROOT / relpath, as_version=4).cells if c.cell_type == "code")
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            assert page.locator(".jp-Dialog").count() == 0, "a dialog interrupted the run"
            prompts = page.locator(f"{panel} .jp-CodeCell .jp-InputPrompt").all_inner_texts()
            done = [t for t in prompts if t.strip() not in ("[ ]:", "[*]:", "")]
            if len(done) >= n_code and page.locator(".jp-StatusBar-Widget", has_text="| Idle").count():
                break
            time.sleep(1)
        else:
            page.screenshot(path=str(ARTIFACTS / f"{shot}-timeout.png"), full_page=True)
            pytest.fail(f"{relpath}: the cells did not finish within {RUN_TIMEOUT} s")
        texts = page.locator(f"{panel} .jp-OutputArea-output").all_inner_texts()
        # errors and warnings are rendered with the stderr MIME type
        stderr = page.locator(
            f"{panel} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        )
        tracebacks = stderr.all_inner_texts()
        page.keyboard.press("Control+Home")
        page.screenshot(path=str(ARTIFACTS / f"{shot}.png"))
        browser.close()
    return {
        "texts": texts,
        "tracebacks": tracebacks,
        "outside": outside,
        "executed": len(done),
        "code_cells": n_code,
    }


def _first(folder: str) -> str:
    found = sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb"))
    if not found:
        pytest.skip(f"no notebooks in {folder}/ yet")
    return f"{folder}/{found[0].name}"


@pytest.mark.slow
def test_exercise_runs_in_lab_and_checks_say_not_answered(lab, chromium_path):
    relpath = _first("exercises")
    seen = run_in_lab(lab, chromium_path, relpath, "lab-exercise")
    assert seen["executed"] == seen["code_cells"]
    assert seen["tracebacks"] == [], seen["tracebacks"][:2]
    checks = [t for t in seen["texts"] if "not yet answered" in t.lower()]
    assert checks, "no self-check said the tasks are not answered yet"
    assert not [
        t for t in seen["texts"] if "correct" in t.lower() and "not yet" not in t.lower() and "✔" in t
    ], "an unanswered exercise was marked correct"
    assert seen["outside"] == [], f"requests left the machine: {seen['outside'][:5]}"


@pytest.mark.slow
def test_solution_runs_in_lab_and_every_check_passes(lab, chromium_path):
    relpath = _first("exercises").replace("exercises/", "solutions/", 1)
    seen = run_in_lab(lab, chromium_path, relpath, "lab-solution")
    assert seen["executed"] == seen["code_cells"]
    assert seen["tracebacks"] == [], seen["tracebacks"][:2]
    verdicts = [t for t in seen["texts"] if "✔" in t or "✘" in t or "not yet answered" in t.lower()]
    assert verdicts and all("✔" in t for t in verdicts), verdicts
    assert seen["outside"] == []


def test_kit_kernel_is_registered_by_name():
    out = subprocess.run(
        [sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '"cx-course-kit"' in out, "make setup registers the kernel 'cx-course-kit'"


def test_notebooks_ask_for_a_kernel_every_jupyter_has():
    # python3 exists on every Jupyter install and on Binder, so no "kernel not found" prompt
    for folder in ("notebooks", "exercises", "solutions"):
        for nb in sorted((ROOT / folder).glob("*.ipynb")):
            spec = nbformat.read(nb, as_version=4).metadata.get("kernelspec", {})
            assert spec.get("name") == "python3", f"{folder}/{nb.name}: kernelspec {spec.get('name')!r}"


def test_landing_page_says_where_to_start():
    text = (ROOT / "exercises" / "START_HERE.md").read_text()
    assert "notebooks/00_welcome.ipynb" in text and "exercises/" in text


def test_lab_target_opens_the_landing_page():
    make = (ROOT / "Makefile").read_text()
    recipe = make.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "jupyter lab" in recipe and "exercises/START_HERE.md" in recipe
