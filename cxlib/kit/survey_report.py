"""A report on your own survey, by its spec: ``cxkit report --spec SPEC [--data FILE] --out DIR``.

Writes ``DIR/report.html`` (one self-contained page a manager can read: no code, no scripts, no
requests, the figures inside it) and ``DIR/tables.xlsx`` (every table, one sheet each), plus the
executed notebook ``DIR/report.ipynb`` it was rendered from. The notebook is the kit's
``survey_report.md``, parameterized with the spec and run with the kit's runner.

Sections: headline metrics with intervals, overall and by group; each factor's reliability; the
drivers of satisfaction with bootstrap intervals; the importance-performance map; groups against
each other (each against the rest, Holm-corrected); trends when the spec has dates; and what
customers say when it has a comment column (redacted, coded into topics, read for tone). A
section whose inputs the spec lacks is skipped with a line saying what it would need. Every
number comes with its interval and one plain sentence. Labels come from the data and the spec:
they are escaped on the page and protected against formula injection in the spreadsheet.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cxlib import drivers, groups, listen, metrics, scales
from cxlib.errors import CxlibError
from cxlib.survey import SpecError, Survey, load_survey

NOTEBOOK = Path(__file__).with_name("survey_report.md")
ALPHA_OK = 0.7


@dataclass
class Section:
    """One section of the report: its title, plain sentences, tables, a figure, or why it is skipped."""

    key: str
    title: str
    sentences: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)
    figure: object = None
    skipped: str | None = None


def _pct(confidence: float) -> str:
    return f"{confidence:.0%}"


def _ci(e, confidence: float, digits: int = 1, unit: str = "") -> str:
    low, high = f"{e.low:.{digits}f}", f"{e.high:.{digits}f}"
    return f"{e.estimate:.{digits}f}{unit} ({_pct(confidence)} interval {low} to {high}, n = {e.n:,})"


def _answered(s: Survey, column: str) -> tuple[pd.Series, np.ndarray | None]:
    x = s.data[column]
    keep = x.notna().to_numpy()
    w = s.data[s.spec["weight"]].to_numpy()[keep] if "weight" in s.spec else None
    return x[keep].astype(int), w


def _who(s: Survey) -> str:
    """Who answered, as the report calls them: the spec's ``respondents`` (customers by default)."""
    return s.spec.get("respondents", "customers")


def _lacking(s: Survey, **needs: str) -> str:
    """What a section needs that the spec lacks: the keys of ``needs`` it does not have, and a
    recommend or satisfaction question (the metric groups and trends compare) when it has neither."""
    missing = [what for key, what in needs.items() if not s.spec.get(key)]
    if "recommend" not in s.spec and "satisfaction" not in s.spec:
        missing.append("a recommend or satisfaction question (the metric compared)")
    return " and ".join(missing)


def _skip(key: str, title: str, need: str) -> Section:
    return Section(key, title, skipped=f"Skipped: this section needs {need}, which the spec does not give.")


def _estimate(sec: Section, s: Survey, column: str, metric, confidence: float, **options):
    """The metric of a column's answers (weighted when the spec has a weight), or None, with a
    sentence in ``sec`` saying why these answers give none (nobody answered, one answer)."""
    x, w = _answered(s, column)
    try:
        return metric(x, confidence=confidence, weights=w, **options)
    except CxlibError as exc:
        why = "no response answered it" if len(x) == 0 else str(exc)
        sec.sentences.append(f"'{s.label(column)}': no estimate from these data ({why}).")
        return None


