"""Record a lesson's headline results so a batch run can collect them.

``record("nps", 12.8)`` shows ``nps = 12.8`` in the notebook and stores the value in
the cell output under the MIME type ``application/vnd.cxkit.record+json``. The
instructors' runner reads these outputs from each executed notebook and puts every
student's key numbers in one table (the same idea as scrapbook's ``glue``).
"""

from __future__ import annotations

import json
import math

import numpy as np

from .errors import InputError

MIME = "application/vnd.cxkit.record+json"


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        if not math.isfinite(value):
            raise InputError(f"cannot record a non-finite number ({value}); record text or a finite number")
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    raise InputError(f"record() takes a number, text or true/false, got {type(value).__name__}")


def record(name: str, value, digits: int | None = 4) -> None:
    """Show ``name = value`` and store it as a headline result of this notebook.

    Parameters
    ----------
    name : str
        A short identifier, e.g. ``"nps"`` or ``"alpha_people"``.
    value : number, str or bool
        The result. Floats are rounded to ``digits`` decimals for storage.
    digits : int or None
        Decimals kept for a float (``None``: all).

    Returns
    -------
    None
        The line ``name = value`` is shown; in a notebook the value is stored in the cell's
        output for :func:`collect`.

    Examples
    --------
    >>> record("nps", 12.81234)
    nps = 12.81
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise InputError(f"record() needs a short identifier as name (letters, digits, _), got {name!r}")
    v = _plain(value)
    if isinstance(v, float) and digits is not None:
        v = round(v, digits)
    text = f"{name} = {v:.4g}" if isinstance(v, float) else f"{name} = {v}"
    try:
        from IPython import get_ipython
        from IPython.display import display

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency
        shell = None
    if shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell":
        display({MIME: {"name": name, "value": v}, "text/plain": text}, raw=True)
    else:
        print(text)


def collect(notebook) -> dict:
    """Return ``{name: value}`` for every result recorded in an executed notebook.

    Parameters
    ----------
    notebook : dict or nbformat.NotebookNode or path
        An executed notebook, or the path of one.

    Returns
    -------
    dict
        ``{name: value}`` in the order recorded (a name recorded twice keeps its last value).

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "outputs": [{"output_type": "display_data",
    ...                                                  "data": {MIME: {"name": "nps", "value": 31.5}}}]}]}
    >>> collect(nb)
    {'nps': 31.5}
    """
    if not isinstance(notebook, dict):
        with open(notebook, encoding="utf-8") as fh:
            notebook = json.load(fh)
    found = {}
    for cell in notebook.get("cells", []):
        for out in cell.get("outputs", []):
            payload = out.get("data", {}).get(MIME)
            if payload is not None:
                found[payload["name"]] = payload["value"]
    return found
