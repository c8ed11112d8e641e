"""Time the spec-driven, validated load of a survey export (cxlib.survey.load_survey) against plain
``pandas.read_csv`` of the same file: ``python benchmarks/survey_load.py --rows 1000000``.

The export is the course's survey repeated to ``--rows`` rows (ids renumbered, so they stay unique;
sorted by month with ``--order time``, the default, as an export comes),
read by a spec that names every column: id, date, two groups, recommend, satisfaction, effort, three
factors of ten items, an outcome and the comment. Writes ``build/survey_load.json``.

The machine may be shared, so the two loads are timed in pairs, one right after the other (which goes
first alternates), ``--repeat`` times; the ratio reported is the median of the pairs' ratios, and each
time the median of its runs. Run it alone, and run it more than once. pandas (3.1) reads a large CSV
on several threads (as many as the machine has cores, at most 6); ``--threads N`` sets that number
(``mode.max_threads``) for both loads, ``--threads 1`` times them on one thread.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def course_spec(path: Path) -> dict:
    """The spec of the course's survey.csv."""
    import cxlib.data as cxdata

    def rated(c, lo=1, hi=5):
        return {"column": c, "scale": [lo, hi]}

    return {
        "version": 1, "data": str(path), "id": "response_id", "date": "month",
        "groups": ["branch", "channel"], "recommend": "recommend", "satisfaction": rated("satisfaction"),
        "effort": rated("effort", 1, 7),
        "factors": {f: {"items": [rated(c) for c in cxdata.items(f)]} for f in cxdata.FACTORS},
        "outcomes": [rated("buy_again")], "comment": "comment",
    }  # fmt: skip


def write_export(rows: int, folder: Path, order: str = "time") -> Path:
    """The course's survey repeated to ``rows`` rows, ids renumbered; ``order="time"`` sorts it by
    month, as an export comes (each of pandas' byte ranges then holds other months), ``"mixed"``
    leaves the repeats as they are (every month in every range)."""
    import cxlib.data as cxdata

    base = pd.read_csv(cxdata.default_data_dir() / "survey.csv", dtype=str, keep_default_na=False)
    reps = -(-rows // len(base))
    big = pd.concat([base] * reps, ignore_index=True).head(rows)
    if order == "time":
        big = big.sort_values("month", kind="stable", ignore_index=True)
    big["response_id"] = range(1, len(big) + 1)
    path = folder / "export.csv"
    big.to_csv(path, index=False)
    return path


def _seconds(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def paired(ours, theirs, repeat: int) -> tuple[list[float], list[float]]:
    """``repeat`` pairs of timings of ``ours`` and ``theirs``, run back to back, the order alternating
    (a load that happens to run while the machine is busy slows both of its pair, not one of them)."""
    a, b = [], []
    for i in range(repeat):
        if i % 2:
            b.append(_seconds(theirs))
            a.append(_seconds(ours))
        else:
            a.append(_seconds(ours))
            b.append(_seconds(theirs))
    return a, b


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="pairs of timed loads (median reported)")
    parser.add_argument("--threads", type=int, help="pandas' reading threads (default: its own choice)")
    parser.add_argument(
        "--order",
        choices=["time", "mixed"],
        default="time",
        help="rows by month (default) or repeats as they are",
    )
    parser.add_argument("--out", default=str(ROOT / "build" / "survey_load.json"))
    args = parser.parse_args(argv)
    if args.threads is not None:
        pd.set_option("mode.max_threads", args.threads)
    from cxlib.survey import load_survey

    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(args.rows, Path(tmp), args.order)
        spec = course_spec(path)
        load_survey(spec)  # once untimed: imports, the compiled spec schema
        a, b = paired(lambda: load_survey(spec), lambda: pd.read_csv(path), args.repeat)
    ratios = [x / y for x, y in zip(a, b)]
    ours, plain, ratio = statistics.median(a), statistics.median(b), statistics.median(ratios)
    result = {
        "rows": args.rows,
        "repeat": args.repeat,
        "threads": args.threads or "pandas default",
        "order": args.order,
        "pandas": pd.__version__,
        "load_survey_seconds": round(ours, 3),
        "read_csv_seconds": round(plain, 3),
        "ratio": round(ratio, 2),
        "ratios": [round(r, 3) for r in ratios],
        "ratio_range": [round(min(ratios), 2), round(max(ratios), 2)],
        "case": "cxlib.survey.load_survey (every value checked against the spec) vs plain pandas.read_csv",
        "medians": "each time the median of its runs; the ratio the median of the paired runs' ratios",
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(
        f"{args.rows:,} rows ({args.order} order, {args.threads or 'default'} threads): "
        f"load_survey {ours:.2f} s, "
        f"plain read_csv {plain:.2f} s, "
        f"ratio {ratio:.2f} (median of {args.repeat} pairs; {min(ratios):.2f} to {max(ratios):.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