def _headline(s: Survey, confidence: float = 0.95) -> Section:
    """NPS, satisfaction (top box), effort and other outcomes, each with its interval and a sentence."""
    sec, rows, spec = Section("headline", "Headline metrics"), [], s.spec
    column = spec.get("recommend")
    if column and (e := _estimate(sec, s, column, metrics.nps, confidence)) is not None:
        rows.append(("NPS", s.label(column), e))
        sec.sentences.append(
            f"Net Promoter Score: {_ci(e, confidence)}. Out of every 100 {_who(s)} who answered, about "
            f"{abs(e.estimate):.0f} more {'promote' if e.estimate >= 0 else 'criticise'} than "
            f"{'criticise' if e.estimate >= 0 else 'promote'} (promoters answer 9-10, detractors 0-6)."
        )
    if "satisfaction" in spec:
        column, (lo, hi) = spec["satisfaction"]["column"], spec["satisfaction"]["scale"]
        top = spec["satisfaction"].get("top", 2)
        if (e := _estimate(sec, s, column, metrics.top_box, confidence, scale=(lo, hi), top=top)) is not None:
            rows.append((f"top {top} box", s.label(column), e))
            sec.sentences.append(
                f"Satisfied (answered {hi - top + 1}-{hi} on the {lo}-{hi} scale): "
                f"{_ci(e, confidence, unit='%')}."
            )
    if "effort" in spec:
        column, (lo, hi) = spec["effort"]["column"], spec["effort"]["scale"]
        if (e := _estimate(sec, s, column, metrics.mean_score, confidence, scale=(lo, hi))) is not None:
            rows.append(("mean (lower = easier)", s.label(column), e))
            sec.sentences.append(
                f"Effort, on the {lo}-{hi} scale where lower is easier: mean {_ci(e, confidence, 2)}."
            )
    for entry in spec.get("outcomes", []):
        column, (lo, hi) = entry["column"], entry["scale"]
        if (e := _estimate(sec, s, column, metrics.mean_score, confidence, scale=(lo, hi))) is not None:
            rows.append((f"mean ({lo}-{hi})", s.label(column), e))
            sec.sentences.append(
                f"'{s.label(column)}', on its {lo}-{hi} scale: mean {_ci(e, confidence, 2)}."
            )
    if not rows and sec.sentences:  # questions declared, none with an estimate: say why for each
        return Section("headline", "Headline metrics", skipped="Skipped: " + " ".join(sec.sentences))
    if not rows:
        return _skip("headline", "Headline metrics", "a recommend, satisfaction, effort or outcome question")
    sec.tables["headline"] = pd.DataFrame(
        [
            {"metric": m, "question": q, "estimate": e.estimate, "low": e.low, "high": e.high, "n": e.n}
            for m, q, e in rows
        ]
    )
    return sec


def _main_metric(s: Survey):
    """(column, metric, options, what) of the metric groups and trends are compared on."""
    spec = s.spec
    if "recommend" in spec:
        return spec["recommend"], "nps", {}, "NPS"
    if "satisfaction" in spec:
        entry = spec["satisfaction"]
        return (
            entry["column"],
            "top_box",
            {"scale": tuple(entry["scale"]), "top": entry.get("top", 2)},
            "% satisfied",
        )
    return None


def _grouped(s: Survey, key: str, title: str):
    """A section on groups: the skip when the spec has no groups or no main metric, else the section,
    the main metric and the answered rows."""
    main = _main_metric(s)
    if not s.spec.get("groups") or main is None:
        return _skip(key, title, _lacking(s, groups="grouping columns (groups:)")), None
    column = main[0]
    answered = s.data[s.data[column].notna()]
    if answered.empty:
        return Section(key, title, skipped=f"Skipped: no response answered '{s.label(column)}'."), None
    return Section(key, title), (*main, answered)


