"""The course's generated data files, in one home, so that `make data`
(`tpmcourse data`) rebuilds every one of them from fixed seeds and a test can
prove the committed files are exactly what the generators make.

Each family module here makes one group of files and is named after who reads
them (``ch03_funnel``, ``lab2_metrics``...); it lists its files in
``DATASETS``. The constants that describe the data (its start date, its
endpoints, its file names) live in the family module, and the labs import
them from there.

Fresh data for grading. ``Dataset.make(seed)`` with a course-wide ``seed``
makes a *variant* of a file: same columns, similar sizes and distributions,
the same story, other numbers (``seed=None`` is exactly the committed file).
``write_all(folder, seed)`` writes a whole variant, and under
``with reading_from(folder):`` every :meth:`Dataset.read`, and so every
expected answer and every check, uses that folder instead of the course's
``data/``. The folder is held in a :class:`contextvars.ContextVar`, so each
thread (or asyncio task) grades against its own data; caches of values
computed from the data (:func:`cached`) are kept per folder.
"""

from __future__ import annotations

import functools
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import numpy as np
import pandas as pd

from tpmcourse.paths import DATA, course_data

#: Every family module, in the order `make data` writes them. Listed by hand:
#: a new module makes no file until it is named here.
FAMILIES: tuple[str, ...] = (
    "ch03_funnel",
    "ch09_merchants",
    "ch09_risk_decisions",
    "lab1_prioritization",
    "lab2_metrics",
    "lab3_reliability",
    "lab4_ethics",
    "lab5_planning",
)

P = ParamSpec("P")
T = TypeVar("T")

#: The folder that reads come from in this context; None is the course's own data/.
_FOLDER: ContextVar[Path | None] = ContextVar("tpmcourse_data_folder", default=None)
#: Every per-folder cache (of files read and of values computed from them).
_CACHES: list[dict[tuple, Any]] = []
_CACHES_LOCK = threading.Lock()


def variant_seed(seed: int, name: str) -> int:
    """A generator's own seed in the variant ``seed``: stable on every machine,
    and different for each ``name``, so two generators given the same course-wide
    seed draw independent streams."""
    state = np.random.SeedSequence([int(seed), zlib.crc32(name.encode())]).generate_state(1)
    return int(state[0])


def stream(seed: int, attempt: int = 0) -> np.random.Generator:
    """The random stream of a generator's ``attempt``-th draw: ``seed`` itself
    first (so a committed file is its seed's first draw), then ``[seed, 1]``,
    ``[seed, 2]``..."""
    return np.random.default_rng(seed if attempt == 0 else [seed, attempt])


def redraw(draw: Callable[[int], T], keeps: Callable[[T], bool], what: str, attempts: int = 500) -> T:
    """The first of ``draw(0)``, ``draw(1)``... that ``keeps`` accepts: how a
    generator keeps its lab's story (and a variant its distance from the
    committed file) while staying a plain seeded draw. ``draw(attempt)``
    should draw from :func:`stream` ``(seed, attempt)``."""
    for attempt in range(attempts):
        value = draw(attempt)
        if keeps(value):
            return value
    raise RuntimeError(f"no {what} in {attempts} draws tells its lab's story: loosen the generator's conditions")


def as_variant(file: str) -> Callable[[int], dict[str, Any]]:
    """The ``variant`` of a file whose generator takes ``seed`` and ``as_variant``."""
    return lambda seed: {"seed": variant_seed(seed, file), "as_variant": True}


@dataclass(frozen=True)
class Dataset:
    """One generated file: its name, the generator that makes it (called with
    its defaults for the committed file), what it holds, and the ``read_csv``
    options that read it back as the labs expect (postcodes as text, blanks
    kept as "").

    ``variant`` turns a course-wide seed into the generator's keyword
    arguments for a variant; by default ``seed=variant_seed(seed, file)``. A
    family whose files must agree with each other (lab 3's incidents show in
    its request log) gives them the same derived seed; a generator with
    values set by hand, or with an answer that a variant could share with the
    committed file by chance (an hour, a threshold), takes ``as_variant=True``
    (:func:`as_variant`) to vary those too, or to draw again until they differ."""

    file: str
    generate: Callable[..., pd.DataFrame]
    what: str
    read_options: Mapping[str, Any] = field(default_factory=dict)
    variant: Callable[[int], Mapping[str, Any]] | None = None

    def make(self, seed: int | None = None) -> pd.DataFrame:
        """The file's content: with ``seed=None`` exactly the committed file,
        with another seed a plausible variant of it (same columns, similar
        sizes and distributions, the same story; see each family module)."""
        if seed is None:
            return self.generate()
        options = self.variant(seed) if self.variant else {"seed": variant_seed(seed, self.file)}
        return self.generate(**options)

    def path(self) -> Path:
        """Where :meth:`read` reads from in this context."""
        folder = _FOLDER.get()
        if folder is None:
            return course_data(self.file)
        path = folder / self.file
        if not path.exists():
            raise FileNotFoundError(f"{self.file} is missing from {folder}: write it with "
                                    f"tpmcourse.datasets.write_all({str(folder)!r}, seed=...).")
        return path

    def read(self) -> pd.DataFrame:
        """The course's own committed copy, never a learner's ``./data/``, so an
        expected answer does not depend on where the kernel started; inside
        ``with reading_from(folder):`` the copy in ``folder``. Read once per
        folder and process; each caller gets a copy it may change."""
        return _read(self.file).copy()


