"""The data layer: typed tables, and a clear DataError for every way a file goes wrong."""

import shutil

import pandas as pd
import pytest
from conftest import DATASETS

from cxlib import DataError, data
from cxlib.kit import datadoc


@pytest.fixture
def own_data(tmp_path):
    """A copy of the shipped data that a test may break."""
    for p in DATASETS.glob("*.csv"):
        shutil.copy(p, tmp_path / p.name)
    return tmp_path


def _edit(folder, table, fn):
    path = folder / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    changed = fn(df)
    (df if changed is None else changed).to_csv(path, index=False)


def test_every_table_loads_with_proper_dtypes():
    s = data.load("survey")
    assert isinstance(s["branch"].dtype, pd.CategoricalDtype)
    assert list(s["branch"].cat.categories)[:2] == ["Ashford", "Brookside"]
    assert str(s["month"].dtype) == "datetime64[ns]"
    assert str(s["people_friendliness"].dtype) == "Int64"  # may be blank
    assert str(s["satisfaction"].dtype) == "int64"  # required
    assert s["people_friendliness"].isna().sum() > 0
    t = data.load("touchpoints")
    assert t["delayed"].dtype == bool and t["processing_days"].dtype == float
    assert set(data.load("training")["trained"]) == {True, False}


def test_schema_order_of_columns_is_kept():
    for name in data.tables():
        assert list(data.load(name).columns) == [f["name"] for f in data.fields(name)]


def test_items_of_each_factor_come_from_the_schema():
    assert data.items("environment") == ["env_cleanliness", "env_comfort", "env_appearance"]
    assert len(data.items("practices")) == 4
    with pytest.raises(DataError, match="factor must be one of"):
        data.items("staff")


def test_bring_your_own_data_folder(own_data):
    _edit(own_data, "training", lambda df: None)
    assert len(data.load("training", own_data)) == 10


def test_missing_column_is_named_with_a_suggestion(own_data):
    _edit(own_data, "survey", lambda df: df.rename(columns={"recommend": "recomend"}))
    with pytest.raises(
        DataError, match=r"survey: missing column\(s\): 'recommend' \(did you mean 'recomend'\?\)"
    ):
        data.load("survey", own_data)


def test_out_of_range_rating_names_column_rows_and_range(own_data):
    def six(df):
        df.loc[4, "env_comfort"] = "6"

    _edit(own_data, "survey", six)
    with pytest.raises(
        DataError, match=r"survey\.env_comfort: 1 value\(s\) outside the allowed range 1 to 5: row 6: '6'"
    ):
        data.load("survey", own_data)


def test_text_in_a_number_column(own_data):
    def text(df):
        df.loc[0, "satisfaction"] = "very good"

    _edit(own_data, "survey", text)
    with pytest.raises(
        DataError, match=r"survey\.satisfaction: 1 value\(s\) are not numbers: row 2: 'very good'"
    ):
        data.load("survey", own_data)


@pytest.mark.parametrize("text", ["nan", "NaN", "NA", "n/a", "1_000", "0x10", "5,"])
def test_missing_value_words_in_an_optional_number_column_are_not_read_as_blanks(own_data, text):
    # people_knowledge may be blank, but only an empty field is a blank: "nan" is an error, not a NaN
    _edit(
        own_data,
        "survey",
        lambda df: df.__setitem__("people_knowledge", df["people_knowledge"].where(df.index != 2, text)),
    )
    with pytest.raises(
        DataError, match=rf"survey\.people_knowledge: 1 value\(s\) are not numbers: row 4: '{text}'"
    ):
        data.load("survey", own_data)


@pytest.mark.parametrize("table", data.tables())
def test_numbers_parsed_by_the_reader_equal_numbers_converted_from_text(table):
    # read_csv parses number columns directly (fast); validate() must type them exactly as from text
    raw = pd.read_csv(DATASETS / f"{table}.csv", dtype=str, keep_default_na=False, na_values=[""])
    pd.testing.assert_frame_equal(data.load(table), data.validate(raw, table))


def test_decimal_in_a_rating_column(own_data):
    def dec(df):
        df.loc[1, "recommend"] = "7.5"

    _edit(own_data, "survey", dec)
    with pytest.raises(DataError, match="not whole numbers"):
        data.load("survey", own_data)


def test_duplicated_response_id(own_data):
    def dup(df):
        df.loc[10, "response_id"] = df.loc[3, "response_id"]

    _edit(own_data, "survey", dup)
    with pytest.raises(
        DataError,
        match=r"survey\.response_id: 2 rows repeat a value that must be unique: row 5: '4', row 12: '4'",
    ):
        data.load("survey", own_data)


