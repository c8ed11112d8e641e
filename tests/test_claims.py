"""The claims sweep: a lesson's recorded verdicts and intervals judged against the truth.

The arithmetic of judging (coverage, agreement, clear margins, missing records) is tested on
made-up runs; one slow test runs a small lesson through the whole sweep (data generation, the
batch runner, collection, tables).
"""

from __future__ import annotations

import csv
import json

import nbformat
import pytest

from cxlib import InputError
from cxlib.kit import claims
from cxlib.kit.truths import Claim, Context, Truth, registry
from cxlib.record import collect_details, record


def _run(seed, recorded, params=None, status="ok", tmp=None):
    return claims.RunRecord(seed, params or {"confidence": 0.95}, tmp, status, "", recorded)


def test_variants_cycle_each_parameter_through_its_values():
    combos = claims.variants({"branch": [None, "A", "B"], "confidence": [0.9, 0.95]}, 6)
    assert [c["branch"] for c in combos] == [None, "A", "B", None, "A", "B"]
    assert [c["confidence"] for c in combos] == [0.9, 0.95, 0.9, 0.95, 0.9, 0.95]
    assert claims.variants({}, 3) == [{}, {}, {}]


def test_interval_coverage_is_counted_against_the_nominal_level(tmp_path):
    claim = Claim("effect", "interval", "an effect", lambda ctx: Truth(1.0))
    runs = [
        _run(s, {"effect": {"value": 1.1, "low": 0.9 if s < 18 else 1.05, "high": 1.3}}, tmp=tmp_path)
        for s in range(20)
    ]
    (row,) = claims.evaluate("lesson", [claim], runs)
    assert (row["runs"], row["covered"]) == (20, 18)
    assert row["coverage"] == pytest.approx(0.9) and row["nominal"] == pytest.approx(0.95)
    assert row["met"] == "yes"  # 90% >= 95% - 5 points
    runs[17] = _run(17, {"effect": {"value": 1.1, "low": 1.05, "high": 1.3}}, tmp=tmp_path)
    (row,) = claims.evaluate("lesson", [claim], runs)
    assert row["met"] == "no"  # 85%


def test_verdicts_count_only_where_the_truth_decides_clearly(tmp_path):
    def truth(ctx):
        return Truth(True, clear=ctx.seed != 3)

    claim = Claim("end_weighs_most", "verdict", "the end weighs most", truth)
    runs = [_run(s, {"end_weighs_most": {"value": s != 3}}, tmp=tmp_path) for s in range(12)]
    (row,) = claims.evaluate("lesson", [claim], runs)
    assert (row["runs"], row["decided"], row["agree"], row["all_agree"]) == (12, 11, 11, 11)
    assert row["agreement"] == 1.0 and row["met"] == "yes"


def test_too_few_runs_are_reported_in_brackets_and_a_missing_record_fails(tmp_path):
    claim = Claim("nps", "interval", "NPS", lambda ctx: Truth(30.0))
    runs = [
        _run(0, {"nps": {"value": 31.0, "low": 25.0, "high": 36.0}}, tmp=tmp_path),
        _run(1, {}, tmp=tmp_path),
    ]
    (row,) = claims.evaluate("lesson", [claim], runs)
    assert row["missing"] == 1 and row["met"] == "no: not recorded in some runs"
    runs = runs[:1]
    (row,) = claims.evaluate("lesson", [claim], runs)
    assert row["met"] == "(yes: only 1 runs)"


def test_a_run_the_truth_cannot_decide_is_left_out_and_failed_runs_do_not_count(tmp_path):
    claim = Claim(
        "branch_nps", "interval", "a branch's NPS", lambda ctx: None if ctx["branch"] is None else Truth(5)
    )
    runs = [
        _run(0, {}, {"branch": None, "confidence": 0.9}, tmp=tmp_path),
        _run(
            1,
            {"branch_nps": {"value": 4.0, "low": 1.0, "high": 8.0}},
            {"branch": "A", "confidence": 0.9},
            tmp=tmp_path,
        ),
        _run(2, {}, {"branch": "B", "confidence": 0.9}, status="failed", tmp=tmp_path),
    ]
    (row,) = claims.evaluate("lesson", [claim], runs)
    assert (row["runs"], row["missing"], row["covered"]) == (1, 0, 1)


def test_an_interval_claim_without_bounds_is_a_clear_error(tmp_path):
    claim = Claim("nps", "interval", "NPS", lambda ctx: Truth(30.0))
    with pytest.raises(claims.RunError, match="needs low, high"):
        claims.evaluate("lesson", [claim], [_run(0, {"nps": {"value": 31.0}}, tmp=tmp_path)])


