"""Execute the whole course into a build folder: ``python -m cxlib.course --out build``.

Each lesson in ``notebooks/`` is run top to bottom with papermill, with its default
parameters, into ``<out>/notebooks/``; then the course site is built from the stored
notebooks into ``<out>/site/`` (see :mod:`cxlib.site`). The command exits non-zero if
any lesson fails, naming it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lessons(folder: Path | None = None) -> list[Path]:
    """The lesson notebooks in reading order.

    >>> all(p.suffix == ".ipynb" for p in lessons())
    True
    """
    folder = folder or ROOT / "notebooks"
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cxlib.course", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="build", help="build folder (default: build)")
    args = parser.parse_args(argv)
    out = Path(args.out) / "notebooks"
    out.mkdir(parents=True, exist_ok=True)
    import papermill as pm

    failed = []
    for nb in lessons():
        start = time.perf_counter()
        try:
            pm.execute_notebook(str(nb), str(out / nb.name), cwd=str(nb.parent), progress_bar=False,
                                kernel_name="python3")
            status = "ok"
        except Exception as exc:  # report and go on with the other lessons
            failed.append(nb.name)
            status = f"FAILED: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        print(f"{nb.name:<45} {time.perf_counter() - start:6.1f} s  {status}", flush=True)
    if not lessons():
        print("no lessons in notebooks/ yet; the data were generated and validated")
    from .site import build

    site = build(Path(args.out) / "site")
    print(f"site built: open {site / 'index.html'} in a browser")
    if failed:
        print(f"{len(failed)} lesson(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
