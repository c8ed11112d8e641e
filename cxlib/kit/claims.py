"""Check every lesson's claims against the known truth: ``cxkit claims --seeds N --out DIR``.

Each lesson records its verdicts and headline estimates with :func:`cxlib.record.record`. For
generated data the kit knows the true answer of each (:mod:`cxlib.kit.truths`). This verb:

1. generates ``N`` businesses (seeds ``first``, ``first + 1``, ...) into ``DIR/data/seed-<s>``;
2. runs every lesson once per business through the batch runner into ``DIR/runs/<lesson>/``,
   the i-th run with the i-th combination of the lesson's sweep parameters (the ``sweep:`` key
   of the ``cxkit`` front matter of its source: every branch it offers, confidence levels, its
   other parameters; the values of each parameter cycle, so each is used once ``N`` reaches the
   longest list);
3. reads what each run recorded and compares it with the truth of that run;
4. writes ``DIR/claims.csv`` (one row per lesson and claim: runs, how often the verdict matched
   the truth, how often the interval covered the true value, the target and whether it is met)
   and ``DIR/claims.html`` for people.

Targets: no run fails; an interval covers the truth in at least its nominal rate minus 5 points
of the runs (a 95% interval in at least 90%); a verdict that the truth decides with a clear margin
agrees with it in at least 95% of the runs. The exit status is 0 when every run passed (and, with
``--require-targets``, every target with enough runs is met), 1 otherwise, 2 if the sweep could
not start. Re-running the same command resumes: finished runs are not repeated.
"""

from __future__ import annotations

import csv
import html
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cxlib.export import safe_cell

from . import truths
from .roster import RunError

COVERAGE_SLACK = 0.05
AGREEMENT_TARGET = 0.95
MIN_RUNS_FOR_TARGET = 10
CONFIDENCES = (0.8, 0.9, 0.95, 0.99)


@dataclass
class RunRecord:
    """One lesson run of the sweep: its business, parameters, status and what it recorded."""

    seed: int
    params: dict
    data_dir: Path
    status: str
    error: str = ""
    recorded: dict = field(default_factory=dict)


def sweep_values(source: str | os.PathLike) -> dict[str, list]:
    """The parameter values a lesson is swept over, from its source's front matter.

    Parameters
    ----------
    source : path
        The lesson's MyST source (``cxkit: sweep: {name: [values]}`` in its front matter).

    Returns
    -------
    dict
        Parameter name to the list of values (empty when the lesson declares none).

    Examples
    --------
    >>> from cxlib.kit.notebooks import ROOT
    >>> values = sweep_values(ROOT / "notebooks" / "03_headline_metrics.md")
    >>> all(isinstance(v, list) for v in values.values())
    True
    """
    from .notebooks import read_source

    meta = read_source(source).metadata.get("cxkit", {})
    values = meta.get("sweep", {})
    if not isinstance(values, dict) or not all(isinstance(v, list) and v for v in values.values()):
        raise RunError(f"{Path(source).name}: cxkit.sweep must map each parameter to a non-empty list")
    return values


def variants(values: dict[str, list], n: int) -> list[dict]:
    """``n`` parameter combinations in which each parameter's values cycle.

    Parameters
    ----------
    values : dict
        Parameter name to its values.
    n : int
        How many combinations.

    Returns
    -------
    list of dict
        The i-th holds, for each parameter, its ``i mod len(values)``-th value.

    Examples
    --------
    >>> for combo in variants({"branch": [None, "Ashford", "Carlton"], "confidence": [0.9, 0.95]}, 4):
    ...     print(combo)
    {'branch': None, 'confidence': 0.9}
    {'branch': 'Ashford', 'confidence': 0.95}
    {'branch': 'Carlton', 'confidence': 0.9}
    {'branch': None, 'confidence': 0.95}
    """
    return [{k: v[i % len(v)] for k, v in values.items()} for i in range(n)]


