from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxonomyConfig(AppConfig):
    name = "jishiban.taxonomy"
    label = "taxonomy"
    verbose_name = _("诉求分类")
