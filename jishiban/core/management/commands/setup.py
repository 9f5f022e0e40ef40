"""``setup``: a centre's first install (and every later one) without the demo.

jishiban setup --admin admin                              → migrate, the project's Jining files, an administrator
jishiban setup --gazetteer city.json --taxonomy tax.json --organisations orgs.json --admin admin
JISHIBAN_ADMIN_PASSWORD=… jishiban setup --admin admin --no-input

Migrates the database, checks the city's reference files (every problem named by file and
entry; nothing written while there is one), writes them by code (updates, never duplicates),
seeds the dispatch catalogue, and creates the first administrator unless one exists: the
password from ``JISHIBAN_ADMIN_PASSWORD`` or asked twice at the terminal. Safe to run again.
"""

from __future__ import annotations

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishiban.accounts.models import Role
from jishiban.core.reference import ReferenceDataError, load_reference
from jishiban.organisations.models import Organisation, OrgKind, OrgLevel

PASSWORD_VARIABLE = "JISHIBAN_ADMIN_PASSWORD"  # noqa: S105 - the variable's name


class Command(BaseCommand):
    help = gettext_lazy("首次部署（不含演示数据）：建表、加载本市区划/分类/单位、建立第一个管理员；可重复运行。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--gazetteer", default="jining", help=_("区划文件：项目自带的名称（jining）或 JSON 路径"))
        parser.add_argument("--taxonomy", default="default", help=_("分类文件：项目自带的名称（default）或 JSON 路径"))
        parser.add_argument("--organisations", default="jining",
                            help=_("单位文件：项目自带的名称（jining）或 JSON 路径"))
        parser.add_argument("--admin", default="", help=_("第一个管理员的用户名（已有管理员时不再建立）"))
        parser.add_argument("--admin-email", default="")
        parser.add_argument("--no-input", action="store_true",
                            help=_("不询问：管理员密码取自环境变量 %(v)s") % {"v": PASSWORD_VARIABLE})
        parser.add_argument("--skip-migrate", action="store_true", help=_("不运行 migrate"))

    def handle(self, *args, **o) -> None:
        interactive = not o["no_input"] and sys.stdin.isatty()
        if not o["skip_migrate"]:
            self.stderr.write(_("[1/4] 建表（migrate）……"))
            call_command("migrate", interactive=False, verbosity=0)
        self.stderr.write(_("[2/4] 检查并加载区划、分类、单位……"))
        try:
            loaded = load_reference(o["gazetteer"], o["taxonomy"], o["organisations"])
        except ReferenceDataError as exc:
            raise CommandError(_("参考数据有误，未写入任何数据：\n%(p)s") % {"p": "\n".join(exc.problems)})
        names = {"counties": _("市与县市区"), "towns": _("乡镇街道"), "categories": _("分类"), "organisations": _("单位")}
        for kind, counts in loaded.counts.items():
            self.stdout.write(f"{names[kind]}：{counts}")
        self.stderr.write(_("[3/4] 派单目录……"))
        self._catalogue(o["gazetteer"])
        self.stderr.write(_("[4/4] 管理员……"))
        self._admin(o["admin"], o["admin_email"], interactive)

    def _catalogue(self, city: str) -> None:
        from jishiban.routing.services.seeding import seed_catalogue

        # The project's curated rules belong to its own city; other gazetteers get the domain map.
        seeded = seed_catalogue(city if "/" not in city and not city.endswith(".json") else "")
        self.stdout.write(_("派单目录：新增 %(c)d 条规则，已有 %(e)d 条") % {"c": seeded["created"], "e": seeded["existing"]})

    def _admin(self, username: str, email: str, interactive: bool) -> None:
        users = get_user_model().objects
        admins = users.filter(is_superuser=True, is_active=True)
        if admins.exists() and (not username or users.filter(username=username).exists()):
            self.stdout.write(_("已有管理员：%(u)s") % {"u": "、".join(admins.values_list("username", flat=True)[:5])})
            return
        if not username:
            if not interactive:
                self.stdout.write(_("未建立管理员：用 --admin 用户名 指定（密码取自 %(v)s）") % {"v": PASSWORD_VARIABLE})
                return
            username = input(_("管理员用户名：")).strip()
            if not username:
                raise CommandError(_("未填写管理员用户名"))
        if users.filter(username=username).exists():
            raise CommandError(_("用户 %(u)s 已存在但不是管理员；请换一个用户名，或在管理后台授予权限") % {"u": username})
        user = users.model(username=username, email=email, role=Role.ADMIN, is_staff=True, is_superuser=True,
                           organisation=self._centre())
        password = self._password(user, interactive)
        user.set_password(password)
        user.save()
        self.stdout.write(_("已建立管理员 %(u)s") % {"u": username})

    @staticmethod
    def _centre() -> Organisation | None:
        return Organisation.objects.filter(kind=OrgKind.CENTRE, level=OrgLevel.CITY).order_by("code").first()

    def _password(self, user, interactive: bool) -> str:
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password and interactive:
            password = getpass.getpass(_("管理员密码："))
            if getpass.getpass(_("再输入一次：")) != password:
                raise CommandError(_("两次输入的密码不一致"))
        if not password:
            raise CommandError(_("没有管理员密码：设置环境变量 %(v)s，或在终端运行以输入密码") % {"v": PASSWORD_VARIABLE})
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(_("管理员密码不符合要求：%(m)s") % {"m": "；".join(exc.messages)})
        return password
