from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class SmartConfig(AppConfig):
    name = "jishiban.smart"
    label = "smart"
    verbose_name = _("智慧大脑")

    def ready(self):
        from django_q.signals import post_spawn

        from jishiban.appeals.signals import transition_committed, transition_recorded
        from jishiban.intake.hooks import register_after_intake
        from jishiban.regions.models import Region

        from . import geocode_db, receivers, risk, risk_db
        from .followup import on_transition_recorded
        from .models import RiskRule

        register_after_intake(receivers.after_intake)
        risk.set_rules_provider(risk_db.active_rules)
        transition_recorded.connect(on_transition_recorded, dispatch_uid="smart.follow_parent")
        transition_committed.connect(receivers.forget_gone_appeal, dispatch_uid="smart.forget_gone")
        post_save.connect(risk_db.invalidate, sender=RiskRule, dispatch_uid="smart.risk_saved")
        post_delete.connect(risk_db.invalidate, sender=RiskRule, dispatch_uid="smart.risk_deleted")
        post_save.connect(geocode_db.region_saved, sender=Region, dispatch_uid="smart.grid_saved")
        post_delete.connect(geocode_db.region_saved, sender=Region, dispatch_uid="smart.grid_deleted")
        post_migrate.connect(receivers.after_migrate, sender=self, dispatch_uid="smart.after_migrate")
        post_spawn.connect(receivers.warm_up, dispatch_uid="smart.warm_up")
