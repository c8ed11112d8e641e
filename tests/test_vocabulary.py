"""One vocabulary across cxlib: every estimate is called ``estimate``, one argument order, plain names.

Every public function of the analysis modules that returns a table or a result object is called
here on small data, and its output is checked:

* the point estimate is ``estimate``; an interval ``low``/``high`` (or a standard error ``se``)
  always belongs to an ``estimate``, and a prefixed one (``retention_low``) to its own column;
* none of the retired names appears as a column or attribute (``value``, ``difference``,
  ``alpha``, ``beta``, ``gap``, ...).

The test also fails when a new public function is added to these modules without being listed
here, either with a call or with the reason it returns no table (a number, a figure, a check).
The signatures are checked too: ``(df, outcome, predictors, ...)``, ``missing=`` for missing data,
``items`` as column names, and names that say whether a function draws.
"""

from __future__ import annotations

import importlib
import inspect
import warnings
from dataclasses import fields, is_dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

MODULES = [
    "metrics",
    "scales",
    "drivers",
    "weights",
    "groups",
    "gaps",
    "benchmark",
    "levels",
    "journey",
    "value",
    "tracking",
    "compare",
    "plots",
    "results",
    "checks",
    "record",
    "params",
    "listen",
]

#: Names the vocabulary retired: a point estimate is ``estimate``, a percentage of a total ``percent``,
#: a control chart's series ``estimate``, missing data ``missing``.
RETIRED = {"value", "difference", "alpha", "beta", "gap", "weight", "share", "p", "nan_policy"}

#: Argument names retired for column names (functions that take ``df``, and the plots): the measured
#: column is ``outcome`` (not ``column``, ``value`` or ``rating``), a plot's estimate column is
#: ``estimate`` (not ``value``, ``diff`` or ``y``), missing data is ``missing``.
RETIRED_ARGUMENTS = {"nan_policy", "column", "value", "rating", "diff", "y"}

#: Results with no single point estimate: descriptive tables (a row of statistics per item, the
#: counts of a Kano table, per-customer scores) or tables of several quantities side by side (their
#: intervals are prefixed: ``retention_low``; a two-level table holds one estimate table per block).
NO_POINT_ESTIMATE = {
    "scales.item_analysis",
    "scales.factor_scores",
    "drivers.importance_performance",
    "benchmark.importance_vs_lead",
    "benchmark.published_ranks",
    "levels.satisfaction_coefficients",
    "levels.kano_summary",
    "levels.levels_outcomes",
    "journey.sequence_summary",
    "value.customer_years",
    "value.value_at_risk",
    "value.purchase_spans",
    "value.survival",
    "compare.group_stats",
    "weights.weights_report",
    "listen.find_personal_data",
    "listen.redaction_errors",
    "listen.coding_accuracy",
}


def _public_functions():
    for name in MODULES:
        module = importlib.import_module(f"cxlib.{name}")
        for attr, obj in vars(module).items():
            if not attr.startswith("_") and inspect.isfunction(obj) and obj.__module__ == module.__name__:
                yield f"{name}.{attr}", obj


FUNCTIONS = dict(_public_functions())

# --- small data ---

RNG = np.random.default_rng(7)
SURVEY = pd.DataFrame(
    {
        "branch": np.repeat(["A", "B", "C"], 40),
        "month": np.tile(np.arange(1, 11), 12),
        "recommend": RNG.integers(0, 11, 120),
        "satisfaction": RNG.integers(1, 6, 120),
        "effort": RNG.integers(1, 8, 120),
        "buy_again": RNG.integers(1, 6, 120),
    }
)
for _i, _c in enumerate(["i1", "i2", "i3", "i4"]):
    SURVEY[_c] = np.clip(SURVEY["satisfaction"] + RNG.integers(-1, 2, 120), 1, 5)
ITEMS = ["i1", "i2", "i3", "i4"]