def _by_group(s: Survey, confidence: float = 0.95) -> Section:
    """The main metric per level of each grouping column, with intervals."""
    sec, got = _grouped(s, "by_group", "By group")
    if got is None:
        return sec
    column, metric, options, what, d = got
    w = s.spec.get("weight")
    for g in s.spec["groups"]:
        t = metrics.by_group(d, column, g, metric, weights=w, confidence=confidence, **options).reset_index()
        sec.tables[f"{what} by {g}"] = t
        best, worst = t.loc[t["estimate"].idxmax()], t.loc[t["estimate"].idxmin()]
        apart = (
            "their intervals do not overlap"
            if best["low"] > worst["high"]
            else "their intervals overlap, so even this order may be chance"
        )
        sec.sentences.append(
            f"{what} by '{s.label(g)}': highest in '{best[g]}', {best['estimate']:.1f} ({best['low']:.1f} to "
            f"{best['high']:.1f}, n = {int(best['n']):,}); lowest in '{worst[g]}', {worst['estimate']:.1f} "
            f"({worst['low']:.1f} to {worst['high']:.1f}, n = {int(worst['n']):,}); {apart}. "
            "The comparison section tests every group against the rest."
        )
    return sec


def _reliability(s: Survey, confidence: float = 0.95) -> Section:
    """Cronbach's alpha of each factor with two or more items, with its Feldt interval."""
    title = "Reliability of each factor"
    multi = {f: cols for f, cols in s.factors.items() if len(cols) >= 2}
    if not multi:
        return _skip("reliability", title, "factors with at least two items each (factors:)")
    sec, rows = Section("reliability", title), []
    for f, cols in multi.items():
        a = scales.cronbach_alpha(s.keyed(f), cols, confidence=confidence, missing="pairwise")
        rows.append(
            {
                "factor": s.factor_label(f),
                "items": len(cols),
                "estimate": a.estimate,
                "low": a.low,
                "high": a.high,
                "n": a.n,
            }
        )
        if a.estimate < 0:
            verdict = (
                "below 0: its items go in opposite directions (they correlate negatively), so their "
                "average mixes opposite answers. Check whether one is reverse-keyed (reverse: true in "
                "the spec) or belongs to another factor before reading this factor's score"
            )
        elif a.low >= ALPHA_OK:
            verdict = "the items agree well enough to be averaged into one score"
        else:
            verdict = "read its items one by one as well: the interval reaches below 0.7"
        sec.sentences.append(
            f"{s.factor_label(f)} ({len(cols)} items): alpha {a.estimate:.2f} ({_pct(confidence)} interval "
            f"{a.low:.2f} to {a.high:.2f}, n = {a.n:,}); {verdict}."
        )
    for f, cols in s.factors.items():
        if len(cols) < 2:
            sec.sentences.append(
                f"{s.factor_label(f)} has one item: reliability (alpha) needs two or more; its score "
                "is that one answer."
            )
    sec.tables["reliability"] = pd.DataFrame(rows)
    return sec


def _driver_frame(s: Survey):
    spec = s.spec
    outcome = spec.get("satisfaction", {}).get("column") or spec.get("recommend")
    if outcome is None and spec.get("outcomes"):
        outcome = spec["outcomes"][0]["column"]
    if outcome is None or len(s.factors) < 2:
        return None
    scores = s.factor_scores()
    scores.columns = [s.factor_label(f) for f in scores.columns]
    scores.insert(0, outcome, s.data[outcome])
    return outcome, scores


