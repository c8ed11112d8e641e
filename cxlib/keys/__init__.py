"""The exercises' keys: per exercise, the expected value of each task, from the student's own data.

``_exNN.py`` holds the key of ``exercises/NN_*.ipynb``: ``PARAMETERS`` (the exercise's parameters),
``setup(**parameters)`` (loads the data from ``data_dir`` and checks the parameters, as the
exercise does), one function per task (``task1(env, *answers)``, which compares the answers
with values it computes, with :func:`cxlib.checks.check_number` and friends) and ``TASKS``
(task id to the names of the answers it takes). An exercise's check cell shows only
``check("task1", answer)`` (:func:`cxlib.checks.exercise`).

These modules ship with the package, so a determined student who reads it can find them:
self-checks are for learning. The grader's hidden tests (``solutions/hidden/``) are not shipped.
"""