def generate_businesses(out: Path, seeds: list[int]) -> dict[int, Path]:
    """Generate (or reuse) one data folder per seed under ``out/data``.

    Parameters
    ----------
    out : Path
        The sweep's output folder.
    seeds : list of int
        The businesses to generate.

    Returns
    -------
    dict
        Seed to its folder (absolute).

    Examples
    --------
    >>> import tempfile
    >>> folders = generate_businesses(Path(tempfile.mkdtemp()), [3])
    >>> sorted(p.name for p in folders[3].glob("*.json"))
    ['.cxkit-data.json', 'datapackage.json', 'truth.json']
    """
    from .execute import generate_data
    from .plan import data_is_current, fingerprint

    folders = {}
    made_by = fingerprint()  # data from an older generator are made again, not reused
    for seed in seeds:
        folder = out / "data" / f"seed-{seed}"
        stamp = {"seed": seed, "scale": 1.0, "cxlib": made_by}
        if not data_is_current(folder, stamp):
            generate_data(folder, seed, stamp)
        folders[seed] = folder.resolve()
    return folders


def run_lesson(notebook: Path, folders: dict[int, Path], combos: list[dict], out: Path, workers, timeout):
    """Run one lesson once per business, the i-th with the i-th parameter combination.

    Parameters
    ----------
    notebook : Path
        The lesson's ``.ipynb``.
    folders : dict
        Seed to its data folder (:func:`generate_businesses`).
    combos : list of dict
        One parameter combination per seed, in the same order (:func:`variants`).
    out : Path
        The runner's output folder for this lesson.
    workers : int or None
        Parallel notebooks.
    timeout : float or None
        Time limit per notebook, in seconds.

    Returns
    -------
    list of RunRecord
        One per seed, in seed order, with what the run recorded.

    Examples
    --------
    The slow test ``tests/test_claims.py::test_a_small_lesson_goes_through_the_whole_sweep``
    runs a lesson this way (it starts kernels, so it is not a doctest).
    """
    from cxlib.record import collect_details

    from .batch import run_batch
    from .roster import build_runs, notebook_parameters

    seeds = list(folders)
    rows = [{"run_id": f"seed-{s}", "data_dir": str(folders[s]), **c} for s, c in zip(seeds, combos)]
    runs = build_runs(roster=rows)
    results = run_batch([notebook], runs, out, workers=workers, timeout=timeout, progress=False)
    defaults = notebook_parameters(notebook)
    records = []
    for seed, res in zip(seeds, results):
        executed = out / res.run_id / notebook.name
        try:
            recorded = collect_details(executed) if executed.exists() else {}
        except (OSError, ValueError, KeyError):
            recorded = {}
        params = {**defaults, **res.parameters}
        ok = res.status in ("ok", "skipped")
        records.append(RunRecord(seed, params, folders[seed], "ok" if ok else "failed", res.error, recorded))
    return records


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _judge(claim: truths.Claim, run: RunRecord) -> dict | None:
    """One run's verdict on one claim: None if the run cannot decide it."""
    true = claim.truth(truths.Context(run.seed, run.params, run.data_dir))
    if true is None:
        return None
    got = run.recorded.get(claim.name)
    if got is None:
        return {"missing": True}
    out = {"missing": False, "truth": true.value, "value": got.get("value")}
    if claim.kind == "interval":
        low, high = got.get("low"), got.get("high")
        if not (_is_number(low) and _is_number(high) and _is_number(true.value)):
            raise RunError(f"{claim.name}: an interval claim needs low, high and a numeric truth; got {got}")
        out["covered"] = low <= true.value <= high
        out["nominal"] = float(run.params.get("confidence", 0.95))
    elif claim.kind == "verdict":
        out["clear"] = bool(true.clear)
        out["agree"] = got.get("value") == true.value
    else:
        v = got.get("value")
        out["error"] = (v - true.value) if _is_number(v) and _is_number(true.value) else None
    return out


