"""How ``make test`` shares the suite between workers (tests/scheduling.py): a
notebook's cells and a module with a costly shared set-up stay together,
everything else is spread test by test."""

from __future__ import annotations

from scheduling import sets_up_once, unit_of


def test_a_notebooks_cells_are_one_unit():
    assert unit_of("chapters/01_introduction.ipynb::Cell 3") == "chapters/01_introduction.ipynb"
    assert unit_of("tests/fixtures/tiny::ipynb::Cell 0") == unit_of("tests/fixtures/tiny::ipynb::Cell 1")


def test_modules_with_a_shared_set_up_are_one_unit_and_the_rest_are_spread():
    graded = "tests/instructor/test_grade.py::test_blank_notebooks_get_zero"
    assert unit_of(graded) == "tests/instructor/test_grade.py"
    page = "tests/book/test_book_controls.py::test_every_control_on_the_page_does_something[intro.html]"
    assert unit_of(page) == page
    assert unit_of("tests/jupyterlab/test_learner_view.py::test_ordering") == "tests/jupyterlab/test_learner_view.py"


def test_the_rule_reads_fixture_scopes_and_star_imports(tmp_path):
    cases = {
        "module": 'import pytest\n@pytest.fixture(scope="module")\ndef f():\n    return 1\n',
        "session": 'import pytest\n@pytest.fixture(scope="session", autouse=True)\ndef f():\n    return 1\n',
        "star": "from helpers import *\n",
        "function": "import pytest\n@pytest.fixture()\ndef f():\n    return 1\n",
        "plain": "def test_x():\n    assert True\n",
    }
    found = {}
    for name, source in cases.items():
        (tmp_path / f"test_{name}.py").write_text(source, encoding="utf-8")
        found[name] = sets_up_once(tmp_path / f"test_{name}.py")
    assert found == {"module": True, "session": True, "star": True, "function": False, "plain": False}


def test_a_notebook_given_alone_keeps_its_cells_on_one_worker():
    """`pytest -n 2 --nbval exercises/…` without tests/: the root conftest.py still schedules it
    (a lab's later cells use the earlier ones' variables, so spread over two workers they fail)."""
    import os
    import subprocess
    import sys

    from tpmcourse.paths import ROOT

    run = subprocess.run([sys.executable, "-m", "pytest", "exercises/lab5_planning.ipynb", "--nbval",
                          "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
                          "-p", "no:cacheprovider", "-q", "-n", "2"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"})
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