def _dataset(file: str) -> Dataset:
    for dataset in registered():
        if dataset.file == file:
            return dataset
    raise KeyError(f"no generated data file called {file!r}")


def cached(fn: Callable[P, T]) -> Callable[P, T]:
    """Like ``functools.cache`` for a value computed from the data (an expected
    answer, a reference simulation): kept once per data folder, so an answer
    computed from the course's data is never reused under :func:`reading_from`
    and the reverse. Cleared for a folder when a ``reading_from`` it is entered
    or left; ``fn.cache_clear()`` clears every folder."""
    store: dict[tuple, Any] = {}
    with _CACHES_LOCK:
        _CACHES.append(store)

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        key = (_FOLDER.get(), args, tuple(sorted(kwargs.items())))
        try:
            return store[key]
        except KeyError:
            value = fn(*args, **kwargs)
            store[key] = value  # two threads may both compute it: same value, last one kept
            return value

    wrapper.cache_clear = store.clear  # type: ignore[attr-defined]  # as functools.cache offers
    return wrapper


@cached
def _read(file: str) -> pd.DataFrame:
    dataset = _dataset(file)
    return pd.read_csv(dataset.path(), **dataset.read_options)


def _forget(folder: Path | None) -> None:
    """Drop what every cache holds for ``folder`` (other folders' entries stay)."""
    with _CACHES_LOCK:
        stores = list(_CACHES)
    for store in stores:
        for key in [k for k in list(store) if k[0] == folder]:
            store.pop(key, None)


def current_folder() -> Path:
    """The folder :meth:`Dataset.read` reads from here: the course's ``data/``
    unless inside :func:`reading_from`."""
    folder = _FOLDER.get()
    return DATA if folder is None else folder


@contextmanager
def reading_from(folder: str | Path) -> Iterator[Path]:
    """Within the block, every :meth:`Dataset.read` (and so every expected
    answer and every check in ``tpmcourse.labs``) reads ``folder`` instead of
    the course's ``data/``; it yields the folder, resolved. Per thread and per
    asyncio task (a :class:`~contextvars.ContextVar`): a grader may check one
    submission per thread, each against its own folder. The caches for
    ``folder`` are cleared on entry (the folder may have been rewritten with
    another seed) and on exit. Nested blocks restore the outer folder."""
    path = Path(folder).resolve()
    if not path.is_dir():
        raise FileNotFoundError(f"no data folder at {path}: write one with tpmcourse.datasets.write_all")
    token = _FOLDER.set(path)
    _forget(path)
    try:
        yield path
    finally:
        _forget(path)
        _FOLDER.reset(token)


def registered() -> list[Dataset]:
    """Every family module's ``DATASETS``, in the order of :data:`FAMILIES`."""
    return [d for family in FAMILIES for d in import_module(f"{__name__}.{family}").DATASETS]


def write_all(folder: Path | str = DATA, seed: int | None = None, files: Iterable[str] | None = None) -> list[Path]:
    """Regenerate the generated data files into ``folder``; returns the paths
    written. ``seed=None`` writes exactly the committed files; another seed
    writes a variant of every file (the same seed always writes the same
    variant). ``files`` limits it to those names (e.g. one lab's,
    ``Lab.data_files()``); a name that is not generated here is an error."""
    folder = Path(folder)
    wanted = None if files is None else set(files)
    chosen = [d for d in registered() if wanted is None or d.file in wanted]
    if wanted is not None and (unknown := wanted - {d.file for d in chosen}):
        raise KeyError(f"not generated by tpmcourse.datasets: {', '.join(sorted(unknown))}")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for dataset in chosen:
        path = folder / dataset.file
        dataset.make(seed).to_csv(path, index=False)
        written.append(path)
    _forget(folder.resolve())  # what was read from the old files there is stale
    if folder.resolve() == DATA.resolve():
        _forget(None)
    return written


def run(folder: Path = DATA, seed: int | None = None) -> int:
    """``tpmcourse data`` (``make data``): the one way to regenerate the data files."""
    for path in write_all(folder, seed):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0
