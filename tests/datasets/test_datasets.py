"""The committed data files are exactly what the seeded generators make."""

from __future__ import annotations

import pytest

from tpmcourse.instructor import cli
from tpmcourse import datasets
from tpmcourse.paths import DATA


@pytest.mark.parametrize("dataset", datasets.registered(), ids=lambda d: d.file)
def test_committed_file_matches_its_generator(tmp_path, dataset):
    fresh = tmp_path / dataset.file
    dataset.make().to_csv(fresh, index=False)
    assert fresh.read_bytes() == (DATA / dataset.file).read_bytes(), (
        f"data/{dataset.file} differs from its generator: run `make data`")


def test_every_data_file_is_small_and_documented():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for path in sorted(DATA.glob("*.csv")):
        assert path.stat().st_size < 2_000_000, f"{path.name} is over 2 MB"
        assert f"`{path.name}`" in readme, f"data/README.md has no datasheet for {path.name}"


def test_cli_writes_every_generated_file(tmp_path, capsys):
    assert cli.main(["data", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(d.file for d in datasets.registered())
    assert "wrote" in capsys.readouterr().out
