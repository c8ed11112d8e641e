"""Folders the kit writes, and replaces only when it wrote them: a stamp lists what it wrote.

A tool that "replaces" its output folder must never delete what it did not write: the
folder a user named by mistake (``--out .`` in a repository, ``--out ~/Documents``) has to
come through untouched. The rule here:

* A folder may be written when it does not exist, is empty, or carries the tool's stamp
  (``.cxkit-stamp.json``): the list of every file the tool wrote there, each with its
  SHA-256, and of the folders it made.
* Anything else is refused (:class:`FolderError`, with the folder, what is in it and what to
  do) before anything is deleted: a folder without a stamp, a file the stamp does not list
  (added later by someone), a listed file whose content changed since, a symbolic link, a
  stamp of another kind (the site's stamp on the folder of its sources, say).
* Clearing a stamped folder deletes exactly the files it lists, then the folders it lists
  once empty; the folder itself stays (it may be the current directory).

:func:`claim` checks a folder and :func:`clear` empties it; :func:`stamp` writes the stamp
after the tool has written the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cxlib.errors import CxlibError

STAMP = ".cxkit-stamp.json"


class FolderError(CxlibError):
    """The kit was asked to write into a folder it may not replace."""


@dataclass(frozen=True)
class Claim:
    """A folder the kit may write: what it wrote there before (nothing if the folder is new or empty)."""

    folder: Path
    kind: str
    files: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _entries(folder: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """Everything under ``folder`` (links not followed): files to digests, folders, and other entries."""
    files, dirs, other = {}, [], []
    for top, subdirs, names in os.walk(folder, followlinks=False):
        rel = Path(top).relative_to(folder)
        for name in subdirs:
            (other if (Path(top) / name).is_symlink() else dirs).append((rel / name).as_posix())
        for name in names:
            path = Path(top) / name
            key = (rel / name).as_posix()
            if path.is_symlink() or not path.is_file():
                other.append(key)
            elif key != STAMP:
                files[key] = _digest(path)
    return files, dirs, other


def _listing(names, limit: int = 5) -> str:
    names = sorted(names)
    more = f" (and {len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _read_stamp(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not isinstance(data.get("dirs"), list):
        return None
    return data


def claim(folder: Path | str, kind: str, what: str = "folder") -> Claim:
    """Check that the kit may write ``folder`` (new, empty, or stamped by it for ``kind``).

    Parameters
    ----------
    folder : path
        The folder to write.
    kind : str
        What the kit writes there (``"site"``, ``"site sources"``): a stamp of another kind is refused.
    what : str
        How to name the folder in a message (``"--out"``).

    Returns
    -------
    Claim
        The folder (absolute) and what the earlier stamp lists, for :func:`clear`.

    Raises
    ------
    FolderError
        When the folder holds anything the kit did not write, saying what.

    Examples
    --------
    >>> import tempfile
    >>> new = Path(tempfile.mkdtemp()) / "site"
    >>> claim(new, "site").files
    ()
    >>> _ = (new.parent / "notes.txt").write_text("mine")
    >>> claim(new.parent, "site")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxlib.kit.stamp.FolderError: folder ... is not empty and was not written by cxkit (it has no
    .cxkit-stamp.json): it holds notes.txt. Name a new or empty folder; ...
    """
    folder = Path(os.path.abspath(folder))
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise FolderError(f"{what} {folder} is not a folder; name a new or empty folder")
    if not folder.exists():
        return Claim(folder, kind)
    names = sorted(p.name for p in folder.iterdir())
    if not names:
        return Claim(folder, kind)
    stamp = _read_stamp(folder)
    if stamp is None:
        raise FolderError(
            f"{what} {folder} is not empty and was not written by cxkit (it has no {STAMP}): it holds "
            f"{_listing(names)}. Name a new or empty folder; cxkit never deletes what it did not write."
        )
    if stamp.get("kind") != kind:
        raise FolderError(
            f"{what} {folder} was written by cxkit for {stamp.get('kind')!r}, not for {kind!r}; "
            "name another folder"
        )
    files, dirs, other = _entries(folder)
    foreign = [f for f in files if f not in stamp["files"]] + [d for d in dirs if d not in stamp["dirs"]]
    changed = [f for f, digest in files.items() if f in stamp["files"] and stamp["files"][f] != digest]
    problems = []
    if foreign or other:
        problems.append(f"not written by cxkit: {_listing(foreign + other)}")
    if changed:
        problems.append(f"changed since cxkit wrote them: {_listing(changed)}")
    if problems:
        raise FolderError(
            f"{what} {folder} holds files that cxkit would have to delete but did not write as they are "
            f"({'; '.join(problems)}). Move them out of the folder, or name another one."
        )
    return Claim(folder, kind, tuple(files), tuple(d for d in dirs if d in stamp["dirs"]))


def clear(granted: Claim) -> None:
    """Delete what the stamp of a claimed folder lists (files, then folders left empty), and the stamp.

    Parameters
    ----------
    granted : Claim
        From :func:`claim`, just before.

    Returns
    -------
    None

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "page.html").write_text("<p>hi</p>")
    >>> stamp(folder, "site")
    >>> clear(claim(folder, "site"))
    >>> list(folder.iterdir())
    []
    """
    folder = granted.folder
    for name in granted.files:
        (folder / name).unlink()
    for name in sorted(granted.dirs, key=lambda d: d.count("/"), reverse=True):
        path = folder / name
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()
    if (folder / STAMP).is_file():
        (folder / STAMP).unlink()


def stamp(folder: Path | str, kind: str) -> None:
    """Write the stamp of a folder the kit has just written: every file in it, with its digest.

    Parameters
    ----------
    folder : path
        The folder, holding only what the kit wrote.
    kind : str
        What the kit wrote there (see :func:`claim`).

    Returns
    -------
    None

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "index.html").write_text("hi")
    >>> stamp(folder, "site")
    >>> sorted(json.loads((folder / STAMP).read_text())["files"])
    ['index.html']
    """
    folder = Path(folder)
    files, dirs, _ = _entries(folder)
    body = {"written_by": "cxkit", "kind": kind, "files": files, "dirs": sorted(dirs)}
    (folder / STAMP).write_text(json.dumps(body, indent=1, sort_keys=True), encoding="utf-8")