def _key_drivers(s: Survey, confidence: float = 0.95, n_boot: int = 1000, seed: int = 0) -> Section:
    """Relative weights of the factors on satisfaction (or recommend), with bootstrap intervals."""
    title = "What drives satisfaction"
    got = _driver_frame(s)
    if got is None:
        return _skip(
            "drivers", title, "two or more factors and an outcome (satisfaction, recommend or outcomes:)"
        )
    outcome, d = got
    preds = list(d.columns[1:])
    t = drivers.importance_intervals(
        d,
        outcome,
        preds,
        method="relative_weights",
        n_boot=n_boot,
        confidence=confidence,
        seed=seed,
        missing="listwise",
    )
    sec = Section("drivers", f"What drives '{s.label(outcome)}'")
    r2, n, dropped = t.attrs["r_squared"], t.attrs["n"], t.attrs["dropped"]
    r2_low, r2_high = t.attrs["r_squared_low"], t.attrs["r_squared_high"]
    sec.sentences.append(
        f"Together the factors explain {r2:.0%} of the differences in '{s.label(outcome)}' (R-squared; "
        f"{_pct(confidence)} bootstrap interval {r2_low:.0%} to {r2_high:.0%}; n = {n:,} responses with "
        "the outcome and every factor's score, a factor's score being the mean of the items answered "
        f"when at least half are; {dropped:,} left out for a blank). Each "
        f"factor's share of that, with {_pct(confidence)} bootstrap intervals ({n_boot} resamples):"
    )
    for name, row in t.sort_values("percent", ascending=False).iterrows():
        sec.sentences.append(
            f"{name}: {row['percent']:.0f}% ({row['percent_low']:.0f}% to {row['percent_high']:.0f}%)."
        )
    opposed = [
        s.factor_label(f)
        for f, cols in s.factors.items()
        if len(cols) >= 2 and scales.cronbach_alpha(s.keyed(f), cols, missing="pairwise").estimate < 0
    ]
    if opposed:
        sec.sentences.append(
            f"Read {', '.join(opposed)} with care: its items go in opposite directions (alpha below 0, see "
            "the reliability section), so its score, and its share here, mix opposite answers."
        )
    sec.sentences.append(
        "These are associations in one survey, not proof that changing a factor moves the outcome."
    )
    sec.tables["drivers"] = t.reset_index()
    return sec


def _ipa(s: Survey, confidence: float = 0.95) -> Section:
    """The importance-performance map of the factors (all on one scale), with its quadrants."""
    title = "Importance-performance map"
    got = _driver_frame(s)
    if got is None:
        return _skip("ipa", title, "two or more factors and an outcome")
    scales_seen = {tuple(i["scale"]) for f in s.spec["factors"].values() for i in f["items"]}
    if len(scales_seen) > 1:
        return Section(
            "ipa",
            title,
            skipped=(
                "Skipped: the factors' items are on different scales "
                f"({', '.join(f'{a}-{b}' for a, b in sorted(scales_seen))}), "
                "so their means cannot share an axis; "
                "cxlib does not rescale. Give every factor's items one scale to get the map."
            ),
        )
    outcome, d = got
    t = drivers.importance_performance(d, outcome, list(d.columns[1:]))
    # performance is each factor's mean score over the responses that have one: its t interval
    means = {name: metrics.mean_score(d[name].dropna(), confidence=confidence) for name in t.index}
    t.insert(t.columns.get_loc("performance") + 1, "performance_low", [means[n].low for n in t.index])
    t.insert(t.columns.get_loc("performance_low") + 1, "performance_high", [means[n].high for n in t.index])
    lo, hi = scales_seen.pop()
    sec = Section("ipa", title)
    for name, row in t.iterrows():
        sec.sentences.append(
            f"{name}: importance {row['importance']:.0f}% of R-squared, performance {row['performance']:.2f} "
            f"({row['performance_low']:.2f} to {row['performance_high']:.2f}) on {lo}-{hi}: "
            f"{row['quadrant']}."
        )
    sec.sentences.append(
        "Quadrants split at the average importance and performance of these factors: a factor near a line "
        "could fall on either side in another sample (see the intervals of the drivers)."
    )
    sec.tables["importance-performance"] = t.reset_index()
    import matplotlib

    from cxlib import plots

    # the labels are the user's text: drawn as written, never parsed as mathtext ($\\beta$, $5 to $10)
    with matplotlib.rc_context({"text.parse_math": False}):
        ax = plots.ipa_map(
            t,
            x_cross=t.attrs["x_cross"],
            y_cross=t.attrs["y_cross"],
            xlabel=f"performance (mean rating, {lo}-{hi})",
            ylabel="importance (% of R-squared)",
        )
    sec.figure = ax.figure
    return sec


