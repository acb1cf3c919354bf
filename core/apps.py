from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Revisjon")

    def ready(self) -> None:
        from core import logins, sessions, twofactor  # noqa: F401  the log-in signals' receivers
