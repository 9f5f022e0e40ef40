from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "jishiban.routing"
    label = "routing"
    verbose_name = _("派单目录")

    def ready(self) -> None:
        from . import receivers
        from .services.learning import ensure_schedule

        receivers.connect()
        post_migrate.connect(ensure_schedule, sender=self, dispatch_uid="routing-schedule")
