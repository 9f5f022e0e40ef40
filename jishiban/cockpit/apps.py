from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "jishiban.cockpit"
    label = "cockpit"
    verbose_name = _("智慧大脑")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .jobs import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="cockpit-schedules")
