"""Accepting a staff invitation through the staff OpenID Connect provider.

The invitation page (``coordination.pages.team``) keeps the invitation's id in the session
(``SESSION_KEY``) and sends the person to the provider; any other start of a log-in drops it
(``coordination.pages.oidc.LoginStart``), so a log-in given up at the provider leaves nothing
for the next person to log in in that browser. ``StaffInvitationBackend`` is the staff
client's backend (``cases.oidc.StaffBackend``) with one step more: when the session holds an
invitation, the subject in the ID token accepts it (``services.invitation_accept_with_subject``)
and is logged in as the staff user it belongs to. Without one, or when the invitation can no
longer be accepted, it is the staff log-in as before (an unknown subject is refused).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.utils.translation import gettext as _

from cases.oidc import STAFF, StaffBackend, client_config
from cases.services import staff as staff_services
from core.errors import ApplicationError

SESSION_KEY = "staff_invitation"


class StaffInvitationBackend(StaffBackend):
    def user_for(self, claims: dict[str, Any]) -> Any:
        invitation_id = self.request.session.pop(SESSION_KEY, None)
        if invitation_id is None:
            return super().user_for(claims)
        config = client_config(STAFF)
        assert config is not None
        try:
            user = staff_services.invitation_accept_with_subject(
                invitation_id=invitation_id, issuer=config["issuer"], subject=claims["sub"]
            )
        except ApplicationError as exc:
            messages.error(self.request, str(exc.message))
            return super().user_for(claims)
        messages.success(self.request, _("Velkommen! Invitasjonen er godtatt."))
        return user