EXPECTATIONS = pd.DataFrame(
    {
        "respondent_id": np.repeat(np.arange(12), 2),
        "role": np.repeat(["customer"] * 6 + ["employee"] * 6, 2),
        "expectation": ["listened to", "low prices"] * 12,
        "importance": RNG.integers(1, 8, 24),
    }
)
SERVQUAL = pd.DataFrame(
    {
        "respondent_id": np.repeat(np.arange(6), 2),
        "dimension": ["reliability", "empathy"] * 6,
        "item": ["reliability_1", "empathy_1"] * 6,
        "expectation": RNG.integers(4, 8, 12),
        "perception": RNG.integers(1, 8, 12),
    }
)
BENCH = pd.DataFrame(
    {
        "business": np.repeat(["Us", "Rival"], 10),
        "business_type": np.repeat(["us", "competitor"], 10),
        "i1": RNG.integers(1, 6, 20),
        "i2": RNG.integers(1, 6, 20),
    }
)
KANO = pd.DataFrame(
    {
        "attribute": ["delivery"] * 3 + ["note"] * 3,
        "functional": ["expect", "like", "expect", "like", "like", "neutral"],
        "dysfunctional": ["dislike", "dislike", "dislike", "neutral", "neutral", "neutral"],
    }
)
ORDERS = pd.DataFrame(RNG.integers(1, 11, size=(60, 3)), columns=["contact_1", "contact_2", "contact_3"])
ORDERS["overall"] = ORDERS.mean(axis=1) + RNG.normal(0, 1, 60)
ORDERS["delayed"] = np.arange(60) % 3 == 0
ORDERS["told_of_delay"] = ORDERS["delayed"] & (np.arange(60) % 2 == 0)
ORDERS["thank_you"] = np.arange(60) % 4 == 0
PURCHASES = pd.DataFrame(
    {
        "customer_id": [1, 2, 3, 4, 1, 2, 5, 1, 5],
        "margin": [10.0, 5.0, 8.0, 4.0, 6.0, 7.0, 3.0, 2.0, 9.0],
        "date": pd.to_datetime(
            ["2023-02-01", "2023-03-01", "2023-05-01", "2023-07-01", "2024-01-05", "2024-02-01", "2024-03-01"]
            + ["2025-01-01", "2025-02-01"]
        ),
    }
)
CUSTOMERS = pd.DataFrame(
    {"satisfaction": [5, 5, 5, 5, 2, 2, 2, 2], "retained": [1, 1, 1, 0, 1, 0, 0, 0], "margin": [100.0] * 8}
)
SERIES = pd.DataFrame({"t": np.arange(24), "y": 3.5 + 0.01 * np.arange(24) + 0.3 * (np.arange(24) >= 12)})
SERIES["y"] += RNG.normal(0, 0.05, 24)
DID = pd.DataFrame(
    {
        "y": RNG.normal(0, 1, 40) + np.repeat([0, 0, 0, 1], 10),
        "treated": np.repeat([0, 0, 1, 1], 10),
        "post": np.tile(np.repeat([0, 1], 10), 2),
    }
)


def _gaps():
    from cxlib import benchmark

    return benchmark.benchmark_gaps(BENCH, items=["i1", "i2"])


def _fit():
    import statsmodels.api as sm

    return sm.OLS(SERIES["y"].to_numpy(), sm.add_constant(SERIES["t"].to_numpy(dtype=float))).fit()


