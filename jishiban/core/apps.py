from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jishiban.core"
    label = "core"
    verbose_name = _("公共")

    def ready(self):
        from . import staticfiles  # noqa: F401  (its deploy check: the static files are collected)
