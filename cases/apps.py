from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _forget_assurance_level(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Every log-in starts without an assurance level: the OpenID Connect callback records its
    own after logging in, and a local log-in has none (Django keeps a session's data when the
    same user logs in again, so a level from an earlier ID-porten log-in would otherwise stay)."""
    from cases.oidc import ACR_SESSION_KEY

    if request is not None and hasattr(request, "session"):
        request.session.pop(ACR_SESSION_KEY, None)


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Saker")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_forget_assurance_level, dispatch_uid="cases.forget_acr")