# qualname -> a call on small data that returns a table or a result object
CALLS = {
    "metrics.nps_from_counts": lambda m: m.nps_from_counts([50], [20], [100]),
    "metrics.wilson_from_counts": lambda m: m.wilson_from_counts([81], [263]),
    "metrics.share_difference_from_counts": lambda m: m.share_difference_from_counts(56, 70, 48, 80),
    "metrics.mean_from_sums": lambda m: m.mean_from_sums([10.0], [30.0], [4]),
    "metrics.nps": lambda m: m.nps(SURVEY["recommend"]),
    "metrics.compare_nps": lambda m: m.compare_nps(SURVEY["recommend"][:60], SURVEY["recommend"][60:]),
    "metrics.top_box": lambda m: m.top_box(SURVEY["satisfaction"]),
    "metrics.bottom_box": lambda m: m.bottom_box(SURVEY["effort"], scale=(1, 7), bottom=3),
    "metrics.mean_score": lambda m: m.mean_score(SURVEY["satisfaction"]),
    "metrics.effort_score": lambda m: m.effort_score(SURVEY["effort"]),
    "metrics.by_group": lambda m: m.by_group(SURVEY, "recommend", by="branch", metric="nps"),
    "metrics.clustered": lambda m: m.clustered(SURVEY, "recommend", "month", metric="nps", by="branch"),
    "scales.cronbach_alpha": lambda m: m.cronbach_alpha(SURVEY, ITEMS),
    "scales.item_analysis": lambda m: m.item_analysis(SURVEY, ITEMS),
    "scales.factor_scores": lambda m: m.factor_scores(SURVEY, factors={"f": ITEMS}),
    "drivers.relative_weights": lambda m: m.relative_weights(SURVEY, "satisfaction", ITEMS),
    "drivers.key_drivers": lambda m: m.key_drivers(SURVEY, "satisfaction", ITEMS),
    "drivers.importance_performance": lambda m: m.importance_performance(SURVEY, "satisfaction", ITEMS),
    "drivers.lmg": lambda m: m.lmg(SURVEY, "satisfaction", ITEMS),
    "drivers.importance_intervals": lambda m: m.importance_intervals(
        SURVEY, "satisfaction", ITEMS, n_boot=100
    ),
    "drivers.ordinal_drivers": lambda m: m.ordinal_drivers(SURVEY, "satisfaction", ITEMS),
    "weights.weights_report": lambda m: m.weights_report(np.linspace(0.5, 2, 20)),
    "metrics.nps_difference": lambda m: m.nps_difference([60], [20], [100], [40], [30], [100], "wald", 0.95),
    "groups.versus_rest": lambda m: m.versus_rest(SURVEY, "recommend", "branch", "nps"),
    "groups.pairwise": lambda m: m.pairwise(SURVEY, "satisfaction", "branch", "mean"),
    "groups.period_over_period": lambda m: m.period_over_period(SURVEY, "satisfaction", "month", "top_box"),
    "gaps.expectation_gap": lambda m: m.expectation_gap(EXPECTATIONS),
    "gaps.servqual_gaps": lambda m: m.servqual_gaps(SERVQUAL),
    "benchmark.benchmark_gaps": lambda m: _gaps(),
    "benchmark.importance_vs_lead": lambda m: m.importance_vs_lead(
        _gaps(), pd.Series({"i1": 60.0, "i2": 40.0})
    ),
    "levels.satisfaction_coefficients": lambda m: m.satisfaction_coefficients([45], [123], [95], [33]),
    "levels.kano_summary": lambda m: m.kano_summary(KANO),
    "levels.levels_outcomes": lambda m: m.levels_outcomes(
        SURVEY.assign(service_level=np.repeat(["satisfy", "exceed", "delight"], 40))
    ),
    "journey.sequence_summary": lambda m: m.sequence_summary(ORDERS),
    "journey.peak_end_regression": lambda m: m.peak_end_regression(ORDERS),
    "journey.moment_effects": lambda m: m.moment_effects(ORDERS),
    "journey.contact_weights": lambda m: m.contact_weights(ORDERS, m.peak_end_regression(ORDERS)),
    "value.customer_years": lambda m: m.customer_years(PURCHASES, 2023),
    "value.retention_rate": lambda m: m.retention_rate(PURCHASES),
    "value.margin_per_customer": lambda m: m.margin_per_customer(PURCHASES),
    "value.value_at_risk": lambda m: m.value_at_risk(CUSTOMERS, level="satisfaction"),
    "value.value_at_risk_total": lambda m: m.value_at_risk_total(CUSTOMERS, level="satisfaction"),
    "value.purchase_spans": lambda m: m.purchase_spans(PURCHASES),
    "value.survival": lambda m: m.survival(m.purchase_spans(PURCHASES)),
    "value.survival_curve": lambda m: m.survival_curve(m.purchase_spans(PURCHASES), [1, 2, 1, 2, 2]),
    "value.value_at_risk_curve": lambda m: m.value_at_risk_curve(
        m.survival_curve(m.purchase_spans(PURCHASES), [1, 2, 1, 2, 2]), 100.0
    ),
    "value.clv_estimate": lambda m: m.clv_estimate(100.0, 0.8, 0.1, margin_se=5.0, retention_se=0.02, n=400),
    "tracking.p_chart_limits": lambda m: m.p_chart_limits([5, 9, 16], [50, 50, 50]),
    "tracking.top_box_limits": lambda m: m.top_box_limits(SURVEY, "satisfaction", "month"),
    "tracking.nps_limits": lambda m: m.nps_limits(SURVEY, "recommend", "month"),
    "tracking.interrupted_time_series": lambda m: m.interrupted_time_series(SERIES, "y", "t", 12),
    "tracking.diff_in_diff": lambda m: m.diff_in_diff(DID, "y", "treated", "post"),
    "tracking.contrast_of_means": lambda m: m.contrast_of_means([[1.0, 2.0, 3.0], [0.0, 1.0, 1.5]], [1, -1]),
    "tracking.collapsed_diff_in_diff": lambda m: m.collapsed_diff_in_diff(
        DID.assign(unit=np.tile(np.repeat([0, 1], 5), 4) + 2 * np.repeat([0, 0, 1, 1], 10)),
        "y",
        "treated",
        "post",
        "unit",
    ),
    "compare.welch_from_stats": lambda m: m.welch_from_stats([0.75], [3.2], [10], [2.33], [4.0], [10]),
    "compare.t_from_stats": lambda m: m.t_from_stats([-1.58], [1.51], [10]),
    "compare.mean_difference": lambda m: m.mean_difference(
        SURVEY["satisfaction"][:60], SURVEY["effort"][:60]
    ),
    "compare.paired_difference": lambda m: m.paired_difference(
        SERVQUAL["perception"], SERVQUAL["expectation"]
    ),
    "compare.group_stats": lambda m: m.group_stats(SURVEY, "satisfaction", "branch"),
    "compare.correlations": lambda m: m.correlations(SURVEY, "satisfaction", ["effort", "recommend"]),
    "compare.correlation_difference": lambda m: m.correlation_difference(
        SURVEY, "satisfaction", "recommend", "effort"
    ),
    "compare.grouped_mean_difference": lambda m: m.grouped_mean_difference(
        SURVEY, "satisfaction", "branch", "A", "B", by="month"
    ),
    "results.coefficient_table": lambda m: m.coefficient_table(_fit(), ["const", "t"], 0.95),
    "listen.find_personal_data": lambda m: m.find_personal_data(["Call Tom on 0161 496 0000."]),
    "listen.redaction_errors": lambda m: m.redaction_errors(
        pd.Series(["Ask Tom."]), pd.DataFrame({"names": ["Tom"], "emails": [""], "phones": [""]})
    ),
    "listen.coding_accuracy": lambda m: m.coding_accuracy(
        pd.DataFrame({"w": [True, False, True]}), pd.DataFrame({"w": [True, True, False]})
    ),
    "listen.cohen_kappa": lambda m: m.cohen_kappa([1, 0, 1, 1], [1, 0, 0, 1]),
    "listen.topic_prevalence": lambda m: m.topic_prevalence(
        SURVEY.assign(w=SURVEY["effort"] > 4), ["w"], "branch"
    ),
    "listen.mention_gap": lambda m: m.mention_gap(SURVEY.assign(w=SURVEY["effort"] > 4), "recommend", ["w"]),
    "listen.topic_lead": lambda m: m.topic_lead(
        SURVEY.assign(w=SURVEY["effort"] > 4, v=SURVEY["effort"] > 3), ["w", "v"]
    ),
    "benchmark.published_ranks": lambda m: m.published_ranks(
        pd.DataFrame({"organisation": list("ABC"), "measure": "m", "outcome": [70.0, 80.0, 75.0]}),
        "outcome",
        "A",
    ),
}

