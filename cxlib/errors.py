"""Exceptions raised by cxlib.

Every error a learner can cause is a :class:`CxlibError`, a subclass of
:class:`ValueError`, so ``except ValueError`` catches it too. The message names
the table or argument, the column, a few offending rows and values, and what was
expected.
"""


class CxlibError(ValueError):
    """Base class of the errors cxlib raises on bad input."""


class DataError(CxlibError):
    """A data table does not match its schema (see ``datasets/README.md``)."""


class InputError(CxlibError):
    """An argument given to an analysis function is not usable."""
