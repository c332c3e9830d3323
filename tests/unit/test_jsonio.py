"""core.jsonio.loads: strict JSON that names the key, field and line of every refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import jsonio
from core.errors import InputError


def refusal(text: str, **kw: Any) -> str:
    with pytest.raises(InputError) as info:
        jsonio.loads(text, **kw)
    return str(info.value)


def test_valid_json_reads_as_the_standard_library_does() -> None:
    text = '{"age": 70, "m": ["a", {"b": null}], "x": 1.5, "e": "\\ud83d\\ude00"}'
    assert jsonio.loads(text) == json.loads(text)


def test_duplicate_key_names_the_key_and_the_line_of_the_second() -> None:
    msg = refusal('{"age": 70,\n "medications": ["warfarin"],\n "medications": ["aspirin"]}')
    assert "duplicate key 'medications' (line 3)" in msg


def test_duplicate_key_inside_a_nested_object_is_found_not_a_sibling_key() -> None:
    # "x" appears in an inner object first: only the two top-level x's are duplicates.
    msg = refusal('{"a": {"x": 1},\n "x": 2,\n "x": 3}')
    assert "duplicate key 'x' (line 3)" in msg


def test_equal_keys_in_different_objects_are_fine() -> None:
    assert jsonio.loads('[{"a": 1}, {"a": 2}]') == [{"a": 1}, {"a": 2}]


def test_line_offset_and_where_place_the_error_in_the_file() -> None:
    msg = refusal('{"a": 1, "a": 2}', where="batch.jsonl", line_offset=41)
    assert msg.startswith("batch.jsonl: ") and "(line 42)" in msg


def test_an_escaped_key_that_repeats_is_a_duplicate() -> None:
    msg = refusal('{"ab": 1, "a\\u0062": 2}')
    assert "duplicate key 'ab'" in msg


def test_a_control_character_in_a_duplicate_key_is_escaped_in_the_message() -> None:
    msg = refusal('{"a\\n": 1, "a\\n": 2}')
    assert "'a\\n'" in msg and "\n" not in msg


@pytest.mark.parametrize(
    ("text", "token", "line"),
    [
        ('{"a": 1,\n "b": NaN}', "NaN", 2),
        ('{"a": Infinity}', "Infinity", 1),
        ('{"a": 1,\n "b": 2,\n "c": [-Infinity]}', "-Infinity", 3),
    ],
)
def test_nan_and_infinity_are_refused_with_their_line(text: str, token: str, line: int) -> None:
    assert f"{token} (line {line}) is not a JSON number" in refusal(text)


def test_nan_inside_a_string_is_just_text() -> None:
    assert jsonio.loads('{"a": "NaN"}') == {"a": "NaN"}


def test_lone_surrogate_names_the_field_and_the_line() -> None:
    msg = refusal('{"age": 70,\n "medications": ["ok", "\\ud800"]}')
    assert "field medications[1] (line 2)" in msg and "surrogate" in msg


def test_lone_low_surrogate_in_a_key_is_refused_and_escaped() -> None:
    msg = refusal('{"\\udc00": 1}')
    assert "surrogate" in msg and "\\udc00" in msg
    msg.encode("utf-8")  # the message itself must be printable as UTF-8


def test_an_escaped_backslash_before_u_is_not_a_surrogate() -> None:
    assert jsonio.loads('{"a": "\\\\ud800"}') == {"a": "\\ud800"}


def test_nul_byte_names_its_line_and_the_character() -> None:
    msg = refusal('{"age": 70,\n "sex": "male",\n "medications": ["a\x00b"]}')
    assert "U+0000" in msg and "line 3" in msg


def test_bad_syntax_names_line_and_column() -> None:
    msg = refusal('{\n  "age": 70,\n}')
    assert "not valid JSON" in msg and "line 3" in msg and "column" in msg


def test_deep_nesting_and_huge_integers_are_refused_cleanly() -> None:
    assert "nested too deeply" in refusal("[" * 100_000 + "]" * 100_000)
    assert "too many digits" in refusal('{"a": 1' + "0" * 5000 + "}")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(deadline=None)
@given(json_values)
def test_whatever_json_dumps_writes_reads_back_unchanged(value: Any) -> None:
    text = json.dumps(value)
    assert jsonio.loads(text) == json.loads(text)


@settings(deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_read_or_refused_with_input_error(text: str) -> None:
    try:
        jsonio.loads(text)
    except InputError as exc:
        assert exc.message
