"""Time a class batch run: the cxlib runner against the plain papermill command line.

    python benchmarks/batch_run.py --students 10 [--notebooks notebooks/*.ipynb]

Runs every lesson for N students (each with their own data, from a seed) twice:

1. ``python -m cxlib.run`` with a roster (parallel workers, one process per run);
2. the same runs one after another with the ``papermill`` command line, the way an
   instructor would script it without the kit (data generated beforehand, not timed).

Prints both wall-clock times and writes them to ``build/batch_run.json``.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--notebooks", nargs="*", default=sorted(glob.glob(str(ROOT / "notebooks" / "*.ipynb"))))
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cxkit-batch-"))
    roster = work / "class.csv"
    roster.write_text("student_id,seed\n" + "".join(f"s{i:02d},{100 + i}\n" for i in range(args.students)))
    bin_dir = Path(sys.executable).parent

    t0 = time.perf_counter()
    rc = subprocess.run([sys.executable, "-m", "cxlib.run", *args.notebooks, "--roster", str(roster),
                         "--out", str(work / "runner"), "--workers", str(args.workers), "--quiet"]).returncode
    runner_s = time.perf_counter() - t0

    # the plain command line: same data, generated beforehand (not timed)
    for i in range(args.students):
        src = work / "runner" / f"s{i:02d}" / "data"
        if not src.exists():
            subprocess.run([sys.executable, "-m", "cxlib.synth", "--seed", str(100 + i), "--out", str(src)], check=True)
    t0 = time.perf_counter()
    failures = 0
    for i in range(args.students):
        out = work / "cli" / f"s{i:02d}"
        out.mkdir(parents=True, exist_ok=True)
        for nb in args.notebooks:
            r = subprocess.run([str(bin_dir / "papermill"), nb, str(out / Path(nb).name), "-p", "data_dir",
                                str(work / "runner" / f"s{i:02d}" / "data"), "--cwd", str(out), "-k", "python3"],
                               capture_output=True)
            failures += r.returncode != 0
    cli_s = time.perf_counter() - t0
    result = {"students": args.students, "notebooks": len(args.notebooks), "runs": args.students * len(args.notebooks),
              "workers": args.workers, "runner_seconds": round(runner_s, 1), "runner_exit": rc,
              "papermill_cli_sequential_seconds": round(cli_s, 1), "cli_failures": failures,
              "speedup": round(cli_s / runner_s, 2)}
    print(json.dumps(result, indent=2))
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "batch_run.json").write_text(json.dumps(result, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
