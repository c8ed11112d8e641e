"""Importing the analysis is cheap: scipy.stats and statsmodels load only when a function needs them.

``import cxlib.metrics, cxlib.scales, cxlib.drivers, cxlib.data`` used to take three times as long
as ``import pandas``, because scipy.stats was imported at the top of the modules. The time itself is
measured in the benchmarks (``python -m benchmarks``, "import cost"), never asserted here: these
tests check, in a fresh interpreter, which modules an import loads, which does not depend on the
machine's speed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

HEAVY = ("scipy.stats", "statsmodels", "matplotlib", "seaborn")
ANALYSIS = [
    "cxlib.metrics",
    "cxlib.scales",
    "cxlib.drivers",
    "cxlib.data",
    "cxlib.compare",
    "cxlib.gaps",
    "cxlib.benchmark",
    "cxlib.levels",
    "cxlib.journey",
    "cxlib.value",
    "cxlib.tracking",
    "cxlib.checks",
    "cxlib.record",
    "cxlib.params",
]


def _loaded_after(code: str) -> list[str]:
    """The heavy packages present in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
    probe += "('scipy', 'statsmodels', 'matplotlib', 'seaborn'))))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return [h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in loaded)]


def test_the_four_modules_of_the_benchmark_load_no_heavy_package():
    assert _loaded_after("import cxlib.metrics, cxlib.scales, cxlib.drivers, cxlib.data") == []


@pytest.mark.parametrize("module", ANALYSIS)
def test_no_analysis_module_loads_scipy_stats_or_statsmodels_at_import(module):
    assert _loaded_after(f"import {module}") == []


def test_the_heavy_packages_still_load_when_a_function_needs_them():
    # the check above must be able to fail: a regression really does import statsmodels
    code = (
        "import numpy as np, pandas as pd\nfrom cxlib import drivers\n"
        "d = pd.DataFrame({'y': [1.0, 2, 4, 3, 5, 6, 8, 7], 'a': [1.0, 2, 3, 4, 5, 6, 7, 8],"
        " 'b': [2.0, 1, 2, 1, 2, 1, 2, 1]})\ndrivers.key_drivers(d, 'y', ['a', 'b'])"
    )
    assert "statsmodels" in _loaded_after(code)


def test_the_numbers_are_those_of_scipy_stats():
    # cxlib._dist calls the special functions scipy.stats uses underneath: identical values
    from scipy import stats

    from cxlib import _dist

    for p in (0.5, 0.8, 0.95, 0.975, 0.995):
        assert _dist.normal_quantile(p) == stats.norm.ppf(p)
        for df in (1, 4, 29, 1000):
            assert _dist.t_quantile(p, df) == stats.t.ppf(p, df)
            assert _dist.t_sf(p * 3, df) == stats.t.sf(p * 3, df)
        assert _dist.normal_sf(p * 3) == stats.norm.sf(p * 3)
        assert _dist.f_isf(1 - p, 5, 40) == stats.f.isf(1 - p, 5, 40)
