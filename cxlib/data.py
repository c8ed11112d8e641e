"""Load the course's tables as validated, typed DataFrames.

The schema of every table lives in one place, ``cxlib/datapackage.json`` (a
Frictionless Data Package). :func:`load` reads a CSV file, checks it against that
schema and returns a DataFrame with proper dtypes: categories for fields with a
fixed list of values, dates, nullable integers for ratings that may be blank.
Anything that does not match raises :class:`cxlib.errors.DataError`; nothing is
silently changed, coerced or dropped.
"""

from __future__ import annotations

import csv
import functools
import json
import os
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from ._validate import show_examples, suggest
from .errors import DataError

SCHEMA_PATH = Path(__file__).with_name("datapackage.json")
FACTORS = ("people", "environment", "practices")


@functools.cache
def schema() -> dict:
    """Return the Data Package that describes every table (parsed ``datapackage.json``).

    >>> [r["name"] for r in schema()["resources"]][:3]
    ['survey', 'benchmark', 'expectations']
    """
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def tables() -> list[str]:
    """Names of the tables in the course's data.

    >>> tables()
    ['survey', 'benchmark', 'expectations', 'servqual', 'kano', 'touchpoints', 'transactions', 'training']
    """
    return [r["name"] for r in schema()["resources"]]


def resource(name: str) -> dict:
    """Return the schema entry of table ``name``.

    >>> resource("training")["schema"]["primaryKey"]
    ['branch']
    """
    for r in schema()["resources"]:
        if r["name"] == name:
            return r
    raise DataError(
        f"there is no table {name!r}{suggest(name, tables())}; the tables are: {', '.join(tables())}"
    )


def fields(name: str) -> list[dict]:
    """Field descriptions of table ``name``, in column order (from ``cxlib/datapackage.json``).

    Examples
    --------
    >>> [f["name"] for f in fields("training")]
    ['branch', 'trained', 'start_month']
    >>> fields("survey")[0]["constraints"]
    {'required': True, 'minimum': 1, 'unique': True}
    """
    return resource(name)["schema"]["fields"]


def items(factor: str | None = None) -> list[str]:
    """The survey's rating items, all or those of one factor of experience.

    Parameters
    ----------
    factor : {"people", "environment", "practices"}, optional

    Examples
    --------
    >>> items("people")
    ['people_friendliness', 'people_knowledge', 'people_helpfulness']
    >>> len(items())
    10
    """
    if factor is not None and factor not in FACTORS:
        raise DataError(f"factor must be one of {', '.join(FACTORS)}, got {factor!r}")
    return [
        f["name"] for f in fields("survey") if "factor" in f and (factor is None or f["factor"] == factor)
    ]


def item_labels() -> dict[str, str]:
    """Short wording of each survey item, for tables and charts.

    >>> item_labels()["env_comfort"]
    'The store was comfortable to spend time in'
    """
    return {f["name"]: f["title"] for f in fields("survey") if "factor" in f}


def categories(table: str, column: str) -> list[str]:
    """Allowed values of a categorical column, in their schema order.

    Columns whose values depend on the data (``branch``, ``business``) have no
    fixed list: use the loaded table's categories instead.

    >>> categories("survey", "channel")
    ['in store', 'phone', 'online']
    """
    for f in fields(table):
        if f["name"] == column:
            enum = f.get("constraints", {}).get("enum")
            if enum is None:
                raise DataError(
                    f"{table}.{column} has no fixed list of values; its categories are the "
                    f"values found in the data (see load({table!r})[{column!r}].cat.categories)"
                )
            return list(enum)
    names = [f["name"] for f in fields(table)]
    raise DataError(f"table {table!r} has no column {column!r}{suggest(column, names)}")


