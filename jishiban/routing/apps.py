from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "jishiban.routing"
    label = "routing"
    verbose_name = _("派单目录")
