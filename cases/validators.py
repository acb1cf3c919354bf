"""Django validators around the pure identity-number parser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases import identity

MESSAGES = {
    "length": _("Identitetsnummeret må ha 11 sifre."),
    "format": _("Identitetsnummeret kan bare inneholde sifre."),
    "checksum": _("Kontrollsifrene i identitetsnummeret stemmer ikke."),
    "date": _("Identitetsnummeret inneholder ingen gyldig dato."),
    "future": _("Fødselsdatoen i identitetsnummeret er fram i tid."),
    "fh_number": _("FH-nummer kan ikke brukes her. Oppgi fødselsnummer eller D-nummer."),
    "synthetic": _("Syntetiske testnumre er ikke tillatt i denne installasjonen."),
}


def parse_national_id(value: str) -> identity.IdentityNumber:
    """Parse ``value`` or raise a ValidationError whose code says what is wrong."""
    try:
        parsed = identity.parse(value)
    except identity.InvalidIdentityNumber as exc:
        raise ValidationError(MESSAGES[exc.code], code=exc.code) from None
    if parsed.is_synthetic and not settings.SAMORDNA_ALLOW_SYNTHETIC_IDENTITY_NUMBERS:
        raise ValidationError(MESSAGES["synthetic"], code="synthetic")
    return parsed


def validate_national_id(value: str) -> None:
    parse_national_id(value)


# Searches travel in the URL (GET), and URLs end up in logs and browser history: a search that
# holds an identity number is refused, and the caller is sent to the look-up, which takes the
# number in a POST body.
SEARCH_API_MESSAGE = _(
    "Søk ikke på identitetsnummer i adressen; bruk oppslaget (POST /api/v1/youths/lookup/)."
)


def no_identity_number(message: Any) -> Callable[[str], None]:
    """A validator for search fields: refuses any run of eleven digits (spaces, dashes too)."""

    def validate(value: str) -> None:
        if identity.contains_identity_number(value):
            raise ValidationError(message, code="identity_number")

    return validate
