"""Tests for tpmcourse.validate: every require_* returns a usable input and
refuses an unusable one with an InputError whose message names the input;
and no input at all makes them raise anything else."""

from __future__ import annotations

import decimal
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.extra import pandas as hpd

from tpmcourse import validate as v

NAME = "my_answer"  # every message must name the input it is about

#: What a learner passes by mistake.
WRONG = {"None": None, "Ellipsis": ..., "bool": True, "text": "0.25", "NaN": float("nan"), "inf": float("inf")}
#: How a message that expects a table, a list or a dict describes each of them.
DESCRIBED = {"None": "not None", "Ellipsis": "not ... (not answered yet)", "bool": "not bool True",
             "text": "not text '0.25'", "NaN": "not float nan", "inf": "not float inf"}


def refuses(call, *fragments: str) -> str:
    """Run ``call``; it must raise InputError naming NAME and containing every fragment."""
    with pytest.raises(v.InputError) as info:
        call()
    message = str(info.value)
    for fragment in (NAME, *fragments):
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def test_input_error_is_both_type_and_value_error():
    assert issubclass(v.InputError, TypeError) and issubclass(v.InputError, ValueError)


# --- the same wrong answers, given to each kind of input ------------------------------------------

SCALAR_MESSAGES = {  # what require_number says about each wrong answer
    "None": "not None", "Ellipsis": "not answered yet", "bool": "yes/no value", "text": "not text '0.25'",
    "NaN": "is NaN", "inf": "divided by zero",
}


@pytest.mark.parametrize("fn", [v.require_number, v.require_fraction, v.require_int])
@pytest.mark.parametrize("kind", list(WRONG))
def test_numbers_refuse_every_wrong_answer(fn, kind):
    refuses(lambda: fn(WRONG[kind], NAME), SCALAR_MESSAGES[kind])


@pytest.mark.parametrize("kind", list(WRONG))
def test_frame_refuses_every_wrong_answer(kind):
    refuses(lambda: v.require_frame(WRONG[kind], NAME), "should be a pandas DataFrame", DESCRIBED[kind])


@pytest.mark.parametrize(("fn", "wanted"), [(v.require_sequence, "list or an array"),
                                           (v.require_mapping, "dict"), (v.require_series, "pandas Series")])
@pytest.mark.parametrize("kind", list(WRONG))
def test_collections_refuse_every_wrong_answer(fn, wanted, kind):
    refuses(lambda: fn(WRONG[kind], NAME), wanted, DESCRIBED[kind])


@pytest.mark.parametrize("kind", ["None", "Ellipsis", "bool", "NaN", "inf"])
def test_text_refuses_everything_but_text(kind):
    refuses(lambda: v.require_text(WRONG[kind], NAME), "should be text", DESCRIBED[kind])


@pytest.mark.parametrize("kind", list(WRONG))
def test_bool_refuses_everything_but_true_or_false(kind):
    if kind == "bool":
        assert v.require_bool(True, NAME) is True
    else:
        refuses(lambda: v.require_bool(WRONG[kind], NAME), "True or False", DESCRIBED[kind])


# --- tables -----------------------------------------------------------------------------------------


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", None], "flag": [True, False, True]})


def test_frame_is_returned_as_given(frame):
    assert v.require_frame(frame, NAME, ["a", "b"], rows=3) is frame
    assert v.require_frame(frame.iloc[0:0], NAME, ["a"], allow_empty=True).empty


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda f: v.require_frame(f.iloc[0:0], NAME, ["a"]), "is an empty table"),
        (lambda f: v.require_frame(f, NAME, ["a", "c"]), "has no column 'c'; it has 'a', 'b', 'flag'"),
        (lambda f: v.require_frame(f["a"], NAME, ["a"]), "is a Series; pass a DataFrame with columns a"),
        (lambda f: v.require_frame(f, NAME, rows=4), "has 3 rows; expected 4"),
        (lambda f: v.require_frame(f, NAME, ["b"], complete=True), "column 'b' of my_answer has 1 missing (NaN)"),
        (lambda f: v.require_frame(pd.concat([f, f], axis=1), NAME, ["a"]), "more than one column named 'a'"),
        (lambda f: v.require_frame(f, NAME, [["a", "b"]]), "single labels"),
    ],
    ids=["empty", "missing column", "series", "rows", "complete", "duplicate column", "unhashable name"],
)
def test_frame_problems_are_named(frame, call, fragment):
    refuses(lambda: call(frame), fragment)


def test_require_columns(frame):
    v.require_columns(frame, NAME, ["flag", "a"])
    refuses(lambda: v.require_columns(frame, NAME, ["z"]), "no column 'z'")


def test_numeric_column_as_floats_within_bounds(frame):
    column = v.require_numeric_column(frame, "a", NAME, minimum=1, maximum=3, whole=True)
    assert column.dtype == float and column.tolist() == [1.0, 2.0, 3.0]
    with_gap = frame.assign(a=[1.0, np.nan, 3.0])
    assert v.require_numeric_column(with_gap, "a", NAME, allow_nan=True).isna().sum() == 1


