"""Domain errors: a code for machines, a translatable message, the fields it concerns."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, ConflictError


def test_an_application_error_carries_its_code_message_and_fields() -> None:
    message = _("Sluttdato må være etter startdato.")

    error = ApplicationError(message, code="invalid_period", fields={"valid_until": message})

    assert (error.status, error.code, error.message) == (400, "invalid_period", message)
    assert error.fields == {"valid_until": message}
    assert str(error) == "Sluttdato må være etter startdato."


def test_an_error_without_a_code_keeps_its_class_code() -> None:
    assert (ApplicationError("Nei").code, ApplicationError("Nei").fields) == ("invalid", {})


def test_a_conflict_says_which_version_is_current() -> None:
    error = ConflictError("Endret av en annen", current_version=4)

    assert (error.status, error.code, error.current_version) == (409, "conflict", 4)
