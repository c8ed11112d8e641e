"""cxlib.kit: the instructor's tooling, run as ``cxkit`` verbs (:mod:`cxlib.kit.cli`).

It depends on :mod:`cxlib` and never the reverse: ``import cxlib`` and the analysis modules
load none of the tooling's packages (papermill, nbformat, nbclient, jupytext, sphinx, yaml,
tqdm), and no module outside ``cxlib/kit/`` imports it (tests/test_kit_layout.py checks both).

The batch runner, ``cxkit run``, is split by job the way papermill's execute.py reads
(load -> parameterize -> execute -> write):

* :mod:`~cxlib.kit.roster`: rosters and grids into runs; parameter text to the notebook's types;
* :mod:`~cxlib.kit.plan`: tasks, their cache keys, the manifest of what is up to date;
* :mod:`~cxlib.kit.execute`: one notebook with papermill, the failing cell; one run's data;
* :mod:`~cxlib.kit.schedule`: where jobs run (one after another, or a process pool);
  :mod:`~cxlib.kit.dask_scheduler` on a Dask cluster (``--scheduler``; Dask is imported only then);
* :mod:`~cxlib.kit.report`: summary.csv, notebooks.csv, summary.html;
* :mod:`~cxlib.kit.batch`: :func:`~cxlib.kit.batch.run_batch`, tying them together;
* :mod:`~cxlib.kit.run`: the ``run`` verb's options and messages.

The other verbs: :mod:`~cxlib.kit.notebooks`, :mod:`~cxlib.kit.exercises`, :mod:`~cxlib.kit.site`,
:mod:`~cxlib.kit.course`, :mod:`~cxlib.kit.datadoc`, and ``synth`` (:mod:`cxlib.synth`, which
learners may use too).
"""
