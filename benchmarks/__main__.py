"""Benchmarks of cx-course-kit: ``python -m benchmarks`` (or ``make bench``).

Prints a table and writes ``build/benchmarks.json``. Two parts:

* **cxlib at scale.** Each operation on synthetic data of realistic shape, timed (best
  of ``--repeat`` runs, wall clock) with its peak memory (``tracemalloc``: the Python
  and NumPy allocations made during the call), against the straightforward
  alternative a user would otherwise write or use. Both sides are checked to give the
  same numbers before anything is timed.
* **The course.** Each lesson executed in a fresh kernel (nbclient, best of two), against the floor:
  starting a kernel and importing the stack. Cell times are split into imports and
  parameter checks, plotting cells, and the rest (analysis).

* **Import cost.** ``import cxlib.metrics, cxlib.scales, cxlib.drivers, cxlib.data`` against
  ``import pandas``, each timed inside fresh interpreters (the import alone, not the interpreter's
  start), alternating the two, median of several runs.

The analyst methods (raking, LMG, bootstrap intervals) are in ``benchmarks/methods.py``.

``--quick`` runs tiny sizes (for the smoke test); ``--no-course`` skips the lessons.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def measure(fn, repeat: int = 3):
    """Best wall time over ``repeat`` runs and the peak traced memory of one run."""
    gc.collect()
    tracemalloc.start()
    result = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return result, best, peak / 2**20


IMPORT_CASE = "import cxlib.metrics, cxlib.scales, cxlib.drivers, cxlib.data"
IMPORT_BASELINE = "import pandas"


def import_time(statement: str) -> float:
    """Seconds ``statement`` takes in a fresh interpreter (the import only, not the start-up)."""
    code = f"import time\nt0 = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t0)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def import_cost(runs: int = 9) -> dict:
    """Median import time of the analysis modules and of pandas alone, over ``runs`` fresh interpreters.

    The two are timed alternately, so a busy moment on the machine slows both alike.
    """
    ours, base = [], []
    for _ in range(runs):
        base.append(import_time(IMPORT_BASELINE))
        ours.append(import_time(IMPORT_CASE))
    ours_s, base_s = statistics.median(ours), statistics.median(base)
    return {
        "case": IMPORT_CASE,
        "baseline": IMPORT_BASELINE,
        "runs": runs,
        "seconds": round(ours_s, 4),
        "baseline_seconds": round(base_s, 4),
        "ratio": round(ours_s / base_s, 2),
    }


def _responses(n: int, groups: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "group": pd.Categorical.from_codes(
                rng.integers(0, groups, n), [f"g{i:03d}" for i in range(groups)]
            ),
            "recommend": rng.integers(0, 11, n),
            "satisfaction": rng.integers(1, 6, n),
        }
    )


def cxlib_cases(quick: bool):
    """(name, rows, ours, alternative, alternative's description, check) for every case."""
    import pingouin as pg
    import statsmodels.api as sm

    from cxlib import drivers, metrics, scales, tracking

    big, huge = (20_000, 50_000) if quick else (1_000_000, 10_000_000)
    cases = []
    for n in (big, huge):
        df = _responses(n, 100)

        def nps_ours(df=df):
            return metrics.nps(df["recommend"]).estimate

        def nps_alt(df=df):
            r = df["recommend"]
            return 100 * ((r >= 9).mean() - (r <= 6).mean())

        cases.append(
            (
                f"NPS with interval, overall, {n:,} rows",
                n,
                nps_ours,
                nps_alt,
                "pandas boolean means (no interval)",
                lambda a, b: abs(a - b) < 1e-9,
            )
        )

        def by_ours(df=df):
            return metrics.by_group(df, "recommend", "group", "nps")["estimate"]

        def by_alt(df=df):
            return df.groupby("group", observed=True)["recommend"].apply(lambda s: metrics.nps(s).estimate)

        cases.append(
            (
                f"NPS by 100 groups, {n:,} rows",
                n,
                by_ours,
                by_alt,
                "pandas groupby-apply of metrics.nps",
                lambda a, b: np.allclose(a.to_numpy(), b.to_numpy()),
            )
        )

        def tb_ours(df=df):
            return metrics.by_group(df, "satisfaction", "group", "top_box")["estimate"]

        def tb_alt(df=df):
            return df.groupby("group", observed=True)["satisfaction"].apply(
                lambda s: metrics.top_box(s).estimate
            )

        cases.append(
            (
                f"top-box by 100 groups, {n:,} rows",
                n,
                tb_ours,
                tb_alt,
                "pandas groupby-apply of metrics.top_box",
                lambda a, b: np.allclose(a.to_numpy(), b.to_numpy()),
            )
        )

    rng = np.random.default_rng(1)
    x = rng.normal(size=(big, 1)) + rng.normal(size=(big, 12))
    x[rng.random(x.shape) < 0.03] = np.nan
    items = pd.DataFrame(x, columns=[f"i{j}" for j in range(12)])
    cases.append(
        (
            f"Cronbach's alpha, {big:,} rows x 12 items (3% missing)",
            big,
            lambda: scales.cronbach_alpha(items, list(items.columns)).estimate,
            lambda: pg.cronbach_alpha(items)[0],
            "pingouin.cronbach_alpha",
            lambda a, b: abs(a - b) < 1e-9,
        )
    )

    z = rng.normal(size=(big, 10)) @ rng.normal(size=(10, 10))
    d = pd.DataFrame(z, columns=[f"d{j}" for j in range(10)])
    d["y"] = z @ rng.normal(size=10) + rng.normal(size=big)
    cols = [f"d{j}" for j in range(10)]
    cases.append(
        (
            f"relative weights (R²), {big:,} rows x 10 drivers",
            big,
            lambda: drivers.relative_weights(d, "y", cols).attrs["r_squared"],
            lambda: sm.OLS(d["y"].to_numpy(), sm.add_constant(d[cols].to_numpy())).fit().rsquared,
            "statsmodels OLS on the full data (R² only)",
            lambda a, b: abs(a - b) < 1e-9,
        )
    )

    cc = pd.DataFrame({"period": rng.integers(0, 1000, huge), "satisfaction": rng.integers(1, 6, huge)})

    def cc_ours():
        return tracking.top_box_limits(cc, "satisfaction", "period")["estimate"]

    def cc_alt():
        g = cc.assign(hit=cc["satisfaction"] >= 4).groupby("period")["hit"].agg(["sum", "size"])
        return tracking.p_chart_limits(g["sum"], g["size"], index=g.index)["estimate"]

    cases.append(
        (
            f"control chart, {huge:,} rows in 1,000 periods",
            huge,
            cc_ours,
            cc_alt,
            "pandas groupby counts then p_chart_limits",
            lambda a, b: np.allclose(a.to_numpy(), b.to_numpy()),
        )
    )
    return cases


def data_cases(quick: bool, tmp: Path):
    """Generation and validated loading of about a million survey responses."""
    from cxlib import data, synth

    scale = 3 if quick else 150
    out = tmp / "scaled"
    # timed without tracemalloc (it slows Python-level code several-fold); memory from a traced run
    (tables, _), gen_s, gen_mb = measure(lambda: synth.generate(seed=0, scale=scale), repeat=1)
    n = len(tables["survey"])
    total_rows = sum(len(t) for t in tables.values())
    out.mkdir(parents=True, exist_ok=True)
    (out / "survey.csv").write_text(synth._to_csv_text(tables["survey"]), encoding="utf-8")
    del tables
    loaded, load_s, load_mb = measure(lambda: data.load("survey", out), repeat=1)
    _, alt_s, alt_mb = measure(lambda: pd.read_csv(out / "survey.csv"), repeat=1)
    spec_case = survey_spec_case(out / "survey.csv", quick)
    return [
        {
            "case": f"generate all 8 tables at scale {scale:g} ({n:,} survey rows, {total_rows:,} in all)",
            "rows": n,
            "seconds": round(gen_s, 3),
            "peak_mb": round(gen_mb, 1),
            "alternative": "",
            "alt_seconds": None,
            "ratio": None,
        },
        {
            "case": f"validated, typed load of {len(loaded):,} survey rows",
            "rows": len(loaded),
            "seconds": round(load_s, 3),
            "peak_mb": round(load_mb, 1),
            "alternative": "plain pandas.read_csv (no checks, default dtypes)",
            "alt_seconds": round(alt_s, 3),
            "ratio": round(load_s / alt_s, 2),
        },
        spec_case,
    ]


def survey_spec_case(path: Path, quick: bool) -> dict:
    """The same file loaded by a survey spec (issue 17's own-survey path), paired with plain
    ``read_csv`` as ``benchmarks/survey_load.py`` does: the median of the pairs' ratios."""
    import statistics

    from benchmarks.survey_load import course_spec, paired
    from cxlib.survey import load_survey

    spec = course_spec(path)
    loaded, _, mb = measure(lambda: load_survey(spec), repeat=0)  # untimed here: its peak memory
    ours, plain = paired(lambda: load_survey(spec), lambda: pd.read_csv(path), 3 if quick else 7)
    return {
        "case": f"spec-driven load (cxlib.survey.load_survey) of {len(loaded.data):,} survey rows",
        "rows": len(loaded.data),
        "seconds": round(statistics.median(ours), 3),
        "peak_mb": round(mb, 1),
        "alternative": "plain pandas.read_csv, paired runs (median ratio)",
        "alt_seconds": round(statistics.median(plain), 3),
        "ratio": round(statistics.median([a / b for a, b in zip(ours, plain)]), 2),
    }


def course_cases(quick: bool):
    """Execute each lesson in a fresh kernel; compare with the kernel-plus-imports floor."""
    import nbformat
    from nbclient import NotebookClient

    def run(nb):
        t0 = time.perf_counter()
        NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            record_timing=True,
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],  # no kernel chatter in the table
            resources={"metadata": {"path": str(ROOT / "notebooks")}},
        ).execute()
        return time.perf_counter() - t0

    floor_nb = nbformat.v4.new_notebook()
    floor_nb.cells = [
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd\n"
            "import seaborn as sns\n"
            "import statsmodels.api as sm\nimport cxlib, cxlib.data, cxlib.metrics, cxlib.plots"
        )
    ]
    floor = min(run(nbformat.from_dict(floor_nb)) for _ in range(1 if quick else 2))
    rows = []
    lessons = sorted((ROOT / "notebooks").glob("*.ipynb"))[: 1 if quick else None]
    for path in lessons:
        # best of two runs, like the floor: one slow kernel start should not decide a lesson's figure
        runs = []
        for _ in range(1 if quick else 2):
            nb = nbformat.read(path, as_version=4)
            runs.append((run(nb), nb))
        total, nb = min(runs, key=lambda r: r[0])
        split = {"imports and checks": 0.0, "plotting": 0.0, "analysis": 0.0}
        seen_code = 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            seen_code += 1
            ex = cell.metadata.get("execution", {})
            try:
                secs = (
                    pd.Timestamp(ex["shell.execute_reply"]) - pd.Timestamp(ex["iopub.execute_input"])
                ).total_seconds()
            except KeyError:
                continue
            kind = (
                "imports and checks"
                if seen_code <= 2
                else "plotting"
                if ("plt.show" in cell.source or "plots." in cell.source)
                else "analysis"
            )
            split[kind] += secs
        rows.append(
            {
                "lesson": path.stem,
                "seconds": round(total, 2),
                "floor_seconds": round(floor, 2),
                "ratio_to_floor": round(total / floor, 2),
                **{k: round(v, 2) for k, v in split.items()},
            }
        )
    return rows, floor


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test")
    parser.add_argument("--no-course", action="store_true", help="skip executing the lessons")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "build" / "benchmarks.json"))
    args = parser.parse_args(argv)
    import tempfile

    results = []
    from benchmarks.methods import methods_cases

    for name, rows, ours, alt, alt_name, same in cxlib_cases(args.quick) + methods_cases(args.quick):
        a, t_ours, mb_ours = measure(ours, args.repeat)
        slow = "groupby-apply" in alt_name or "loop" in alt_name
        b, t_alt, mb_alt = measure(alt, 1 if slow else args.repeat)
        if not same(a, b):
            raise SystemExit(f"{name}: cxlib and the alternative disagree")
        results.append(
            {
                "case": name,
                "rows": rows,
                "seconds": round(t_ours, 3),
                "peak_mb": round(mb_ours, 1),
                "alternative": alt_name,
                "alt_seconds": round(t_alt, 3),
                "alt_peak_mb": round(mb_alt, 1),
                "ratio": round(t_ours / t_alt, 2),
            }
        )
    with tempfile.TemporaryDirectory() as tmp:
        results += data_cases(args.quick, Path(tmp))
    imports = import_cost(3 if args.quick else 9)
    w = max(len(r["case"]) for r in results)
    print(f"{'case':<{w}} {'seconds':>8} {'peak MB':>8} {'alt s':>8} {'ours/alt':>9}  alternative")
    for r in results:
        alt_s = "" if r["alt_seconds"] is None else f"{r['alt_seconds']:.3f}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        print(
            f"{r['case']:<{w}} {r['seconds']:>8.3f} {r['peak_mb']:>8.1f} {alt_s:>8} {ratio:>9}  "
            f"{r['alternative']}"
        )
    print(
        f"\nimport cost (median of {imports['runs']} fresh interpreters): {imports['case']}: "
        f"{imports['seconds']:.3f} s; {imports['baseline']}: {imports['baseline_seconds']:.3f} s; "
        f"ratio {imports['ratio']:.2f}"
    )
    course, floor = ([], None) if args.no_course else course_cases(args.quick)
    if course:
        print(f"\nlessons (floor: fresh kernel + imports = {floor:.2f} s)")
        print(f"{'lesson':<32} {'seconds':>8} {'x floor':>8} {'imports':>8} {'plots':>8} {'analysis':>9}")
        for r in course:
            print(
                f"{r['lesson']:<32} {r['seconds']:>8.2f} {r['ratio_to_floor']:>8.2f} "
                f"{r['imports and checks']:>8.2f} "
                f"{r['plotting']:>8.2f} {r['analysis']:>9.2f}"
            )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "machine": {
                    "python": sys.version.split()[0],
                    "platform": platform.platform(),
                    "cores": __import__("os").cpu_count(),
                },
                "quick": args.quick,
                "cxlib": results,
                "imports": imports,
                "course": course,
                "floor_seconds": floor,
            },
            indent=2,
        )
    )
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
