"""Question banks as files a learning platform imports: IMS QTI 1.2 (Canvas's
"QTI .zip file" import) and Moodle XML. Nothing here knows about the CLI.

Every piece of bank text is Markdown; it is exported as the same HTML the
book shows (:func:`tpmcourse.quiz.render.inline`, raw HTML escaped), which
the XML then escapes again as text, so bank content can never inject markup.

How each type is mapped (and what is lost):

============  ==============================  ===================================
bank          Canvas (QTI 1.2)                Moodle XML
============  ==============================  ===================================
single        ``multiple_choice_question``    ``multichoice``, single: 100 / 0
multiple      ``multiple_answers_question``   ``multichoice``, not single: right
                                              options share +100 %, wrong ones
                                              share −100 %
numeric       ``numerical_question``: the     ``numerical``: the answer with its
              answer, or anything in          tolerance; each hint is a 0 %
              [answer − tol, answer + tol]    answer with its feedback
ordering      ``matching_question``: each     ``ordering`` (qtype_ordering, all
              item is matched to its          items, absolute-position grading),
              position ("Position 1 (first)") or ``matching`` like Canvas
============  ==============================  ===================================

Lossy: the book grades a multiple-select question and an ordering all or
nothing, while Canvas and Moodle give partial credit; Canvas has no per-value
feedback for a wrong number, so numeric hints are not exported to QTI; a
numeric unit becomes a sentence of the question ("Give your answer in ms.").
The explanation becomes general feedback, option feedback stays per option.
A numeric question with variants is exported as its default variant (the
chapter's numbers): :meth:`Numeric.as_default`.
"""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

from tpmcourse.quiz.bank import Bank, MultipleSelect, Numeric, Ordering, Question, SingleChoice
from tpmcourse.quiz.render import display_order, inline

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI_SCHEMA_LOCATION = f"{QTI_NS} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
CANVAS_TYPES = {"single": "multiple_choice_question", "multiple": "multiple_answers_question",
                "numeric": "numerical_question", "ordering": "matching_question"}
FORMATS = {"qti": ".zip", "moodle": ".xml"}  # format -> file suffix
ORDERING_AS = ("ordering", "matching")  # Moodle question type for an ordering question
RESPONSE = "response1"
MATCH_INSTRUCTION = "<p>Match each item to its position in the correct order.</p>"


class ExportError(ValueError):
    """A bank that cannot be exported faithfully; the message names the question."""


# ----------------------------------------------------------------- helpers --

def html_text(markdown: str) -> str:
    """Bank Markdown as the book's HTML (inline, raw HTML escaped)."""
    return inline(markdown)


def plain_text(markdown: str) -> str:
    """Bank Markdown as plain text without angle brackets, for a name that
    shows no HTML (a Moodle question's name): no tag can survive in it."""
    return re.sub(r"[<>]", "", html.unescape(re.sub(r"<[^>]+>", "", inline(markdown)))).strip()


