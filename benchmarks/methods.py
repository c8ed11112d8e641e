"""Benchmarks of the analyst methods (issue 18), each against the straightforward alternative.

* raking a million respondents over three margins (cxlib's bincount raking against the pandas
  ``groupby().transform("sum")`` loop an analyst would write);
* LMG with 10 drivers on 100,000 rows (all 1,024 sub-models from one correlation matrix, against
  fitting each sub-model with statsmodels OLS and averaging the R² gains);
* 1,000 bootstrap replicates of relative weights on 10,000 rows (one resample and one
  correlation matrix per replicate, the weights computed for all replicates at once, against a
  loop calling ``drivers.relative_weights`` on each resampled DataFrame).

Each case returns the tuple ``benchmarks.__main__`` times: both sides must give the same numbers.
"""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd


def _margins_frame(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    df = pd.DataFrame(
        {
            "channel": rng.choice(["in store", "phone", "online"], n, p=[0.6, 0.15, 0.25]),
            "region": rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "age": rng.choice(["18-34", "35-54", "55+"], n, p=[0.2, 0.4, 0.4]),
        }
    )
    margins = {
        "channel": {"in store": 0.35, "phone": 0.15, "online": 0.5},
        "region": {"north": 0.25, "south": 0.25, "east": 0.25, "west": 0.25},
        "age": {"18-34": 0.3, "35-54": 0.35, "55+": 0.35},
    }
    return df.astype("category"), margins  # as data.load gives them


def _rake_pandas(df: pd.DataFrame, margins: dict, tol: float = 1e-10, max_iter: int = 200) -> np.ndarray:
    """The textbook loop: per margin, scale each category's weights to its target total."""
    w = pd.Series(1.0, index=df.index)
    for _ in range(max_iter):
        for col, target in margins.items():
            current = w.groupby(df[col]).transform("sum") / w.sum()
            w = w * df[col].map(target).astype(float) / current
        gap = max((w.groupby(df[c]).sum() / w.sum() - pd.Series(t)).abs().max() for c, t in margins.items())
        if gap <= tol:
            break
    return (w * len(df) / w.sum()).to_numpy()


def _lmg_statsmodels(df: pd.DataFrame, outcome: str, cols: list[str]) -> np.ndarray:
    """LMG by fitting every sub-model with statsmodels and averaging the R² gains (Shapley weights)."""
    import statsmodels.api as sm

    p = len(cols)
    r2 = {(): 0.0}
    for k in range(1, p + 1):
        for sub in combinations(range(p), k):
            r2[sub] = (
                sm.OLS(df[outcome].to_numpy(), sm.add_constant(df[[cols[j] for j in sub]].to_numpy()))
                .fit()
                .rsquared
            )
    out = np.zeros(p)
    for sub, value in r2.items():
        for j in range(p):
            if j in sub:
                continue
            with_j = tuple(sorted((*sub, j)))
            s = len(sub)
            out[j] += factorial(s) * factorial(p - s - 1) / factorial(p) * (r2[with_j] - value)
    return out


def _drivers_frame(n: int, p: int, rng: np.random.Generator) -> tuple[pd.DataFrame, list[str]]:
    z = rng.normal(size=(n, p)) @ rng.normal(size=(p, p)) * 0.5 + rng.normal(size=(n, 1))
    cols = [f"d{j}" for j in range(p)]
    df = pd.DataFrame(z, columns=cols)
    df["y"] = z @ rng.uniform(0.1, 1, size=p) + rng.normal(0, 3, size=n)
    return df, cols


def methods_cases(quick: bool):
    """(name, rows, ours, alternative, alternative's description, check) for the three methods."""
    from cxlib import drivers, weights

    rng = np.random.default_rng(18)
    n_rake = 20_000 if quick else 1_000_000
    survey, margins = _margins_frame(n_rake, rng)
    cases = [
        (
            f"raking, {n_rake:,} respondents x 3 margins",
            n_rake,
            lambda: weights.rake(survey, margins).to_numpy(),
            lambda: _rake_pandas(survey, margins),
            "pandas groupby-transform raking loop",
            lambda a, b: np.allclose(a, b, rtol=1e-7),
        )
    ]
    n_lmg, p_lmg = (5_000, 6) if quick else (100_000, 10)
    d, cols = _drivers_frame(n_lmg, p_lmg, rng)
    cases.append(
        (
            f"LMG, {n_lmg:,} rows x {p_lmg} drivers",
            n_lmg,
            lambda: drivers.lmg(d, "y", cols)["estimate"].to_numpy(),
            lambda: _lmg_statsmodels(d, "y", cols),
            f"statsmodels OLS on all {2**p_lmg - 1:,} sub-models (loop)",
            lambda a, b: np.allclose(a, b, atol=1e-10),
        )
    )
    n_boot, n_rows = (100, 2_000) if quick else (1_000, 10_000)
    b, bcols = _drivers_frame(n_rows, 10, rng)

    def boot_ours():
        return drivers.importance_intervals(b, "y", bcols, method="relative_weights", n_boot=n_boot, seed=7)[
            "percent_low"
        ].to_numpy()

    def boot_loop():
        r = np.random.default_rng(7)
        reps = [
            drivers.relative_weights(b.iloc[r.integers(0, n_rows, size=n_rows)], "y", bcols)[
                "percent"
            ].to_numpy()
            for _ in range(n_boot)
        ]
        return np.quantile(np.array(reps), 0.025, axis=0)

    cases.append(
        (
            f"bootstrap of relative weights, {n_boot:,} replicates x {n_rows:,} rows",
            n_rows,
            boot_ours,
            boot_loop,
            "loop of drivers.relative_weights on resampled DataFrames",
            lambda a, b: np.allclose(a, b, atol=1e-9),
        )
    )
    return cases
