from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmartConfig(AppConfig):
    name = "jishiban.smart"
    label = "smart"
    verbose_name = _("智慧大脑")