def evaluate(lesson: str, claims: list[truths.Claim], runs: list[RunRecord]) -> list[dict]:
    """One row per claim: how often the lesson's verdicts and intervals agreed with the truth.

    Parameters
    ----------
    lesson : str
        The notebook's stem.
    claims : list of Claim
        The lesson's registered claims.
    runs : list of RunRecord
        The sweep's runs of the lesson.

    Returns
    -------
    list of dict
        Columns ``lesson, claim, kind, about, runs, missing, decided, agree, agreement, covered,
        coverage, nominal, mean_abs_error, chance, target, met``.

    Examples
    --------
    >>> claim = truths.Claim("delay_effect", "interval", "a delay's cost", lambda ctx: truths.Truth(-2.0))
    >>> got = {"delay_effect": {"value": -2.1, "low": -2.4, "high": -1.8}}
    >>> runs = [RunRecord(s, {"confidence": 0.9}, Path("."), "ok", recorded=got) for s in range(3)]
    >>> row = evaluate("08_moments_of_truth", [claim], runs)[0]
    >>> row["coverage"], row["met"]
    (1.0, '(yes: only 3 runs)')
    """
    rows = []
    passed = [r for r in runs if r.status == "ok"]
    # run by run, every claim of a run before the next run: the truths cache a run's tables and its
    # business's population in small caches, which a claim-by-claim order would refill once per claim
    by_run = [[_judge(claim, r) for claim in claims] for r in passed]
    for k, claim in enumerate(claims):
        judged = [js[k] for js in by_run]
        missing = sum(1 for j in judged if j is not None and j["missing"])
        done = [j for j in judged if j is not None and not j["missing"]]
        row = {
            "lesson": lesson,
            "claim": claim.name,
            "kind": claim.kind,
            "about": claim.about,
            "runs": len(done),
            "missing": missing,
        }
        if claim.kind == "interval":
            covered = sum(j["covered"] for j in done)
            nominal = sum(j["nominal"] for j in done) / len(done) if done else None
            row.update(covered=covered, coverage=covered / len(done) if done else None, nominal=nominal)
            row["chance"] = chance_of_at_most(covered, [j["nominal"] for j in done]) if done else None
            if done:
                row["target"] = f"coverage >= {nominal - COVERAGE_SLACK:.3f}"
                row["met"] = _met(len(done), row["coverage"] >= nominal - COVERAGE_SLACK)
        elif claim.kind == "verdict":
            decided = [j for j in done if j["clear"]]
            agree = sum(j["agree"] for j in decided)
            row.update(
                decided=len(decided),
                agree=agree,
                agreement=agree / len(decided) if decided else None,
                all_agree=sum(j["agree"] for j in done),
            )
            if decided:
                row["target"] = f"agreement >= {AGREEMENT_TARGET:.2f}"
                row["met"] = _met(len(decided), row["agreement"] >= AGREEMENT_TARGET)
        else:
            errors = [abs(j["error"]) for j in done if j["error"] is not None]
            row["mean_abs_error"] = sum(errors) / len(errors) if errors else None
        if missing:
            row["met"] = "no: not recorded in some runs"
        rows.append(row)
    return rows


def chance_of_at_most(covered: int, levels: list[float]) -> float:
    """How likely exact intervals cover ``covered`` times or fewer: a miss that chance explains.

    Run ``i`` has an interval at confidence ``levels[i]``; if every interval covered its truth
    with exactly its nominal probability, the number that cover follows a Poisson-binomial
    distribution. This is its lower tail at ``covered``. A claim below its target with a large
    value here is as short as perfect intervals often are in so few runs; a small value (under
    0.01, say) points at the interval or the truth. The target itself is not changed by it.

    Parameters
    ----------
    covered : int
        Runs whose interval covered the truth.
    levels : list of float
        Each run's confidence level, between 0 and 1.

    Returns
    -------
    float
        P(at most ``covered`` of the runs cover), between 0 and 1.

    Examples
    --------
    With 20 runs at 95%, 17 or fewer cover about one time in 13 (``scipy.stats.binom.cdf(17, 20, 0.95)``):

    >>> round(chance_of_at_most(17, [0.95] * 20), 4)
    0.0755
    """
    tail = [1.0]
    for p in levels:
        step = [0.0] * (len(tail) + 1)
        for k, q in enumerate(tail):
            step[k] += q * (1 - p)
            step[k + 1] += q * p
        tail = step
    return min(1.0, sum(tail[: covered + 1]))


def _met(n: int, ok: bool) -> str:
    if n < MIN_RUNS_FOR_TARGET:
        return f"({'yes' if ok else 'no'}: only {n} runs)"
    return "yes" if ok else "no"


def unregistered(lesson: str, claims: list[truths.Claim], runs: list[RunRecord]) -> list[str]:
    """Names a lesson recorded that no claim of :mod:`cxlib.kit.truths` knows the truth of.

    Parameters
    ----------
    lesson : str
        The notebook's stem.
    claims : list of Claim
        Its registered claims.
    runs : list of RunRecord
        Its runs.

    Returns
    -------
    list of str
        The unregistered names, sorted.

    Examples
    --------
    >>> run = RunRecord(0, {}, Path("."), "ok", recorded={"nps": {"value": 3.0}})
    >>> unregistered("03_headline_metrics", [], [run])
    ['nps']
    """
    known = {c.name for c in claims}
    return sorted({name for r in runs for name in r.recorded} - known)


