"""Run an untrusted notebook: a subprocess with resource limits and no network, cell by cell.

What ``cxkit grade`` uses to execute a student's submission. :func:`run_sandboxed` starts
``python -m cxlib.kit.sandbox SPEC.json`` as a new process group, and that process:

* sets resource limits (:func:`resource.setrlimit`) that the notebook's kernel inherits: CPU
  time, address space (memory), the size of a file it writes, and the number of processes;
* runs without network: in a new network namespace (``unshare --map-root-user --net``, when
  the kernel allows unprivileged user namespaces), where only a loopback interface exists, so
  the kernel still talks to this process over ``127.0.0.1`` and nothing else is reachable.
  Where ``unshare`` is not available it falls back to proxy variables pointing nowhere and a
  ``sitecustomize`` that refuses every socket connection outside the loopback (a student's code
  can undo that one: it is a guard against accidents, not against intent);
* executes the notebook's code cells one by one with nbclient, errors allowed (a student's
  error fails its cell, the rest still run), within a time budget for the whole notebook
  counted from its first cell: a cell still running when the budget is spent is interrupted,
  and the cells after it are not run. The last cell, the grader's own, has its own budget.

The parent kills the whole process group if it outlives the budget by a margin (a kernel that
ignores interrupts). **This is not a container**: the notebook runs as the same user, can read
what that user can read (other students' submissions included) and write in the working
folder and elsewhere the user may; limits on processes do not apply to root. Grade on a
machine or account that holds nothing else of value, or in a container you trust.
"""

from __future__ import annotations

import functools
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

#: Marks the line the grading cell prints with its JSON result.
GRADE_MARK = "CXKIT-GRADE-RESULT:"

_SITECUSTOMIZE = '''\
"""cxkit grade: refuse network connections outside the loopback (no network namespace here)."""
import socket as _socket

_connect = _socket.socket.connect


def _guarded(self, address):
    host = address[0] if isinstance(address, tuple) else None
    if self.family in (_socket.AF_INET, _socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
        raise OSError("network access is disabled while grading")
    return _connect(self, address)


_socket.socket.connect = _guarded
'''


@dataclass(frozen=True)
class Limits:
    """Resource limits of a graded notebook (each applies to its kernel process)."""

    timeout: float = 300.0  # seconds of wall time for the student's cells, from the first cell
    grade_timeout: float = 300.0  # seconds for the grader's own last cell
    memory_mb: int = 4096  # address space per process
    file_mb: int = 200  # largest file it may write
    processes: int = 512  # processes of the user (not enforced for root)


def _set_limits(limits: Limits) -> None:
    import resource

    cpu = int(limits.timeout + limits.grade_timeout + 60)
    wanted = {
        resource.RLIMIT_CPU: cpu,
        resource.RLIMIT_AS: limits.memory_mb * 2**20,
        resource.RLIMIT_FSIZE: limits.file_mb * 2**20,
        resource.RLIMIT_NPROC: limits.processes,
    }
    for which, value in wanted.items():
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, hard))


def _loopback_up() -> bool:
    """Bring up ``lo`` in a fresh network namespace (needs its CAP_NET_ADMIN: unshare -r gives it)."""
    import fcntl
    import socket
    import struct

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            got = fcntl.ioctl(s, siocgifflags, struct.pack("16sH14x", b"lo", 0))
            flags = struct.unpack("16sH14x", got)[1]
            fcntl.ioctl(s, siocsifflags, struct.pack("16sH14x", b"lo", flags | iff_up))
        return True
    except OSError:
        return False


@functools.cache
def network_namespace_available() -> bool:
    """Whether ``unshare --map-root-user --net`` works here (unprivileged user namespaces).

    Returns
    -------
    bool
        Probed once per process.

    Examples
    --------
    >>> isinstance(network_namespace_available(), bool)
    True
    """
    exe = shutil.which("unshare")
    if not exe:
        return False
    try:
        return (
            subprocess.run(
                [exe, "--map-root-user", "--net", "true"], capture_output=True, timeout=20
            ).returncode
            == 0
        )
    except (OSError, subprocess.SubprocessError):
        return False


def _error_text(cell) -> str:
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if not errors:
        return ""
    return f"{errors[0].get('ename', 'Error')}: {str(errors[0].get('evalue', ''))[:200]}"


