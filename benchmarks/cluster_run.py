"""The cost of running a class on Dask: the local pool against a LocalCluster of the same size.

    python benchmarks/cluster_run.py --students 40 [--rounds 1] [--workers 2] [--notebooks notebooks/*.ipynb]

Runs every lesson for N students, each with their own data (a seed per student), twice on this
machine with the same number of worker processes:

1. ``cxkit run ... --workers W`` (the local process pool);
2. ``cxkit run ... --scheduler local:W`` (a Dask LocalCluster of W single-threaded processes).

Both generate the students' data and run every (student, lesson) pair; the ratio of their wall
times is the engine's overhead. ``--rounds R`` alternates the two R times (pool, Dask, pool, ...,
each round into a new folder) and adds the times, so that a change in the machine's load during the
measurement weighs on both alike. While each runs, the memory of every process under the command is
sampled (psutil, every 0.2 s): the largest kernel and the largest worker are what a cluster worker
must hold. From the per-notebook times of the Dask run (``notebooks.csv``: kernel start included)
and the time to generate one student's data, it estimates the wall time of a larger class on more
workers (``--estimate-students``, ``--estimate-workers``; 1,000 on 100 by default)::

    work    = students * (data + sum over lessons of the mean notebook time)
    wall   ~= work / workers * (dask / pool) + the longest notebook   (the last one to start)

That is: the work spread evenly, slowed by the engine's overhead as measured here, plus the tail
of the slowest notebook started last. The per-notebook times come from this machine (two cores
shared with other work: an upper bound for a cluster core that runs one notebook at a time).
Writes ``build/cluster_run.json``.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class PeakMemory:
    """The peak resident memory of each kind of process under a command: kernels, and the rest."""

    def __init__(self, pid: int):
        import psutil

        self.root, self.peak = psutil.Process(pid), {"kernel": 0, "worker": 0}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        import psutil

        while not self.stop.wait(0.2):
            try:
                children = self.root.children(recursive=True)
            except psutil.Error:
                return
            for proc in children:
                try:
                    kind = "kernel" if "ipykernel" in " ".join(proc.cmdline()) else "worker"
                    self.peak[kind] = max(self.peak[kind], proc.memory_info().rss)
                except psutil.Error:
                    continue

    def close(self) -> dict:
        self.stop.set()
        self.thread.join()
        return {kind: round(rss / 2**20) for kind, rss in self.peak.items()}


def timed_run(notebooks, roster: Path, out: Path, engine: list[str]) -> dict:
    """One ``cxkit run`` of the class: wall time, exit status, peak memory, per-notebook times."""
    cmd = [str(Path(sys.executable).with_name("cxkit")), "run", *notebooks, "--roster", str(roster)]
    cmd += ["--out", str(out), "--quiet", *engine]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    memory = PeakMemory(proc.pid)
    rc = proc.wait()
    seconds = time.perf_counter() - t0
    peak = memory.close()
    with open(out / "notebooks.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    per_lesson = {}
    for row in rows:
        per_lesson.setdefault(row["notebook"], []).append(float(row["duration_s"]))
    return {
        "seconds": round(seconds, 1),
        "exit": rc,
        "failed": sum(row["status"] == "failed" for row in rows),
        "peak_mb": peak,
        "lesson_mean_s": {nb: round(statistics.mean(ts), 2) for nb, ts in per_lesson.items()},
        "lesson_max_s": {nb: round(max(ts), 2) for nb, ts in per_lesson.items()},
    }


def _combine(rounds: list[dict]) -> dict:
    """The rounds of one engine as one: times added, peaks and per-notebook figures over all rounds."""
    lessons = rounds[0]["lesson_mean_s"]
    return {
        "seconds": round(sum(r["seconds"] for r in rounds), 1),
        "rounds_seconds": [r["seconds"] for r in rounds],
        "exit": max(r["exit"] for r in rounds),
        "failed": sum(r["failed"] for r in rounds),
        "peak_mb": {k: max(r["peak_mb"][k] for r in rounds) for k in rounds[0]["peak_mb"]},
        "lesson_mean_s": {
            nb: round(statistics.mean(r["lesson_mean_s"][nb] for r in rounds), 2) for nb in lessons
        },
        "lesson_max_s": {nb: max(r["lesson_max_s"][nb] for r in rounds) for nb in lessons},
    }


def data_seconds(repeat: int = 3) -> float:
    """The time to generate one student's business (best of a few seeds), as a worker does."""
    from cxlib.kit.execute import generate_data

    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(repeat):
            t0 = time.perf_counter()
            generate_data(Path(tmp) / str(seed), 1000 + seed, {"seed": seed})
            best = min(best, time.perf_counter() - t0)
    return best


def estimate(dask: dict, ratio: float, data_s: float, students: int, workers: int) -> dict:
    """The wall time of ``students`` on ``workers`` from the measured costs (see the module docstring)."""
    per_student = data_s + sum(dask["lesson_mean_s"].values())
    work = students * per_student
    tail = max(dask["lesson_max_s"].values())
    wall = work / workers * ratio + tail
    return {
        "students": students,
        "workers": workers,
        "per_student_s": round(per_student, 1),
        "work_core_hours": round(work / 3600, 1),
        "wall_minutes": round(wall / 60, 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=1, help="alternate the two engines this many times")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument(
        "--notebooks", nargs="*", default=sorted(glob.glob(str(ROOT / "notebooks" / "*.ipynb")))
    )
    parser.add_argument("--estimate-students", type=int, default=1000)
    parser.add_argument("--estimate-workers", type=int, default=100)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cxkit-cluster-"))
    roster = work / "class.csv"
    roster.write_text("student_id,seed\n" + "".join(f"s{i:03d},{100 + i}\n" for i in range(args.students)))
    result = {
        "students": args.students,
        "notebooks": [Path(nb).name for nb in args.notebooks],
        "rounds": args.rounds,
        "notebook_runs": args.students * len(args.notebooks) * args.rounds,
        "workers": args.workers,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    engines = {"pool": ["--workers", str(args.workers)], "dask": ["--scheduler", f"local:{args.workers}"]}
    runs = {name: [] for name in engines}
    for r in range(args.rounds):  # alternated, so that a change in the machine's load hits both alike
        for name, engine in engines.items():
            runs[name].append(timed_run(args.notebooks, roster, work / f"{name}{r}", engine))
            print(
                f"round {r + 1}, {name}: {runs[name][-1]['seconds']} s, exit {runs[name][-1]['exit']}",
                flush=True,
            )
    for name, rounds in runs.items():
        result[name] = _combine(rounds)
    result["dask_over_pool"] = round(result["dask"]["seconds"] / result["pool"]["seconds"], 3)
    result["data_s"] = round(data_seconds(), 2)
    result["estimate"] = estimate(
        result["dask"],
        result["dask_over_pool"],
        result["data_s"],
        args.estimate_students,
        args.estimate_workers,
    )
    print(json.dumps(result, indent=2))
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "cluster_run.json").write_text(json.dumps(result, indent=2))
    ok = all(result[k]["exit"] == 0 for k in ("pool", "dask"))
    if ok:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
