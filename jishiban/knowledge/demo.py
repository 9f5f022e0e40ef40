"""Knowledge entries and stock phrases for the demo's categories (called by the demo loader)."""

from __future__ import annotations

from jishiban.organisations.models import Organisation
from jishiban.taxonomy.models import Category

from . import services
from .models import Entry, EntryKind, Phrase, PhrasePurpose

K = EntryKind
# (category code, owner unit code, kind, title, body)
ENTRIES = (
    ("020101", "city-water", K.POLICY, "计划停水通知与恢复供水时间查询",
     "计划停水提前24小时在“济宁水务”公众号和小区公告栏发布；突发停水抢修一般6小时内恢复供水。"
     "市民可拨打供水服务热线查询具体恢复时间，停水超过24小时的，由供水企业安排临时送水。"),
    ("020102", "city-water", K.PROCEDURE, "自来水水质检测申请流程",
     "怀疑自来水水质异常（浑浊、有异味）的，可申请免费入户检测：拨打供水服务热线登记，检测人员2个工作日内上门取样，"
     "检测结果5个工作日内告知。"),
    ("020201", "ent-power", K.POLICY, "停电抢修与计划检修停电查询",
     "计划检修停电提前7天公告；故障停电可拨打95598报修，城区抢修人员45分钟内到达现场。"),
    ("020401", "city-housing", K.POLICY, "供暖期与室温标准",
     "我市供暖期为每年11月15日至次年3月15日，居民室内温度不低于18℃。室温不达标的，可向供热企业申请测温，"
     "测温不达标的按日退还相应热费。"),
    ("030201", "city-urban", K.PROCEDURE, "路灯不亮报修处理时限",
     "主次干道路灯故障24小时内修复，背街小巷48小时内修复；报修时请说明路段和灯杆编号。"),
    ("050101", "city-hrss", K.PROCEDURE, "拖欠工资投诉办理流程",
     "劳动者可携带身份证、劳动合同或工资条等证据，到用人单位所在地劳动保障监察机构投诉；"
     "监察机构自受理之日起60日内办结，情况复杂的可延长30日。"),
    ("050201", "city-hrss", K.HOURS, "社保经办大厅办公时间",
     "市社会保险服务中心办公时间：周一至周五 上午9:00—12:00，下午13:30—17:00（法定节假日除外）；"
     "养老保险查询、转移可在“爱山东”APP办理。"),
    ("060101", "city-education", K.POLICY, "义务教育入学报名时间与材料",
     "小学、初中新生网上报名一般在每年7月上旬进行，需准备户口簿、房产证明或居住证；具体时间以教育局公告为准。"),
    ("080102", "city-market", K.POLICY, "预付卡退费维权途径",
     "经营者停业、跑路导致预付卡无法使用的，可保留购卡凭证和合同，向市场监管部门投诉；"
     "涉嫌诈骗、卷款跑路的，可向公安机关报案。"),
)
PHRASES = (
    (PhrasePurpose.REPLY, None, "经核实，您反映的问题已处理完毕，感谢您对我们工作的支持。"),
    (PhrasePurpose.REPLY, "020101", "经核实，该区域因管网抢修临时停水，现已恢复正常供水。"),
    (PhrasePurpose.CALLBACK, None, "您好，这里是12345热线回访，请问您反映的问题是否已经解决？对办理结果是否满意？"),
    (PhrasePurpose.CALLBACK, None, "感谢您的评价，我们会将您的意见反馈给承办单位。"),
)


def load() -> int:
    """Create the demo entries and phrases once (a second load adds nothing)."""
    made = 0
    units = {o.code: o for o in Organisation.objects.filter(code__in={e[1] for e in ENTRIES})}
    categories = {c.code: c for c in Category.objects.filter(code__in={e[0] for e in ENTRIES} | {"020101"})}
    for code, unit, kind, title, body in ENTRIES:
        if unit not in units or Entry.objects.filter(title=title).exists():
            continue
        services.create_entry(by=None, title=title, body=body, kind=kind, owner_unit=units[unit],
                              category=categories.get(code))
        made += 1
    if not Phrase.objects.exists():
        for sort, (purpose, code, text) in enumerate(PHRASES):
            services.create_phrase(purpose=purpose, text=text, category=categories.get(code) if code else None,
                                   sort=sort)
    return made
