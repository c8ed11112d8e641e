"""The true answer of every claim a lesson makes, for data the kit generated.

A lesson records its verdicts and headline estimates with :func:`cxlib.record.record`
(intervals with ``low=`` and ``high=``). For generated data the truth of each is known: this
package holds, per lesson, one :class:`Claim` per recorded name with a function that computes
the true value from the run's context (its ``truth.json``, its parameters, or a large
regeneration of the same business, see :meth:`Context.population`). ``cxkit claims`` runs the
lessons over many businesses and parameters and compares (:mod:`cxlib.kit.claims`).

Each lesson has a module ``lesson_NN.py`` with ``LESSON`` (the notebook's stem) and ``CLAIMS``
(a list of :class:`Claim`). Kinds:

* ``"interval"``: the lesson records an estimate with its interval; the truth is a number, and
  the interval should cover it at about its confidence level;
* ``"verdict"``: the lesson records a decision (true/false, a name, a category); the truth is
  the right decision, and says whether it decides with a clear margin (a verdict about an effect
  too small for the lesson's data to detect is reported, not targeted);
* ``"estimate"``: a point estimate without an interval; its error is reported, not targeted.
"""

from __future__ import annotations

import functools
import importlib
import json
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("interval", "verdict", "estimate")


@dataclass(frozen=True)
class Truth:
    """The true answer of a claim in one run.

    Parameters
    ----------
    value : float, bool or str
        The true value (a number for intervals and estimates; the right decision for verdicts).
    clear : bool
        For a verdict: whether the truth decides it with a clear margin (an effect far from the
        boundary the lesson's test uses). Verdicts that are not clear are reported, not targeted.
    """

    value: object
    clear: bool = True


@dataclass(frozen=True)
class Claim:
    """A claim a lesson records, and how to find its truth.

    Parameters
    ----------
    name : str
        The name the lesson records it under (``record(name, ...)``).
    kind : {"interval", "verdict", "estimate"}
        What is recorded (see the module docstring).
    about : str
        One plain sentence for the claims table.
    truth : callable
        ``truth(ctx) -> Truth | None``; None when this run cannot decide it (say, a claim
        about a branch when the run analyses the whole chain).
    """

    name: str
    kind: str
    about: str
    truth: Callable[[Context], Truth | None] = field(repr=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.name}: kind must be one of {KINDS}, got {self.kind!r}")


class Context:
    """What a truth function may use about one run.

    Parameters
    ----------
    seed : int
        The seed the run's data were generated from.
    params : dict
        The parameters the notebook ran with (its defaults filled in).
    data_dir : path
        The folder of the run's data (with ``truth.json``).
    """

    def __init__(self, seed: int, params: dict, data_dir: str | Path):
        self.seed = seed
        self.params = dict(params)
        self.data_dir = Path(data_dir)

    @functools.cached_property
    def truth(self) -> dict:
        """The run's ``truth.json``."""
        return json.loads((self.data_dir / "truth.json").read_text(encoding="utf-8"))

    def population(self, scale: float = 40.0) -> dict:
        """The same business at ``scale`` times the size: its tables, for population quantities.

        Branch effects, month effects and every fixed effect are drawn independently of the
        size, so a large regeneration of the same seed estimates the population values of
        the business the run analysed (with ``scale=40``, about a quarter of a million
        survey responses). Comments are left blank: no population truth reads them, and writing
        them is half the time of the regeneration.
        """
        return _population(self.seed, float(scale))

    def __getitem__(self, name: str):
        return self.params[name]


@functools.lru_cache(maxsize=8)
def _population(seed: int, scale: float) -> dict:
    from cxlib import synth

    tables, _ = synth.generate(seed=seed, scale=scale, comments=False)
    return tables


def registry() -> dict[str, list[Claim]]:
    """Every lesson's claims: ``{notebook stem: [Claim, ...]}``.

    Returns
    -------
    dict
        From the ``lesson_NN`` modules of this package.

    Examples
    --------
    >>> all(isinstance(c, Claim) for found in registry().values() for c in found)
    True
    """
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("lesson_"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            names = [c.name for c in module.CLAIMS]
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"{info.name}: claims registered twice: {dupes}")
            found[module.LESSON] = list(module.CLAIMS)
    return found
