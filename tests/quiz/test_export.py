"""Quiz exports for learning platforms (Canvas's IMS QTI 1.2 and Moodle XML):
valid against their schemas (tests/fixtures/schemas/README.md says where each
comes from), and, read back, the same questions with the same right answers as
the bank, for every bank in course/quizzes/ and the test banks; then the
`tpmcourse quiz-export` command and its refusals."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from tpmcourse.instructor import cli, quiz_export
from tpmcourse.paths import ROOT
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz import export

SCHEMAS = ROOT / "tests" / "fixtures" / "schemas"
FIXTURES = ROOT / "tests" / "fixtures" / "banks"
BANK_FILES = sorted(quizbank.BANKS.glob("*.yml")) + sorted(FIXTURES.glob("*.yml"))
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
MOODLE_TYPE = {"single": "multichoice", "multiple": "multichoice", "numeric": "numerical", "ordering": "ordering"}


@pytest.fixture(scope="module")
def qti_dtd():
    return etree.DTD(str(SCHEMAS / "ims_qtiasiv1p2p1.dtd"))


@pytest.fixture(scope="module")
def moodle_xsd():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "moodle_xml_quiz.xsd")))


def load(path: Path) -> quizbank.Bank:
    return quizbank.load_bank(path)


def unpack(package: bytes) -> tuple[etree._Element, etree._Element]:
    """The manifest and the assessment of a QTI zip, checked to belong together."""
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        names = set(zf.namelist())
        manifest = etree.fromstring(zf.read("imsmanifest.xml"))
        resources = manifest.findall(f"{CP}resources/{CP}resource")
        assert len(resources) == 1 and resources[0].get("type") == "imsqti_xmlv1p2"
        href = resources[0].find(f"{CP}file").get("href")
        assert names == {"imsmanifest.xml", href}
        return manifest, etree.fromstring(zf.read(href))


def without_namespace(root: etree._Element) -> etree._Element:
    """A copy for the (namespace-unaware) DTD: element names without the QTI
    namespace, and no xmlns or xsi attributes; nothing else changes."""
    copy = etree.fromstring(etree.tostring(root))
    for element in copy.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    for name in list(copy.attrib):
        del copy.attrib[name]
    etree.cleanup_namespaces(copy)
    return copy


def validate_qti(root: etree._Element, dtd) -> None:
    assert root.tag == f"{QTI}questestinterop"
    assert dtd.validate(without_namespace(root)), dtd.error_log.filter_from_errors()


def validate_moodle(root: etree._Element, xsd) -> None:
    assert xsd.validate(root), xsd.error_log.filter_from_errors()


# ----------------------------------------- reading an export back (by hand) --

def mattext(parent: etree._Element) -> str:
    return parent.find(f".//{QTI}mattext").text


def read_qti(root: etree._Element) -> dict[str, dict]:
    """Each item as the platform would score it: its type, its options and
    which of them the response processing gives 100 for."""
    items: dict[str, dict] = {}
    for item in root.iter(f"{QTI}item"):
        meta = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
                for f in item.iter(f"{QTI}qtimetadatafield")}
        scoring = [c for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None]
        feedback = {f.get("ident"): mattext(f) for f in item.iter(f"{QTI}itemfeedback")}
        shown = {c.find(f".//{QTI}varequal").text: c.find(f"{QTI}displayfeedback").get("linkrefid")
                 for c in item.iter(f"{QTI}respcondition")
                 if c.find(f"{QTI}displayfeedback") is not None and c.find(f".//{QTI}varequal") is not None}
        found: dict = {"type": meta["question_type"], "prompt": mattext(item.find(f"{QTI}presentation")),
                       "general": feedback.get("general_fb"), "feedback": {}}
        lids = item.findall(f"{QTI}presentation/{QTI}response_lid")
        if found["type"] in ("multiple_choice_question", "multiple_answers_question"):
            (lid,) = lids
            labels = {label.get("ident"): mattext(label) for label in lid.iter(f"{QTI}response_label")}
            found["options"] = list(labels.values())
            found["cardinality"] = lid.get("rcardinality")
            (score,) = scoring
            assert score.find(f"{QTI}setvar").text == "100" and score.get("continue") == "No"
            test = score.find(f"{QTI}conditionvar")
            right = {v.text for v in test.iter(f"{QTI}varequal") if v.getparent().tag != f"{QTI}not"}
            wrong = {v.text for v in test.iter(f"{QTI}varequal") if v.getparent().tag == f"{QTI}not"}
            assert right | wrong == set(labels) or found["type"] == "multiple_choice_question"
            found["right"] = {labels[i] for i in right}
            found["feedback"] = {labels[i]: feedback[ref] for i, ref in shown.items()}
        elif found["type"] == "numerical_question":
            (score,) = scoring
            assert score.find(f"{QTI}setvar").text == "100"
            either = score.find(f"{QTI}conditionvar/{QTI}or")
            found["answer"] = float(either.find(f"{QTI}varequal").text)
            found["low"] = Decimal(either.find(f"{QTI}and/{QTI}vargte").text)
            found["high"] = Decimal(either.find(f"{QTI}and/{QTI}varlte").text)
            fib = item.find(f".//{QTI}render_fib")
            assert fib.get("fibtype") == "Decimal"
        else:
            left = {lid.get("ident"): mattext(lid) for lid in lids}
            choices = {label.get("ident"): mattext(label) for lid in lids for label in lid.iter(f"{QTI}response_label")}
            placed = {}
            total = Decimal(0)
            for condition in scoring:
                assert condition.find(f"{QTI}setvar").get("action") == "Add"
                total += Decimal(condition.find(f"{QTI}setvar").text)
                test = condition.find(f"{QTI}conditionvar/{QTI}varequal")
                placed[left[test.get("respident")]] = choices[test.text]
            assert abs(total - 100) < Decimal("0.01")
            found["placed"] = placed
            found["positions"] = sorted(set(choices.values()), key=lambda label: int(label.split()[1]))
        items[item.get("ident")] = found
    return items


def read_moodle(root: etree._Element) -> dict[str, dict]:
    questions: dict[str, dict] = {}
    first, *rest = root.findall("question")
    assert first.get("type") == "category" and first.findtext("category/text").startswith("$course$/top/")
    for q in rest:
        found: dict = {"type": q.get("type"), "prompt": q.findtext("questiontext/text"),
                       "general": q.findtext("generalfeedback/text")}
        answers = q.findall("answer")
        if found["type"] == "multichoice":
            found["single"] = q.findtext("single")
            found["answers"] = [(a.findtext("text"), Decimal(a.get("fraction")), a.findtext("feedback/text"))
                                for a in answers]
        elif found["type"] == "numerical":
            found["answers"] = [(float(a.findtext("text")), Decimal(a.get("fraction")),
                                 float(a.findtext("tolerance")), a.findtext("feedback/text")) for a in answers]
        elif found["type"] == "ordering":
            assert q.findtext("selecttype") == "ALL" and int(q.findtext("selectcount")) == len(answers)
            found["order"] = [a.findtext("text") for a in sorted(answers, key=lambda a: int(a.get("fraction")))]
            assert sorted(int(a.get("fraction")) for a in answers) == list(range(1, len(answers) + 1))
        else:
            found["placed"] = {s.findtext("text"): s.findtext("answer/text") for s in q.findall("subquestion")}
        questions[q.findtext("idnumber")] = found
    return questions


# ---------------------------------------------------------------- the tests --

@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.name)
def test_qti_is_valid_and_scores_exactly_what_the_bank_says(path, qti_dtd):
    bank = load(path)
    _, assessment = unpack(export.qti_package(bank, "A title"))
    validate_qti(assessment, qti_dtd)
    assert assessment.find(f"{QTI}assessment").get("title") == "A title"
    items = read_qti(assessment)
    assert list(items) == [q.id for q in bank.questions], "every question, once, in order"
    for q in map(export.plain, bank.questions):
        item = items[q.id]
        assert item["type"] == export.CANVAS_TYPES[q.type]
        assert item["general"] == f"<p>{export.html_text(q.explanation)}</p>"
        assert export.html_text(q.prompt) in item["prompt"]
        if isinstance(q, (quizbank.SingleChoice, quizbank.MultipleSelect)):
            assert item["options"] == [export.html_text(o.text) for o in q.options]
            assert item["right"] == {export.html_text(o.text) for o in q.options if o.correct}
            assert item["cardinality"] == ("Single" if q.type == "single" else "Multiple")
            assert item["feedback"] == {export.html_text(o.text): f"<p>{export.html_text(o.feedback)}</p>"
                                        for o in q.options if o.feedback}
        elif isinstance(q, quizbank.Numeric):
            assert item["answer"] == q.answer
            assert item["low"] == Decimal(repr(q.answer)) - Decimal(repr(q.tolerance))
            assert item["high"] == Decimal(repr(q.answer)) + Decimal(repr(q.tolerance))
            if q.unit:
                assert f"Give your answer in {q.unit}" in item["prompt"]
        else:
            assert isinstance(q, quizbank.Ordering)
            n = len(q.items)
            assert item["positions"] == [export.position_label(i, n) for i in range(1, n + 1)]
            assert item["placed"] == {export.html_text(text): export.position_label(i, n)
                                      for i, text in enumerate(q.items, start=1)}


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("ordering_as", export.ORDERING_AS)
def test_moodle_is_valid_and_grades_exactly_what_the_bank_says(path, ordering_as, moodle_xsd):
    bank = load(path)
    root = etree.fromstring(export.moodle_xml(bank, "Chapter 9 quiz: A/B", ordering_as))
    validate_moodle(root, moodle_xsd)
    assert root.find("question/category/text").text == "$course$/top/Chapter 9 quiz: A-B"
    questions = read_moodle(root)
    assert list(questions) == [q.id for q in bank.questions], "every question, once, in order"
    for q in map(export.plain, bank.questions):
        found = questions[q.id]
        wanted = "matching" if q.type == "ordering" and ordering_as == "matching" else MOODLE_TYPE[q.type]
        assert found["type"] == wanted
        assert found["general"] == f"<p>{export.html_text(q.explanation)}</p>"
        assert export.html_text(q.prompt) in found["prompt"]
        if isinstance(q, (quizbank.SingleChoice, quizbank.MultipleSelect)):
            texts = [a[0] for a in found["answers"]]
            assert texts == [export.html_text(o.text) for o in q.options]
            fractions = [a[1] for a in found["answers"]]
            right = [f for f, o in zip(fractions, q.options, strict=True) if o.correct]
            wrong = [f for f, o in zip(fractions, q.options, strict=True) if not o.correct]
            assert {t for t, f, _ in found["answers"] if f > 0} == {export.html_text(o.text)
                                                                   for o in q.options if o.correct}
            if q.type == "single":
                assert found["single"] == "true" and right == [100] and set(wrong) == {0}
            else:
                assert found["single"] == "false"
                assert abs(sum(right) - 100) < Decimal("0.0001") and len(set(right)) == 1
                assert not wrong or abs(sum(wrong) + 100) < Decimal("0.0001")
                assert all(f < 0 for f in wrong)
            assert [a[2] for a in found["answers"]] == [f"<p>{export.html_text(o.feedback)}</p>" if o.feedback
                                                        else None for o in q.options]
        elif isinstance(q, quizbank.Numeric):
            answer, *hints = found["answers"]
            assert answer[:3] == (q.answer, 100, q.tolerance)
            assert [(h[0], h[1], h[2]) for h in hints] == [(h.value, 0, q.tolerance) for h in q.hints]
            assert [h[3] for h in hints] == [f"<p>{export.html_text(h.feedback)}</p>" for h in q.hints]
        elif ordering_as == "ordering":
            assert found["order"] == [export.html_text(text) for text in q.items]
        else:
            n = len(q.items)
            assert found["placed"] == {export.html_text(text): export.position_label(i, n)
                                       for i, text in enumerate(q.items, start=1)}


def test_every_type_and_both_orderings_are_covered():
    types = {q.type for path in BANK_FILES for q in load(path).questions}
    assert types == set(quizbank.QUESTION_TYPES)
    assert sum(len(load(p).questions) for p in sorted(quizbank.BANKS.glob("*.yml"))) > 50


def test_markup_in_a_bank_is_text_in_both_exports():
    bank = load(FIXTURES / "ch98.yml")
    _, assessment = unpack(export.qti_package(bank))
    moodle = etree.fromstring(export.moodle_xml(bank))
    for root in (assessment, moodle):
        texts = [t for t in root.itertext() if "pwned" in t]
        assert texts, "the hostile text is exported"
        assert all("<script" not in t and "<img" not in t and "<b " not in t and "<svg" not in t for t in texts)
        assert any("&lt;script&gt;" in t for t in texts)
    assert b"<script" not in export.qti_assessment(bank) and b"<script" not in export.moodle_xml(bank)


def test_the_schemas_catch_broken_exports(qti_dtd, moodle_xsd):
    bank = load(FIXTURES / "ch99.yml")
    _, assessment = unpack(export.qti_package(bank))
    assessment.find(f".//{QTI}response_lid").set("rcardinality", "Several")
    assert not qti_dtd.validate(without_namespace(assessment))
    _, assessment = unpack(export.qti_package(bank))
    item = assessment.find(f".//{QTI}item")
    item.insert(0, item.find(f"{QTI}resprocessing"))  # processing before the metadata
    assert not qti_dtd.validate(without_namespace(assessment))
    for broken in (lambda r: r.find("question[@type='multichoice']/answer").set("fraction", "150"),
                   lambda r: r.find("question[@type='numerical']/answer").remove(
                       r.find("question[@type='numerical']/answer/tolerance")),
                   lambda r: r.find("question[@type='ordering']/gradingtype").__setattr__("text", "SOMETIMES"),
                   lambda r: r.find("question[@type='multichoice']").remove(
                       r.find("question[@type='multichoice']/correctfeedback"))):
        root = etree.fromstring(export.moodle_xml(bank))
        broken(root)
        assert not moodle_xsd.validate(root)


@given(right=st.integers(1, 10), wrong=st.integers(0, 10))
def test_moodle_shares_are_moodle_grades_that_add_up(right, wrong):
    assume(right + wrong >= 3)
    options = [quizbank.Option(text=f"right {i}", correct=True) for i in range(right)]
    options += [quizbank.Option(text=f"wrong {i}") for i in range(wrong)]
    q = quizbank.MultipleSelect(id="ch01-x", objective="ch01-x", prompt="P", explanation="E",
                                type="multiple", options=options)
    fractions = [Decimal(f) for f in export.multiple_fractions(q)]
    assert abs(sum((f for f in fractions if f > 0), Decimal(0)) - 100) < Decimal("0.0001")
    assert abs(sum((f for f in fractions if f < 0), Decimal(0)) + (100 if wrong else 0)) < Decimal("0.0001")
    assert all(abs(f) in MOODLE_GRADES for f in fractions)


MOODLE_GRADES = {Decimal(g) for g in ("100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40",
                                      "33.33333", "30", "25", "20", "16.66667", "14.28571", "12.5", "11.11111",
                                      "10", "5")}


@given(answer=st.decimals(-1e6, 1e6, places=4), tolerance=st.decimals(0, 1000, places=4))
def test_numeric_ranges_are_exact_decimals(answer, tolerance):
    q = quizbank.Numeric(id="ch01-n", objective="ch01-n", prompt="P", explanation="E", type="numeric",
                         answer=float(answer), tolerance=float(tolerance))
    low, high = export.numeric_range(q)
    assert "e" not in low.lower() and "e" not in high.lower()
    assert Decimal(low) == Decimal(repr(q.answer)) - Decimal(repr(q.tolerance))
    assert Decimal(high) == Decimal(repr(q.answer)) + Decimal(repr(q.tolerance))


# ------------------------------------------------------------- the command --

def test_quiz_export_writes_one_chapter_to_a_file(tmp_path, capsys, qti_dtd):
    out = tmp_path / "canvas" / "ch02.zip"
    assert cli.main(["quiz-export", "--chapter", "2", "--format", "qti", "--out", str(out)]) == 0
    _, assessment = unpack(out.read_bytes())
    validate_qti(assessment, qti_dtd)
    assert assessment.find(f"{QTI}assessment").get("title").startswith("Chapter 2 quiz: Key Responsibilities")
    assert len(read_qti(assessment)) == len(quizbank.load_chapter("ch02").questions)
    assert str(out) in capsys.readouterr().out


def test_quiz_export_writes_every_chapter_to_a_folder(tmp_path, capsys, moodle_xsd):
    out = tmp_path / "moodle"
    assert cli.main(["quiz-export", "--all", "--format", "moodle", "--out", str(out)]) == 0
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [f"ch{n:02d}_moodle.xml" for n in range(1, 11)]
    for path in files:
        validate_moodle(etree.parse(str(path)).getroot(), moodle_xsd)
    assert "qtype_ordering" in capsys.readouterr().out
    one = tmp_path / "one"
    one.mkdir()
    assert cli.main(["quiz-export", "--chapter", "ch03", "--format", "moodle", "--out", str(one),
                     "--moodle-ordering", "matching"]) == 0
    assert b'type="ordering"' not in (one / "ch03_moodle.xml").read_bytes()


@pytest.mark.parametrize(("args", "message"), [
    (["--chapter", "11"], "no chapter '11'"),
    (["--chapter", "two"], "no chapter 'two'"),
    ([], "--all"),
    (["--chapter", "2", "--all"], "--all"),
])
def test_quiz_export_refuses_unknown_chapters(args, message, tmp_path, capsys):
    out = tmp_path / "x.zip"
    assert cli.main(["quiz-export", *args, "--format", "qti", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_quiz_export_refuses_an_out_that_does_not_fit(tmp_path, capsys):
    assert cli.main(["quiz-export", "--chapter", "2", "--format", "qti", "--out", str(tmp_path / "q.xml")]) == 2
    assert "a qti export is a .zip file" in capsys.readouterr().err
    afile = tmp_path / "afile.zip"
    afile.write_text("not a folder")
    assert cli.main(["quiz-export", "--all", "--format", "qti", "--out", str(afile)]) == 2
    assert "give a folder" in capsys.readouterr().err


def test_quiz_export_reports_an_unwritable_output(tmp_path, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    out = blocker / "sub" / "ch02.zip"
    assert cli.main(["quiz-export", "--chapter", "2", "--format", "qti", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("✗ cannot write") and str(out) in err and "Traceback" not in err


def test_quiz_export_names_the_file_and_question_of_a_malformed_bank(tmp_path, capsys, monkeypatch):
    broken = (quizbank.BANKS / "ch02.yml").read_text(encoding="utf-8").replace("correct: true", "correct: false", 1)
    (tmp_path / "ch02.yml").write_text(broken, encoding="utf-8")
    monkeypatch.setattr(quiz_export, "BANKS", tmp_path)
    out = tmp_path / "out.zip"
    assert cli.main(["quiz-export", "--chapter", "2", "--format", "qti", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "ch02.yml: ch02-q" in err and "Traceback" not in err and not out.exists()
    (tmp_path / "ch02.yml").write_text("chapter: [unclosed", encoding="utf-8")
    assert cli.main(["quiz-export", "--chapter", "2", "--format", "moodle", "--out", str(tmp_path)]) == 2
    assert "ch02.yml: not valid YAML" in capsys.readouterr().err


def test_the_export_module_refuses_unknown_formats_and_orderings():
    bank = load(FIXTURES / "ch99.yml")
    with pytest.raises(export.ExportError, match="unknown format"):
        export.export(bank, "blackboard")
    with pytest.raises(export.ExportError, match="ordering"):
        export.moodle_xml(bank, ordering_as="dragdrop")