@pytest.mark.parametrize(
    ("column", "values", "limits", "fragment"),
    [
        ("b", None, {}, "holds text, not numbers"),  # object or str values, by pandas version
        ("flag", None, {}, "holds True/False values"),
        ("a", [1.0, np.nan, 3.0], {}, "1 missing (NaN) value(s), in rows [1]"),
        ("a", [1.0, np.inf, 3.0], {}, "infinite values, in rows [1]"),
        ("a", [0, 2, 3], {"above": 0, "hint": "the score divides by it"},
         "must be more than 0 (the score divides by it); see row(s) [0]"),
        ("a", [1, 2.5, 3], {"minimum": 1, "maximum": 5, "whole": True}, "a whole number from 1 to 5; see row(s) [1]"),
        ("a", [1, 0.5, 80], {"minimum": 0, "maximum": 1}, "between 0 and 1; see row(s) [2]"),
        ("c", None, {}, "has no column 'c'"),
    ],
    ids=["text", "bool", "NaN", "inf", "above", "whole scale", "fraction", "missing"],
)
def test_numeric_column_problems_are_named(frame, column, values, limits, fragment):
    data = frame if values is None else frame.assign(**{column: values})
    refuses(lambda: v.require_numeric_column(data, column, NAME, **limits), repr(column), fragment)


def test_numeric_column_of_python_numbers_in_an_object_column_is_accepted():
    mixed = pd.DataFrame({"x": [1, 2.5, None]}, dtype=object)
    assert v.require_numeric_column(mixed, "x", NAME, allow_nan=True).tolist()[:2] == [1.0, 2.5]
    refuses(lambda: v.require_numeric_column(mixed.assign(x=[1, "2", 3]), "x", NAME), "holds text, not numbers",
            v.TEXT_FIX)
    refuses(lambda: v.require_numeric_column(mixed.assign(x=[1, True, 3]), "x", NAME), "object values, not numbers")


def test_numeric_columns_default_to_all_and_return_floats():
    grid = pd.DataFrame({"x": [1, 2], "y": [0.5, 1.5]})
    assert v.require_numeric_columns(grid, NAME).equals(grid.astype(float))
    refuses(lambda: v.require_numeric_columns(grid.assign(y=["a", "b"]), NAME), "column 'y'")
    refuses(lambda: v.require_numeric_columns(grid, NAME, minimum=1), "column 'y' of my_answer must be at least 1")


def test_series():
    s = pd.Series([3, 1], name="score")
    assert v.require_series(s, NAME, numeric=True) is s
    assert v.require_series(pd.Series([], dtype=float), NAME, allow_empty=True).empty
    refuses(lambda: v.require_series(s.to_frame(), NAME), "not DataFrame")
    refuses(lambda: v.require_series(pd.Series([], dtype=float), NAME), "is empty")
    refuses(lambda: v.require_series(pd.Series(["a", None]), NAME), "1 missing (NaN)")
    refuses(lambda: v.require_series(pd.Series(["a"]), NAME, numeric=True), "not numbers")


# --- single values ------------------------------------------------------------------------------------


@pytest.mark.parametrize("good", [2, 2.0, np.int64(2), np.float32(2.0), decimal.Decimal("2")])
def test_number_accepts_real_numbers(good):
    assert v.require_number(good, NAME) == 2.0
    assert isinstance(v.require_number(good, NAME), float)


def test_number_text_only_when_allowed():
    assert v.require_number("0.25", NAME, text_ok=True) == 0.25
    refuses(lambda: v.require_number("a quarter", NAME, text_ok=True), "should be a number, not text 'a quarter'")
    refuses(lambda: v.require_number("nan", NAME, text_ok=True), "NaN")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [([1, 2], "is a list; pass a single number"), (pd.Series([1.0]), "is a Series"),
     (np.array(1.0), "is a ndarray"), (1 + 2j, "complex"), (np.complex128(1), "complex"),
     (10**400, "too large"), (decimal.Decimal("sNaN"), "should be a number"), (pd.NA, "a missing value (NA)"),
     (object(), "should be a number, not object")],
    ids=["list", "series", "0-d array", "complex", "numpy complex", "huge int", "signalling NaN", "NA", "object"],
)
def test_number_refuses_what_is_not_one_number(value, fragment):
    refuses(lambda: v.require_number(value, NAME), fragment)


@pytest.mark.parametrize(
    ("limits", "value", "fragment"),
    [
        ({"minimum": 0}, -1, "must be at least 0, got -1"),
        ({"maximum": 100, "hint": "a percentage"}, 150, "must be at most 100 (a percentage), got 150"),
        ({"above": 0}, 0, "must be more than 0, got 0"),
        ({"minimum": 0, "below": 1}, 1, "must be at least 0 and less than 1, got 1"),
    ],
)
def test_number_bounds(limits, value, fragment):
    refuses(lambda: v.require_number(value, NAME, **limits), fragment)
    assert v.require_number(0.5, NAME, **limits) == 0.5


