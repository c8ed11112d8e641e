"""cxlib.kit: the instructor's tooling, run as ``cxkit`` verbs.

It depends on :mod:`cxlib` and never the reverse: ``import cxlib`` and the analysis modules
load none of the tooling's packages (papermill, nbformat, nbclient, jupytext, sphinx, yaml,
tqdm).
"""
