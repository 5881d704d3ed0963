"""Helpers for browser tests of quizzes: answer a question in the page the
way a reader would, right or wrong, using the bank to know which is which."""

from __future__ import annotations

from tpmcourse.quiz import render as quizhtml


def answer(page, q, right: bool = True) -> None:
    root = page.locator(f'[data-question="{q.id}"]')
    if q.type in ("single", "multiple"):
        correct = [i for i, o in enumerate(q.options) if o.correct]
        if q.type == "single":
            pick = correct if right else [next(i for i, o in enumerate(q.options) if not o.correct)]
        else:
            wrong = [i for i, o in enumerate(q.options) if not o.correct]
            pick = correct if right else (correct[:-1] + wrong[:1] if wrong else correct[:-1])
        for i in range(len(q.options)):
            box = root.locator(f"#{q.id}-opt{i}")
            if i in pick:
                box.check()
            elif q.type == "multiple":
                box.uncheck()
    elif q.type == "numeric":
        value = q.answer if right else q.answer + max(10 * q.tolerance, abs(q.answer) * 0.5, 1)
        root.locator("input").fill(f"{value:g}")
    else:
        order = quizhtml.display_order(q.id, len(q.items))
        n = len(q.items)
        for shown, idx in enumerate(order):
            position = idx + 1 if right else (n - idx)
            root.locator(f"#{q.id}-item{shown}").select_option(str(position))
        if not right and n % 2 == 1 and all(idx == n - 1 - idx for idx in order):
            pass  # reversing a list of odd length leaves the middle item in place; still wrong
    root.get_by_role("button", name="Check").click()


def result(page, qid: str) -> str | None:
    return page.locator(f'[data-question="{qid}"]').get_attribute("data-result")


def feedback(page, qid: str) -> str:
    return page.locator(f'[data-question="{qid}"] .tpm-feedback').inner_text()
