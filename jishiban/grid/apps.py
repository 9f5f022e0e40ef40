from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "jishiban.grid"
    label = "grid"
    verbose_name = _("网格化服务管理")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from jishiban.appeals.signals import transition_recorded
        from jishiban.intake.hooks import register_after_intake

        from . import jobs, receivers

        register_after_intake(receivers.after_intake)
        transition_recorded.connect(receivers.appeal_progress, dispatch_uid="grid-appeal-progress")
        post_migrate.connect(jobs.ensure_schedules, sender=self, dispatch_uid="grid-schedules")
