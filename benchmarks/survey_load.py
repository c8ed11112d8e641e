"""Time the spec-driven, validated load of a survey export (cxlib.survey.load_survey) against plain
``pandas.read_csv`` of the same file: ``python benchmarks/survey_load.py --rows 1000000``.

The export is the course's survey repeated to ``--rows`` rows (ids renumbered, so they stay unique),
read by a spec that names every column: id, date, two groups, recommend, satisfaction, effort, three
factors of ten items, an outcome and the comment. Writes ``build/survey_load.json``.
"""

from __future__ import annotations

import argparse
import json
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


def write_export(rows: int, folder: Path) -> Path:
    """The course's survey repeated to ``rows`` rows, ids renumbered."""
    import cxlib.data as cxdata

    base = pd.read_csv(cxdata.default_data_dir() / "survey.csv", dtype=str, keep_default_na=False)
    reps = -(-rows // len(base))
    big = pd.concat([base] * reps, ignore_index=True).head(rows)
    big["response_id"] = range(1, len(big) + 1)
    path = folder / "export.csv"
    big.to_csv(path, index=False)
    return path


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "build" / "survey_load.json"))
    args = parser.parse_args(argv)
    from cxlib.survey import load_survey

    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(args.rows, Path(tmp))
        spec = course_spec(path)
        ours = best_of(lambda: load_survey(spec), args.repeat)
        plain = best_of(lambda: pd.read_csv(path), args.repeat)
    result = {
        "rows": args.rows,
        "load_survey_seconds": round(ours, 3),
        "read_csv_seconds": round(plain, 3),
        "ratio": round(ours / plain, 2),
        "case": "cxlib.survey.load_survey (every value checked against the spec) vs plain pandas.read_csv",
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(
        f"{args.rows:,} rows: load_survey {ours:.2f} s, plain read_csv {plain:.2f} s, "
        f"ratio {ours / plain:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
