"""The committed data files are exactly what the seeded generators make, and
`tpmcourse.datasets` is their one home: every family module is registered,
none of them needs a lab, and each file reads back as its generator made it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tpmcourse import datasets
from tpmcourse.instructor import cli
from tpmcourse.paths import DATA


@pytest.mark.parametrize("dataset", datasets.registered(), ids=lambda d: d.file)
def test_committed_file_matches_its_generator(tmp_path, dataset):
    fresh = tmp_path / dataset.file
    dataset.make().to_csv(fresh, index=False)
    assert fresh.read_bytes() == (DATA / dataset.file).read_bytes(), (
        f"data/{dataset.file} differs from its generator: run `make data`")


@pytest.mark.parametrize("dataset", datasets.registered(), ids=lambda d: d.file)
def test_committed_file_reads_back_as_made(dataset):
    """``Dataset.read`` (what the labs' expected answers use) gives the generator's values:
    postcodes keep their leading zeros, blanks stay blank."""
    pd.testing.assert_frame_equal(dataset.read(), dataset.make(), check_dtype=False)


def test_every_data_file_is_small_and_documented():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for path in sorted(DATA.glob("*.csv")):
        assert path.stat().st_size < 2_000_000, f"{path.name} is over 2 MB"
        assert f"`{path.name}`" in readme, f"data/README.md has no datasheet for {path.name}"


def test_every_family_module_is_registered_once():
    folder = Path(datasets.__file__).parent
    modules = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    assert sorted(datasets.FAMILIES) == modules
    files = [d.file for d in datasets.registered()]
    assert len(files) == len(set(files)), "two generators write the same file"


def test_datasets_never_import_a_lab():
    """The data is made without the labs' checks, so `make data` cannot depend on them."""
    code = ("import sys\nfrom tpmcourse import datasets\ndatasets.registered()\n"
            "print(sorted(m for m in sys.modules if m.startswith('tpmcourse.labs')))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_cli_writes_every_generated_file(tmp_path, capsys):
    assert cli.main(["data", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(d.file for d in datasets.registered())
    assert "wrote" in capsys.readouterr().out


def test_lab4_postcodes_are_drawn_as_rng_choice_draws_them():
    """The sign-up table's postcodes skip ``rng.choice``'s per-row checks (for speed) but not its draw:
    the same codes, and the generator left in the same state, as a row-by-row ``rng.choice``."""
    import numpy as np

    from tpmcourse.datasets import lab4_ethics

    def by_choice(rng: np.random.Generator, n: int) -> list[str]:
        weights = np.array([w for *_, w in lab4_ethics._DE_AREAS] + [lab4_ethics._RURAL_WEIGHT], dtype=float)
        area = rng.choice(len(weights), size=n, p=weights / weights.sum())
        pools = []
        for lo, hi, _ in lab4_ethics._DE_AREAS:
            pool = np.sort(rng.choice(np.arange(lo, hi + 1), size=min(60, hi - lo + 1), replace=False))
            popularity = 1 / np.arange(1, len(pool) + 1) ** 0.8
            pools.append((rng.permutation(pool), popularity / popularity.sum()))
        codes = [int(rng.integers(1001, 99999)) if a == len(lab4_ethics._DE_AREAS)
                 else int(rng.choice(pools[a][0], p=pools[a][1])) for a in area]
        return [f"{c:05d}" for c in codes]

    for seed in (0, 409, 2026):
        fast, slow = np.random.default_rng(seed), np.random.default_rng(seed)
        assert lab4_ethics._postcodes(fast, 4000) == by_choice(slow, 4000), seed
        assert fast.random() == slow.random(), seed
