"""Learner answers as plain JSON, so the grader can read what a submission
computed without unpickling (and so running) anything it sent.

:func:`dumps` runs inside the sandboxed kernel (where this file is importable
as ``_tpm_answers``, and needs only numpy and pandas); its text comes back to
the grader over the kernel protocol and :func:`decode` reads it as data."""

from __future__ import annotations

import datetime as dt
import json
import math
from io import StringIO
from typing import Any

import numpy as np
import pandas as pd

MAX_DEPTH = 6


def encode(value: Any, depth: int = 0) -> Any:
    """A JSON-safe description of a value; unknown types become a marker."""
    if depth > MAX_DEPTH:
        return {"__unsupported__": "nested too deeply"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else {"__float__": str(number)}
    if isinstance(value, pd.DataFrame):
        # JSON turns column labels into text; keep them, typed, beside the table.
        plain = value.set_axis([f"c{i}" for i in range(value.shape[1])], axis=1)
        return {"__frame__": plain.to_json(orient="table", date_format="iso"),
                "columns": [encode(c, depth + 1) for c in value.columns]}
    if isinstance(value, pd.Series):
        return {"__series__": value.to_frame(name=value.name if value.name is not None else "value")
                .to_json(orient="table", date_format="iso"), "name": encode(value.name, depth + 1)}
    if isinstance(value, pd.Timestamp):
        return {"__timestamp__": value.isoformat()}
    if isinstance(value, dt.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    if isinstance(value, np.ndarray):
        return {"__ndarray__": [encode(v, depth + 1) for v in value.tolist()]}
    if isinstance(value, (list, tuple)):
        return {"__tuple__": [encode(v, depth + 1) for v in value]} if isinstance(value, tuple) \
            else [encode(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"__set__": [encode(v, depth + 1) for v in sorted(value, key=repr)]}
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    return {"__unsupported__": type(value).__name__}


class Unsupported:
    """Stands for an answer of a type the grader cannot carry across."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<an answer of type {self.type_name}>"


def decode(data: Any) -> Any:
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "__ellipsis__" in data:
        return ...
    if "__float__" in data:
        return float(data["__float__"])
    if "__frame__" in data:
        frame = pd.read_json(StringIO(data["__frame__"]), orient="table")
        columns = decode(data.get("columns"))
        if isinstance(columns, list) and len(columns) == frame.shape[1]:
            frame.columns = columns
        return frame
    if "__series__" in data:
        frame = pd.read_json(StringIO(data["__series__"]), orient="table")
        series = frame.iloc[:, 0]
        series.name = decode(data.get("name"))
        return series
    if "__timestamp__" in data:
        return pd.Timestamp(data["__timestamp__"])
    if "__datetime__" in data:
        return dt.datetime.fromisoformat(data["__datetime__"])
    if "__date__" in data:
        return dt.date.fromisoformat(data["__date__"])
    if "__ndarray__" in data:
        return np.array(decode(data["__ndarray__"]))
    if "__tuple__" in data:
        return tuple(decode(data["__tuple__"]))
    if "__set__" in data:
        return set(decode(data["__set__"]))
    if "__dict__" in data:
        return {_hashable(decode(k)): decode(v) for k, v in data["__dict__"]}
    if "__unsupported__" in data:
        return Unsupported(str(data["__unsupported__"]))
    if "__missing__" in data:
        return None
    if "__too_big__" in data:
        return Unsupported(f"too large to grade: {str(data['__too_big__'])[:20]} bytes as JSON")
    return Unsupported("dict")


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def dumps(names: list[str], namespace: dict, limit: int = 8_000_000) -> str:
    """The named variables of a namespace (a kernel's globals) as JSON text of
    at most about ``limit`` bytes: an answer that would not fit becomes a
    ``{"__too_big__": size}`` marker, a missing one ``{"__missing__": true}``."""
    parts = []
    budget = limit - 64 * (len(names) + 1)
    for name in names:
        if name not in namespace:
            text = '{"__missing__": true}'
        else:
            try:
                text = json.dumps(encode(namespace[name]))
            except Exception as exc:  # a value that cannot be described is not an answer
                text = json.dumps({"__unsupported__": f"{type(namespace[name]).__name__} ({exc})"[:200]})
        if len(text) > budget:
            text = json.dumps({"__too_big__": len(text)})
        budget -= len(text)
        parts.append(f"{json.dumps(name)}: {text}")
    return "{" + ", ".join(parts) + "}"
