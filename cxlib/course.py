"""Execute the whole course into a build folder: ``python -m cxlib.course --out build``.

Each lesson in ``notebooks/`` is run top to bottom with its default parameters by the
batch runner (:mod:`cxlib.run`: in parallel, with a time limit, skipping lessons that
are already up to date) into ``<out>/notebooks/``, with the run's summary in
``<out>/summary.html``. Then the course site is built from the freshly executed
lessons into ``<out>/site/`` (see :mod:`cxlib.site`); a lesson that failed keeps its
stored notebook on the site. The command exits non-zero if any lesson fails, naming it.
"""

from __future__ import annotations

import argparse
import sys
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
    """The command line ``python -m cxlib.course``: execute the lessons into a build folder
    and build the site; returns the exit status.
    """
    parser = argparse.ArgumentParser(prog="python -m cxlib.course", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="build", help="build folder (default: build)")
    parser.add_argument("--workers", type=int, default=None, help="lessons run in parallel (default: cores)")
    parser.add_argument(
        "--timeout", type=float, default=900, help="time limit per lesson, seconds (default 900)"
    )
    parser.add_argument("--force", action="store_true", help="re-run lessons that are up to date")
    args = parser.parse_args(argv)
    from .run import STATUS_FAILED, Run, run_batch
    from .site import build

    out = Path(args.out)
    found = lessons()
    failed = []
    pages = list(found)
    if found:
        results = run_batch(
            found,
            [Run("notebooks", {})],
            out,
            workers=args.workers,
            timeout=args.timeout,
            force=args.force,
            progress=False,
        )
        for res in results:
            note = f"FAILED at cell {res.cell}: {res.error}" if res.status == STATUS_FAILED else res.status
            print(f"{res.notebook:<45} {res.duration:6.1f} s  {note}", flush=True)
            if res.status == STATUS_FAILED:
                failed.append(res.notebook)
        pages = [stored if stored.name in failed else out / "notebooks" / stored.name for stored in found]
        print(f"lessons executed into {out / 'notebooks'}; summary in {out / 'summary.html'}")
    else:
        print("no lessons in notebooks/ yet; the data were generated and validated")
    site = build(out / "site", notebooks=pages)
    print(f"site built: open {site / 'index.html'} in a browser")
    if failed:
        print(
            f"{len(failed)} lesson(s) failed (the site shows their stored version): {', '.join(failed)}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
