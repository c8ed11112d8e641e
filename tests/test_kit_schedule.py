"""The schedulers keep the same rules, one after another, on a process pool or on a Dask cluster.

Every scheduler in SCHEDULERS passes the same tests (cxlib.kit.schedule's rules); the Dask one runs
on a LocalCluster of two worker processes started once for this file, and has tests of its own:
a task whose worker dies is retried elsewhere, one that fails is not.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxlib.kit.roster import RunError
from cxlib.kit.schedule import Done, Job, Output, PoolScheduler, SerialScheduler, constant, make_scheduler


def _square(x):
    return x * x


def _fail(message):
    raise RuntimeError(message)


def _pid(_):
    return os.getpid()


def _die(_):
    os._exit(3)  # a worker that crashes (as a segfaulting extension would)


def _die_once(marker: str):
    """Kill this worker the first time (as a lost node would), answer the second."""
    if not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os._exit(3)
    return os.getpid()


def _fail_counting(path: str):
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("tried\n")
    raise RuntimeError("this notebook fails")


@pytest.fixture(scope="module")
def dask_address():
    """A LocalCluster of two single-threaded worker processes; a task may lose 2 workers, not 3."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            yield cluster.scheduler_address


@pytest.fixture(params=["serial", "pool", "dask"])
def make(request):
    if request.param == "serial":
        return SerialScheduler
    if request.param == "pool":
        return lambda: PoolScheduler(2)
    from cxlib.kit.dask_scheduler import DaskScheduler

    address = request.getfixturevalue("dask_address")
    return lambda: DaskScheduler(address)


def _jobs():
    return [
        Job(("data", "a"), _square, (3,)),
        Job(("data", "b"), _fail, ("no disk space",)),
        Job(("nb", "a", 1), _square, (4,), after=(("data", "a"),)),
        Job(("nb", "b", 1), _square, (5,), after=(("data", "b"),)),
        Job(("nb", "b", 2), _square, (6,), after=(("nb", "b", 1),)),
        Job(("nb", "c", 1), _square, (7,)),
    ]


def test_every_job_is_reported_once_with_its_value_or_error(make):
    done = {d.key: d for d in make().run(_jobs())}
    assert set(done) == {job.key for job in _jobs()}
    assert done["data", "a"] == Done(("data", "a"), 9)
    assert done["nb", "a", 1].value == 16 and done["nb", "c", 1].value == 49
    assert done["data", "b"].error == "RuntimeError: no disk space" and done["data", "b"].cause is None
    # a job waiting for a failed one does not run: it carries the error and its cause, down the chain
    assert done["nb", "b", 1] == Done(
        ("nb", "b", 1), error="RuntimeError: no disk space", cause=("data", "b")
    )
    assert done["nb", "b", 2].cause == ("nb", "b", 1) and done["nb", "b", 2].error == done["data", "b"].error


def test_a_job_runs_only_after_what_it_waits_for(make):
    order = [d.key for d in make().run(_jobs())]
    for job in _jobs():
        for before in job.after:
            assert order.index(before) < order.index(job.key)


def test_jobs_that_wait_in_a_circle_or_for_nothing_are_refused(make):
    with pytest.raises(ValueError, match="in a circle"):
        list(
            make().run(
                [Job(("a",), _square, (1,), after=(("b",),)), Job(("b",), _square, (1,), after=(("a",),))]
            )
        )
    with pytest.raises(ValueError, match="not in the list"):
        list(make().run([Job(("a",), _square, (1,), after=(("x",),))]))
    with pytest.raises(ValueError, match="its own key"):
        list(make().run([Job(("a",), _square, (1,)), Job(("a",), _square, (2,))]))


def test_serial_runs_in_this_process_and_the_pool_in_workers():
    jobs = [Job((i,), _pid, (i,)) for i in range(4)]
    assert {d.value for d in SerialScheduler().run(jobs)} == {os.getpid()}
    assert os.getpid() not in {d.value for d in PoolScheduler(2).run(jobs)}


