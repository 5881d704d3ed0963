"""The order options are shown in, so that their position says nothing.

Authors tend to write the right option first; shown in that order, the key
leaks. Each question's options are shuffled by a small seeded generator
(mulberry32, seeded by an FNV-1a hash of ``"<seed>:<question id>"``), written
here and, step for step, in ``tpm-quiz.js``, so a seed gives the same order
in Python and in the browser (tests/quiz/test_shuffle.py holds them to it).

- The book's static HTML uses :data:`BOOK_SEED`, so a reader without
  JavaScript does not get the author's order either; the script then
  reshuffles with the reader's own seed, kept with their progress.
- Jupyter uses a fresh seed per render, or ``TPM_QUIZ_SEED`` when it is set.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable

BOOK_SEED = 1
SEED_VARIABLE = "TPM_QUIZ_SEED"
_MASK = 0xFFFFFFFF


def fnv1a(text: str) -> int:
    """32-bit FNV-1a over the text's UTF-16 code units (what JavaScript sees)."""
    h = 0x811C9DC5
    data = text.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h ^= data[i] | (data[i + 1] << 8)
        h = (h * 0x01000193) & _MASK
    return h


def _imul(a: int, b: int) -> int:
    return (a * b) & _MASK


def mulberry32(seed: int) -> Callable[[], float]:
    """A generator of floats in [0, 1), identical to the JavaScript one."""
    state = seed & _MASK

    def draw() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & _MASK
        t = _imul(state ^ (state >> 15), 1 | state)
        t = ((t + _imul(t ^ (t >> 7), 61 | t)) & _MASK) ^ t
        return ((t ^ (t >> 14)) & _MASK) / 4294967296

    return draw


def order(key: str, n: int, seed: int, *, avoid_identity: bool = False) -> list[int]:
    """A permutation of ``range(n)`` for this key (a question id) and seed.

    Fisher-Yates with mulberry32: every order is equally likely, so the right
    option is first in about 1/n of questions. ``avoid_identity`` redraws the
    one order that would give an ordering question's answer away.
    """
    draw = mulberry32(fnv1a(f"{seed & _MASK}:{key}"))
    while True:
        items = list(range(n))
        for i in range(n - 1, 0, -1):
            j = int(draw() * (i + 1))
            items[i], items[j] = items[j], items[i]
        if not (avoid_identity and n > 1 and items == sorted(items)):
            return items


def session_seed() -> int:
    """The seed for one Jupyter render: ``TPM_QUIZ_SEED`` if set, else random."""
    fixed = os.environ.get(SEED_VARIABLE, "").strip()
    if fixed:
        try:
            return int(fixed) & _MASK
        except ValueError:
            pass
    return secrets.randbits(32)
