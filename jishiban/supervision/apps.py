from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "jishiban.supervision"
    label = "supervision"
    verbose_name = _("督查督办")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from jishiban.appeals.signals import transition_recorded

        from .jobs import ensure_schedules
        from .receivers import on_transition_recorded
        from .triggers import ensure_default_rules

        transition_recorded.connect(on_transition_recorded, dispatch_uid="supervision-transition-recorded")
        post_migrate.connect(ensure_default_rules, sender=self, dispatch_uid="supervision-default-rules")
        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="supervision-schedules")
