"""The running-example page's facts block is generated from course/larkspur.yml."""

from __future__ import annotations

import pytest

from tpmcourse import larkspur


def test_committed_page_equals_the_generated_page():
    committed = larkspur.PAGE_FILE.read_text(encoding="utf-8")
    assert committed == larkspur.write_page(), (
        "course/running-example.md has drifted from course/larkspur.yml: "
        "run `python -m tpmcourse.larkspur --write-page`")


def test_check_mode_reports_drift(tmp_path, monkeypatch):
    page = tmp_path / "running-example.md"
    page.write_text(larkspur.write_page().replace("565 ms", "780 ms"), encoding="utf-8")
    monkeypatch.setattr(larkspur, "PAGE_FILE", page)
    assert larkspur.main(["--check"]) == 1
    assert larkspur.main(["--write-page"]) == 0
    assert larkspur.main(["--check"]) == 0


def test_bad_fact_sheet_names_the_file_and_the_field(tmp_path):
    bad = tmp_path / "larkspur.yml"
    text = larkspur.FACTS_FILE.read_text(encoding="utf-8").replace("active_merchants: 48000",
                                                                     "active_merchants: many")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(larkspur.FactsError, match=r"larkspur\.yml: field company\.active_merchants"):
        larkspur.load(bad)


def test_page_states_the_headline_facts():
    f = larkspur.facts()
    block = larkspur.render_block(f)
    assert f"{f.metrics['p99_latency_ms'].value:g} ms" in block
    assert f"{f.timeline.processor_switch_off.date:%d %B %Y}" in block
    for person in f.cast:
        assert f"| {person.name} | {person.role} |" in block
