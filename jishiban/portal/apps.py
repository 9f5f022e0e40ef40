from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "jishiban.portal"
    label = "portal"
    verbose_name = _("群众端（济时办）")