def execute_cells(notebook: str, target: str, cwd: str, limits: Limits) -> dict:
    """Execute a notebook's code cells one by one, errors allowed, within the time budget.

    Parameters
    ----------
    notebook, target : str
        The notebook to run and where the executed notebook is written.
    cwd : str
        The kernel's working folder.
    limits : Limits
        ``timeout`` for the cells before the last, ``grade_timeout`` for the last one.

    Returns
    -------
    dict
        ``errors`` (code cell index in the notebook, as text, to what went wrong there),
        ``grade`` (the JSON the last cell printed after :data:`GRADE_MARK`, or None) and
        ``kernel`` ("ok" or why it stopped).
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb,
        timeout=limits.timeout,
        allow_errors=True,
        interrupt_on_timeout=True,
        kernel_name="python3",
        startup_timeout=180,
        resources={"metadata": {"path": cwd}},
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
    )
    errors: dict[str, str] = {}
    kernel = "ok"
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    last = code[-1] if code else None
    start = None
    with client.setup_kernel():
        for i in code:
            start = time.monotonic() if start is None else start
            left = limits.timeout - (time.monotonic() - start)
            if i != last and left < 1:  # nbclient's limit is whole seconds: less than one is none
                errors[str(i)] = f"not run: the time limit of {limits.timeout:g} s was reached before it"
                continue
            # rounded up, so a cell that uses it all leaves nothing for the next (rounded down, a
            # fraction of a second was left and the next cell was cut off as if it had looped)
            client.timeout = limits.grade_timeout if i == last else math.ceil(left)
            problem = _run_cell(client, nb.cells[i], i, limits, grading=i == last)
            if problem:
                errors[str(i)] = problem
            if problem.startswith("the kernel stopped"):
                kernel = "died"
                break
    nbformat.write(nb, target)
    grade = _grade_printed(nb.cells[last]) if last is not None else None
    return {"errors": errors, "grade": grade, "kernel": kernel}


def _run_cell(client, cell, index: int, limits: Limits, grading: bool) -> str:
    """Execute one cell; what went wrong in it, in words (empty when nothing did)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    began = time.monotonic()
    try:
        client.execute_cell(cell, index)
    except CellTimeoutError:
        return f"time limit of {limits.timeout:g} s exceeded in this cell"
    except DeadKernelError:
        return "the kernel stopped in this cell (a memory or time limit, or a crash)"
    text = _error_text(cell)
    interrupted = not grading and text.startswith("KeyboardInterrupt")
    if interrupted and time.monotonic() - began >= client.timeout - 1:
        return f"time limit of {limits.timeout:g} s exceeded in this cell"
    return text


def _grade_printed(cell) -> dict | None:
    """The JSON the grading cell printed after :data:`GRADE_MARK`, or None."""
    for out in cell.get("outputs", []):
        text = out.get("text", "") if out.get("output_type") == "stream" else ""
        for line in text.splitlines():
            if line.startswith(GRADE_MARK):
                try:
                    return json.loads(line[len(GRADE_MARK) :])
                except ValueError:
                    return None
    return None


def _child_env(folder: Path, guard: bool) -> dict:
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env[var] = "http://127.0.0.1:9"  # the discard port: nothing is fetched through a proxy
    env["no_proxy"] = env["NO_PROXY"] = ""
    env.pop("JUPYTER_RUNTIME_DIR", None)
    env["JUPYTER_RUNTIME_DIR"] = str(folder / "runtime")
    if guard:
        site = folder / "site"
        site.mkdir(parents=True, exist_ok=True)
        (site / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH", "")) if p)
    return env


def run_sandboxed(notebook: str, target: str, cwd: str, limits: Limits, isolate: bool = True) -> dict:
    """Execute an untrusted notebook in a limited subprocess without network; never raises for it.

    Parameters
    ----------
    notebook, target, cwd : str
        As :func:`execute_cells`.
    limits : Limits
        The resource limits and time budgets.
    isolate : bool
        Use a network namespace when available (else the fallback guard, see the module docstring).

    Returns
    -------
    dict
        What :func:`execute_cells` returns, plus ``isolation`` (how the network was cut) and, when
        the process failed before writing its result, ``kernel`` saying why.
    """
    with tempfile.TemporaryDirectory(prefix="cxkit-sandbox-") as tmp:
        tmp = Path(tmp)
        spec = tmp / "spec.json"
        result = tmp / "result.json"
        spec.write_text(
            json.dumps(
                {
                    "notebook": notebook,
                    "target": target,
                    "cwd": cwd,
                    "limits": asdict(limits),
                    "result": str(result),
                }
            ),
            encoding="utf-8",
        )
        netns = isolate and network_namespace_available()
        cmd = [sys.executable, "-m", "cxlib.kit.sandbox", str(spec)]
        if netns:
            cmd = [shutil.which("unshare"), "--map-root-user", "--net", "--", *cmd, "--loopback"]
        wall = limits.timeout + limits.grade_timeout + 240  # kernel start and the margin
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=_child_env(tmp, guard=not netns),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _, err = proc.communicate(timeout=wall)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            err = b"killed: it outlived its time budget"
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # a kernel left behind
        except ProcessLookupError:
            pass
        isolation = "network namespace" if netns else "socket guard"
        try:
            out = json.loads(result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            lines = (err or b"").decode("utf-8", "replace").strip().splitlines()
            why = lines[-1][:200] if lines else f"exit status {proc.returncode}"
            out = {"errors": {}, "grade": None, "kernel": f"the notebook could not be run: {why}"}
        out["isolation"] = isolation
        return out


def main(argv: list[str] | None = None) -> int:
    """``python -m cxlib.kit.sandbox SPEC.json [--loopback]``: the limited process itself.

    Parameters
    ----------
    argv : list of str, optional
        The spec file written by :func:`run_sandboxed`, and ``--loopback`` inside a new network
        namespace (its loopback interface is brought up first).

    Returns
    -------
    int
        0 when the result file was written (whatever the notebook did), 2 when it could not start.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    if "--loopback" in argv and not _loopback_up():
        print("could not bring up the loopback interface in the network namespace", file=sys.stderr)
        return 2
    limits = Limits(**spec["limits"])
    _set_limits(limits)
    Path(spec["cwd"]).mkdir(parents=True, exist_ok=True)
    try:
        out = execute_cells(spec["notebook"], spec["target"], spec["cwd"], limits)
    except Exception as exc:  # noqa: BLE001 - reported to the grader, which writes a row for it
        out = {"errors": {}, "grade": None, "kernel": f"{type(exc).__name__}: {str(exc)[:200]}"}
    Path(spec["result"]).write_text(json.dumps(out), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
