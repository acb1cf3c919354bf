from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Samordning")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from coordination.db import compiled_timestamp_loader

        connection_created.connect(compiled_timestamp_loader, dispatch_uid="coordination.db")
