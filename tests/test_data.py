"""The data layer: typed tables, and a clear DataError for every way a file goes wrong."""

import csv
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


# --- issue 15: every row in the file is loaded exactly or named, by its line, in an error ---


def _survey_text(rows: int = 40) -> str:
    """The header and the first ``rows`` rows of the shipped survey, as written."""
    return "".join((DATASETS / "survey.csv").read_text().splitlines(keepends=True)[: rows + 1])


def _write(folder, table, text):
    (folder / f"{table}.csv").write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


def _drop_closing_quote(text: str, line: int) -> str:
    lines = text.splitlines(keepends=True)
    assert lines[line - 1].rstrip("\n").endswith('"')
    lines[line - 1] = lines[line - 1].rstrip("\n")[:-1] + "\n"
    return "".join(lines)


def _quoted_lines(rows: int = 40) -> list[int]:
    """The lines (1 = header) of the first ``rows`` rows whose comment is quoted (it holds a comma)."""
    lines = _survey_text(rows).splitlines()
    return [i + 1 for i, line in enumerate(lines) if i > 0 and line.endswith('"')]


def test_a_quote_left_open_is_named_at_the_line_where_its_value_opened(own_data):
    # 40 rows: the first quoted comment loses its closing quote, which used to merge the next line into it
    line = _quoted_lines()[0]
    _write(own_data, "survey", _drop_closing_quote(_survey_text(), line))
    with pytest.raises(
        DataError,
        match=rf"survey: the file .* is not valid CSV at line {line}, column 'comment': the quote that opens "
        rf"this value is never closed on line {line} .*a closing quote is probably missing on line {line}",
    ):
        data.load("survey", own_data)


def test_a_quote_left_open_on_the_last_row_is_named(own_data):
    line = _quoted_lines()[-1]  # the file ends with that row
    _write(own_data, "survey", _drop_closing_quote(_survey_text(line - 1), line))
    with pytest.raises(DataError, match=rf"line {line}, column 'comment'.*\(the file ends inside it\)"):
        data.load("survey", own_data)


def test_a_quote_left_open_is_named_even_when_the_quotes_after_it_look_valid(own_data):
    # the next quote opens a value that starts with a comma: read from the broken quote on, it
    # closes a value and the rest looks like CSV, until a quote stands inside a value (line 3)
    header, row = _survey_text(1).splitlines()
    first = row.rsplit(",", 1)[0] + ',"Great staff'
    second = row.replace("Ashford", '",Brook"', 1)
    _write(own_data, "survey", "\n".join([header, first, second, row]) + "\n")
    with pytest.raises(
        DataError, match=r"line 2, column 'comment': the quote that opens this value is never"
    ):
        data.load("survey", own_data)


def test_a_quote_dropped_from_a_value_holding_commas_names_its_row(own_data):
    # "Brook, side" loses its closing quote: the quotes pair up again on the same line, and the
    # row, now holding 3 values, is the first thing wrong
    header, row = _survey_text(1).splitlines()
    broken = row.replace("Ashford", '"Brook, side', 1)[:-1] + '"\r"'
    _write(own_data, "survey", "\n".join([header, broken, row]) + "\n")
    with pytest.raises(
        DataError, match=r"1 row\(s\) of .* do not hold the header's 20 values: line 2: 3 values"
    ):
        data.load("survey", own_data)


def test_a_quote_inside_an_unquoted_value_or_after_a_closing_quote_is_named(own_data):
    _write(own_data, "training", 'branch,trained,start_month\nAshford,true,\nCar"lton,false,\n')
    with pytest.raises(DataError, match=r"line 3, column 'branch': a quote \(\"\) stands inside a value"):
        data.load("training", own_data)
    _write(own_data, "training", 'branch,trained,start_month\n "Ashford",true,\n')
    with pytest.raises(DataError, match=r"line 2, column 'branch'.*\(a space before the opening quote\?\)"):
        data.load("training", own_data)
    _write(own_data, "training", 'branch,trained,start_month\nAshford,true,\n"Carl"ton,false,\n')
    with pytest.raises(
        DataError,
        match=r"line 3, column 'branch': in the quoted value '\"Carl\"', a closing quote is followed",
    ):
        data.load("training", own_data)


def test_a_line_break_is_refused_outside_free_text(own_data):
    _write(own_data, "training", 'branch,trained,start_month\n"Ash\nford",true,\nCarlton,false,\n')
    with pytest.raises(
        DataError, match=r"line 2, column 'branch': .*runs over a line break into line 3; only free-text"
    ):
        data.load("training", own_data)


