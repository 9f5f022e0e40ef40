"""``token create|list|revoke``: API tokens for channel and department systems.

jishiban token create wechat-gateway --channel 12345-wechat --name 微信网关 [--scope intake|read|act] [--days N]
jishiban token list [USERNAME]
jishiban token revoke jsb_AbCdEfGh
The token is printed once, as the last line of ``create``; only its hash is stored.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishiban.api.models import ApiToken, TokenScope
from jishiban.api.tokens import create_token, lifetime_days, revoke
from jishiban.channels.models import Channel


class Command(BaseCommand):
    help = gettext_lazy("接口令牌：创建（最后一行输出令牌）、列出、吊销。")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = actions.add_parser("create", help=_("为用户创建令牌，最后一行为令牌本身（只显示一次）"))
        create.add_argument("username")
        create.add_argument("--name", default="", help=_("令牌用途，如“微信网关”"))
        create.add_argument("--channel", default="", help=_("限定只能向该渠道提交诉求（渠道代码）"))
        create.add_argument("--scope", default=TokenScope.ACT, choices=TokenScope.values,
                            help=_("权限范围：intake 仅受理，read 只读，act 读取与办理（默认）"))
        create.add_argument("--days", type=int, default=None,
                            help=_("有效天数（默认 JISHIBAN_API_TOKEN_DAYS，不超过 JISHIBAN_API_TOKEN_MAX_DAYS）"))
        listing = actions.add_parser("list", help=_("列出令牌（不含令牌本身）"))
        listing.add_argument("username", nargs="?")
        revoking = actions.add_parser("revoke", help=_("吊销令牌（按前缀或编号）"))
        revoking.add_argument("token", help=_("令牌前缀（如 jsb_AbCdEfGh）或编号"))

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action}")(**options)

    def _create(self, *, username: str, name: str, channel: str, scope: str, days: int | None, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户 %(u)s 不存在") % {"u": username})
        if not user.is_active:
            raise CommandError(_("用户 %(u)s 已停用") % {"u": username})
        bound = None
        if channel:
            bound = Channel.objects.filter(code=channel).first()
            if bound is None:
                raise CommandError(_("渠道 %(c)s 不存在") % {"c": channel})
        maximum = lifetime_days()[1]
        if days is not None and not 1 <= days <= maximum:
            raise CommandError(_("--days 须为 1～%(n)d") % {"n": maximum})
        row, token = create_token(user, name=name, channel=bound, scope=scope, days=days)
        self.stderr.write(_("已为 %(u)s 创建令牌 #%(id)d（%(p)s…，%(scope)s，%(until)s 到期）。请妥善保存，令牌不会再次显示：")
                          % {"u": username, "id": row.pk, "p": row.prefix, "scope": row.get_scope_display(),
                             "until": timezone.localtime(row.expires_at).strftime("%Y-%m-%d %H:%M")})
        self.stdout.write(token)

    def _list(self, *, username: str | None, **options) -> None:
        now = timezone.now()
        rows = ApiToken.objects.select_related("user", "channel").order_by("user__username", "-created_at")
        if username:
            rows = rows.filter(user__username=username)
        for row in rows:
            state = _("已吊销") if row.revoked_at else (_("已过期") if row.expires_at <= now else _("有效"))
            used = timezone.localtime(row.last_used_at).strftime("%Y-%m-%d %H:%M") if row.last_used_at else "-"
            until = timezone.localtime(row.expires_at).strftime("%Y-%m-%d")
            channel = row.channel.code if row.channel else "-"
            self.stdout.write(f"#{row.pk}\t{row.prefix}…\t{row.user.username}\t{channel}\t{row.scope}\t{row.name}"
                              f"\t{state}\t{until}\t{used}")

    def _revoke(self, *, token: str, **options) -> None:
        if token.isdigit():
            rows = ApiToken.objects.filter(pk=int(token))
        else:
            if len(token) < 8:
                raise CommandError(_("前缀太短，请至少提供 8 个字符"))
            rows = ApiToken.objects.filter(prefix__startswith=token[:12])
            if rows.count() > 1:
                raise CommandError(_("前缀 %(t)s 对应多个令牌，请提供更长的前缀或编号") % {"t": token})
        if not rows.exists():
            raise CommandError(_("找不到令牌 %(t)s") % {"t": token})
        count = revoke(rows)
        self.stdout.write(_("已吊销 %(n)d 个令牌") % {"n": count})