def test_a_crashed_worker_fails_its_job_and_the_rest_are_reported():
    jobs = [Job(("dies",), _die, (0,)), *[Job((i,), _square, (i,)) for i in range(3)]]
    done = {d.key: d for d in PoolScheduler(2).run(jobs)}
    assert set(done) == {job.key for job in jobs}
    assert "BrokenProcessPool" in done["dies",].error or "pool" in done["dies",].error.lower()
    assert all(d.error is None or "pool" in d.error.lower() for d in done.values())


def test_make_scheduler_never_starts_more_workers_than_jobs():
    assert isinstance(make_scheduler(1, jobs=10), SerialScheduler)
    assert isinstance(make_scheduler(8, jobs=1), SerialScheduler)
    assert isinstance(make_scheduler(8, jobs=0), SerialScheduler)
    pool = make_scheduler(8, jobs=3)
    assert isinstance(pool, PoolScheduler) and pool.workers == 3


def test_a_jobs_output_is_passed_to_the_jobs_that_take_it(make):
    jobs = [
        Job("text", constant, ("hello",)),
        Job("n", len, (Output("text"),)),
        Job("twice", _square, (Output("n"),)),
        Job("fails", _fail, ("no disk space",)),
        Job("never", len, (Output("fails"),)),
    ]
    done = {d.key: d for d in make().run(jobs)}
    assert (done["text"].value, done["n"].value, done["twice"].value) == ("hello", 5, 25)
    assert done["never"] == Done("never", error="RuntimeError: no disk space", cause="fails")


def test_dask_retries_a_task_whose_worker_died_elsewhere_and_never_one_that_failed(dask_address, tmp_path):
    from cxlib.kit.dask_scheduler import DaskScheduler

    marker, tries = tmp_path / "died", tmp_path / "tries"
    jobs = [Job("dies once", _die_once, (str(marker),)), Job("fails", _fail_counting, (str(tries),))]
    done = {d.key: d for d in DaskScheduler(dask_address).run(jobs)}
    assert done["dies once"].error is None  # retried after its worker died, and answered
    assert done["dies once"].value != int(marker.read_text())  # by another worker process
    assert done["fails"].error == "RuntimeError: this notebook fails"
    assert tries.read_text() == "tried\n"  # a failure is a result: tried once


def test_dask_reports_a_task_that_kills_every_worker_it_is_given(dask_address):
    from cxlib.kit.dask_scheduler import DaskScheduler

    jobs = [Job("dies", _die, (0,)), Job("fine", _square, (3,))]
    done = {d.key: d for d in DaskScheduler(dask_address).run(jobs)}
    assert done["fine"].value == 9
    assert done["dies"].error.startswith("KilledWorker: the worker running it died, on each of 2 tries")


def test_dask_runs_jobs_in_worker_processes(dask_address):
    from cxlib.kit.dask_scheduler import DaskScheduler

    pids = {d.value for d in DaskScheduler(dask_address).run([Job((i,), _pid, (i,)) for i in range(4)])}
    assert os.getpid() not in pids


def test_a_scheduler_address_is_checked_before_anything_runs():
    from cxlib.kit.dask_scheduler import DaskScheduler, local_workers

    assert local_workers("local:3") == 3 and local_workers("10.0.0.5:8786") is None
    for bad in ["local:0", "local:two", "my cluster", "http//x"]:
        with pytest.raises(RunError, match="--scheduler"):
            make_scheduler(None, 10, bad)
    assert list(DaskScheduler("tcp://127.0.0.1:9").run([])) == []  # nothing to do: no cluster is reached
    # nothing listens there: a clear error (the batch exits 2), not a traceback
    with pytest.raises(RunError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        list(DaskScheduler("tcp://127.0.0.1:9", connect_timeout=2).run([Job("a", _square, (1,))]))
