"""cxkit run on a real Dask cluster: a scheduler and worker processes on 127.0.0.1, a worker killed mid-batch.

The cluster is what an instructor starts: ``dask scheduler`` and ``dask worker`` commands (each a
process group of its own, so that a worker is killed the way a lost node dies, kernel and all).
The class is three students with their own data over three short lessons. Nothing waits a fixed
time: each step waits for a condition (a worker busy with a notebook, the batch finished) with a
generous limit. Without a shared folder, the worker has no access to the instructor's folder (as
root, it runs without the powers that let root read any file): it cannot read the notebooks or
write the outputs itself.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, without_root_powers

pytestmark = pytest.mark.slow  # a cluster, kernels, lessons

BIN = Path(sys.executable).parent
SHORT = ("00_welcome.ipynb", "03_headline_metrics.ipynb", "07_levels_of_service.ipynb")
LESSONS = [str(ROOT / "notebooks" / name) for name in SHORT]


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        time.sleep(0.2)


def _csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _address_in(file: Path) -> str | None:
    try:
        return json.loads(file.read_text()).get("address")
    except (OSError, ValueError):  # not there yet, or being written
        return None


class Cluster:
    """A ``dask scheduler`` and ``dask worker`` processes started as commands, stopped at the end."""

    def __init__(self, folder: Path):
        self.folder, self.workers = folder, {}
        file = folder / "scheduler.json"
        self.scheduler = self._start(
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(file),
            ]
        )
        self.address = _wait_for(lambda: _address_in(file), 120, "the scheduler")
        from distributed import Client

        self.client = Client(self.address, timeout=60)

    def _start(self, args: list[str], **popen) -> subprocess.Popen:
        with open(self.folder / f"{args[0]}-{len(self.workers)}.log", "w") as log:  # the child keeps its copy
            return subprocess.Popen(
                [str(BIN / "dask"), *args],
                stdout=log,
                stderr=log,
                start_new_session=True,
                cwd=self.folder,
                **popen,
            )

    def add_worker(self, name: str, **popen) -> None:
        """Start ``dask worker`` with one thread, in a folder of its own."""
        space = self.folder / f"space-{name}"
        args = ["worker", self.address, "--name", name, "--nthreads", "1", "--no-dashboard"]
        args += ["--host", "127.0.0.1", "--local-directory", str(space)]
        self.workers[name] = self._start(args, **popen)
        _wait_for(lambda: name in self._names(), 180, f"worker {name}")

    def _names(self) -> set:
        return {w["name"] for w in self.client.scheduler_info()["workers"].values()}

    def busy_with_a_notebook(self, name: str) -> bool:
        address = next(
            (a for a, w in self.client.scheduler_info()["workers"].items() if w["name"] == name), None
        )
        return any(str(key).startswith("notebook-") for key in self.client.processing().get(address, ()))

    def kill(self, name: str) -> None:
        """Kill a worker (nanny, worker process and the kernel it runs) the way a lost node dies."""
        proc = self.workers.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)

    def close(self) -> None:
        self.client.close()
        for proc in [*self.workers.values(), self.scheduler]:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=60)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    yield c
    c.close()


def _cxkit(*args) -> list[str]:
    return [str(BIN / "cxkit"), "run", *LESSONS, *args, "--quiet"]


def test_a_class_runs_on_a_cluster_through_a_lost_worker_and_then_resumes_with_nothing_to_do(
    cluster, tmp_path
):
    cluster.add_worker("w1")
    cluster.add_worker("w2")
    roster = tmp_path / "class.csv"
    roster.write_text("student_id,seed\nana,11\nben,12\ncy,13\n")
    out = tmp_path / "out"
    cmd = _cxkit("--roster", str(roster), "--out", str(out), "--scheduler", cluster.address)
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as batch:
        # in the middle: w1 is running a notebook (its kernel busy) while the batch goes on
        _wait_for(
            lambda: cluster.busy_with_a_notebook("w1") or batch.poll() is not None,
            600,
            "w1 to run a notebook",
        )
        assert batch.poll() is None, batch.stderr.read()
        cluster.kill("w1")
        stdout, stderr = batch.communicate(timeout=1800)
    assert batch.returncode == 0, stderr
    assert "9 of 9 notebook runs passed (0 up to date)" in stdout
    rows = _csv(out / "summary.csv")
    assert [(r["run_id"], r["status"], r["passed"]) for r in rows] == [
        (s, "ok", "3/3") for s in ("ana", "ben", "cy")
    ]
    given = ("run_id", "student_id", "seed", "data_dir", "status", "passed", "duration_s", "error")
    recorded = [c for c in rows[0] if c not in given and not c.startswith("failed_")]
    assert recorded and all(r[c] != "" for r in rows for c in recorded)  # each lesson's headline numbers
    assert len({tuple(r[c] for c in recorded) for r in rows}) == 3  # three students, three businesses
    for s in ("ana", "ben", "cy"):
        assert (
            json.loads((out / s / "data" / ".cxkit-data.json").read_text())["seed"]
            == {"ana": 11, "ben": 12, "cy": 13}[s]
        )
        assert {e["status"] for e in json.loads((out / s / "manifest.json").read_text()).values()} == {"ok"}
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "9 of 9 notebook runs passed (9 up to date)" in again.stdout
    assert {r["status"] for r in _csv(out / "notebooks.csv")} == {"skipped"}


def test_without_a_shared_folder_the_workers_get_the_data_and_return_the_notebooks(cluster, tmp_path):
    private = tmp_path / "private"  # the instructor's folder: the worker cannot see it (as root too)
    private.mkdir()
    cluster.add_worker("elsewhere", **without_root_powers())  # the only worker
    closed = os.geteuid() == 0  # root's powers let this process write in a folder closed to the worker
    if closed:
        private.chmod(0)
    roster = private / "class.csv"
    roster.write_text("student_id,seed\nana,11\nben,12\n")
    (private / "00_welcome.ipynb").write_bytes(Path(LESSONS[0]).read_bytes())
    out = private / "out"
    cmd = [str(BIN / "cxkit"), "run", str(private / "00_welcome.ipynb"), "--roster", str(roster)]
    cmd += ["--out", str(out), "--scheduler", cluster.address, "--quiet"]
    done = subprocess.run([*cmd, "--no-shared-fs"], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr + done.stdout
    assert [(r["run_id"], r["status"]) for r in _csv(out / "summary.csv")] == [("ana", "ok"), ("ben", "ok")]
    for s, seed in (("ana", 11), ("ben", 12)):
        assert (out / s / "00_welcome.ipynb").is_file()
        assert json.loads((out / s / "data" / ".cxkit-data.json").read_text())["seed"] == seed
    if closed:  # the same batch with a shared folder cannot work here: the worker cannot read the notebook
        failed = subprocess.run([*cmd, "--force"], capture_output=True, text=True, timeout=1200)
        assert failed.returncode == 1 and "Permission denied" in failed.stderr


def test_the_slurm_example_asks_for_single_threaded_workers_with_their_memory(capsys):
    # the README's worked example: what Slurm would get, without Slurm (nothing is submitted)
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import slurm_class
    finally:
        sys.path.remove(str(ROOT))
    argv = [
        "--dry-run",
        "--jobs",
        "3",
        "--cores",
        "4",
        "--memory-per-worker",
        "1.5GiB",
        "--partition",
        "teach",
    ]
    assert slurm_class.main([*argv, "--", "notebooks/*.ipynb", "--roster", "class.csv", "--out", "runs"]) == 0
    script, command = capsys.readouterr().out.strip().rsplit("\n", 1)
    assert "#SBATCH -p teach" in script and "#SBATCH --cpus-per-task=4" in script
    assert "#SBATCH --mem=6G" in script and "#SBATCH -t 02:00:00" in script
    worker = next(line for line in script.splitlines() if "dask_worker" in line)
    assert "--nthreads 1" in worker and "--nworkers 4" in worker and "--memory-limit 1.50GiB" in worker
    assert command.startswith(f"{sys.executable} -m cxlib.kit run 'notebooks/*.ipynb' --roster class.csv")
    assert " --scheduler tcp://" in command


def _dask_loaded_after_a_batch(tmp_path, *options: str) -> bool:
    """Run a tiny batch through the cxkit command in a fresh interpreter; was Dask imported?"""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("n = 1", metadata={"tags": ["parameters"]})]
    nbformat.write(nb, tmp_path / "tiny.ipynb")
    probe = (
        "import sys\nfrom cxlib.kit import cli\n"
        f"code = cli.main(['run', {str(tmp_path / 'tiny.ipynb')!r}, '--out', {str(tmp_path / 'out')!r}, "
        f"'--quiet', '--force', *{list(options)!r}])\n"
        "print(code, any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=600)
    code, loaded = done.stdout.split()[-2:]
    assert code == "0", done.stderr
    return loaded == "True"


def test_without_the_scheduler_option_dask_is_never_imported(tmp_path):
    assert not _dask_loaded_after_a_batch(tmp_path, "--workers", "1")
    assert _dask_loaded_after_a_batch(tmp_path, "--scheduler", "local:1")  # the check can see it
