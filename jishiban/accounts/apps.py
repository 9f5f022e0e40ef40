from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jishiban.accounts"
    label = "accounts"
    verbose_name = _("用户与角色")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .roles import ensure_role_groups
        from .sessions import mark_login

        post_migrate.connect(ensure_role_groups, dispatch_uid="jishiban-role-groups")
        user_logged_in.connect(mark_login, dispatch_uid="jishiban-session-idle-clock")
