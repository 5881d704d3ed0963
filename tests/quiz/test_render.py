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
    assert markup.count('aria-live="polite"') == 5  # 4 feedback areas and the score


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
