"""National identity numbers never reach the logs."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from django.conf import settings

from cases import identity
from cases.logfilters import RedactIdentityNumbers, redact


def _logger_with_filter() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactIdentityNumbers())
    logger = logging.getLogger("tests.redaction")
    logger.handlers = [handler]
    logger.propagate = False
    return logger, stream


def test_it_masks_numbers_in_messages_arguments_and_tracebacks() -> None:
    logger, stream = _logger_with_filter()
    logger.warning("Oppslag på %s feilet", "13097248022")
    logger.warning("med mellomrom 130972 48022 og bindestrek 130972-48022")
    try:
        raise ValueError("ugyldig: 29029648784")
    except ValueError:
        logger.exception("feil")
    output = stream.getvalue()
    for number in ("13097248022", "48022", "29029648784"):
        assert number not in output
    assert output.count("[identitetsnummer]") >= 4  # message, args, exception text


@pytest.mark.parametrize(
    "text",
    [
        "130972\u00a048022",  # a no-break space
        "130972\u201348022",  # a dash from a word processor
        "130972 - 48022",
        "130972  48022",
        "13 09 72 480 22",
        "1309-7248-022",
    ],
)
def test_it_masks_the_other_forms_people_type_a_number_in(text: str) -> None:
    assert identity.contains_identity_number(text)  # the one pattern, also for searches
    assert redact(f"Oppslag på {text} feilet") == "Oppslag på [identitetsnummer] feilet"


def test_it_leaves_other_numbers_alone() -> None:
    assert redact("ordre 123456789012 og tlf 41234567") == "ordre 123456789012 og tlf 41234567"


def test_the_console_handler_in_settings_uses_the_filter() -> None:
    assert "redact_identity_numbers" in settings.LOGGING["handlers"]["console"]["filters"]


def test_a_refused_registration_logs_no_identity_number(
    people: Any, client_for: Any, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    number = "13097248023"
    client_for(people.nav_advisor).post(
        "/api/v1/youths/lookup/", {"national_id": number}, format="json"
    )
    client_for(people.outsider).post(
        "/api/v1/youths/lookup/", {"national_id": people.youth.national_id}, format="json"
    )
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert number not in logged
    assert people.youth.national_id not in logged
