"""The privacy notice (个人信息保护告知, PIPL art. 17): what is kept, for how long, who sees it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import conf


def notice() -> list[tuple[str, str]]:
    years = conf.get("RETENTION_YEARS")
    return [
        (_("收集哪些信息"), _("您填写的诉求内容、照片、地址，以及您留下的姓名和手机号（匿名反映时不收集姓名和手机号）。")),
        (_("用于什么"), _("仅用于受理、转交、办理、督办和回访您的诉求，并向您发送受理和办理短信。")),
        (_("谁能看到"), _("12345 中心工作人员和承办单位的经办人员；选择身份保密或举报件时，只有中心督办人员和主办单位能看到"
                        "您的姓名和电话，每次查看都有记录。公开答复中的个人信息一律脱敏。")),
        (_("保存多久"), _("办结后保存 %(n)d 年，期满删除或匿名化处理。") % {"n": years}),
        (_("您的权利"), _("您可以查询、更正您的信息，可以要求答复不公开；如有疑问请拨打 12345。")),
    ]
