"""The course's prose is its own: no run of ten words copied from the guide.

The guide and its overlap checker live in ../shared beside the repository,
where every developer's machine and CI have them.
"""

from __future__ import annotations

import subprocess
import sys

from tpmcourse.paths import ROOT

TOOL = ROOT.parent / "shared" / "tools" / "seed_overlap.py"


def test_no_run_of_ten_words_is_copied_from_the_guide():
    assert TOOL.exists(), f"{TOOL} not found: clone the course next to the shared/ folder"
    result = subprocess.run([sys.executable, str(TOOL), str(ROOT)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    assert result.stdout.strip().splitlines()[-1].startswith("0 run")
