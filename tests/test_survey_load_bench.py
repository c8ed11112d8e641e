"""benchmarks/survey_load.py runs (tiny size) and reports both timings; no timing is asserted."""

import json
import subprocess
import sys

from conftest import ROOT


def test_survey_load_benchmark_runs_and_reports(tmp_path):
    out = tmp_path / "s.json"
    proc = subprocess.run(
        [sys.executable, "benchmarks/survey_load.py", "--rows", "3000", "--repeat", "1", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["rows"] == 3000 and result["load_survey_seconds"] > 0 and result["read_csv_seconds"] > 0
    assert "ratio" in proc.stdout