def test_estimates_report_their_error_and_unregistered_names_are_listed(tmp_path):
    claim = Claim("alpha", "estimate", "alpha", lambda ctx: Truth(0.8))
    runs = [_run(0, {"alpha": {"value": 0.78}, "stray": {"value": 1}}, tmp=tmp_path)]
    (row,) = claims.evaluate("lesson", [claim], runs)
    assert row["mean_abs_error"] == pytest.approx(0.02)
    assert claims.unregistered("lesson", [claim], runs) == ["stray"]


def test_claim_kinds_are_checked():
    with pytest.raises(ValueError, match="kind must be one of"):
        Claim("x", "guess", "x", lambda ctx: None)


def test_every_registered_lesson_exists_and_names_are_identifiers():
    from cxlib.kit.notebooks import ROOT

    for lesson, found in registry().items():
        assert (ROOT / "notebooks" / f"{lesson}.md").is_file(), (
            f"claims registered for a missing lesson {lesson}"
        )
        assert all(c.name.isidentifier() for c in found)


def test_context_reads_the_runs_truth_and_parameters(tmp_path):
    (tmp_path / "truth.json").write_text(json.dumps({"seed": 4}))
    ctx = Context(4, {"branch": "Ashford"}, tmp_path)
    assert ctx.truth["seed"] == 4 and ctx["branch"] == "Ashford"


def test_record_keeps_an_interval_and_refuses_a_broken_one(capsys):
    record("nps", 31.456, low=27.0, high=36.1)
    assert capsys.readouterr().out == "nps = 31.46 [27, 36.1]\n"
    with pytest.raises(InputError, match="both low and high"):
        record("nps", 31.0, low=27.0)
    with pytest.raises(InputError, match="is above high"):
        record("nps", 31.0, low=37.0, high=36.0)
    with pytest.raises(InputError, match="needs a numeric value"):
        record("best", "Ashford", low=1.0, high=2.0)
    with pytest.raises(InputError, match="non-finite"):
        record("nps", 31.0, low=float("-inf"), high=36.0)


def test_the_tables_are_written_spreadsheet_safe_and_escaped(tmp_path):
    rows = [
        {
            "lesson": "l",
            "claim": "c",
            "kind": "verdict",
            "about": "=HYPERLINK(x) <b>",
            "runs": 20,
            "decided": 20,
            "agree": 19,
            "agreement": 0.95,
            "met": "yes",
            "target": "agreement >= 0.95",
        }
    ]
    claims.write_tables(rows, [], [], tmp_path)
    text = (tmp_path / "claims.csv").read_text()
    assert "'=HYPERLINK(x)" in text
    assert "&lt;b&gt;" in (tmp_path / "claims.html").read_text()
    assert "1 claims checked; 1 of 1 targets met; 0 run(s) failed." in (tmp_path / "claims.html").read_text()


TOY = """\
import json
from pathlib import Path
from cxlib import data, metrics
from cxlib.record import record
survey = data.load("survey", data_dir)
est = metrics.top_box(survey["satisfaction"], confidence=confidence)
record("top_box_satisfaction", est.estimate, low=est.low, high=est.high)
record("practices_weigh_more", bool(json.loads((Path(data_dir) / "truth.json").read_text())
       ["driver_weights"]["practices"] > 0.3))
"""


