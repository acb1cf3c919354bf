from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Samordning")

    def ready(self) -> None:
        from cases.events import facts_changed
        from coordination.receivers import on_facts_changed

        facts_changed.connect(on_facts_changed, dispatch_uid="coordination.deadlines")
