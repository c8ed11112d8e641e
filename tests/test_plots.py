"""Figures: every chart has a title and labelled axes, and draws what it is given."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cxlib import InputError, plots


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_interval_plot_draws_one_interval_per_group_at_the_given_values():
    df = pd.DataFrame(
        {"estimate": [10.0, 25.0, -5.0], "low": [2.0, 15.0, -20.0], "high": [18.0, 35.0, 9.0]},
        index=pd.Index(["A", "B", "C"], name="branch"),
    )
    ax = plots.interval_plot(
        df, title="NPS by branch", xlabel="NPS (points)", reference=10.0, reference_label="all"
    )
    segments = ax.collections[0].get_segments()
    assert [tuple(s[:, 0]) for s in segments] == [(2.0, 18.0), (15.0, 35.0), (-20.0, 9.0)]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "C"]
    assert ax.get_ylabel() == "branch"


def test_every_chart_requires_a_title():
    df = pd.DataFrame({"estimate": [1.0], "low": [0.0], "high": [2.0]})
    with pytest.raises(InputError, match="needs a title"):
        plots.interval_plot(df, title="", xlabel="x")


def test_missing_column_is_a_clear_error():
    with pytest.raises(InputError, match="has no column 'low'"):
        plots.interval_plot(pd.DataFrame({"estimate": [1.0]}), title="t", xlabel="x")


def test_control_chart_marks_signals_in_percent():
    chart = pd.DataFrame(
        {
            "estimate": [0.5, 0.55, 0.9],
            "center": 0.6,
            "lower": 0.4,
            "upper": 0.8,
            "signal": [False, False, True],
        }
    )
    ax = plots.control_chart(chart, title="t", xlabel="month", ylabel="satisfied (%)")
    signal_line = [line for line in ax.lines if line.get_label() == "signal"][0]
    assert np.allclose(signal_line.get_ydata(), [90.0])


def test_bar_chart_sorts_largest_on_top():
    df = pd.DataFrame({"percent": [20.0, 50.0, 30.0]}, index=["env", "practices", "people"])
    ax = plots.bar_chart(df, estimate="percent", title="Drivers", xlabel="share (%)", ylabel="factor")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["env", "people", "practices"]


def test_ipa_map_labels_every_driver():
    df = pd.DataFrame(
        {
            "importance": [30.0, 10.0, 20.0],
            "performance": [3.4, 4.1, 3.9],
            "quadrant": ["Concentrate here", "Possible overkill", "Keep up the good work"],
        },
        index=["waiting", "comfort", "friendliness"],
    )
    ax = plots.ipa_map(df, title="IPA", xlabel="performance (1-5)", ylabel="importance (%)")
    assert sorted(t.get_text() for t in ax.texts) == ["comfort", "friendliness", "waiting"]


def test_ipa_map_moves_a_label_that_would_overlap_its_neighbour():
    # two drivers almost on top of each other, with long names: their labels must not overlap
    df = pd.DataFrame(
        {
            "importance": [12.0, 11.95, 5.0],
            "performance": [3.92, 3.96, 3.6],
            "quadrant": ["Keep up the good work", "Keep up the good work", "Low priority"],
        },
        index=["people_knowledge", "people_helpfulness", "env_comfort"],
    )
    ax = plots.ipa_map(df, title="IPA", xlabel="performance (1-5)", ylabel="importance (%)")
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) == 3
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_every_error_a_chart_raises_is_a_cxlib_error():
    # a bare ValueError would escape a learner's `except CxlibError`; every check here is cxlib's
    df = pd.DataFrame({"estimate": [1.0], "low": [0.0], "high": [2.0]})
    for call in (
        lambda: plots.interval_plot(df, title="t", xlabel=""),
        lambda: plots.gap_chart(df, title="t", xlabel="x", ylabel=" "),
        lambda: plots.bar_chart(df, title=None, xlabel="x"),
        lambda: plots.before_after_plot(
            df.assign(t=0), time="t", intervention=0, title="t", xlabel="x", ylabel=""
        ),
        lambda: plots.control_chart(df, title="t", xlabel="x", ylabel="y"),  # no centre line column
    ):
        with pytest.raises(InputError):
            call()


def test_tables_from_cxlib_are_drawn_without_renaming():
    from cxlib import benchmark, gaps, metrics, tracking

    survey = pd.DataFrame(
        {"b": ["x"] * 5 + ["y"] * 5, "r": [10, 9, 7, 3, 9, 6, 5, 2, 10, 8], "m": [1, 2] * 5}
    )
    plots.interval_plot(metrics.by_group(survey, "r", "b", "nps"), title="NPS", xlabel="NPS (points)")
    plots.control_chart(
        tracking.nps_limits(survey, "r", "m"), title="NPS", xlabel="month", ylabel="NPS", percent=False
    )
    bench = pd.DataFrame(
        {
            "business": ["Us"] * 4 + ["Rival"] * 4,
            "business_type": ["us"] * 4 + ["competitor"] * 4,
            "s": [5, 4, 4, 5, 3, 4, 3, 2],
        }
    )
    ax = plots.gap_chart(
        benchmark.benchmark_gaps(bench, items=["s"]), verdict="verdict", title="t", xlabel="x", ylabel="y"
    )
    assert ax.get_legend() is not None
    expectations = pd.DataFrame(
        {
            "respondent_id": np.repeat(np.arange(6), 2),
            "role": np.repeat(["customer"] * 3 + ["employee"] * 3, 2),
            "expectation": ["listened to", "low prices"] * 6,
            "importance": [7, 4, 6, 5, 7, 4, 5, 6, 4, 7, 5, 6],
        }
    )
    plots.gap_chart(gaps.expectation_gap(expectations), title="t", xlabel="x", ylabel="y")


# A figure that cannot show what it is given fails, naming the rows, instead of drawing a blank
# or an ambiguous chart (issue 14: lesson 9's retention figure was empty after an index mismatch).


def test_a_missing_estimate_or_interval_is_refused_naming_the_rows():
    df = pd.DataFrame(
        {"estimate": [10.0, np.nan, 3.0], "low": [2.0, 1.0, 1.0], "high": [18.0, 9.0, np.inf]},
        index=pd.Index([1, 2, 3], name="satisfaction"),
    )
    with pytest.raises(
        InputError, match=r"column 'estimate' has 1 missing or infinite value\(s\), at rows 2"
    ):
        plots.interval_plot(df, title="t", xlabel="x")
    with pytest.raises(InputError, match=r"column 'high' has 1 missing or infinite value\(s\), at rows 3"):
        plots.interval_plot(df.fillna(5.0), title="t", xlabel="x")


def test_a_frame_realigned_to_nothing_is_refused():
    # the lesson 9 bug: a Series with an integer index put into a frame with a text index
    levels = pd.Series([0.5, 0.6], index=[1, 2])
    frame = pd.DataFrame({"estimate": levels, "low": levels - 0.1, "high": levels + 0.1}, index=["1", "2"])
    with pytest.raises(InputError, match="missing or infinite"):
        plots.interval_plot(frame, title="Retention", xlabel="share retained")


@pytest.mark.parametrize(
    "draw",
    [
        lambda d: plots.interval_plot(d, title="t", xlabel="x"),
        lambda d: plots.bar_chart(d, title="t", xlabel="x"),
        lambda d: plots.gap_chart(d, title="t", xlabel="x"),
        lambda d: plots.control_chart(
            d.assign(center=1.0, lower=0.0, upper=2.0), signal=None, title="t", xlabel="x", ylabel="y"
        ),
    ],
)
def test_an_empty_table_is_refused(draw):
    empty = pd.DataFrame({"estimate": [], "low": [], "high": []}, dtype=float)
    with pytest.raises(InputError, match="is empty: there is nothing to draw"):
        draw(empty)


def test_labels_without_a_colour_and_marker_are_refused():
    df = pd.DataFrame(
        {
            "estimate": [0.4, -0.1, 0.0],
            "low": [0.2, -0.3, -0.1],
            "high": [0.6, 0.1, 0.1],
            "verdict": ["leads", "on par", "better"],
        },
        index=["a", "b", "c"],
    )
    with pytest.raises(InputError, match=r"label\(s\) \['better'\] with no colour or marker"):
        plots.gap_chart(df, verdict="verdict", title="t", xlabel="x")
    quad = pd.DataFrame(
        {"importance": [30.0, 10.0], "performance": [3.4, 4.1], "quadrant": ["Fix", "Low priority"]}
    )
    with pytest.raises(InputError, match=r"\['Fix'\]"):
        plots.ipa_map(quad, quadrant="quadrant", title="t", xlabel="x", ylabel="y")


def test_every_verdict_cxlib_gives_has_its_own_colour_and_marker():
    assert set(plots.PALETTE) == set(plots.MARKERS)
    assert len(set(plots.MARKERS[k] for k in ("leads", "on par", "trails"))) == 3
    assert len(set(plots.PALETTE[k] for k in ("leads", "on par", "trails"))) == 3


def test_crosstab_marks_the_groups_that_stand_out_within_each_column():
    from cxlib import groups

    rng = np.random.default_rng(3)
    n = 2400
    d = pd.DataFrame({"branch": rng.choice(list("ABCD"), n), "quarter": rng.choice(["Q1", "Q2"], n)})
    d["recommend"] = np.clip(np.rint(7 + 2.5 * (d["branch"] == "A") + rng.normal(0, 2, n)), 0, 10).astype(int)
    table = groups.versus_rest(d, "recommend", "branch", "nps", within="quarter")
    ax = plots.crosstab_plot(
        table, rows="branch", columns="quarter", title="NPS", xlabel="quarter", ylabel="branch"
    )
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 8
    above = [t for t in texts if t.endswith("▲")]
    assert len(above) == (table["verdict"] == "above").sum() >= 2  # branch A in both quarters
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Q1", "Q2"]
    with pytest.raises(InputError, match="more than one row per branch"):
        plots.crosstab_plot(table, rows="branch", title="NPS", xlabel="x", ylabel="branch")
    plt.close("all")