# qualname -> why it returns no table or result object
NOT_A_TABLE = {
    "metrics.nps_variance": "a variance (number or array), an input to the formulas",
    "scales.measurement_error": "one number, the standard error of measurement",
    "scales.reliable_change": "one number, a threshold",
    "drivers.quadrant": "an array of quadrant names",
    "weights.rake": "the weights, one per response (a Series)",
    "weights.effective_n": "one number, Kish's effective sample size",
    "weights.check_weights": "the checked weights (an array)",
    "levels.kano": "Kano categories (text)",
    "levels.service_level": "a categorical Series of levels",
    "value.clv": "lifetime values, shaped like the inputs",
    "tracking.sample_size_proportions": "a number of responses",
    "compare.suggest_label": "text for an error message",
    "compare.adjust_pvalues": "an array of adjusted p-values",
    "checks.part": "a part of a student's answer",
    "checks.check_number": "a self-check verdict (True/False)",
    "checks.check_frame": "a self-check verdict (True/False)",
    "checks.check_choice": "a self-check verdict (True/False)",
    "checks.collect_checks": "counts of task statuses read from an executed notebook",
    "checks.collecting": "a context manager gathering verdicts",
    "checks.exercise": "an exercise's check function (a Checker)",
    "checks.key_module": "an exercise's key module",
    "record.record": "shows and stores a value; returns None",
    "record.collect": "a dict of recorded values",
    "record.collect_details": "a dict of recorded values with their intervals",
    "record.say": "shows a sentence; returns None",
    "record.escape_md": "returns text",
    "params.data_folder": "a path",
    "params.check_data": "a path (the checked data folder)",
    "params.lesson_data": "a path (the checked data folder)",
    "params.check_seed": "the checked parameter",
    "params.check_number": "the checked parameter",
    "params.check_confidence": "the checked parameter",
    "params.check_choice": "the checked parameter",
    "listen.redact": "the redacted comments (a Series)",
    "listen.code_topics": "a True/False code per comment and topic",
    "listen.sentiment": "a tone score per comment (a Series)",
    "listen.nps_group": "a categorical Series of NPS groups",
    "listen.has_text": "a True/False per comment",
}


