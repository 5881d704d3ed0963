"""Option order carries no information: over the bank the right option is
first in about 1/k of single-choice questions, for any seed, in the static
HTML the book ships and in Jupyter; every position is equally likely."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from statistics import mean

import pytest

from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz import render as quizhtml
from tpmcourse.quiz import shuffle
from tpmcourse.quiz.widgets import QuizWidget

BANKS = quizbank.load_all()
SINGLE = [q for b in BANKS.values() for q in b.questions if isinstance(q, quizbank.SingleChoice)]
MULTIPLE = [q for b in BANKS.values() for q in b.questions if isinstance(q, quizbank.MultipleSelect)]
EXPECTED = mean(1 / len(q.options) for q in SINGLE)  # about 1/4


def right_first_share(orders: dict[str, list[int]]) -> float:
    return mean(q.options[orders[q.id][0]].correct for q in SINGLE)


def right_options_first(q: quizbank.MultipleSelect, order: list[int]) -> bool:
    k = sum(o.correct for o in q.options)
    return all(q.options[i].correct for i in order[:k])


class ShownOrder(HTMLParser):
    """Option indices per question, in the order the static HTML shows them."""

    def __init__(self):
        super().__init__()
        self.orders: dict[str, list[int]] = {}
        self.current = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-question" in a:
            self.current = a["data-question"] or ""
        if tag == "input" and a.get("type") in ("radio", "checkbox"):
            self.orders.setdefault(self.current, []).append(int(a["value"] or 0))


def static_orders() -> dict[str, list[int]]:
    parser = ShownOrder()
    for bank in BANKS.values():
        parser.feed(quizhtml.render(bank))
    return parser.orders


def test_the_authors_order_would_leak_the_key():
    """Why this matters: in the bank the right option is nearly always first."""
    assert mean(q.options[0].correct for q in SINGLE) > 0.8


def test_a_known_seed_gives_about_one_in_k():
    orders = {q.id: shuffle.order(q.id, len(q.options), 1) for q in SINGLE}
    assert abs(right_first_share(orders) - EXPECTED) < 0.15


def test_over_many_seeds_the_share_is_one_in_k():
    shares = [right_first_share({q.id: shuffle.order(q.id, len(q.options), seed) for q in SINGLE})
              for seed in range(400)]
    assert mean(shares) == pytest.approx(EXPECTED, abs=0.01)


@pytest.mark.parametrize("q", SINGLE[:6], ids=lambda q: q.id)
def test_every_position_of_the_right_option_is_equally_likely(q):
    right = next(i for i, o in enumerate(q.options) if o.correct)
    seeds = 4000
    counts = Counter(shuffle.order(q.id, len(q.options), seed).index(right) for seed in range(seeds))
    k = len(q.options)
    expected = seeds / k
    chi2 = sum((counts[p] - expected) ** 2 / expected for p in range(k))
    assert set(counts) == set(range(k)) and chi2 < 20, counts  # far beyond chance at any k here


def test_orders_are_permutations_and_stable():
    assert sorted(shuffle.order("ch01-q1", 7, 3)) == list(range(7))
    assert shuffle.order("ch01-q1", 7, 3) == shuffle.order("ch01-q1", 7, 3)
    assert shuffle.order("ch01-q1", 7, 3) != shuffle.order("ch01-q1", 7, 4)
    assert all(shuffle.order("x", 3, s, avoid_identity=True) != [0, 1, 2] for s in range(200))


def test_the_generator_is_the_published_mulberry32():
    assert shuffle.fnv1a("") == 0x811C9DC5 and shuffle.fnv1a("a") == 0xE40C292C
    assert shuffle.mulberry32(1)() == pytest.approx(0.6270739405881613, abs=1e-15)


def test_the_static_html_does_not_leak_the_key_by_order():
    orders = static_orders()
    assert all(orders[q.id] == quizhtml.option_order(q.id, len(q.options)) for q in SINGLE + MULTIPLE)
    assert abs(right_first_share(orders) - EXPECTED) < 0.15
    assert sum(right_options_first(q, orders[q.id]) for q in MULTIPLE) <= len(MULTIPLE) / 4


def test_jupyter_shuffles_per_render_and_grades_by_identity():
    bank = BANKS["ch01"]
    first, second = QuizWidget(bank, seed=11), QuizWidget(bank, seed=12)
    q1 = next(q for q in first.questions if isinstance(q.question, quizbank.SingleChoice))
    assert isinstance(q1.question, quizbank.SingleChoice)
    q2 = next(q for q in second.questions if q.question.id == q1.question.id)
    shown = [c.description for c in q1.control.children]
    assert shown != [c.description for c in q2.control.children] or q1.order == q2.order
    right = next(i for i, o in enumerate(q1.question.options) if o.correct)
    q1.boxes[right].value = True
    assert q1._check().correct is True


def test_jupyter_seed_can_be_fixed_by_environment(monkeypatch):
    monkeypatch.setenv(shuffle.SEED_VARIABLE, "42")
    assert shuffle.session_seed() == 42
    orders = [[q.order for q in QuizWidget(BANKS["ch02"]).questions if q.question.type == "single"]
              for _ in range(2)]
    assert orders[0] == orders[1]
    monkeypatch.delenv(shuffle.SEED_VARIABLE)
    assert len({shuffle.session_seed() for _ in range(5)}) > 1