def _compare_groups(s: Survey, confidence: float = 0.95) -> Section:
    """Each group against the rest, p-values Holm-corrected over the table."""
    sec, got = _grouped(s, "groups", "Groups against each other")
    if got is None:
        return sec
    column, metric, options, what, d = got
    for g in s.spec["groups"]:
        if d[g].nunique() < 2:
            sec.sentences.append(f"{s.label(g)} has one group only: nothing to compare.")
            continue
        t = groups.versus_rest(
            d,
            column,
            g,
            metric,
            correction="holm",
            confidence=confidence,
            weights=s.spec.get("weight"),
            **options,
        )
        sec.tables[f"{g} vs rest"] = t
        out = t[t["verdict"] != "no difference"]
        if out.empty:
            sec.sentences.append(
                f"'{s.label(g)}': no group's {what} differs from the rest once the {len(t)} comparisons are "
                f"corrected for (Holm); the differences seen are within chance."
            )
        for _, r in out.iterrows():
            sec.sentences.append(
                f"'{s.label(g)}' {r[g]}: {what} {r['estimate_a']:.1f}, {r['verdict']} the rest "
                f"({r['estimate_b']:.1f}): a difference of {r['estimate']:+.1f} ({r['low']:+.1f} to "
                f"{r['high']:+.1f}; Holm-adjusted p = {r['p_adjusted']:.3g}, n = {int(r['n_a']):,})."
            )
    return sec


def _trends(s: Survey, confidence: float = 0.95) -> Section:
    """The main metric per period, and each period against the one before (Holm-corrected)."""
    title = "Trends"
    main = _main_metric(s)
    if "date" not in s.spec or main is None:
        return _skip("trends", title, _lacking(s, date="a date column (date:)"))
    column, metric, options, what = main
    freq = {"month": "M", "quarter": "Q", "year": "Y"}[s.spec.get("period", "month")]
    d = s.data[s.data[column].notna()].copy()
    d["period"] = d[s.spec["date"]].dt.to_period(freq).astype(str)
    if d.empty:
        return Section("trends", title, skipped=f"Skipped: no response answered '{s.label(column)}'.")
    if d["period"].nunique() < 2:
        return Section(
            "trends",
            title,
            skipped=(
                f"Skipped: every response falls in one {s.spec.get('period', 'month')} "
                f"({d['period'].iloc[0]}); "
                "a trend needs two periods or more."
            ),
        )
    t = metrics.by_group(
        d, column, "period", metric, weights=s.spec.get("weight"), confidence=confidence, **options
    ).reset_index()
    pop = groups.period_over_period(
        d, column, "period", metric, confidence=confidence, weights=s.spec.get("weight"), **options
    )
    sec = Section("trends", title, tables={f"{what} by period": t, "period over period": pop})
    first, last = t.iloc[0], t.iloc[-1]
    sec.sentences.append(
        f"{what} went from {first['estimate']:.1f} ({first['low']:.1f} to {first['high']:.1f}) "
        f"in {first['period']} "
        f"to {last['estimate']:.1f} ({last['low']:.1f} to {last['high']:.1f}) in {last['period']}."
    )
    moved = pop[pop["verdict"] != "no change"]
    sec.sentences.append(
        f"{len(moved)} of {len(pop)} period-to-period changes are larger than chance after Holm correction."
        if len(moved)
        else f"None of the {len(pop)} period-to-period changes is larger than chance after Holm correction."
    )
    return sec


