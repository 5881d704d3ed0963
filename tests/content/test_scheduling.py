"""How ``make test`` shares the suite between workers (tests/conftest.py): a
notebook's cells and a module with a costly shared set-up stay together,
everything else is spread test by test."""

from __future__ import annotations

from conftest import sets_up_once, unit_of


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
