from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "jishiban.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
        post_migrate.connect(receivers.ensure_schedule, sender=self, dispatch_uid="audit-schedule")
