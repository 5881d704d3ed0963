"""How pytest-xdist spreads the tests and notebooks over the cores
(``tests/scheduling.py``), whatever paths pytest is given: ``make test``'s, or
``pytest -n 2 --nbval exercises`` alone. It is here, at the root, because the
folders of notebooks have no conftest of their own, and without it the cells of
one notebook would be spread over the workers and run without the cells before
them. The fixtures and test tiers are in ``tests/conftest.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tests"))

from scheduling import pytest_xdist_make_scheduler  # noqa: F401  # a hook: pytest finds it by name
