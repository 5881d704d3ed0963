"""Attempts and reveal: when the worked explanation appears, and how a
question counts in the score. ``tpm-quiz.js`` follows the same rules.

- An answer that cannot be graded (nothing chosen, "0,67") is not an attempt.
- A wrong answer gets only the feedback for that option or value.
- The explanation appears after a right answer, after a second wrong one,
  or when the learner asks for the worked answer.
- The score keeps what happened first: *right first time*, *right after a
  retry*, or *revealed* (the explanation was shown before a right answer).
  Later answers are practice and never change it.
- Once the explanation is shown, a numeric question with variants offers new
  numbers: attempts start again for them, the score stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tpmcourse.quiz.score import Result

Status = Literal["", "first", "retry", "revealed"]
STATUSES: tuple[Status, ...] = ("first", "retry", "revealed")
LABELS = {"first": "right first time", "retry": "right after a retry", "revealed": "revealed"}
REVEALED_NOTE = "Worked answer shown: this question counts as revealed."
SCORE = "Score: {first} of {total} right first time, {retry} right after a retry, {revealed} revealed."
PROGRESS = ("You have answered {answered} questions: {first} right first time, {retry} right after a retry, "
            "{revealed} revealed and {open} still open.")
# Wrong attempts (on the same numbers) after which the explanation is shown.
REVEAL_AFTER = 2


@dataclass
class Attempts:
    """One question's attempts; ``status`` is what the score counts."""

    status: Status = ""
    tries: int = 0  # graded attempts on the current numbers
    explained: bool = False  # the explanation is showing
    variant: int = 0

    @property
    def answered(self) -> bool:
        return bool(self.status) or self.tries > 0

    def record(self, result: Result) -> None:
        """Count a graded answer; an ungradable one changes nothing."""
        if result.correct is None:
            return
        self.tries += 1
        if result.correct:
            self.explained = True
            if not self.status:
                self.status = "first" if self.tries == 1 else "retry"
        elif self.tries >= REVEAL_AFTER:
            self.reveal()

    def reveal(self) -> None:
        """Show the worked answer; unless already right, the question counts as revealed."""
        self.explained = True
        if not self.status:
            self.status = "revealed"

    def new_numbers(self, variant: int) -> None:
        """Start again on another variant; the score keeps its status."""
        self.variant = variant
        self.tries = 0
        self.explained = False


def summary(statuses: list[Status], total: int) -> str:
    """The score line, the same in Jupyter and the book."""
    first, retry, revealed = (statuses.count(s) for s in STATUSES)
    return SCORE.format(first=first, total=total, retry=retry, revealed=revealed)
