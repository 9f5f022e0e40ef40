"""Pure parts: attribute checking, the two formats, status mapping, masking (no database)."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from jishiban.appeals.privacy import mask_public
from jishiban.appeals.workflow import State
from jishiban.open311 import attributes as attrs
from jishiban.open311.attributes import AttributeSpec, check_attributes
from jishiban.open311.formats import render, to_xml, w3c
from jishiban.open311.models import Datatype
from jishiban.open311.posting import full_name
from jishiban.open311.status import CLOSED, OPEN, open311_status, states_for

from .conftest import parse_xml

SPECS = [
    AttributeSpec("pole", "string", required=True),
    AttributeSpec("count", "number"),
    AttributeSpec("seen", "datetime"),
    AttributeSpec("kind", "singlevaluelist", required=True, keys=("1", "2")),
    AttributeSpec("many", "multivaluelist", keys=("a", "b")),
    AttributeSpec("note", "text"),
    AttributeSpec("info", "string", required=True, variable=False),
]

def test_datatype_choices_match_the_checker():
    assert set(Datatype.values) == set(attrs.DATATYPES)


def test_valid_attributes_are_cleaned():
    cleaned, problems = check_attributes(SPECS, {
        "pole": [" RC-1 "], "count": ["3.5"], "seen": ["2026-11-26T20:00:00Z"], "kind": ["2"], "many": ["a", "b"],
        "note": ["x" * 4000],
    })
    assert problems == []
    assert cleaned["pole"] == "RC-1" and cleaned["many"] == ["a", "b"] and "info" not in cleaned


@pytest.mark.parametrize("posted,expected", [
    ({"kind": ["1"]}, [("pole", attrs.REQUIRED)]),
    ({"pole": ["p"], "kind": ["3"]}, [("kind", attrs.NOT_A_CHOICE)]),
    ({"pole": ["p"], "kind": ["1", "2"]}, [("kind", attrs.ONE_VALUE_ONLY)]),
    ({"pole": ["p"], "kind": ["1"], "count": ["NaN"]}, [("count", attrs.NOT_A_NUMBER)]),
    ({"pole": ["p"], "kind": ["1"], "count": ["12a"]}, [("count", attrs.NOT_A_NUMBER)]),
    ({"pole": ["p"], "kind": ["1"], "seen": ["tonight"]}, [("seen", attrs.NOT_A_DATETIME)]),
    ({"pole": ["p"], "kind": ["1"], "many": ["a", "z"]}, [("many", attrs.NOT_A_CHOICE)]),
    ({"pole": ["p" * 501], "kind": ["1"]}, [("pole", attrs.TOO_LONG)]),
    ({"pole": ["p"], "kind": ["1"], "own": ["x" * 2001]}, [("own", attrs.TOO_LONG)]),
])
def test_attribute_problems(posted, expected):
    assert check_attributes(SPECS, posted)[1] == expected


def test_undefined_attributes_are_kept_but_bounded():
    posted = {"pole": ["p"], "kind": ["1"], **{f"x{i}": ["v"] for i in range(35)}}
    cleaned, problems = check_attributes(SPECS, posted)
    assert problems == [("x30", attrs.TOO_MANY)] and "x29" in cleaned and "x30" not in cleaned


def test_xml_shapes_lists_nones_and_booleans():
    xml = to_xml("service_definition", {"service_code": "1", "attributes": [
        {"variable": True, "code": "k", "datatype_description": None, "values": [{"key": "1", "name": "一"}]}]})
    root = parse_xml(xml)
    assert xml.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert root.find("attributes/attribute/variable").text == "true"
    assert root.find("attributes/attribute/datatype_description").text is None
    assert root.find("attributes/attribute/values/value/name").text == "一"


def test_json_and_xml_lists():
    assert render("json", "errors", [{"code": 400, "description": "缺少"}], "error") == \
        '[{"code":400,"description":"缺少"}]'.encode()
    root = parse_xml(render("xml", "errors", [{"code": 400, "description": "缺少"}], "error"))
    assert root.find("error/code").text == "400"


def test_w3c_datetime():
    moment = datetime(2026, 11, 27, 1, 30, 5, 123456, tzinfo=UTC)
    from zoneinfo import ZoneInfo

    assert w3c(moment, ZoneInfo("Asia/Shanghai")) == "2026-11-27T09:30:05+08:00"
    assert w3c(None) is None


@pytest.mark.parametrize("state,status", [
    (State.RECEIVED, OPEN), (State.DISPATCHED, OPEN), (State.RETURNED, OPEN), (State.REOPENED, OPEN),
    (State.EXTENSION_REQUESTED, OPEN), (State.REPLIED, CLOSED), (State.CALLBACK_DONE, CLOSED),
    (State.CLOSED, CLOSED), (State.ANSWERED, CLOSED), (State.MERGED, CLOSED), (State.INVALID, CLOSED),
])
def test_status_mapping(state, status):
    assert open311_status(state) == status
    assert str(state) in states_for([status]) and str(state) not in states_for([OPEN if status == CLOSED else CLOSED])


@pytest.mark.parametrize("text,hidden", [
    ("电话13912345678", "13912345678"),
    ("电话 +86 139 1234 5678", "1234"),
    ("身份证370811199001011234", "19900101"),
    ("身份证号370811199001011235（校验位错）", "19900101"),  # fails the checksum: still personal
    ("座机0537-2345678", "2345678"),
])
def test_masking_hides_numbers(text, hidden):
    assert hidden not in mask_public(text)


def test_masking_keeps_ordinary_text_and_masks_names():
    assert mask_public("2026年11月停水3天，张伟反映", SimpleNamespace(citizen_name="张伟")) == "2026年11月停水3天，张*反映"
    assert mask_public("") == "" and mask_public(None) == ""


def test_full_name_order():
    assert full_name("三", "张") == "张三"
    assert full_name("John", "Smith") == "John Smith"
    assert full_name("", "") == ""
