from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "jishiban.knowledge"
    label = "knowledge"
    verbose_name = _("知识库")

    def ready(self) -> None:
        from jishiban.appeals.signals import transition_recorded

        from .receivers import on_transition_recorded

        transition_recorded.connect(on_transition_recorded, dispatch_uid="knowledge-transition-recorded")
