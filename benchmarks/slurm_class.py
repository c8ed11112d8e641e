"""Run a class's notebooks on a Slurm cluster with dask-jobqueue: a worked example for instructors.

    python benchmarks/slurm_class.py --jobs 10 --cores 8 --partition normal -- \\
        "notebooks/*.ipynb" --roster class.csv --student-data --out /shared/course/runs

Run it on the cluster's login node, from a folder every node sees (the repository, the roster and
``--out`` on the shared file system), with cx-course-kit installed with its cluster extra
(``pip install -e '.[cluster]'``) in an environment the nodes see too. It:

1. starts a Dask scheduler here and asks Slurm for ``--jobs`` jobs; each job runs ``--cores``
   Dask worker processes of one thread each (a worker runs one notebook's kernel at a time);
2. runs ``cxkit run ARGS --scheduler <the scheduler's address>``: everything after ``--`` is the
   same command an instructor types on a laptop, so resume (run it again after an interruption or
   a lost job), ``--force``, ``--timeout`` and the summary work the same way;
3. cancels the Slurm jobs when the batch ends (they also end with ``--walltime``).

Sizing (measured on the course's lessons, see the README): each worker needs about 0.2 GB for
itself and up to 0.4 GB for the kernel of the largest lesson; ask ``--memory-per-worker 1GiB`` to
leave room. A lost job (its wall time over, a node down) loses its workers' running notebooks:
Dask gives them to the other workers. ``--dry-run`` prints the job script Slurm would get and the
command, and submits nothing.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys

from dask.utils import format_bytes, parse_bytes


def parse(argv=None) -> tuple[argparse.Namespace, list[str]]:
    """This script's options, and the ``cxkit run`` arguments after ``--``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    ours, cxkit = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=4, help="Slurm jobs to ask for (default 4)")
    parser.add_argument("--cores", type=int, default=8, help="cores per job = worker processes (default 8)")
    parser.add_argument("--memory-per-worker", default="1GiB", help="memory per worker process (1GiB)")
    parser.add_argument("--walltime", default="02:00:00", help="each job's wall time (02:00:00)")
    parser.add_argument("--partition", help="Slurm partition (queue)")
    parser.add_argument("--account", help="Slurm account to charge")
    parser.add_argument("--local-directory", default="$TMPDIR", help="node-local scratch ($TMPDIR)")
    parser.add_argument("--python", default=sys.executable, help="the Python the nodes run (this one)")
    parser.add_argument("--dry-run", action="store_true", help="print the job script and the command")
    args = parser.parse_args(ours)
    if not cxkit:
        parser.error(
            "give the cxkit run arguments after --, e.g. -- notebooks/*.ipynb --roster class.csv --out runs"
        )
    return args, cxkit


def make_cluster(args: argparse.Namespace):
    """The SLURMCluster: ``--cores`` single-threaded workers per job, with their memory."""
    from dask_jobqueue import SLURMCluster

    per_worker = parse_bytes(args.memory_per_worker)
    return SLURMCluster(
        cores=args.cores,
        processes=args.cores,  # one worker process per core, one thread each: one notebook at a time
        memory=format_bytes(per_worker * args.cores),  # the job's total; each worker gets its share
        walltime=args.walltime,
        queue=args.partition,
        account=args.account,
        local_directory=args.local_directory,
        python=args.python,
        scheduler_options={"dashboard_address": ":8787"},  # ssh -L 8787:localhost:8787 login-node
    )


def main(argv=None) -> int:
    args, cxkit = parse(argv)
    with make_cluster(args) as cluster:
        command = [args.python, "-m", "cxlib.kit", "run", *cxkit, "--scheduler", cluster.scheduler_address]
        if args.dry_run:
            print(cluster.job_script())
            print(shlex.join(command))
            return 0
        cluster.scale(jobs=args.jobs)
        print(f"asked Slurm for {args.jobs} jobs of {args.cores} workers; running: {shlex.join(command)}")
        return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main())