def test_duplicated_composite_key(own_data):
    def dup(df):
        df.loc[1, "expectation"] = df.loc[0, "expectation"]

    _edit(own_data, "expectations", dup)
    with pytest.raises(DataError, match=r"respondent_id \+ expectation, which must be unique"):
        data.load("expectations", own_data)


def test_unknown_category_suggests_the_close_one(own_data):
    def typo(df):
        df.loc[0, "channel"] = "in-store"

    _edit(own_data, "survey", typo)
    with pytest.raises(
        DataError,
        match=r"survey\.channel: 1 value\(s\) not among the allowed values.*"
        r"'in-store' \(did you mean 'in store'\?\)",
    ):
        data.load("survey", own_data)


def test_own_branch_names_are_allowed(own_data):
    _edit(own_data, "training", lambda df: df.__setitem__("branch", [f"Store {i}" for i in range(len(df))]))
    assert list(data.load("training", own_data)["branch"].cat.categories)[:2] == ["Store 0", "Store 1"]


def test_bad_date(own_data):
    def date(df):
        df.loc[2, "month"] = "03/2024"

    _edit(own_data, "survey", date)
    with pytest.raises(DataError, match=r"not dates written YYYY-MM-DD: row 4: '03/2024'"):
        data.load("survey", own_data)


def test_missing_value_in_required_column(own_data):
    def blank(df):
        df.loc[0, "satisfaction"] = ""

    _edit(own_data, "survey", blank)
    with pytest.raises(
        DataError, match=r"survey\.satisfaction: 1 missing value\(s\) in a required column at row 2"
    ):
        data.load("survey", own_data)


def test_all_missing_required_column(own_data):
    _edit(own_data, "training", lambda df: df.__setitem__("trained", ""))
    with pytest.raises(DataError, match=r"training\.trained: the column is empty"):
        data.load("training", own_data)


def test_empty_file(own_data):
    (own_data / "survey.csv").write_bytes(b"")
    with pytest.raises(DataError, match="survey: the file .* is empty"):
        data.load("survey", own_data)


def test_header_only_file(own_data):
    header = (own_data / "training.csv").read_text().splitlines()[0]
    (own_data / "training.csv").write_text(header + "\n")
    with pytest.raises(DataError, match="header but no rows"):
        data.load("training", own_data)


def test_file_that_is_not_csv(own_data):
    (own_data / "survey.csv").write_bytes(b"PK\x03\x04\x00\x00binary zip data")
    with pytest.raises(DataError, match="is not a CSV text file"):
        data.load("survey", own_data)


def test_file_that_is_not_utf8(own_data):
    text = (own_data / "training.csv").read_text().replace("Ashford", "Ashförd")
    (own_data / "training.csv").write_bytes(text.encode("latin-1"))
    line = 1 + text.splitlines().index(next(row for row in text.splitlines() if "Ashförd" in row))
    with pytest.raises(
        DataError, match=rf"is not UTF-8 text \(line {line}: byte b'\\xf6'\); save it as UTF-8"
    ):
        data.load("training", own_data)


def test_missing_file_and_missing_folder(own_data, tmp_path):
    (own_data / "servqual.csv").unlink()
    with pytest.raises(DataError, match="servqual: file not found"):
        data.load("servqual", own_data)
    with pytest.raises(DataError, match="does not exist"):
        data.load("survey", tmp_path / "nowhere")


def test_unknown_table():
    with pytest.raises(DataError, match=r"there is no table 'surveys' \(did you mean 'survey'\?\)"):
        data.load("surveys")


def test_extra_columns_are_kept_unchanged(own_data):
    _edit(own_data, "training", lambda df: df.__setitem__("region", "north"))
    df = data.load("training", own_data)
    assert df.columns[-1] == "region" and (df["region"] == "north").all()


def test_nothing_is_dropped_or_changed():
    raw = pd.read_csv(DATASETS / "survey.csv")
    typed = data.load("survey")
    assert len(raw) == len(typed)
    assert raw["people_knowledge"].isna().sum() == typed["people_knowledge"].isna().sum()
    assert (raw["recommend"].to_numpy() == typed["recommend"].to_numpy()).all()


def test_data_dictionary_is_rendered_from_the_schema():
    assert (DATASETS / "README.md").read_text() == datadoc.render(), (
        "datasets/README.md is out of date: run cxkit datadoc"
    )


def test_data_dictionary_describes_every_column():
    text = (DATASETS / "README.md").read_text()
    for name in data.tables():
        for f in data.fields(name):
            assert f"`{f['name']}`" in text
