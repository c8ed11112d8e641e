"""The schedulers (cxlib.kit.schedule) keep the same rules, one after another or on a process pool.

Any later scheduler (Dask, issue 20) can be added to SCHEDULERS and must pass the same tests.
"""

from __future__ import annotations

import os

import pytest

from cxlib.kit.schedule import Done, Job, PoolScheduler, SerialScheduler, make_scheduler


def _square(x):
    return x * x


def _fail(message):
    raise RuntimeError(message)


def _pid(_):
    return os.getpid()


def _die(_):
    os._exit(3)  # a worker that crashes (as a segfaulting extension would)


SCHEDULERS = [pytest.param(SerialScheduler, id="serial"), pytest.param(lambda: PoolScheduler(2), id="pool")]


def _jobs():
    return [
        Job(("data", "a"), _square, (3,)),
        Job(("data", "b"), _fail, ("no disk space",)),
        Job(("nb", "a", 1), _square, (4,), after=(("data", "a"),)),
        Job(("nb", "b", 1), _square, (5,), after=(("data", "b"),)),
        Job(("nb", "b", 2), _square, (6,), after=(("nb", "b", 1),)),
        Job(("nb", "c", 1), _square, (7,)),
    ]


@pytest.mark.parametrize("make", SCHEDULERS)
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


@pytest.mark.parametrize("make", SCHEDULERS)
def test_a_job_runs_only_after_what_it_waits_for(make):
    order = [d.key for d in make().run(_jobs())]
    for job in _jobs():
        for before in job.after:
            assert order.index(before) < order.index(job.key)


@pytest.mark.parametrize("make", SCHEDULERS)
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
