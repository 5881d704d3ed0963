"""Answers survive the trip from a learner's kernel to the grader as JSON."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from tpmcourse.instructor.grade import answers, runner


def roundtrip(value):
    return answers.decode(json.loads(json.dumps(answers.encode(value))))


def test_frames_keep_values_dtypes_and_index():
    frame = pd.DataFrame({"id": ["B-01", "B-02"], "rice": [1920.5, 12.0], "rank": [1, 2]}).set_index("id")
    back = roundtrip(frame)
    pd.testing.assert_frame_equal(back, frame)
    cohorts = pd.DataFrame({0: [1.0, 1.0], 1: [0.44, np.nan]},
                           index=pd.Index(["2025-03-03", "2025-03-10"], name="cohort"))
    pd.testing.assert_frame_equal(roundtrip(cohorts), cohorts)
    series = pd.Series([0.5, 0.25], index=["a", "b"], name="rate")
    pd.testing.assert_series_equal(roundtrip(series), series)


def test_scalars_containers_and_dates():
    assert roundtrip(np.float64(2.5)) == 2.5 and roundtrip(np.int64(3)) == 3
    assert roundtrip(np.bool_(True)) is True
    assert np.isnan(roundtrip(float("nan")))
    assert roundtrip(...) is Ellipsis and roundtrip(None) is None
    assert roundtrip(("B-01", 2)) == ("B-01", 2) and roundtrip({"a", "b"}) == {"a", "b"}
    assert roundtrip({"x": [1, 2]}) == {"x": [1, 2]}
    assert roundtrip(dt.date(2026, 7, 3)) == dt.date(2026, 7, 3)
    assert roundtrip(pd.Timestamp("2026-07-03 10:00")) == pd.Timestamp("2026-07-03 10:00")
    assert list(roundtrip(np.array([1, 2]))) == [1, 2]


def test_unknown_types_become_a_marker_not_code():
    marker = roundtrip(object())
    assert isinstance(marker, answers.Unsupported) and "object" in repr(marker)
    assert isinstance(answers.decode({"__reduce__": "os.system"}), answers.Unsupported)


def test_dumps_marks_missing_and_oversized_answers():
    text = answers.dumps(["a", "b", "big"], {"a": 1, "big": "x" * 5000}, limit=2000)
    data = json.loads(text)
    assert data["a"] == 1 and data["b"] == {"__missing__": True}
    assert data["big"] == {"__too_big__": 5002} and len(text) <= 2000
    marker = answers.decode(data["big"])
    assert isinstance(marker, answers.Unsupported) and "too large to grade" in repr(marker)
    assert answers.decode(data["b"]) is None


def test_the_runner_reads_answers_only_as_a_capped_json_object():
    """The kernel's reply carries the answers as a Python string literal (how
    IPython shows a str); anything else is refused, never evaluated."""
    good = json.dumps({"a": 1})
    assert runner.parse_answers(repr(good), 100) == good
    for bad in [None, 42, "{'a': 1}", "__import__('os').system('id')", repr("[1, 2]"), repr("not json"),
                repr(json.dumps({"a": "x" * 200})), "'abc' + 'def'", "'" + "(" * 300 + "'"]:
        with pytest.raises(ValueError):
            runner.parse_answers(bad, 100)