def _comments(s: Survey, confidence: float = 0.95) -> Section:
    """What respondents say: comments redacted, coded into the codebook's topics, read for tone."""
    title = f"What {_who(s)} say"
    if "comment" not in s.spec:
        return _skip("comments", title, "a free-text comment column (comment:)")
    text = s.data[s.spec["comment"]]
    has = listen.has_text(text).to_numpy()
    if has.sum() == 0:
        return Section("comments", title, skipped="Skipped: the comment column holds no comments.")
    red = listen.redact(text[has])
    topics = listen.code_topics(red, s.spec.get("codebook"))
    tone = listen.sentiment(red)
    n = int(has.sum())
    rows = []
    for topic in topics.columns:
        e = metrics.wilson_from_counts(int(topics[topic].sum()), n, confidence).iloc[0]
        rows.append(
            {
                "topic": topic,
                "mentions": int(topics[topic].sum()),
                "estimate": e["estimate"],
                "low": e["low"],
                "high": e["high"],
                "n": n,
            }
        )
    table = pd.DataFrame(rows).sort_values("estimate", ascending=False)
    sec = Section("comments", title, tables={"topics": table})
    sec.sentences.append(
        f"{n:,} of {len(text):,} responses ({n / len(text):.0%}) left a comment of two words or more; "
        "e-mail addresses, phone numbers and names were redacted before anything was read."
    )
    for _, r in table.head(5).iterrows():
        sec.sentences.append(
            f"'{r['topic']}' is mentioned in {r['estimate']:.0f}% of comments "
            f"({r['low']:.0f}% to {r['high']:.0f}%)."
        )
    neg = metrics.wilson_from_counts(int((tone <= -0.05).sum()), n, confidence).iloc[0]
    sec.sentences.append(
        f"Tone (VADER): {neg['estimate']:.0f}% of comments read as negative ({neg['low']:.0f}% to "
        f"{neg['high']:.0f}%). Topics come from a word list and tone from a lexicon: "
        "both miss some comments; "
        "read a sample before acting."
    )
    if not s.spec.get("codebook"):
        sec.sentences.append(
            f"The topics are the kit's default word list ({', '.join(map(repr, listen.CODEBOOK))}; "
            "cxlib.listen.CODEBOOK), written for the course's retail business: give your own as codebook: "
            "in the spec, {topic: regular expression}."
        )
    return sec


def sections(s: Survey, confidence: float = 0.95, n_boot: int = 1000, seed: int = 0) -> list[Section]:
    """Every section of the report, in order (skipped ones say what they would need).

    Parameters
    ----------
    s : cxlib.survey.Survey
        The loaded survey.
    confidence : float
        For every interval.
    n_boot : int
        Bootstrap resamples for the drivers' intervals.
    seed : int
        The bootstrap's seed.

    Returns
    -------
    list of Section
        Headline, by group, reliability, drivers, importance-performance, groups, trends, comments.

    Examples
    --------
    >>> import cxlib.data as d
    >>> from cxlib.survey import load_survey
    >>> s = load_survey({"version": 1, "data": str(d.default_data_dir() / "survey.csv"),
    ...                  "recommend": "recommend"})
    >>> [(sec.key, sec.skipped is None) for sec in sections(s)][:3]
    [('headline', True), ('by_group', False), ('reliability', False)]
    >>> sections(s)[0].sentences[0][:27]
    'Net Promoter Score: 11.8 (9'
    """
    builds = [
        ("headline", "Headline metrics", lambda: _headline(s, confidence)),
        ("by_group", "By group", lambda: _by_group(s, confidence)),
        ("reliability", "Reliability of each factor", lambda: _reliability(s, confidence)),
        ("drivers", "What drives satisfaction", lambda: _key_drivers(s, confidence, n_boot, seed)),
        ("ipa", "Importance-performance map", lambda: _ipa(s, confidence)),
        ("groups", "Groups against each other", lambda: _compare_groups(s, confidence)),
        ("trends", "Trends", lambda: _trends(s, confidence)),
        ("comments", f"What {_who(s)} say", lambda: _comments(s, confidence)),
    ]
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for key, title, build in builds:
            try:
                out.append(build())
            except CxlibError as exc:  # data a section cannot use (no answers, one value): said, not a crash
                out.append(Section(key, title, skipped=f"Skipped: these data cannot give it: {exc}"))
    return out


