"""``apikey create|revoke|list``: Open311 API keys of client systems.

jishiban apikey create --channel open311 --name "某某市民APP"   → the new key is the LAST line
jishiban apikey revoke 1a2b3c4d
jishiban apikey list
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishiban.channels.models import Channel
from jishiban.open311.keys import create_key, revoke_key
from jishiban.open311.models import ApiKey


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


class Command(BaseCommand):
    help = gettext_lazy("Open311 接口密钥：创建（只显示一次）、吊销、列出。")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,revoke,list}")
        create = actions.add_parser("create", help=_("为渠道创建新密钥，密钥打印在最后一行"))
        create.add_argument("--channel", required=True, help=_("渠道代码，如 open311"))
        create.add_argument("--name", default="", help=_("使用方名称"))
        revoke = actions.add_parser("revoke", help=_("按前缀吊销密钥"))
        revoke.add_argument("prefix")
        actions.add_parser("list", help=_("列出全部密钥（不含密钥本身）"))

    def handle(self, *args, action: str, **options) -> None:
        if action == "create":
            self._create(options["channel"], options["name"])
        elif action == "revoke":
            self._revoke(options["prefix"])
        else:
            self._list()

    def _create(self, code: str, name: str) -> None:
        channel = Channel.objects.filter(code=code).first()
        if channel is None:
            known = ", ".join(Channel.objects.values_list("code", flat=True))
            raise CommandError(_("渠道 %(code)s 不存在（已有：%(known)s）") % {"code": code, "known": known})
        if not channel.is_active:
            raise CommandError(_("渠道 %(code)s 已停用") % {"code": code})
        key, raw = create_key(channel=channel, name=name)
        self.stdout.write(_("已为渠道 %(channel)s 创建密钥 %(prefix)s。密钥只显示这一次，请妥善保存：")
                          % {"channel": channel.code, "prefix": key.prefix})
        self.stdout.write(raw)

    def _revoke(self, prefix: str) -> None:
        try:
            key, changed = revoke_key(prefix)
        except ApiKey.DoesNotExist:
            raise CommandError(_("没有前缀为 %(prefix)s 的密钥") % {"prefix": prefix})
        if changed:
            self.stdout.write(_("已吊销密钥 %(prefix)s") % {"prefix": key.prefix})
        else:
            self.stdout.write(_("密钥 %(prefix)s 已于 %(when)s 吊销") % {"prefix": key.prefix, "when": _when(key.revoked_at)})

    def _list(self) -> None:
        rows = ApiKey.objects.select_related("channel").order_by("created_at")
        self.stdout.write("\t".join([_("前缀"), _("渠道"), _("名称"), _("创建"), _("最近使用"), _("状态")]))
        for key in rows:
            state = _("已吊销 %(when)s") % {"when": _when(key.revoked_at)} if key.revoked_at else _("有效")
            self.stdout.write("\t".join([key.prefix, key.channel.code, key.name or "-", _when(key.created_at),
                                         _when(key.last_used_at), state]))