@pytest.mark.slow
def test_a_small_lesson_goes_through_the_whole_sweep(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("data_dir = None\nconfidence = 0.95", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(TOY),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    from cxlib.kit.notebooks import write_source

    nb.metadata["cxkit"] = {"sweep": {"confidence": [0.9, 0.99]}}
    write_source(nb, folder / "99_toy.md")
    nbformat.write(nb, folder / "99_toy.ipynb")

    def share_top_box(ctx):
        sat = ctx.population(scale=20)["survey"]["satisfaction"]
        return Truth(100 * float((sat >= 4).mean()))

    reg = {
        "99_toy": [
            Claim("top_box_satisfaction", "interval", "CSAT", share_top_box),
            Claim(
                "practices_weigh_more",
                "verdict",
                "practices weigh more",
                lambda ctx: Truth(ctx.truth["driver_weights"]["practices"] > 0.3),
            ),
        ]
    }
    rows, failures, notes = claims.sweep(
        [folder / "99_toy.ipynb"], [1, 2], tmp_path / "out", workers=2, progress=False, registry=reg
    )
    assert failures == [] and notes == []
    by = {r["claim"]: r for r in rows}
    assert by["top_box_satisfaction"]["runs"] == 2
    assert by["practices_weigh_more"]["agree"] == 2
    executed = tmp_path / "out" / "runs" / "99_toy" / "seed-2" / "99_toy.ipynb"
    assert collect_details(executed)["top_box_satisfaction"].keys() == {"value", "low", "high"}
    assert json.loads((tmp_path / "out" / "data" / "seed-2" / "truth.json").read_text())["seed"] == 2
    claims.write_tables(rows, failures, notes, tmp_path / "out")
    with open(tmp_path / "out" / "claims.csv", newline="") as fh:
        assert [r["claim"] for r in csv.DictReader(fh)] == ["top_box_satisfaction", "practices_weigh_more"]


def test_businesses_from_an_older_generator_are_made_again(tmp_path):
    # a sweep reusing DIR after the generator changed must not analyse the old data
    import json

    from cxlib.kit.claims import generate_businesses

    folder = generate_businesses(tmp_path, [5])[5]
    stamp_file = folder / ".cxkit-data.json"
    stamp = json.loads(stamp_file.read_text())
    (folder / "survey.csv").write_text("stale\n")
    generate_businesses(tmp_path, [5])  # same generator: reused as it is
    assert (folder / "survey.csv").read_text() == "stale\n"
    stamp_file.write_text(json.dumps({**stamp, "cxlib": "an-older-generator"}))
    generate_businesses(tmp_path, [5])
    assert (folder / "survey.csv").read_text().startswith("response_id,")
    assert json.loads(stamp_file.read_text()) == stamp


def test_chance_of_at_most_is_the_binomial_tail_at_one_level():
    # scipy.stats.binom.cdf(k, n, p) is the published reference for equal levels.
    from scipy.stats import binom

    for k in (15, 17, 18, 20):
        assert claims.chance_of_at_most(k, [0.95] * 20) == pytest.approx(binom.cdf(k, 20, 0.95), rel=1e-12)


def test_chance_of_at_most_mixes_levels_as_a_poisson_binomial():
    # Two runs at 0.8 and 0.9: P(none cover) = 0.2 * 0.1, P(at most one) = 1 - 0.8 * 0.9.
    assert claims.chance_of_at_most(0, [0.8, 0.9]) == pytest.approx(0.02)
    assert claims.chance_of_at_most(1, [0.8, 0.9]) == pytest.approx(1 - 0.72)
    assert claims.chance_of_at_most(2, [0.8, 0.9]) == pytest.approx(1.0)


def test_evaluate_reports_the_chance_of_a_short_coverage():
    from pathlib import Path

    from scipy.stats import binom

    claim = Claim("x", "interval", "a thing", lambda ctx: Truth(0.0))
    runs = [
        claims.RunRecord(
            s,
            {"confidence": 0.9},
            Path("."),
            "ok",
            recorded={"x": {"value": 1.0, "low": 0.5 if s < 3 else -1.0, "high": 2.0}},
        )
        for s in range(12)
    ]
    row = claims.evaluate("les", [claim], runs)[0]
    assert row["covered"] == 9
    assert row["chance"] == pytest.approx(binom.cdf(9, 12, 0.9))


def test_escape_md_shows_data_strings_as_written():
    # CommonMark: a backslash before ASCII punctuation shows it literally; a name from a CSV file can
    # neither open an HTML tag nor emphasis nor a link in a computed sentence
    from markdown_it import MarkdownIt

    from cxlib.record import escape_md

    name = "<img src=x onerror=alert(1)> **Best** [site](http://x) Bramble & Co. #1 a_b"
    html = MarkdownIt("commonmark").render(escape_md(name))
    assert "<img" not in html and "<strong>" not in html and "<a " not in html
    assert "&lt;img src=x onerror=alert(1)&gt; **Best** [site](http://x) Bramble &amp; Co. #1 a_b" in html


def test_every_claim_of_a_run_is_judged_before_the_next_run(tmp_path):
    # the truths keep a run's tables and its business's population in small caches (a few entries):
    # judged claim by claim over twenty runs, each claim would rebuild every business again
    order = []

    def truth(name):
        def judge(ctx):
            order.append((ctx.seed, name))
            return Truth(1.0)

        return judge

    got = {c: {"value": 1.0, "low": 0.5, "high": 1.5} for c in ("a", "b")}
    runs = [_run(seed, got, tmp=tmp_path) for seed in range(3)]
    claimed = [Claim(c, "interval", c, truth(c)) for c in ("a", "b")]
    rows = claims.evaluate("08_moments_of_truth", claimed, runs)
    assert order == [(s, c) for s in range(3) for c in ("a", "b")]
    assert [r["covered"] for r in rows] == [3, 3]


@pytest.mark.parametrize("lesson", sorted(registry()))
def test_each_stored_lesson_records_every_registered_claim_and_no_other(lesson):
    # the sweep judges what a lesson records against its registered truths: a name recorded without a
    # truth, or a truth whose claim is never recorded, would go unjudged; an interval needs its bounds
    from conftest import ROOT

    recorded = collect_details(ROOT / "notebooks" / f"{lesson}.ipynb")
    registered = registry()[lesson]
    assert set(recorded) == {c.name for c in registered}
    for c in registered:
        if c.kind == "interval":
            assert {"low", "high"} <= set(recorded[c.name]), f"{c.name} is recorded without its interval"