def test_line_breaks_in_comments_load_and_later_rows_keep_their_line(own_data):
    header, row = _survey_text(1).splitlines()
    multi = row.rsplit(",", 1)[0] + ',"Great staff.\r\nWould come back, again."'
    second = "2," + row.split(",", 1)[1]
    text = "\n".join([header, multi, "", second]) + "\n"
    _write(own_data, "survey", text)
    assert data.read_csv(own_data / "survey.csv", "survey").index.tolist() == [2, 5]
    assert data.load("survey", own_data)["comment"][0] == "Great staff.\r\nWould come back, again."
    bad = second.split(",")
    bad[15] = "9"  # satisfaction on a 1-5 scale, on line 5 of the file (the 2nd row)
    _write(own_data, "survey", "\n".join([header, multi, "", ",".join(bad)]) + "\n")
    with pytest.raises(
        DataError, match=r"survey\.satisfaction: 1 value\(s\) outside the allowed range 1 to 5: row 5"
    ):
        data.load("survey", own_data)


def test_whole_numbers_above_2_53_stay_exact_and_distinct(own_data):
    header, *rows = _survey_text(3).splitlines()
    ids = [2**53, 2**53 + 1, 2**63 - 1]
    rows = [f"{i}," + r.split(",", 1)[1] for i, r in zip(ids, rows)]
    _write(own_data, "survey", "\n".join([header, *rows]) + "\n")
    assert data.load("survey", own_data)["response_id"].tolist() == ids
    # a rating written 4.0 sends pandas' parse of its column through floats: still exact
    rows[0] = rows[0].replace(f"{2**53},", f"{2**53}.0,", 1)
    _write(own_data, "survey", "\n".join([header, *rows]) + "\n")
    assert data.load("survey", own_data)["response_id"].tolist() == ids


def test_a_20_digit_id_is_named_not_wrapped_around(own_data):
    header, *rows = _survey_text(2).splitlines()
    rows[1] = "12345678901234567890," + rows[1].split(",", 1)[1]
    _write(own_data, "survey", "\n".join([header, *rows]) + "\n")
    with pytest.raises(
        DataError,
        match=r"survey\.response_id: 1 value\(s\) outside the range of whole numbers "
        r"\(-9223372036854775808 to 9223372036854775807\): row 3: '12345678901234567890'",
    ):
        data.load("survey", own_data)


def test_a_decimal_that_a_float_rounds_to_a_whole_number_is_not_one(own_data):
    def decimal(df):
        df.loc[2, "satisfaction"] = "4.0000000000000001"

    _edit(own_data, "survey", decimal)
    with pytest.raises(
        DataError,
        match=r"survey\.satisfaction: 1 value\(s\) are not whole numbers: row 4: '4.0000000000000001'",
    ):
        data.load("survey", own_data)


@pytest.mark.parametrize("header_too", [True, False])
def test_a_delimiter_at_the_end_of_every_row_is_dropped(own_data, header_too):
    lines = (DATASETS / "survey.csv").read_text().splitlines()
    lines = [line + "," if i or header_too else line for i, line in enumerate(lines)]
    _write(own_data, "survey", "\r\n".join(lines) + "\r\n")  # as a spreadsheet writes it
    pd.testing.assert_frame_equal(data.load("survey", own_data), data.load("survey"))


def test_a_value_in_the_unnamed_last_column_is_named(own_data):
    text = "branch,trained,start_month,\nAshford,true,,\nCarlton,false,,x\n"
    _write(own_data, "training", text)
    with pytest.raises(
        DataError, match=r"hold a value after the last named column \('start_month'\): line 3: 'x'"
    ):
        data.load("training", own_data)


@pytest.mark.parametrize(
    "rows, named",
    [
        ("Ashford,true\nCarlton,false,\n", r"line 2: 2 values"),  # too few: used to be padded silently
        ("Ashford,true,,\nCarlton,false,\n", r"line 2: 4 values"),  # too many on the first row
        ("Ashford,true,\nCarlton,false,,x\n", r"line 3: 4 values"),
    ],
)
def test_rows_with_too_few_or_too_many_values_are_named(own_data, rows, named):
    _write(own_data, "training", "branch,trained,start_month\n" + rows)
    with pytest.raises(DataError, match=rf"1 row\(s\) of .* do not hold the header's 3 values: {named}"):
        data.load("training", own_data)


