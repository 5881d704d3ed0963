"""Shared helpers for the lab check tests: evaluate a task of one lab and
assert it passed (returning the message) or failed (returning the hint)."""

from __future__ import annotations

from tpmcourse.checks import evaluate


def checker(lab: str):
    def ok(task, *answers):
        result = evaluate(f"{lab}.{task}", *answers)
        assert result.passed, result.message
        return result.message

    def hint(task, *answers):
        result = evaluate(f"{lab}.{task}", *answers)
        assert not result.passed, f"{task} accepted {answers!r}"
        return result.message

    return ok, hint
