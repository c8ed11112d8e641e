"""``params.check_data``: a lesson given a data folder that lacks what it needs stops at its parameter
cell, naming what is missing and the sections that need it (issue 17: no blanks, one month, no
training table, other items), instead of a deep ``KeyError``."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from cxlib import data
from cxlib.params import ParameterError, check_data

NEEDS = {
    "survey": "the whole lesson",
    ("columns", "survey"): "the whole lesson (the course's items)",
    ("blanks", "survey", "practices_resolution"): "Missing answers: pairwise or listwise?",
    ("periods", "survey", ("month", 2)): "Trends: month over month",
    ("groups", "survey", ("branch", 2)): "Branches against each other",
    "training": "How do we know when a factor improved?",
}


@pytest.fixture
def folder(tmp_path):
    for name in data.tables():
        shutil.copy(data.default_data_dir() / data.resource(name)["path"], tmp_path)
    return tmp_path


def _survey(folder, change):
    path = folder / "survey.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(df).to_csv(path, index=False)


def test_the_course_data_meet_every_need(folder):
    assert check_data(folder, NEEDS) == folder
    assert check_data(None, NEEDS) == data.default_data_dir()


def test_no_blanks_names_the_column_and_the_section(folder):
    _survey(folder, lambda d: d.assign(practices_resolution=d["practices_resolution"].replace("", "3")))
    with pytest.raises(ParameterError) as err:
        check_data(folder, NEEDS)
    msg = str(err.value)
    assert "survey.csv: practices_resolution has no blank answers: needed by Missing answers" in msg
    assert msg.count("\n  - ") == 1  # only the unmet need is listed


def test_one_month(folder):
    _survey(folder, lambda d: d[d["month"] == d["month"].iloc[0]])
    with pytest.raises(
        ParameterError, match=r"month spans 1 month\(s\), not 2: needed by Trends: month over month"
    ):
        check_data(folder, NEEDS)


def test_no_training_table(folder):
    (folder / "training.csv").unlink()
    with pytest.raises(
        ParameterError, match=r"no training.csv: needed by How do we know when a factor improved\?"
    ):
        check_data(folder, NEEDS)


def test_other_items_point_to_the_survey_spec(folder):
    _survey(folder, lambda d: d.rename(columns={"people_friendliness": "staff_1", "env_comfort": "store_2"}))
    with pytest.raises(ParameterError) as err:
        check_data(folder, NEEDS)
    msg = str(err.value)
    assert (
        "survey.csv lacks the column(s) people_friendliness, env_comfort: needed by the whole lesson" in msg
    )
    assert "survey spec and run cxkit report" in msg


def test_several_unmet_needs_are_listed_together_and_a_bad_folder_or_need_is_named(folder, tmp_path):
    (folder / "training.csv").unlink()
    _survey(folder, lambda d: d[d["branch"] == "Ashford"].assign(practices_resolution="4"))
    with pytest.raises(ParameterError) as err:
        check_data(folder, NEEDS)
    assert str(err.value).count("\n  - ") == 3
    with pytest.raises(ParameterError, match="does not exist"):
        check_data(tmp_path / "nowhere", NEEDS)
    with pytest.raises(ParameterError, match="a need is a table name or a tuple"):
        check_data(folder, {("rows", "survey"): "x"})


def test_every_lesson_has_its_needs_and_every_section_named_is_in_the_lesson():
    import re

    from conftest import ROOT

    from cxlib.params import LESSON_NEEDS, WHOLE, lesson_data

    sources = {p.name[:2]: p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.md")}
    assert set(LESSON_NEEDS) == set(sources)
    for lesson, needs in LESSON_NEEDS.items():
        headings = set(re.findall(r"^## (.+)$", sources[lesson].read_text(), re.MULTILINE))
        for sections in needs.values():
            for section in str(sections).split("; "):
                assert section == WHOLE or section in headings, f"lesson {lesson} has no section {section!r}"
        assert lesson_data(None, lesson) == data.default_data_dir()


def test_a_lesson_on_one_month_of_data_names_its_sections(folder):
    from cxlib.params import lesson_data

    _survey(folder, lambda d: d[d["month"] == d["month"].iloc[0]])
    with pytest.raises(ParameterError, match=r"spans 1 month\(s\), not 2: needed by Month by month"):
        lesson_data(folder, "03")
    assert lesson_data(folder, "12") == folder  # lesson 12 needs no trend


@pytest.mark.slow
def test_lesson_3_on_one_month_of_data_stops_at_its_parameter_cell(folder, tmp_path):
    import papermill as pm
    from conftest import ROOT

    _survey(folder, lambda d: d[d["month"] == d["month"].iloc[0]])
    with pytest.raises(pm.PapermillExecutionError) as info:
        pm.execute_notebook(
            str(ROOT / "notebooks" / "03_headline_metrics.ipynb"), str(tmp_path / "out.ipynb"),
            parameters={"data_dir": str(folder)}, cwd=str(tmp_path), kernel_name="python3",
            progress_bar=False,
        )  # fmt: skip
    assert info.value.ename == "ParameterError"
    assert "spans 1 month(s), not 2: needed by Month by month" in info.value.evalue