def section_html(sec: Section) -> str:
    """A section as inert HTML: every text escaped, every table escaped, then the site's sanitiser.

    Parameters
    ----------
    sec : Section
        A section.

    Returns
    -------
    str
        HTML (no figure: the notebook shows it as an image output).

    Examples
    --------
    >>> section_html(Section("x", "<b>T</b>", ["<script>alert(1)</script>"]))
    '<h2>&lt;b&gt;T&lt;/b&gt;</h2><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'
    """
    from cxlib.kit.safehtml import clean_html

    parts = [f"<h2>{html.escape(sec.title)}</h2>"]
    if sec.skipped:
        parts.append(f"<p><em>{html.escape(sec.skipped)}</em></p>")
    parts += [f"<p>{html.escape(t)}</p>" for t in sec.sentences]
    for name, t in sec.tables.items():
        shown = t.round(3) if isinstance(t, pd.DataFrame) else t
        parts.append(f"<h3>{html.escape(str(name))}</h3>" + shown.to_html(index=False, escape=True, border=0))
    return clean_html("".join(parts))


def write_tables(secs: list[Section], path: Path) -> Path:
    """Every table of the report in one XLSX workbook, one sheet each, formula injection guarded.

    Parameters
    ----------
    secs : list of Section
        The report's sections.
    path : Path
        The workbook to write.

    Returns
    -------
    Path
        ``path``. Its first sheet, ``sections``, lists every section, its tables, and why it was
        skipped.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> _ = write_tables([Section("x", "X", tables={"n": pd.DataFrame({"a": ["=1"]})})], path)
    >>> pd.read_excel(path, sheet_name=None)["n"]["a"].tolist()
    ["'=1"]
    """
    from cxlib.export import to_xlsx

    contents = pd.DataFrame(
        [
            {
                "section": sec.title,
                "shown": sec.skipped is None,
                "tables": ", ".join(map(str, sec.tables)),
                "why skipped": sec.skipped or "",
            }
            for sec in secs
        ]
    )  # the first sheet: every section, so a report whose sections are all skipped still says why
    sheets = {"sections": contents} | {name: t for sec in secs for name, t in sec.tables.items()}
    return to_xlsx(sheets, path)


