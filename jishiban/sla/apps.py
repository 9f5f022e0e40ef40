from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "jishiban.sla"
    label = "sla"
    verbose_name = _("工作日历与时限")

    def ready(self) -> None:
        from django.core.signals import setting_changed
        from django.db.models.signals import post_delete, post_save

        from .models import CalendarYear, Holiday
        from .services import on_calendar_data_changed, on_setting_changed

        # Any change to the holiday data makes the cached WorkCalendar stale.
        for model in (Holiday, CalendarYear):
            for event, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    on_calendar_data_changed, sender=model, dispatch_uid=f"sla-{model.__name__}-{event}"
                )
        setting_changed.connect(on_setting_changed, dispatch_uid="sla-setting-changed")