def _plots():
    """Every function of cxlib.plots draws a figure and returns its Axes."""
    return {q for q in FUNCTIONS if q.startswith("plots.")}


def test_every_public_function_is_called_here_or_says_why_not():
    listed = set(CALLS) | set(NOT_A_TABLE) | _plots()
    assert not set(FUNCTIONS) - listed, (
        "add these to CALLS (with small data) or NOT_A_TABLE (with the reason): "
        f"{sorted(set(FUNCTIONS) - listed)}"
    )
    assert not listed - set(FUNCTIONS), (
        f"listed here but not public functions: {sorted(listed - set(FUNCTIONS))}"
    )


def _names(result) -> list[str]:
    """The column names of a table (every level of a two-level header) or the fields of a result."""
    if isinstance(result, pd.DataFrame):
        cols = result.columns
        return [str(c) for level in range(cols.nlevels) for c in cols.get_level_values(level)]
    if is_dataclass(result):
        return [f.name for f in fields(result)]
    raise AssertionError(f"not a table or a result object: {type(result).__name__}")


def _tables(result):
    """The table or result itself, and the tables a result object holds."""
    yield result
    if is_dataclass(result):
        for f in fields(result):
            part = getattr(result, f.name)
            if isinstance(part, pd.DataFrame):
                yield part
    if isinstance(result, pd.DataFrame) and result.columns.nlevels == 2:
        for block in result.columns.get_level_values(0).unique():
            yield result[block]


