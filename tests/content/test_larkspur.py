"""One Larkspur: the prose agrees with the fact sheet, course/larkspur.yml.

Two checks run over every chapter's and lab's markdown cells, every quiz bank
and every glossary file:

- **People.** A named person is described only with their own role: in
  "<Name>, the <role>", "<Name> (<role>)", "<Name> is a <role>" and
  "<role> <Name>", any role word that belongs to someone else's role (or to
  the generic list below) and not to theirs is a contradiction, so "Lena is a
  support engineer" fails while Lena Hoffmann is the privacy officer. Any
  capitalised name used in those patterns must be in the sheet's cast, its
  other people, or its allowed names.
- **Figures.** For each metric and check in the sheet, its regular expressions
  extract every occurrence of the figure; each must equal the canonical value,
  a declared historical value (with its date), or another declared figure.
  The sheet's ``contradictions`` are claims no text may make.

``test_checker_catches`` proves the checks bite: each contradiction found in
the course before the sheet existed is injected into a copy of real text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

import pytest

from tpmcourse.larkspur import Facts, Metric, facts
from tpmcourse.paths import COURSE, ROOT

# Role words that describe people in general, besides the cast's own words.
GENERIC_ROLES = [
    "support engineer", "support lead", "support", "candidate", "chief product officer", "cpo",
    "ceo", "cto", "cfo", "engineer", "designer", "design lead", "data scientist", "privacy",
    "data protection officer", "sales", "product manager", "engineering manager", "architect",
    "researcher", "analyst", "intern", "lawyer", "recruiter", "vice president", "head of",
    "director", "developer", "accountant", "marketing", "finance", "officer", "lead",
]
# Capitalised words that can stand where a name stands in the patterns above.
NOT_NAMES = {
    "Larkspur", "Bramble", "The", "A", "An", "You", "Your", "Card", "Partner", "Partners",
    "Merchant", "Merchants", "Option", "Task", "Step", "Chapter", "Lab", "Risk", "Invoices",
    "Go", "Pay", "API", "CEO", "CTO", "CPO", "Finance", "Sales", "Support", "Design",
    "Engineering", "Legal", "Security", "Platform", "Payments", "Data", "Priority", "Candidate",
    "Team", "Product", "Customer", "Customers", "Ops", "IT", "Director", "Head", "Marketing",
    "Compliance", "Privacy", "Staff", "Senior", "Principal", "Associate", "Technical",
    "Developer", "Developers", "Engineer", "Engineers", "Manager", "Managers", "Analyst",
}
COMMON_WORDS = {
    "That", "This", "These", "Those", "Which", "What", "Who", "There", "Here", "Each", "Every",
    "Another", "Someone", "Everyone", "Nobody", "She", "They", "Our", "Their", "His", "Her",
    "Its", "Yes", "Not", "And", "But", "For", "With", "When", "Then", "Now", "Both", "Only",
}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100,
}


@dataclass(frozen=True)
class Problem:
    source: str
    kind: str
    detail: str
    snippet: str

    def __str__(self) -> str:
        return f"{self.source}: {self.kind}: {self.detail} … {self.snippet!r}"


# ------------------------------------------------------------------ corpus

def _notebook_markdown(path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@lru_cache(maxsize=1)
def corpus() -> dict[str, str]:
    """Every text the guard reads, by path relative to the repository."""
    texts: dict[str, str] = {}
    for folder in ("chapters", "exercises"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            texts[f"{folder}/{path.name}"] = _notebook_markdown(path)
    for folder in ("quizzes", "glossary", "written"):
        for path in sorted((COURSE / folder).glob("*.yml")):
            texts[f"course/{folder}/{path.name}"] = path.read_text(encoding="utf-8")
    return texts


def _flat(text: str) -> str:
    """Join wrapped lines so that a phrase split over two lines is found."""
    text = re.sub(r"\s*\n\s*(?:[>|-]\s+)?", " ", text)
    return re.sub(r"\\\$", "$", text)


# ------------------------------------------------------------------ figures

def parse_figure(raw: str) -> float | str | None:
    raw = raw.strip().rstrip(".,")
    if raw.lower() in NUMBER_WORDS:
        return float(NUMBER_WORDS[raw.lower()])
    if re.fullmatch(r"\d[\d,]*(?:\.\d+)?", raw):
        return float(raw.replace(",", ""))
    if re.search(r"[A-Za-z]", raw) and re.search(r"\d", raw):
        return raw  # a date such as "30 June 2026"
    return None


def _occurrences(metric: Metric, text: str):
    for patterns, scale in ((metric.patterns, 1.0), (metric.patterns_seconds, 1000.0)):
        for pattern in patterns:
            for m in re.finditer(pattern, text):
                before = text[max(0, m.start() - 40):m.start(1)]
                if metric.skip and re.search(metric.skip, before):
                    continue
                value = parse_figure(m.group(1))
                if value is None:
                    continue
                if isinstance(value, float):
                    value *= scale
                yield value, text[max(0, m.start() - 30):m.end() + 10]


def check_figures(source: str, text: str, f: Facts) -> tuple[list[Problem], int]:
    """Problems with the figures in one text, and how many occurrences agreed."""
    text = _flat(text)
    problems, agreed = [], 0
    tolerated = {(c.check, c.value) for c in f.data_conflicts if c.file == source}
    for name, metric in {**f.metrics, **f.checks}.items():
        for value, snippet in _occurrences(metric, text):
            if metric.agrees(value) or (name, value) in tolerated:
                agreed += 1
                continue
            shown = f"{value:g}" if isinstance(value, float) else value
            problems.append(Problem(source, name, f"states {shown}, the sheet says "
                                    f"{metric.value} {metric.unit}", snippet))
    for c in f.contradictions:
        for m in re.finditer(c.pattern, text):
            problems.append(Problem(source, "contradiction", c.why, m.group(0)))
    return problems, agreed


# ------------------------------------------------------------------ people

def _vocabulary(f: Facts) -> list[str]:
    words = {w.lower() for p in [*f.cast, *f.other_people] for w in p.role_words}
    words |= set(GENERIC_ROLES)
    return sorted(words, key=len, reverse=True)


def _role_clashes(description: str, own: list[str], vocabulary: list[str]) -> list[str]:
    rest = description.lower()
    for word in sorted((w.lower() for w in own), key=len, reverse=True):
        rest = re.sub(rf"\b{re.escape(word)}\b", " ", rest)
    return [w for w in vocabulary if re.search(rf"\b{re.escape(w)}\b", rest)]


def _descriptions(text: str, name: str, vocabulary: list[str]):
    """Role descriptions attached to a name (first or full) in a text."""
    n = re.escape(name)
    roles = "|".join(re.escape(w) for w in vocabulary)
    patterns = [
        rf"\b{n}(?: [A-Z][a-z]+)?, (?:a|an|the|our|Larkspur's) ([^,.;:)]{{3,60}})",
        rf"\b{n}(?: [A-Z][a-z]+)? \(([^)]{{2,60}})\)",
        rf"\b{n}(?: [A-Z][a-z]+)? (?:is|was|works as) (?:a|an|the|our|Larkspur's) ([^,.;:)]{{3,60}})",
        rf"\b(?:the|a|an|our) ((?:[a-z]+ ){{0,2}}(?:{roles})),? {n}\b",
    ]
    for pattern in patterns:
        for m in re.finditer(pattern, text):
            yield m.group(1), m.group(0)


def check_people(source: str, text: str, f: Facts) -> tuple[list[Problem], int]:
    text = _flat(text)
    vocabulary = _vocabulary(f)
    problems, agreed = [], 0
    people = [*f.cast, *f.other_people]
    for person in people:
        for name in {person.first, person.name}:
            for description, snippet in _descriptions(text, name, vocabulary):
                clashes = _role_clashes(description, person.role_words, vocabulary)
                if clashes:
                    problems.append(Problem(source, "role", f"{person.name} is {person.role}, "
                                            f"not {', '.join(clashes)}", snippet))
                else:
                    agreed += 1
    known = {w for p in people for w in p.name.split()} | {w for a in f.allowed_names
                                                           for w in a.split()}
    role_alternation = "|".join(re.escape(w) for w in vocabulary)
    strangers = [
        rf"\b([A-Z][a-z]{{2,}})(?: [A-Z][a-z]+)? \((?:[^)]{{0,30}}\b(?:{role_alternation})\b[^)]{{0,30}})\)",
        rf"\b([A-Z][a-z]{{2,}})(?: [A-Z][a-z]+)?, (?:a|an|the) (?:[a-z]+ ){{0,2}}(?:{role_alternation})\b",
        rf"\b([A-Z][a-z]{{2,}})(?: [A-Z][a-z]+)? is (?:a|an|the|our) (?:[a-z]+ ){{0,2}}(?:{role_alternation})\b",
    ]
    for pattern in strangers:
        for m in re.finditer(pattern, text, flags=0):
            name = m.group(1)
            if name in known or name in NOT_NAMES or name in COMMON_WORDS:
                continue
            problems.append(Problem(source, "stranger", f"{name} is not in the fact sheet's cast",
                                    m.group(0)))
    return problems, agreed


def check(source: str, text: str, f: Facts | None = None) -> tuple[list[Problem], int]:
    f = f or facts()
    p1, n1 = check_figures(source, text, f)
    p2, n2 = check_people(source, text, f)
    return p1 + p2, n1 + n2


# ------------------------------------------------------------------ tests

@pytest.mark.parametrize("source", sorted(corpus()))
def test_text_agrees_with_the_fact_sheet(source):
    problems, _ = check(source, corpus()[source])
    assert not problems, "\n".join(map(str, problems))


def test_the_guard_reads_many_occurrences():
    total = sum(check(s, t)[1] for s, t in corpus().items())
    assert total >= 80, f"only {total} figures and roles were checked: are the patterns stale?"


def test_cast_names_are_unique_and_pages_name_no_unknown_people():
    f = facts()
    firsts = [p.first for p in [*f.cast, *f.other_people]]
    assert len(firsts) == len(set(firsts))


BASE = "chapters/02_responsibilities.ipynb"
INJECTIONS = {
    "migration in person-months": "The processor migration is about 6 person-months of work.",
    "migration months for six engineers": "The migration takes five to six months for six engineers.",
    "migration in person-weeks": "The processor migration (B-34, 10 of the 21 weeks) goes first.",
    "migration in working days": "Dev's plan for the migration is 120 working days long.",
    "switch-off months": "The card processor's v1 API will be switched off in six months.",
    "switch-off date": "The migration must finish before the 31 March 2026 switch-off.",
    "migration after SSO": "The migration starts after Bramble SSO ships.",
    "pilot of 40": "Multi-location invoicing ships in Q3 for a 40-location pilot.",
    "SSO users": "The buy option costs about 2,500 users at $1.20 a month.",
    "SSO touches ledger": "SSO for a franchise needs a new way of modeling accounts in `ledger-core`.",
    "p99 780": "The overnight dashboard shows p99 latency on create payment is 780 ms.",
    "p99 420 to 850": "The 99th percentile has gone from about 420 ms to about 850 ms in a year.",
    "p99 1.2 s": "KR1: Payments API p99 latency from 1.2 s to below 600 ms.",
    "latency budget": "Split the target: 30 ms for the gateway, 60 ms for risk scoring, "
                      "60 ms for the ledger and 150 ms reserved for the processor.",
    "sign-ups a month": "Larkspur gets about 2,000 sign-ups a month.",
    "sign-ups 3,000 a week": "Each run serves about 3,000 sign-ups screened that week.",
    "sign-ups 2,700 a week": "About 2,700 new merchant sign-ups a week reach the risk screen.",
    "Lena the support engineer": "Lena is a support engineer in Tom's reading group.",
    "Lena, a support engineer": "Lena, a support engineer in Tom's API reading group, rates herself.",
    "Noor the candidate": "Noor (CS, backend engineer): architecture 3, delivery 3 from work.",
    "Noor is a candidate": "Noor has a CS degree. Noor is a candidate for the role.",
    "stranger": "Zofia (head of finance) signs off the budget.",
}


@pytest.mark.parametrize("case", sorted(INJECTIONS))
def test_checker_catches(case):
    text = corpus()[BASE]
    before, _ = check(BASE, text)
    after, _ = check(BASE, text + "\n\n" + INJECTIONS[case] + "\n")
    new = [p for p in after if p not in before]
    assert new, f"the checker missed the injected contradiction: {INJECTIONS[case]!r}"


def test_correct_statements_pass():
    text = ("The p99 latency was 565 ms in June 2025, up from 280 ms a year earlier. "
            "Lena Hoffmann, the data protection officer, reviews it. Noor Haddad (chief product "
            "officer) approves. The v1 API is switched off in nine months, on 30 June 2026. "
            "The pilot: 10 locations. About 500 sign-ups a week. Target: p99 under 450 ms.")
    problems, agreed = check("inline", text)
    assert not problems, "\n".join(map(str, problems))
    assert agreed >= 6
