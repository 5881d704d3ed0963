"""The glossary is data; bad data must stop the build with a clear message."""

from __future__ import annotations

import pytest

from tpmcourse.content import glossary


def write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def test_terms_from_all_files_are_merged_and_sorted(tmp_path):
    write(tmp_path, "ch01.yml", "- term: WSJF\n  definition: Weighted shortest job first.\n")
    write(tmp_path, "ch02.yml", "- term: cost of delay\n  definition: Value lost per week.\n")
    terms = [t.term for _, t in glossary.load_all(tmp_path)]
    assert terms == ["cost of delay", "WSJF"]


def test_a_term_defined_twice_names_both_files(tmp_path):
    write(tmp_path, "ch01.yml", "- term: RICE\n  definition: A score.\n")
    write(tmp_path, "ch02.yml", "- term: rice\n  definition: Another.\n")
    with pytest.raises(glossary.GlossaryError, match=r"ch02.yml: term 'rice' is already defined in ch01.yml"):
        glossary.load_all(tmp_path)


@pytest.mark.parametrize("text, message", [
    ("- term: SLO\n", r"ch09.yml: term 'SLO': definition: Field required"),
    ("- term: ''\n  definition: x\n", r"term '': term: Value error, must not be empty"),
    ("- term: X\n  definition: y\n  colour: red\n", r"colour: Extra inputs are not permitted"),
    ("term: X\n", r"expected a list of terms, got dict"),
    ("- [unclosed\n", r"not valid YAML"),
    ("- just a string\n", r"entry 1"),
])
def test_malformed_entries_are_reported_with_file_and_term(tmp_path, text, message):
    write(tmp_path, "ch09.yml", text)
    with pytest.raises(glossary.GlossaryError, match=message):
        glossary.load_all(tmp_path)


def test_empty_file_is_allowed(tmp_path):
    write(tmp_path, "ch03.yml", "# nothing yet\n")
    assert glossary.load_all(tmp_path) == []


def test_myst_output_is_one_sorted_glossary(tmp_path):
    write(tmp_path, "a.yml", "- term: B\n  definition: |-\n    line one\n    line two\n"
          "- term: A\n  definition: first\n")
    text = glossary.as_myst(glossary.load_all(tmp_path))
    assert text.startswith("```{glossary}\n:sorted:\n")
    assert text.index("\nA\n  first") < text.index("\nB\n  line one\n  line two")


def test_the_course_glossary_itself_is_valid():
    assert len(glossary.load_all()) >= 2