def test_a_folder_where_the_file_should_be(own_data):
    (own_data / "training.csv").unlink()
    (own_data / "training.csv").mkdir()
    with pytest.raises(DataError, match=r"training: .*training\.csv is a folder, not a file"):
        data.load("training", own_data)


def test_a_repeated_or_empty_column_name_is_named(own_data):
    _write(own_data, "survey", _survey_text(3).replace(",comment", ",recommend", 1))
    with pytest.raises(
        DataError,
        match=r"survey: the header \(line 1\) names a column more than once: 'recommend' \(columns 17, 20\)",
    ):
        data.load("survey", own_data)
    _write(own_data, "training", "branch,,trained,start_month\nAshford,x,true,\n")
    with pytest.raises(DataError, match=r"column\(s\) 2 of the header \(line 1\) have no name"):
        data.load("training", own_data)


@pytest.mark.parametrize("column, value", [("branch", "Ashford "), ("channel", " phone")])
def test_a_category_with_a_space_at_either_end_is_named_with_its_rows(own_data, column, value):
    def spaced(df):
        df.loc[[3, 7], column] = value

    _edit(own_data, "survey", spaced)
    with pytest.raises(
        DataError,
        match=rf"survey\.{column}: 2 value\(s\) begin or end with a space: row 5: '{value}', "
        rf"row 9: '{value}'\. '{value}' \(did you mean '{value.strip()}'\?\)",
    ):
        data.load("survey", own_data)


@pytest.mark.parametrize("sep, word", [(";", "';'"), ("\t", "tabs")])
def test_a_file_separated_otherwise_than_by_commas_is_recognised(own_data, sep, word):
    _write(own_data, "training", (DATASETS / "training.csv").read_text().replace(",", sep))
    with pytest.raises(
        DataError, match=rf"training: the file .* seems to be separated by {word}, not commas"
    ):
        data.load("training", own_data)


def test_blank_lines_empty_rows_bom_and_line_ends_are_read_with_their_lines(own_data):
    text = "\ufeffbranch,trained,start_month\r\n\r\nAshford,true,\r\n,,\r\n   \r\nCarlton,false,2024-09-01"
    _write(own_data, "training", text)
    read = data.read_csv(own_data / "training.csv", "training")
    assert read.index.tolist() == [3, 6] and read["branch"].tolist() == ["Ashford", "Carlton"]
    _write(own_data, "training", text.replace("\r\n", "\r"))  # old Mac line ends
    assert data.read_csv(own_data / "training.csv", "training").index.tolist() == [3, 6]


def test_no_row_is_lost_from_the_shipped_data():
    # Python's csv module, read independently: the same rows, in the same order
    for table in data.tables():
        with open(DATASETS / f"{table}.csv", newline="", encoding="utf-8") as fh:
            rows = [row for row in csv.reader(fh, strict=True) if any(row)]
        loaded = data.load(table)
        assert len(loaded) == len(rows) - 1
        assert loaded.iloc[:, 0].astype(str).tolist() == [row[0] for row in rows[1:]]


def test_servqual_items_have_their_wording_in_the_schema_and_the_dictionary():
    wording = data.value_labels("servqual", "item")
    assert list(wording) == data.categories("servqual", "item")  # every code, in the schema's order
    assert all(len(text.split()) >= 4 for text in wording.values())
    text = (DATASETS / "README.md").read_text()
    for code, words in wording.items():
        assert f"| `{code}` | {words} |" in text


def test_a_column_without_wording_is_a_clear_error():
    with pytest.raises(DataError, match="no wording"):
        data.value_labels("servqual", "dimension")
    with pytest.raises(DataError, match="no column 'itme'"):
        data.value_labels("servqual", "itme")


def test_a_required_column_left_empty_names_its_rows(tmp_path):
    # found by the property test: a separator at the start of the only row shifts every value right
    from cxlib import data

    header = ",".join(f["name"] for f in data.fields("survey"))
    row = ",1,1,Ashford,2000-01-01,in store,,,,,,,,,,,1,0,1,1,"
    (tmp_path / "survey.csv").write_text(header + "\n" + row + "\n")
    with pytest.raises(
        DataError, match=r"survey.response_id: the column is empty .*row 2\b.*shifted one column"
    ):
        data.load("survey", tmp_path)
