from xml.etree import ElementTree

import pytest

from jishiban.channels.models import Channel
from jishiban.open311.catalog import clear_snapshot
from jishiban.open311.keys import create_key
from jishiban.open311.models import ServiceAttribute
from jishiban.taxonomy.models import Category

BASE = "/open311/v2"
STREETLIGHT = "030201"  # 市政设施 / 路灯不亮


@pytest.fixture(autouse=True)
def fresh_service_snapshot():
    """Each test's database differs (rolled back): never reuse another test's snapshot."""
    clear_snapshot()
    yield
    clear_snapshot()


@pytest.fixture
def api_key(reference_data):
    """(ApiKey, raw key) of a client system posting on the ``open311`` channel."""
    return create_key(channel=Channel.objects.get(code="open311"), name="测试客户端")


@pytest.fixture
def streetlight_attributes(reference_data):
    category = Category.objects.get(code=STREETLIGHT)
    specs = [
        ("pole_number", "string", True, "灯杆编号", []),
        ("lamps_out", "number", False, "不亮的灯数", []),
        ("noticed_at", "datetime", False, "发现时间", []),
        ("kind", "singlevaluelist", True, "故障类型", [{"key": "1", "name": "全部不亮"}, {"key": "2", "name": "闪烁"}]),
        ("details", "text", False, "补充说明", []),
        ("hazards", "multivaluelist", False, "伴随隐患",
         [{"key": "wire", "name": "电线裸露"}, {"key": "tilt", "name": "灯杆倾斜"}, {"key": "dark", "name": "路段全黑"}]),
    ]
    return [
        ServiceAttribute.objects.create(category=category, code=code, datatype=datatype, required=required,
                                        description=description, order=order, values=values)
        for order, (code, datatype, required, description, values) in enumerate(specs, start=1)
    ]


def valid_form(raw_key: str, **overrides) -> dict:
    form = {
        "api_key": raw_key, "jurisdiction_id": "jining", "service_code": STREETLIGHT,
        "lat": "35.414500", "long": "116.587200", "address_string": "任城区共青团路与太白楼路交叉口",
        "description": "路口东侧三盏路灯连续一周不亮，夜间行人很危险",
        "email": "citizen@example.com", "first_name": "三", "last_name": "张", "phone": "13912345678",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def parse_xml(content: bytes) -> ElementTree.Element:
    """Our own server's XML output (trusted: written by ``formats.to_xml``)."""
    return ElementTree.fromstring(content)  # noqa: S314