def number(value: float | Decimal) -> str:
    """A number as decimal text, never in exponent form: 800, 0.5, 0.0000001."""
    text = format(value if isinstance(value, Decimal) else Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def numeric_range(q: Numeric) -> tuple[str, str]:
    """The accepted range, computed in decimal so 0.3 ± 0.1 is 0.2 to 0.4 exactly."""
    answer, tolerance = Decimal(repr(q.answer)), Decimal(repr(q.tolerance))
    return number(answer - tolerance), number(answer + tolerance)


def position_label(position: int, n: int) -> str:
    """The right-hand side of an ordering exported as matching."""
    suffix = " (first)" if position == 1 else " (last)" if position == n else ""
    return f"Position {position}{suffix}"


def multiple_fractions(q: MultipleSelect) -> list[str]:
    """Moodle grades in percent: right options share +100, wrong ones −100.

    With up to ten right or wrong options each share is one of Moodle's own
    grade choices (100, 50, 33.33333, 25, 20, 16.66667, 14.28571, 12.5, ...).
    """
    right = sum(o.correct for o in q.options)
    wrong = len(q.options) - right
    return [number(round(Decimal(100) / right, 5)) if o.correct
            else number(-round(Decimal(100) / wrong, 5)) for o in q.options]


def _prompt_html(q: Question) -> str:
    text = f"<p>{html_text(q.prompt)}</p>"
    if isinstance(q, Numeric) and q.unit:
        text += f"<p>Give your answer in {html.escape(q.unit)}.</p>"
    return text


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _serialize(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# -------------------------------------------------------------------- QTI --

def _qti_mattext(parent: ET.Element, text: str, texttype: str = "text/html") -> None:
    material = _sub(parent, "material")
    _sub(material, "mattext", text, texttype=texttype)


def _qti_feedback(item: ET.Element, ident: str, text: str) -> None:
    feedback = _sub(item, "itemfeedback", ident=ident)
    _qti_mattext(_sub(feedback, "flow_mat"), text)


def _qti_condition(resprocessing: ET.Element, *, stop: bool = False) -> tuple[ET.Element, ET.Element]:
    condition = _sub(resprocessing, "respcondition", **{"continue": "No" if stop else "Yes"})
    return condition, _sub(condition, "conditionvar")


def _display(condition: ET.Element, ident: str) -> None:
    _sub(condition, "displayfeedback", feedbacktype="Response", linkrefid=ident)


def option_ident(q: Question, index: int) -> str:
    return f"{q.id}-{index}"


def plain(q: Question) -> Question:
    """The question as the platforms get it: a numeric one with its default numbers."""
    return q.as_default() if isinstance(q, Numeric) else q


def _qti_item(q: Question, section: ET.Element) -> None:
    q = plain(q)
    item = _sub(section, "item", ident=q.id, title=q.id)
    meta = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    answer_ids: list[str] = []
    if isinstance(q, (SingleChoice, MultipleSelect)):
        answer_ids = [option_ident(q, i) for i in range(len(q.options))]
    for label, entry in (("question_type", CANVAS_TYPES[q.type]), ("points_possible", "1.0"),
                         ("original_answer_ids", ",".join(answer_ids))):
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)

    presentation = _sub(item, "presentation")
    prompt = _prompt_html(q)
    if isinstance(q, Ordering):
        prompt += MATCH_INSTRUCTION
    _qti_mattext(presentation, prompt)
    resprocessing = ET.Element("resprocessing")
    _sub(_sub(resprocessing, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE",
         vartype="Decimal")
    condition, test = _qti_condition(resprocessing)
    _sub(test, "other")
    _display(condition, "general_fb")
    feedback: list[tuple[str, str]] = [("general_fb", f"<p>{html_text(q.explanation)}</p>")]

    if isinstance(q, (SingleChoice, MultipleSelect)):
        single = isinstance(q, SingleChoice)
        lid = _sub(presentation, "response_lid", ident=RESPONSE, rcardinality="Single" if single else "Multiple")
        choices = _sub(lid, "render_choice")
        for i, option in enumerate(q.options):
            _qti_mattext(_sub(choices, "response_label", ident=option_ident(q, i)), html_text(option.text))
        for i, option in enumerate(q.options):
            if option.feedback:
                condition, test = _qti_condition(resprocessing)
                _sub(test, "varequal", option_ident(q, i), respident=RESPONSE)
                _display(condition, f"{option_ident(q, i)}_fb")
                feedback.append((f"{option_ident(q, i)}_fb", f"<p>{html_text(option.feedback)}</p>"))
        condition, test = _qti_condition(resprocessing, stop=True)
        if single:
            right = next(i for i, o in enumerate(q.options) if o.correct)
            _sub(test, "varequal", option_ident(q, right), respident=RESPONSE)
        else:
            every = _sub(test, "and")
            for i, option in enumerate(q.options):
                parent = every if option.correct else _sub(every, "not")
                _sub(parent, "varequal", option_ident(q, i), respident=RESPONSE)
        _sub(condition, "setvar", "100", action="Set", varname="SCORE")
    elif isinstance(q, Numeric):
        fib = _sub(_sub(presentation, "response_str", ident=RESPONSE, rcardinality="Single"), "render_fib",
                   fibtype="Decimal")
        _sub(fib, "response_label", ident="answer1")
        low, high = numeric_range(q)
        condition, test = _qti_condition(resprocessing, stop=True)
        either = _sub(test, "or")
        _sub(either, "varequal", number(q.answer), respident=RESPONSE)
        within = _sub(either, "and")
        _sub(within, "vargte", low, respident=RESPONSE)
        _sub(within, "varlte", high, respident=RESPONSE)
        _sub(condition, "setvar", "100", action="Set", varname="SCORE")
    else:  # ordering as matching: one drop-down per item, the positions as choices
        n = len(q.items)
        share = number(round(Decimal(100) / n, 4))
        for shown in display_order(q.id, n):
            lid = _sub(presentation, "response_lid", ident=f"response_{q.id}-item{shown}")
            _qti_mattext(lid, html_text(q.items[shown]))
            choices = _sub(lid, "render_choice")
            for position in range(1, n + 1):
                choice = _sub(choices, "response_label", ident=f"{q.id}-pos{position}")
                _qti_mattext(choice, position_label(position, n), texttype="text/plain")
        for index in range(n):
            condition, test = _qti_condition(resprocessing)
            _sub(test, "varequal", f"{q.id}-pos{index + 1}", respident=f"response_{q.id}-item{index}")
            _sub(condition, "setvar", share, action="Add", varname="SCORE")

    item.append(resprocessing)
    for ident, text in feedback:
        _qti_feedback(item, ident, text)


def qti_assessment(bank: Bank, title: str | None = None) -> bytes:
    """The QTI 1.2 assessment XML of one bank (one Canvas quiz)."""
    root = ET.Element("questestinterop", {"xmlns": QTI_NS, "xmlns:xsi": XSI_NS,
                                          "xsi:schemaLocation": QTI_SCHEMA_LOCATION})
    assessment = _sub(root, "assessment", ident=assessment_ident(bank), title=title or bank.title)
    field = _sub(_sub(assessment, "qtimetadata"), "qtimetadatafield")
    _sub(field, "fieldlabel", "cc_maxattempts")
    _sub(field, "fieldentry", "1")
    section = _sub(assessment, "section", ident="root_section")
    for q in bank.questions:
        _qti_item(q, section)
    return _serialize(root)


def assessment_ident(bank: Bank) -> str:
    return f"tpmcourse-{bank.chapter}"


def qti_manifest(bank: Bank) -> bytes:
    """``imsmanifest.xml``: an IMS content package with the assessment as its one resource."""
    ident = assessment_ident(bank)
    root = ET.Element("manifest", {"identifier": f"{ident}-manifest", "xmlns": CP_NS})
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema", "IMS Content")
    _sub(metadata, "schemaversion", "1.1.3")
    _sub(root, "organizations")
    resource = _sub(_sub(root, "resources"), "resource", identifier=ident, type="imsqti_xmlv1p2")
    _sub(resource, "file", href=f"{ident}/{ident}.xml")
    return _serialize(root)


def qti_package(bank: Bank, title: str | None = None) -> bytes:
    """The zip Canvas imports ("QTI .zip file"): the manifest and the assessment."""
    ident = assessment_ident(bank)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", qti_manifest(bank))
        zf.writestr(f"{ident}/{ident}.xml", qti_assessment(bank, title))
    return buffer.getvalue()


# ----------------------------------------------------------------- Moodle --

def _moodle_text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    element = _sub(parent, tag, **({"format": fmt} if fmt else {}))
    _sub(element, "text", text)
    return element


def _moodle_header(quiz: ET.Element, q: Question, qtype: str, instruction: str = "") -> ET.Element:
    question = _sub(quiz, "question", type=qtype)
    _moodle_text(question, "name", f"{q.id}: {_short(plain_text(q.prompt))}", fmt=None)
    _moodle_text(question, "questiontext", _prompt_html(q) + instruction)
    _moodle_text(question, "generalfeedback", f"<p>{html_text(q.explanation)}</p>")
    _sub(question, "defaultgrade", "1")
    _sub(question, "penalty", "0.3333333")
    _sub(question, "hidden", "0")
    _sub(question, "idnumber", q.id)
    return question


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _combined_feedback(question: ET.Element) -> None:
    _moodle_text(question, "correctfeedback", "<p>Your answer is correct.</p>")
    _moodle_text(question, "partiallycorrectfeedback", "<p>Your answer is partially correct.</p>")
    _moodle_text(question, "incorrectfeedback", "<p>Your answer is incorrect.</p>")
    _sub(question, "shownumcorrect")


def _moodle_answer(question: ET.Element, fraction: str, text: str, feedback: str | None,
                   fmt: str = "html") -> ET.Element:
    answer = _moodle_text(question, "answer", text, fmt=fmt)
    answer.set("fraction", fraction)
    if feedback:
        _moodle_text(answer, "feedback", f"<p>{html_text(feedback)}</p>")
    return answer


def _moodle_question(quiz: ET.Element, q: Question, ordering_as: str) -> None:
    q = plain(q)
    if isinstance(q, (SingleChoice, MultipleSelect)):
        question = _moodle_header(quiz, q, "multichoice")
        single = isinstance(q, SingleChoice)
        _sub(question, "single", "true" if single else "false")
        _sub(question, "shuffleanswers", "true")
        _sub(question, "answernumbering", "abc")
        _sub(question, "showstandardinstruction", "0")
        _combined_feedback(question)
        fractions = (multiple_fractions(q) if isinstance(q, MultipleSelect)
                     else ["100" if o.correct else "0" for o in q.options])
        for option, fraction in zip(q.options, fractions, strict=True):
            _moodle_answer(question, fraction, html_text(option.text), option.feedback)
    elif isinstance(q, Numeric):
        question = _moodle_header(quiz, q, "numerical")
        _sub(_moodle_answer(question, "100", number(q.answer), None, fmt="moodle_auto_format"),
             "tolerance", number(q.tolerance))
        for hint in q.hints:  # after the answer: Moodle takes the first answer that matches
            _sub(_moodle_answer(question, "0", number(hint.value or 0), hint.feedback, fmt="moodle_auto_format"),
                 "tolerance", number(q.tolerance))
        _sub(question, "unitgradingtype", "0")
        _sub(question, "unitpenalty", "0.1000000")
        _sub(question, "showunits", "3")
        _sub(question, "unitsleft", "0")
    elif ordering_as == "ordering":
        question = _moodle_header(quiz, q, "ordering")
        _sub(question, "layouttype", "VERTICAL")
        _sub(question, "selecttype", "ALL")
        _sub(question, "selectcount", str(len(q.items)))
        _sub(question, "gradingtype", "ABSOLUTE_POSITION")
        _sub(question, "showgrading", "SHOW")
        _sub(question, "numberingstyle", "none")
        _combined_feedback(question)
        for position, text in enumerate(q.items, start=1):  # in the right order: the fraction is the position
            _moodle_answer(question, str(position), html_text(text), None)
    else:
        question = _moodle_header(quiz, q, "matching", MATCH_INSTRUCTION)
        _sub(question, "shuffleanswers", "true")
        _combined_feedback(question)
        n = len(q.items)
        for shown in display_order(q.id, n):
            sub = _moodle_text(question, "subquestion", html_text(q.items[shown]))
            _moodle_text(sub, "answer", position_label(shown + 1, n), fmt=None)


def moodle_xml(bank: Bank, title: str | None = None, ordering_as: str = "ordering") -> bytes:
    """Moodle XML for one bank: a category named after the chapter, then its questions."""
    if ordering_as not in ORDERING_AS:
        raise ExportError(f"ordering questions can be exported as {' or '.join(ORDERING_AS)}, not {ordering_as!r}")
    quiz = ET.Element("quiz")
    category = _sub(quiz, "question", type="category")
    _moodle_text(category, "category", f"$course$/top/{(title or bank.title).replace('/', '-')}", fmt=None)
    _moodle_text(category, "info", f"<p>Quiz questions of {bank.chapter}, exported by tpmcourse.</p>")
    _sub(category, "idnumber", f"tpmcourse-{bank.chapter}")
    for q in bank.questions:
        _moodle_question(quiz, q, ordering_as)
    return _serialize(quiz)


def export(bank: Bank, fmt: str, title: str | None = None, ordering_as: str = "ordering") -> bytes:
    """One bank in one format (a key of FORMATS): the bytes of the file to write."""
    if fmt == "qti":
        return qti_package(bank, title)
    if fmt == "moodle":
        return moodle_xml(bank, title, ordering_as)
    raise ExportError(f"unknown format {fmt!r}: choose {' or '.join(FORMATS)}")
