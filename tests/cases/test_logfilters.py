"""National identity numbers never reach the logs."""

from __future__ import annotations

import io
import logging
from typing import Any

from django.conf import settings

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
