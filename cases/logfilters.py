"""A logging filter that masks national identity numbers in every log record."""

from __future__ import annotations

import logging
import re

from cases.identity import ELEVEN_DIGITS

# Eleven digits as the identity module finds them in text (spaces or dashes between any of them),
# not part of a longer run of digits: a twelve-digit order number stays readable.
IDENTITY_NUMBER_PATTERN = re.compile(rf"(?<![0-9]){ELEVEN_DIGITS}(?![0-9])")
REPLACEMENT = "[identitetsnummer]"


def redact(text: str) -> str:
    return IDENTITY_NUMBER_PATTERN.sub(REPLACEMENT, text)


class RedactIdentityNumbers(logging.Filter):
    """Replaces any identity number in the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
