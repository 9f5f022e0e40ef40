from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "jishiban.intake"
    label = "intake"
    verbose_name = _("诉求汇聚")

    def ready(self) -> None:
        from jishiban.appeals.signals import transition_recorded

        from .outbox import record_result
        from .receivers import ensure_schedule, queue_after_intake

        transition_recorded.connect(record_result, dispatch_uid="intake-record-result")
        transition_recorded.connect(queue_after_intake, dispatch_uid="intake-after-intake")
        post_migrate.connect(ensure_schedule, sender=self, dispatch_uid="intake-schedule")
