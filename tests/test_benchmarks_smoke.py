"""The benchmark script runs (tiny sizes) and reports every case; no timing is asserted."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.mark.slow  # it executes every lesson in a kernel
def test_benchmark_script_runs_and_reports_every_case(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--repeat", "1", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(out.read_text())
    cases = " | ".join(r["case"] for r in report["cxlib"])
    for needle in (
        "NPS with interval, overall",
        "NPS by 100 groups",
        "top-box by 100 groups",
        "Cronbach's alpha",
        "relative weights",
        "control chart",
        "generate all 8 tables",
        "validated, typed load",
        "spec-driven load (cxlib.survey.load_survey)",
    ):
        assert needle in cases
    assert all(r["seconds"] > 0 and r["peak_mb"] >= 0 for r in report["cxlib"])
    assert report["course"] and report["floor_seconds"] > 0
    assert "ours/alt" in proc.stdout
    imports = report["imports"]  # the import cost, against import pandas; a measurement, not a limit
    assert imports["case"] == "import cxlib.metrics, cxlib.scales, cxlib.drivers, cxlib.data"
    assert imports["seconds"] > 0 and imports["baseline_seconds"] > 0 and imports["ratio"] > 0
    assert "import cost" in proc.stdout