# ---------------------------------------------------------------------------------------------
# the verb
# ---------------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
table {{ border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }}
th {{ background: #f3f3f3; }} img {{ max-width: 100%; }}
h2 {{ border-top: 2px solid #ccc; padding-top: 1rem; }}
</style></head><body>
{body}
</body></html>
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``cxkit report``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The verb's parser.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> parser.parse_args(["--spec", "s.yml", "--out", "r"]).n_boot
    1000
    """
    parser.add_argument("--spec", required=True, help="the survey spec (YAML; cxkit spec init drafts one)")
    parser.add_argument("--data", help="the export (default: the spec's data:)")
    parser.add_argument("--out", required=True, help="folder for report.html, tables.xlsx, report.ipynb")
    parser.add_argument("--confidence", type=float, default=0.95, help="for every interval (default 0.95)")
    parser.add_argument(
        "--n-boot", type=int, default=1000, help="bootstrap resamples for the drivers (default 1000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="the bootstrap's seed (default 0)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed for the report (900)")


def render_html(notebook: Path, title: str) -> str:
    """The executed report notebook as one self-contained, inert HTML page (code hidden).

    Parameters
    ----------
    notebook : Path
        The executed notebook.
    title : str
        The page's title (escaped).

    Returns
    -------
    str
        The page.

    Examples
    --------
    >>> import nbformat, tempfile
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    >>> html_out = {"text/html": "<p onclick='x()'>hi</p>"}
    >>> nb.cells[0].outputs = [nbformat.v4.new_output("display_data", html_out)]
    >>> path = Path(tempfile.mkdtemp()) / "r.ipynb"
    >>> nbformat.write(nb, path)
    >>> page = render_html(path, "<T>")
    >>> "<p>hi</p>" in page, "x = 1" in page, "&lt;T&gt;" in page
    (True, False, True)
    """
    import nbformat
    from nbconvert import HTMLExporter

    from cxlib.kit.safehtml import clean_notebook

    nb = nbformat.read(notebook, as_version=4)
    nb_dict = json.loads(nbformat.writes(nb))
    clean_notebook(nb_dict)
    nb = nbformat.reads(json.dumps(nb_dict), as_version=4)
    exporter = HTMLExporter(
        template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nb)
    return PAGE.format(title=html.escape(title), body=body)


QUESTIONS = ("recommend", "satisfaction", "effort", "factors", "outcomes", "comment")


def nothing_to_report(spec: dict) -> str | None:
    """Why a report on this spec would be empty (it declares no question), or ``None``.

    Parameters
    ----------
    spec : dict
        A read spec.

    Returns
    -------
    str or None
        The message ``cxkit report`` stops with, and ``cxkit spec check`` prints as a note.

    Examples
    --------
    >>> nothing_to_report({"id": "rid", "groups": ["region"]})[:47]
    'the spec declares no question to report on: add'
    >>> nothing_to_report({"recommend": "Q7"}) is None
    True
    """
    if any(spec.get(key) for key in QUESTIONS):
        return None
    return (
        "the spec declares no question to report on: add recommend, satisfaction, effort, factors, "
        "outcomes or comment (cxkit spec init drafts them from the export)"
    )


def run(args) -> int:
    """Run ``cxkit report``: validate, execute the report notebook, write the page and the tables.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options.

    Returns
    -------
    int
        0 ok, 1 the report failed, 2 the spec or data do not fit.
    """
    import jupytext

    from cxlib.kit.execute import execute_notebook
    from cxlib.kit.spec import printable
    from cxlib.params import check_confidence, check_seed

    out = Path(args.out)
    try:
        check_confidence(args.confidence)  # the options, then the spec and data: here, not in the notebook
        check_seed(args.seed)
        if args.n_boot < 100:
            raise CxlibError(f"--n-boot must be at least 100 (relaimpo suggests 1000), got {args.n_boot}")
        survey = load_survey(args.spec, args.data)
    except CxlibError as exc:
        print(printable(f"cxkit report: {exc}"), file=sys.stderr)
        return 2
    if (empty := nothing_to_report(survey.spec)) is not None:
        print(f"cxkit report: {empty}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    for old in ("report.html", "tables.xlsx", "report.ipynb"):  # a failed run leaves no older report
        (out / old).unlink(missing_ok=True)
    template = out / "report-template.ipynb"
    jupytext.write(jupytext.read(NOTEBOOK), template)
    params = {
        "spec": str(Path(args.spec).resolve()),
        "data": str(Path(args.data).resolve()) if args.data else None,
        "out": str(out.resolve()),
        "confidence": args.confidence,
        "n_boot": args.n_boot,
        "seed": args.seed,
    }
    outcome = execute_notebook(str(template), str(out / "report.ipynb"), params, str(out), args.timeout)
    template.unlink()
    if outcome.status != "ok":
        print(
            printable(
                f"cxkit report: the report failed at cell {outcome.cell} of its template, "
                f"cxlib/kit/survey_report.md ({outcome.code!r}): {outcome.error}. The executed notebook, "
                f"with the whole traceback: {out / 'report.ipynb'}"
            ),
            file=sys.stderr,
        )
        return 1
    title = survey.spec.get("title") or Path(args.spec).stem
    (out / "report.html").write_text(render_html(out / "report.ipynb", title), encoding="utf-8")
    n = len(survey.data)
    print(f"wrote {out / 'report.html'} and {out / 'tables.xlsx'} ({n:,} response{'s' * (n != 1)})")
    return 0


__all__ = ["Section", "SpecError", "sections", "section_html", "write_tables", "render_html"]