COLUMNS = [
    "lesson",
    "claim",
    "kind",
    "runs",
    "missing",
    "decided",
    "agree",
    "agreement",
    "covered",
    "coverage",
    "nominal",
    "mean_abs_error",
    "chance",
    "target",
    "met",
    "about",
]


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def write_tables(rows: list[dict], failures: list[dict], notes: list[str], out: Path) -> None:
    """Write ``claims.csv`` (spreadsheet-safe) and ``claims.html`` (escaped) into ``out``.

    Parameters
    ----------
    rows : list of dict
        From :func:`evaluate`.
    failures : list of dict
        Failed runs (lesson, seed, params, error).
    notes : list of str
        Lines for the page's notes.
    out : Path
        The folder to write into.

    Returns
    -------
    None
        The two files are written.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_tables([{"lesson": "08", "claim": "end_weighs_most", "kind": "verdict"}], [], [], folder)
    >>> (folder / "claims.csv").read_text().splitlines()[1]
    '08,end_weighs_most,verdict,,,,,,,,,,,,,'
    """
    with open(out / "claims.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for row in rows:
            w.writerow([safe_cell(_fmt(row.get(c))) for c in COLUMNS])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = []
    for row in rows:
        met = str(row.get("met", ""))
        cls = "no" if met.startswith("no") else ("yes" if met == "yes" else "")
        cells = "".join(f"<td>{html.escape(_fmt(row.get(c)))}</td>" for c in COLUMNS)
        body.append(f'<tr class="{cls}">{cells}</tr>')
    fail_rows = "".join(
        f"<li>{html.escape(f['lesson'])}, seed {f['seed']}, {html.escape(str(f['params']))}: "
        f"{html.escape(f['error'])}</li>"
        for f in failures
    )
    summary = html.escape(summarise(rows, failures))
    note_items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cx-course-kit: claims against the truth</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #bbb;padding:3px 6px;font-size:85%;text-align:left;vertical-align:top}}
th{{background:#eee;position:sticky;top:0}} tr.no{{background:#fdd}} tr.yes{{background:#efe}}</style>
</head><body><h1>Lesson claims against the known truth</h1>
<p>{summary}</p>
<p>Targets: an interval covers the truth in at least its nominal rate minus {COVERAGE_SLACK:.0%} of runs;
a verdict the truth decides with a clear margin agrees with it in at least {AGREEMENT_TARGET:.0%} of
runs. Targets in brackets have fewer than {MIN_RUNS_FOR_TARGET} runs. <i>chance</i> is how likely intervals
with exactly their nominal coverage would cover this few times or fewer in these runs: a missed target
with a large chance is what perfect intervals often do in so few runs; a small one points at a fault.</p>
<h2>Failed runs</h2><ul>{fail_rows or "<li>none</li>"}</ul>
<h2>Notes</h2><ul>{note_items or "<li>none</li>"}</ul>
<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>
</body></html>
"""
    (out / "claims.html").write_text(page, encoding="utf-8")


def summarise(rows: list[dict], failures: list[dict]) -> str:
    """One sentence: claims checked, targets met and missed, runs failed.

    Parameters
    ----------
    rows : list of dict
        From :func:`evaluate`.
    failures : list of dict
        The failed runs.

    Returns
    -------
    str
        The sentence.

    Examples
    --------
    >>> summarise([{"met": "yes"}, {"met": "no"}, {"met": "(yes: only 3 runs)"}], [])
    '3 claims checked; 1 of 2 targets met; 0 run(s) failed.'
    """
    targeted = [r for r in rows if r.get("met") in ("yes", "no") or str(r.get("met", "")).startswith("no")]
    met = sum(r.get("met") == "yes" for r in targeted)
    return f"{len(rows)} claims checked; {met} of {len(targeted)} targets met; {len(failures)} run(s) failed."


def sweep(
    lessons: list[Path],
    seeds: list[int],
    out: Path,
    workers=None,
    timeout=900,
    progress=True,
    registry: dict | None = None,
):
    """Run the sweep (see the module docstring).

    Parameters
    ----------
    lessons : list of Path
        Lesson notebooks (``.ipynb``, each with its ``.md`` source beside it).
    seeds : list of int
        One business per seed.
    out : Path
        Output folder.
    workers : int, optional
        Parallel notebooks (default: cores).
    timeout : float
        Time limit per notebook, in seconds.
    progress : bool
        Print a line per lesson.
    registry : dict, optional
        Claims per lesson (default: :func:`cxlib.kit.truths.registry`).

    Returns
    -------
    rows : list of dict
        One per lesson and claim (see :func:`evaluate`).
    failures : list of dict
        The runs that failed: lesson, seed, parameters, error.
    notes : list of str
        Lessons without claims, and names recorded without a registered truth.

    Examples
    --------
    ``cxkit claims --seeds 20 --out build/claims`` calls it for every lesson; the slow test
    ``tests/test_claims.py::test_a_small_lesson_goes_through_the_whole_sweep`` runs a small one.
    """
    registry = truths.registry() if registry is None else registry
    out.mkdir(parents=True, exist_ok=True)
    folders = generate_businesses(out, seeds)
    rows, failures, notes = [], [], []
    for nb in lessons:
        source = nb.with_suffix(".md")
        combos = variants(sweep_values(source), len(seeds))
        runs = run_lesson(nb, folders, combos, out / "runs" / nb.stem, workers, timeout)
        failures += [
            {"lesson": nb.stem, "seed": r.seed, "params": _shown(r.params), "error": r.error}
            for r in runs
            if r.status != "ok"
        ]
        claims = registry.get(nb.stem, [])
        if not claims:
            notes.append(f"{nb.stem}: no claims registered in cxlib.kit.truths")
        rows += evaluate(nb.stem, claims, runs)
        extra = unregistered(nb.stem, claims, runs)
        if extra:
            notes.append(f"{nb.stem}: recorded without a registered truth: {', '.join(extra)}")
        if progress:
            print(f"{nb.stem:<32} {sum(r.status == 'ok' for r in runs)}/{len(runs)} runs passed", flush=True)
    return rows, failures, notes


def _shown(params: dict) -> dict:
    return {k: v for k, v in params.items() if k != "data_dir"}


def add_arguments(parser) -> None:
    """The options of ``cxkit claims``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The verb's parser.

    Returns
    -------
    None
        The options are added to ``parser``.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> parser.parse_args(["--out", "claims", "--seeds", "5"]).seeds
    5
    """
    parser.add_argument("--seeds", type=int, default=20, help="how many businesses (default 20)")
    parser.add_argument("--first-seed", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--out", required=True, help="output folder (data, runs, claims.csv, claims.html)")
    parser.add_argument("--lessons", nargs="*", help="lesson notebooks (default: every lesson in notebooks/)")
    parser.add_argument("--workers", type=int, default=None, help="parallel notebooks (default: cores)")
    parser.add_argument("--timeout", type=float, default=900, help="time limit per notebook, seconds")
    parser.add_argument(
        "--require-targets", action="store_true", help="exit 1 also when a target with enough runs is missed"
    )


def run(args) -> int:
    """``cxkit claims``: the sweep, its tables, and the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        The options of :func:`add_arguments`.

    Returns
    -------
    int
        0 when every run passed (and, with ``--require-targets``, every target was met), 1 otherwise,
        2 when the sweep could not start.
    """
    from .course import lessons as course_lessons

    if args.seeds < 1 or args.first_seed < 0:
        print("error: --seeds must be at least 1 and --first-seed at least 0", file=sys.stderr)
        return 2
    try:
        lessons = [Path(p) for p in args.lessons] if args.lessons else course_lessons()
        missing = [str(p) for p in lessons if not p.is_file()]
        if missing:
            raise RunError(f"no such notebook: {', '.join(missing)}")
        seeds = list(range(args.first_seed, args.first_seed + args.seeds))
        out = Path(args.out)
        rows, failures, notes = sweep(lessons, seeds, out, args.workers, args.timeout)
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_tables(rows, failures, notes, out)
    print(summarise(rows, failures) + f" Tables: {out / 'claims.csv'}, {out / 'claims.html'}")
    missed = [r for r in rows if str(r.get("met", "")).startswith("no")]
    if failures or (args.require_targets and missed):
        return 1
    return 0