@pytest.mark.parametrize("qualname", sorted(CALLS))
def test_results_name_their_point_estimate_estimate_and_use_no_retired_name(qualname):
    module = importlib.import_module(f"cxlib.{qualname.split('.')[0]}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # small data: zero-width intervals are warned about
        result = CALLS[qualname](module)
    if qualname not in NO_POINT_ESTIMATE:
        assert "estimate" in _names(result) or any(
            "estimate" in _names(t) for t in list(_tables(result))[1:]
        ), f"{qualname}: the point estimate must be called 'estimate'"
    for table in _tables(result):
        names = _names(table)
        retired = sorted(set(names) & RETIRED)
        assert not retired, f"{qualname}: retired name(s) {retired} in {names}"
        if {"low", "high", "se"} & set(names):
            assert "estimate" in names, f"{qualname}: an interval or se without an 'estimate': {names}"
        for name in names:
            for end in ("_low", "_high"):
                if name.endswith(end):
                    assert name[: -len(end)] in names, f"{qualname}: {name} bounds no column"


def test_the_estimate_is_first_among_the_interval_columns():
    from cxlib import metrics

    table = metrics.by_group(SURVEY, "recommend", by="branch", metric="nps")
    assert table.columns.tolist() == ["estimate", "se", "low", "high", "n"]
    assert metrics.nps(SURVEY["recommend"]).to_frame().columns.tolist()[:5] == table.columns.tolist()


def test_plots_draw_cxlib_tables_with_their_defaults():
    from cxlib import metrics, plots

    params = {
        name: {p.name: p.default for p in inspect.signature(fn).parameters.values()}
        for name, fn in vars(plots).items()
        if inspect.isfunction(fn) and not name.startswith("_")
    }
    for name in ("interval_plot", "gap_chart", "bar_chart", "control_chart", "before_after_plot"):
        assert params[name]["estimate"] == "estimate", name
    ax = plots.interval_plot(
        metrics.by_group(SURVEY, "recommend", by="branch", metric="nps"), title="NPS", xlabel="NPS (points)"
    )
    plt.close(ax.figure)


@pytest.mark.parametrize("qualname", sorted(FUNCTIONS))
def test_argument_names_and_order_follow_the_vocabulary(qualname):
    params = list(inspect.signature(FUNCTIONS[qualname]).parameters)
    assert "nan_policy" not in params, f"{qualname}: missing data is missing=, not nan_policy="
    if params[:1] == ["df"] or qualname.startswith("plots."):
        retired = sorted(set(params) & RETIRED_ARGUMENTS)
        assert not retired, f"{qualname}: retired argument name(s) {retired}: {params}"
    if "outcome" in params and params[:1] == ["df"]:
        assert params[1] == "outcome", f"{qualname}: the outcome comes right after df: {params}"
    if "items" in params:
        assert params[0] == "df", f"{qualname}: items are column names of df, which comes first: {params}"


@pytest.mark.parametrize("qualname", sorted(FUNCTIONS))
def test_a_function_that_draws_says_so_and_one_that_computes_does_not(qualname):
    module, name = qualname.split(".")
    draws = name.endswith(("_plot", "_chart", "_map"))
    if module == "plots" and name != "set_theme":
        assert draws, f"{qualname} draws: name it *_plot, *_chart or *_map"
    else:
        assert not draws, f"{qualname} computes: a name ending in _plot/_chart/_map belongs in cxlib.plots"


def test_items_are_column_names_in_every_module_that_takes_them():
    from cxlib import benchmark, levels, scales

    assert scales.cronbach_alpha(SURVEY, ITEMS).k == len(ITEMS)
    assert set(benchmark.benchmark_gaps(BENCH, items=["i1"])["item"]) == {"i1"}
    assert levels.service_level(SURVEY, items=ITEMS).notna().all()