def default_data_dir() -> Path:
    """The folder the course reads data from when none is given.

    ``$CXKIT_DATA`` if set; else the course's ``datasets/``, found relative to this
    package so notebooks work from any working directory: inside the package
    (``cxlib/datasets``) when cxlib is installed from a wheel, else at the top of the
    checkout (a clone, or an editable install).

    Examples
    --------
    >>> default_data_dir().name  # with $CXKIT_DATA unset
    'datasets'
    >>> (default_data_dir() / "survey.csv").is_file()
    True
    """
    env = os.environ.get("CXKIT_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    shipped = here / "datasets"  # a wheel carries the data inside the package
    return shipped if (shipped / "survey.csv").is_file() else here.parent / "datasets"


def _fail(table: str, message: str) -> DataError:
    return DataError(f"{table}: {message}")


def _read_text(path: Path, dtype) -> pd.DataFrame:
    return pd.read_csv(path, dtype=dtype, keep_default_na=False, na_values=[""], encoding="utf-8")


def read_csv(path: Path, table: str) -> pd.DataFrame:
    r"""Read one CSV file, with clear errors for the usual ways a file goes wrong.

    Only empty fields count as missing ("NA" or "nan" stay text). Number columns come
    back as floats when every value parses as a number; otherwise the whole file comes
    back as text, for :func:`validate` to report what does not fit.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "training.csv"
    >>> _ = path.write_text("branch,trained,start_month\nAshford,true,2024-09-01\nCarlton,false,\n")
    >>> read_csv(path, "training")
        branch trained start_month
    0  Ashford    true  2024-09-01
    1  Carlton   false         NaN
    >>> _ = path.write_bytes(b"branch,trained,start_month\nCaf\xe9,true,\n")
    >>> read_csv(path, "training")
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: training: the file ... is not UTF-8 text (line 2: byte b'\xe9');
    save it as UTF-8 CSV
    """
    path = Path(path)
    if not path.exists():
        raise _fail(
            table,
            f"file not found: {path}. Expected the file {path.name} in {path.parent} "
            f"(the folder must hold {', '.join(r['path'] for r in schema()['resources'])})",
        )
    if path.stat().st_size == 0:
        raise _fail(table, f"the file {path} is empty; expected a CSV file with a header row")
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if b"\x00" in head:
        raise _fail(table, f"the file {path} is not a CSV text file (it contains binary data)")
    # Number columns are parsed as numbers straight away (the C parser is strict: "nan",
    # "1_000" or "abc" fail); if any fails, the file is read again as text so that
    # validate() can name the offending rows and values.
    numbers = {f["name"]: "float64" for f in fields(table) if f["type"] in ("integer", "number")}
    try:
        try:
            df = _read_text(path, defaultdict(lambda: str, numbers))
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
            raise
        except ValueError:
            df = _read_text(path, str)
    except UnicodeDecodeError:
        # the parser's offset is within its buffer: find the first bad byte in the file itself
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
            where = ""
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            where = f" (line {line}: byte {raw[exc.start : exc.start + 1]!r})"
        raise _fail(table, f"the file {path} is not UTF-8 text{where}; save it as UTF-8 CSV") from None
    except (pd.errors.ParserError, csv.Error) as exc:
        raise _fail(table, f"the file {path} could not be read as CSV: {exc}") from None
    except pd.errors.EmptyDataError:
        raise _fail(
            table,
            f"the file {path} has no header row; expected columns "
            f"{', '.join(f['name'] for f in fields(table))}",
        ) from None
    return df


def validate(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Check a DataFrame of text columns against table ``table``'s schema and type it.

    Parameters
    ----------
    df : DataFrame
        The table as read from CSV: text (or already typed) columns.
    table : str
        The table's name in the schema (see :func:`tables`).

    Returns
    -------
    DataFrame
        A new DataFrame with the schema's columns in schema order, then any extra
        columns unchanged, with proper dtypes.

    Raises
    ------
    DataError
        naming the column, a few offending rows and values, and what was expected.

    Examples
    --------
    >>> raw = pd.DataFrame({"branch": ["Ashford", "Carlton"], "trained": ["true", "false"],
    ...                     "start_month": ["2024-09-01", None]})
    >>> validate(raw, "training").dtypes.astype(str).tolist()
    ['category', 'bool', 'datetime64[ns]']
    >>> validate(raw.assign(trained=["yes", "no"]), "training")
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: training.trained: 2 value(s) are not true/false: row 2: 'yes', row 3: 'no'
    """
    spec = fields(table)
    names = [f["name"] for f in spec]
    if len(df) == 0:
        raise _fail(table, "the table has a header but no rows; expected at least one row")
    present = [str(c) for c in df.columns]
    dupes = sorted({c for c in present if present.count(c) > 1})
    if dupes:
        raise _fail(table, f"column(s) {', '.join(map(repr, dupes))} appear more than once")
    missing = [n for n in names if n not in df.columns]
    if missing:
        extra = [c for c in present if c not in names]
        hints = "; ".join(f"{m!r}{suggest(m, extra)}" for m in missing)
        raise _fail(table, f"missing column(s): {hints}. Expected columns: {', '.join(names)}")
    out = {}
    for f in spec:
        out[f["name"]] = _convert(df[f["name"]], f, table)
    typed = pd.DataFrame(out, index=df.index)
    for c in df.columns:
        if c not in names:
            typed[c] = df[c]
    key = resource(table)["schema"].get("primaryKey", [])
    if key:
        dup = typed.duplicated(key, keep=False)
        if dup.any():
            rows = typed.index[dup]
            vals = typed.loc[dup, key].astype(str).agg(", ".join, axis=1)
            raise _fail(
                table,
                f"{int(dup.sum())} rows share a value of {' + '.join(key)}, which must be "
                f"unique: {show_examples(rows + 2, vals)}",
            )
    return typed.reset_index(drop=True)


def _written(values: pd.Series) -> pd.Series:
    """Values as text, as they stand in the file, for error messages (6.0 read as a number shows as '6')."""
    if pd.api.types.is_float_dtype(values.dtype):
        return values.map(lambda v: str(int(v)) if float(v).is_integer() else str(v))
    return values


def _convert(col: pd.Series, f: dict, table: str) -> pd.Series:
    name, kind = f["name"], f["type"]
    cons = f.get("constraints", {})
    where = f"{table}.{name}"
    rows = col.index + 2  # CSV line numbers: header is line 1
    isna = col.isna().to_numpy()
    if cons.get("required") and isna.any():
        if isna.all():
            raise DataError(
                f"{where}: the column is empty (all {len(col)} values are missing); it is required"
            )
        raise DataError(
            f"{where}: {int(isna.sum())} missing value(s) in a required column at "
            f"{show_examples(rows[isna], col[isna])}"
        )
    if kind in ("integer", "number"):
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            num = col.astype(float)
        else:
            num = pd.to_numeric(col.astype(object).where(~isna, np.nan), errors="coerce")
            bad = num.isna().to_numpy() & ~isna
            if bad.any():
                raise DataError(
                    f"{where}: {int(bad.sum())} value(s) are not numbers: "
                    f"{show_examples(rows[bad], col[bad])}"
                )
        arr = num.to_numpy(dtype=float)
        finite = ~np.isnan(arr)
        if np.isinf(arr[finite]).any():
            bad = np.isinf(arr)
            raise DataError(f"{where}: infinite values at {show_examples(rows[bad], _written(col[bad]))}")
        if kind == "integer":
            bad = finite & (arr != np.round(arr))
            if bad.any():
                raise DataError(
                    f"{where}: {int(bad.sum())} value(s) are not whole numbers: "
                    f"{show_examples(rows[bad], _written(col[bad]))}"
                )
        lo, hi = cons.get("minimum", -np.inf), cons.get("maximum", np.inf)
        bad = finite & ((arr < lo) | (arr > hi))
        if bad.any():
            raise DataError(
                f"{where}: {int(bad.sum())} value(s) outside the allowed range {lo} to {hi}: "
                f"{show_examples(rows[bad], _written(col[bad]))}"
            )
        if kind == "number":
            out = pd.Series(arr, index=col.index, name=name)
        elif cons.get("required"):
            out = pd.Series(arr.astype(np.int64), index=col.index, name=name)
        else:
            out = pd.Series(
                pd.array(np.where(finite, arr, 0).astype(np.int64), dtype="Int64"), index=col.index, name=name
            )
            out[~finite] = pd.NA
    elif kind == "boolean":
        text = (
            col.astype(object)
            .where(~isna, None)
            .map(lambda v: str(v).strip().lower() if v is not None else None)
        )
        mapping = {"true": True, "false": False, "1": True, "0": False}
        bad = ~isna & ~text.isin(list(mapping)).to_numpy()
        if bad.any():
            raise DataError(
                f"{where}: {int(bad.sum())} value(s) are not true/false: {show_examples(rows[bad], col[bad])}"
            )
        mapped = text.map(mapping)
        out = mapped.astype(bool) if not isna.any() else mapped.astype("boolean")
        out.name = name
    elif kind == "date":
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            out = col.astype("datetime64[ns]")
        else:
            out = pd.to_datetime(col, format="%Y-%m-%d", errors="coerce")
            bad = out.isna().to_numpy() & ~isna
            if bad.any():
                raise DataError(
                    f"{where}: {int(bad.sum())} value(s) are not dates written YYYY-MM-DD: "
                    f"{show_examples(rows[bad], col[bad])}"
                )
            out = out.astype("datetime64[ns]")
    elif kind == "string":
        enum = cons.get("enum")
        if enum is not None:
            text = col.astype(object)
            bad = ~isna & ~text.isin(enum).to_numpy()
            if bad.any():
                seen = sorted({str(v) for v in text[bad]})[:5]
                hint = "; ".join(f"{v!r}{suggest(v, enum)}" for v in seen)
                raise DataError(
                    f"{where}: {int(bad.sum())} value(s) not among the allowed values "
                    f"({', '.join(enum)}): {show_examples(rows[bad], col[bad])}. {hint}"
                )
            out = pd.Series(
                pd.Categorical(text.where(~isna, None), categories=enum), index=col.index, name=name
            )
        elif f.get("categorical"):
            text = col.astype(object).where(~isna, None)
            cats = sorted({str(v) for v in pd.unique(text[~isna].to_numpy())})
            out = pd.Series(pd.Categorical(text, categories=cats), index=col.index, name=name)
        else:
            out = col.astype("string")
    else:  # pragma: no cover - the schema only uses the types above
        raise DataError(f"{where}: unknown field type {kind!r} in the schema")
    if cons.get("unique") and kind != "string":
        dup = out.duplicated(keep=False).to_numpy() & ~isna
        if dup.any():
            raise DataError(
                f"{where}: {int(dup.sum())} rows repeat a value that must be unique: "
                f"{show_examples(rows[dup], _written(col[dup]))}"
            )
    return out


def load(name: str, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one of the course's tables as a validated, typed DataFrame.

    Parameters
    ----------
    name : str
        The table: one of :func:`tables` (``"survey"``, ``"benchmark"``, ...).
    data_dir : str or path, optional
        Folder holding ``<name>.csv``. Defaults to :func:`default_data_dir`, the
        course's ``datasets/``. Point it at your own export with the same columns
        to run the course on your data.

    Returns
    -------
    DataFrame
        Columns in schema order with dtypes: ``category`` for fixed lists of
        values, ``datetime64[ns]`` for dates, ``int64`` / nullable ``Int64`` for
        whole numbers, ``float64`` for amounts, ``bool`` for yes/no.

    Raises
    ------
    DataError
        If the file is missing, empty, not UTF-8 CSV, or breaks the schema.

    Examples
    --------
    >>> survey = load("survey")
    >>> survey["satisfaction"].between(1, 5).all()
    np.True_
    >>> str(survey["branch"].dtype)
    'category'
    """
    res = resource(name)
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    if not folder.is_dir():
        raise DataError(f"{name}: the data folder {folder} does not exist")
    return validate(read_csv(folder / res["path"], name), name)


def load_truth(data_dir: str | os.PathLike | None = None) -> dict:
    """The true effects the generator used for the data in ``data_dir`` (``truth.json``).

    Only synthetic data has a truth file; lessons compare estimates against it.

    >>> load_truth()["seed"]
    0
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    path = folder / "truth.json"
    if not path.exists():
        raise DataError(f"no truth.json in {folder}: only data made by cxlib.synth records its true effects")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