def test_fraction():
    assert v.require_fraction(0.9995, NAME) == 0.9995
    for outside in (0, 1, 99.95):
        refuses(lambda x=outside: v.require_fraction(x, NAME, "0.9995 for 99.95%"),
                "strictly between 0 and 1 (a fraction, e.g. 0.9995 for 99.95%)")


def test_int():
    assert v.require_int(3, NAME) == 3 and v.require_int(3.0, NAME) == 3
    assert isinstance(v.require_int(np.int64(3), NAME), int)
    refuses(lambda: v.require_int(3.5, NAME), "must be a whole number, got 3.5")
    refuses(lambda: v.require_int(0, NAME, minimum=1), "must be at least 1, got 0")


def test_bool_and_text():
    assert v.require_bool(np.False_, NAME) is False
    refuses(lambda: v.require_bool(1, NAME), "not int")
    assert v.require_text("RACI", NAME) == "RACI"
    assert v.require_text(" ", NAME, allow_empty=True) == " "
    refuses(lambda: v.require_text("  ", NAME), "is empty")


# --- collections ----------------------------------------------------------------------------------------


def test_mapping():
    weights = {"cost": 1}
    assert v.require_mapping(weights, NAME) is weights
    refuses(lambda: v.require_mapping({}, NAME, "{'cost': 1}"), "is empty", "{'cost': 1}")
    refuses(lambda: v.require_mapping([("cost", 1)], NAME), "should be a dict, not list")


@pytest.mark.parametrize("good", [[1, 2], (1, 2), np.array([1, 2]), pd.Series([1, 2]), iter([1, 2]), range(1, 3)])
def test_sequence_accepts_list_likes(good):
    assert v.require_sequence(good, NAME) == [1, 2]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("12", "not text"), ({"a": 1}, "not dict"), (np.ones((2, 2)), "one-dimensional"), ([], "is empty"),
     (pd.DataFrame({"a": [1]}), "not DataFrame")],
)
def test_sequence_refuses(value, fragment):
    refuses(lambda: v.require_sequence(value, NAME), fragment)


def test_numbers_name_the_bad_item():
    assert v.require_numbers([1, np.float64(2.5)], NAME) == [1.0, 2.5]
    assert v.require_sequence([], NAME, allow_empty=True) == []
    refuses(lambda: v.require_numbers([1, "2"], NAME), "my_answer[1] should be a number")
    refuses(lambda: v.require_numbers([0.5, 1.5], NAME, minimum=0, maximum=1), "my_answer[1] must be between 0 and 1")


# --- nothing gets through as another exception ---------------------------------------------------------

ANYTHING = st.one_of(
    st.none(), st.just(...), st.just(pd.NA), st.just(pd.NaT), st.booleans(), st.integers(),
    st.integers(min_value=10**300, max_value=10**400), st.floats(), st.text(max_size=8), st.binary(max_size=4),
    st.complex_numbers(), st.decimals(), st.fractions(), st.datetimes(), st.timedeltas(),
    st.lists(st.integers(), max_size=3), st.tuples(st.floats()), st.sets(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    hnp.scalar_dtypes().flatmap(hnp.from_dtype),
    hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(min_dims=0, max_dims=2, max_side=2)),
    st.builds(pd.Series, st.lists(st.floats(), max_size=3), dtype=st.just(float)),
    hpd.data_frames(
        [hpd.column("a", elements=st.one_of(st.none(), st.floats(), st.integers(), st.text(max_size=2)),
                    dtype=object),
         hpd.column("b", dtype=float)],
        index=hpd.range_indexes(max_size=3),
    ),
    hpd.data_frames([hpd.column("a", dtype=float)], index=hpd.range_indexes(max_size=3)),
    hpd.data_frames([hpd.column("x", dtype=int)], index=hpd.range_indexes(max_size=2)),
)


@settings(max_examples=400, deadline=None)
@given(ANYTHING, st.booleans())
def test_require_number_returns_a_finite_float_or_raises_input_error(value, text_ok):
    try:
        number = v.require_number(value, NAME, minimum=-1e6, text_ok=text_ok)
    except v.InputError as error:
        assert NAME in str(error)
    else:
        assert isinstance(number, float) and math.isfinite(number) and number >= -1e6


@settings(max_examples=400, deadline=None)
@given(ANYTHING, st.booleans())
def test_require_frame_returns_the_frame_or_raises_input_error(value, complete):
    try:
        frame = v.require_frame(value, NAME, ["a"], complete=complete)
        column = v.require_numeric_column(frame, "a", NAME)
    except v.InputError as error:
        assert NAME in str(error)
    else:
        assert frame is value and not frame.empty
        assert column.dtype == float and np.isfinite(column.to_numpy()).all()
