"""Input checks shared by the course's helpers: a learner who passes None, a
bool, text or NaN gets a message that says what to pass instead."""

from __future__ import annotations

import math

import numpy as np


def check_number(name: str, value: object) -> float:
    """A real, non-NaN number as a float; TypeError/ValueError otherwise."""
    if value is None:
        raise TypeError(f"{name} is None: pass a number.")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}.")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} is NaN: pass a real number.")
    return value
