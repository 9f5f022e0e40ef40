"""The grid code scheme and the event types (pure data, no Django).

A grid code follows the national pattern: the community's 12-digit statistical code
(county 6 + street 3 + community 3) followed by a 3-digit serial — ``370811011001005`` is grid 5
of community 001 of 古槐街道, 任城区.
"""

from __future__ import annotations

import re

GRID_CODE = re.compile(r"^(\d{6})(\d{3})(\d{3})(\d{3})$")

# The four source layers merged into one grid (四网合一), by field name.
LAYERS = (("zongzhi", "综治网格"), ("jingwu", "警务网格"), ("chengguan", "城管网格"), ("chuangcheng", "创城网格"))

# Event types of the four roles of a grid worker, and the urban-management cases.
KINDS = (
    ("opinion", "社情民意"),
    ("info", "信息采集"),
    ("mediation", "矛盾纠纷调解"),
    ("errand", "民生代办"),
    ("urban", "城市管理案件"),
)
# 信息采集 subjects.
INFO_SUBJECTS = (("household", "住户变动"), ("hazard", "安全隐患"), ("shop", "商户关停"), ("other", "其他"))
# CJ/T 214 classes: 部件 (components) and 事件 (events), major classes.
URBAN_CLASSES = (
    ("part-01", "部件·公用设施"), ("part-02", "部件·道路交通"), ("part-03", "部件·市容环境"),
    ("part-04", "部件·园林绿化"), ("part-05", "部件·房屋土地"), ("part-06", "部件·其他设施"),
    ("event-01", "事件·市容环境"), ("event-02", "事件·宣传广告"), ("event-03", "事件·施工管理"),
    ("event-04", "事件·街面秩序"), ("event-05", "事件·突发事件"), ("event-06", "事件·其他事件"),
)
KIND_LABEL = dict(KINDS)
URBAN_LABEL = dict(URBAN_CLASSES)


def split_grid_code(code: str) -> tuple[str, str, str, str] | None:
    """(county, street, community, serial) of a grid code, or ``None`` when it does not follow the scheme."""
    m = GRID_CODE.match(code or "")
    return m.groups() if m else None  # type: ignore[return-value]


def community_code_of(grid_code: str) -> str | None:
    parts = split_grid_code(grid_code)
    return "".join(parts[:3]) if parts else None


def make_grid_code(community_code: str, serial: int) -> str:
    return f"{community_code}{serial:03d}"
