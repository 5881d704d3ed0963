"""Fresh data for grading (``tpmcourse grade --fresh-data``).

Each lab's data files are regenerated with the instructor's seed into a
private temporary folder, once per grading process (and so once per Dask
worker): every submission of that lab runs on those files in its sandbox,
and the course's checks compute the expected answers from the same files
(:func:`tpmcourse.datasets.reading_from`). Numbers typed in from the book,
from stored outputs or from a classmate then match nothing, while code that
computes them passes. The seed itself never enters a sandbox.
"""

from __future__ import annotations

import atexit
import multiprocessing.util
import os
import secrets
import shutil
import tempfile
import threading
from pathlib import Path

from tpmcourse import labs
from tpmcourse.paths import DATA

SEED_LIMIT = 2**31  # what numpy's generators take without complaint, and short enough to write down

_lock = threading.Lock()
_folders: dict[tuple[str, int], Path] = {}
_root: Path | None = None


def new_seed() -> int:
    """A seed nobody can guess: the instructor keeps it to grade again on the same data."""
    return secrets.randbelow(SEED_LIMIT - 1) + 1


def _root_folder() -> Path:
    global _root
    if _root is None or not _root.is_dir():
        _root = Path(tempfile.mkdtemp(prefix="tpm-fresh-data-"))  # mode 0700: only the grader reads it
    return _root


def folder_for(lab: labs.Lab, seed: int) -> Path:
    """The lab's data files regenerated for ``seed``, written once per process."""
    with _lock:
        key = (lab.id, seed)
        found = _folders.get(key)
        if found is not None and found.is_dir():
            return found
        folder = _root_folder() / f"{lab.id}-{len(_folders)}"  # the seed stays out of every name
        folder.mkdir()
        from tpmcourse import datasets  # numpy and pandas: not for every sandbox's runner

        generated = {d.file for d in datasets.registered()}
        files = lab.data_files()
        datasets.write_all(folder, seed, [name for name in files if name in generated])
        for name in files:  # a file the course does not generate is the same for everyone
            if name not in generated and (DATA / name).is_file():
                shutil.copyfile(DATA / name, folder / name)
        _folders[key] = folder
        return folder


def data_files(lab: labs.Lab, seed: int | None) -> tuple[dict[str, str], Path | None]:
    """What a submission of ``lab`` reads (file name -> path on the grader's
    side) and the folder its answers are checked against (None: the course's
    own ``data/``)."""
    folder = DATA if seed is None else folder_for(lab, seed)
    files = {name: str(folder / name) for name in lab.data_files() if (folder / name).is_file()}
    return files, None if seed is None else folder


def cleanup() -> None:
    """Remove every folder written here (at the end of grading and at exit)."""
    global _root
    with _lock:
        if _root is not None and os.path.isdir(_root):
            shutil.rmtree(_root, ignore_errors=True)
        _root = None
        _folders.clear()


atexit.register(cleanup)
# A Dask worker is a multiprocessing child, which ends without running atexit
# handlers but runs these finalizers.
multiprocessing.util.Finalize(None, cleanup, exitpriority=0)
