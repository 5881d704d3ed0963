"""Every cited work is defined once; a duplicate key would silently shadow."""

from __future__ import annotations

import re
from collections import Counter

import yaml

from tpmcourse.paths import ROOT


def bib_files() -> list[str]:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["bibtex_bibfiles"]


def test_every_bib_file_in_the_config_exists():
    for name in bib_files():
        assert (ROOT / name).exists(), f"{name} is listed in _config.yml but missing"


def test_no_key_is_defined_twice():
    keys: Counter[str] = Counter()
    for name in bib_files():
        keys.update(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / name).read_text(), re.M))
    twice = [k for k, n in keys.items() if n > 1]
    assert not twice, f"bibliography keys defined more than once: {twice}"
    assert len(keys) >= 20
