"""The book's static quiz markup: the DOM contract, and inert bank text."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from tpmcourse.paths import ROOT
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz import render as quizhtml

BANKS = ROOT / "tests" / "fixtures" / "banks"


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parse(markup: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(markup)
    return parser.tags


def test_dom_contract_for_every_type():
    markup = quizhtml.render(quizbank.load_bank(BANKS / "ch99.yml"))
    tags = parse(markup)
    roots = [a["data-question"] for t, a in tags if "data-question" in a]
    assert roots == ["ch99-single", "ch99-multiple", "ch99-numeric", "ch99-ordering"]
    inputs = [a for t, a in tags if t == "input"]
    labels = {a.get("for") for t, a in tags if t == "label"}
    assert [a["type"] for a in inputs].count("radio") == 3
    assert [a["type"] for a in inputs].count("checkbox") == 4
    assert all(a["id"] in labels for a in inputs), "every input has a <label for=...>"
    selects = [a for t, a in tags if t == "select"]
    assert len(selects) == 3 and all(a["id"] in labels for a in selects)
    assert markup.count("<fieldset>") == 4 and markup.count("<legend>") == 4
    assert markup.count('<button type="button" class="tpm-check">Check</button>') == 4
    assert markup.count('<button type="button" class="tpm-reveal">Show the worked answer</button>') == 4
    assert markup.count('aria-live="polite"') == 5  # 4 feedback areas and the score
    assert "Score: 0 of 4 right first time, 0 right after a retry, 0 revealed." in markup


def test_embedded_data_cannot_close_its_script_element():
    markup = quizhtml.render(quizbank.load_bank(BANKS / "ch98.yml"))
    script = re.search(r'<script type="application/json" class="tpm-quiz-data">(.*?)</script>', markup, re.S)
    assert script and "<" not in script[1]
    data = json.loads(script[1])
    first_option = data["questions"]["ch98-xss"]["options"][0]
    assert "&lt;img" in first_option or "&lt;b" in first_option


def test_bank_markup_renders_as_text():
    markup = quizhtml.render(quizbank.load_bank(BANKS / "ch98.yml"))
    tags = {t for t, _ in parse(markup)}
    assert not tags & {"img", "svg", "b"}
    assert sum(t == "script" for t, _ in parse(markup)) == 1  # only the JSON data block
    assert not any(k.startswith("on") for _, a in parse(markup) for k in a)
    assert 'href="javascript:' not in markup


def test_ordering_is_shuffled_but_stable():
    assert quizhtml.display_order("ch02-q6", 5) == quizhtml.display_order("ch02-q6", 5)
    assert quizhtml.display_order("ch02-q6", 5) != [0, 1, 2, 3, 4]
    assert sorted(quizhtml.display_order("x", 7)) == list(range(7))


def test_options_are_shown_shuffled_and_identified_by_their_bank_index():
    q = quizbank.load_bank(BANKS / "ch99.yml").questions[0]
    markup = quizhtml.render(quizbank.load_bank(BANKS / "ch99.yml"))
    values = [int(a["value"]) for t, a in parse(markup) if t == "input" and a.get("name") == "ch99-single"]
    assert values == quizhtml.option_order(q.id, 3) and sorted(values) == [0, 1, 2]
    assert all(f'id="ch99-single-opt{i}"' in markup for i in range(3))


def test_numeric_data_carries_every_variant_and_the_units_it_takes(tmp_path):
    bank = quizbank.load_all()["ch01"]
    found = re.search(r'class="tpm-quiz-data">(.*?)</script>', quizhtml.render(bank), re.S)
    assert found
    data = json.loads(found[1])
    numeric = data["questions"]["ch01-q2"]
    assert len(numeric["variants"]) == 6 and numeric["variants"][0]["answer"] == 39
    assert "39 ms" in numeric["variants"][0]["explanation"]
    assert not re.search(r"\{[a-z_]+[:}]", json.dumps(numeric["variants"])), "every placeholder is filled"
    assert "ms" in numeric["accepted"] and "%" not in numeric["accepted"]
    assert data["headlines"] == {"correct": "Correct.", "incorrect": "Not yet.", "ungraded": "Not graded yet."}
    legend = re.search(r'data-question="ch01-q2".*?<span class="tpm-prompt">(.*?)</span>', quizhtml.render(bank), re.S)
    assert legend and "risk score 45 / 58" in legend[1], "the page shows the chapter's numbers first"


def test_the_static_quiz_is_the_same_on_every_build():
    bank = quizbank.load_all()["ch02"]
    assert quizhtml.render(bank) == quizhtml.render(quizbank.load_all()["ch02"])
