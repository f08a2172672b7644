"""The fast record encoder writes exactly what the standard library writes: goldens stay byte-identical."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lso_sim.messages.envelope import Kind, Message
from lso_sim.sonata.api import json_copy
from lso_sim.trace.encode import json_line, stdlib_line
from lso_sim.trace.records import dumps, dumps_line, to_record

ROOT = Path(__file__).resolve().parents[1]
GOLDENS = sorted(ROOT.glob("scenarios/**/goldens/*.jsonl"))

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@pytest.mark.parametrize("path", GOLDENS, ids=[p.stem for p in GOLDENS])
def test_every_golden_line_is_re_encoded_byte_for_byte(path: Path) -> None:
    """Decoding a golden line and encoding it again gives the same bytes (key order, floats, text)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines
    differ = [line[:120] for line in lines if json_line(json.loads(line)) != line]
    assert differ == []


@pytest.mark.parametrize(
    "value",
    [5e-05, 1e-7, 1e16, 1.5e300, -2.5e-5, 0.0001, 12345.678901, 10.00005, -0.0, 2**64, {"k": "1e5 0.00001"}],
)
def test_floats_and_integers_the_encoders_write_differently_fall_back(value: object) -> None:
    """orjson writes 0.00005 and 1e16 where json writes 5e-05 and 1e+16; the line must not show it."""
    assert json_line({"v": value}) == stdlib_line({"v": value})


def test_non_string_keys_are_written_as_the_standard_library_writes_them() -> None:
    assert json_line({1: "a", "b": [1.0, None]}) == '{"1":"a","b":[1.0,null]}\n'


@given(_json)
def test_any_json_value_is_encoded_as_the_standard_library_encodes_it(value: object) -> None:
    assert json_line(value) == stdlib_line(value)


@given(_json)
def test_json_copy_is_an_equal_independent_copy(value: object) -> None:
    copied = json_copy(value)
    assert stdlib_line(copied) == stdlib_line(value)
    if isinstance(value, dict | list) and value:
        assert copied is not value


def test_json_copy_keeps_tuples_as_lists_and_floats_exactly() -> None:
    value = {"a": (1, 2.000000000000001), "b": [math.pi, {"c": 1e-300}]}
    assert json_copy(value) == {"a": [1, 2.000000000000001], "b": [math.pi, {"c": 1e-300}]}


_times = st.floats(allow_nan=False, allow_infinity=False) | st.integers(min_value=0, max_value=10**9)
_texts = st.text(max_size=12)
_messages = st.builds(
    Message,
    seq=st.integers(min_value=0, max_value=2**40),
    time=_times,
    delivered=st.none() | _times,
    id=_texts,
    thread=_texts,
    instance=_texts,
    step=_texts,
    irp=st.none() | _texts,
    src=_texts,
    dst=_texts,
    src_role=_texts,
    dst_role=_texts,
    kind=st.sampled_from(list(Kind)),
    operation=_texts,
    api=st.none() | _texts,
    correlation_id=st.none() | _texts,
    status=st.none() | st.integers(min_value=100, max_value=599),
    payload=_json,
)


@given(_messages)
def test_a_record_line_is_what_the_standard_library_writes_of_its_dict(msg: Message) -> None:
    """A whole record line is what the standard library writes of the record's dict: quotes,
    control characters and any Unicode in text, tiny and huge times, any payload."""
    assert dumps_line(msg) == stdlib_line(to_record(msg))
    assert dumps(msg) == stdlib_line(to_record(msg))[:-1]
