from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

PURGE_SCHEDULE = "jishiban.api.purge_idempotency"


def ensure_schedule(app_config=None, using="default", **kwargs) -> None:
    """``post_migrate``: a daily job removing expired Idempotency-Key records (idempotent)."""
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name=PURGE_SCHEDULE,
        defaults={"func": "jishiban.api.idempotency.purge", "schedule_type": Schedule.DAILY, "repeats": -1},
    )


class ApiConfig(AppConfig):
    name = "jishiban.api"
    label = "api"
    verbose_name = _("接口")

    def ready(self) -> None:
        post_migrate.connect(ensure_schedule, sender=self, dispatch_uid="api-schedule")
