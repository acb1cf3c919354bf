"""SMS through a gateway: one small interface (``SmsGateway``), chosen by ``SMS_GATEWAY``.

- ``FileGateway`` (the default, as the file e-mail backend is for mail) writes each SMS as one
  JSON line to ``SMS_FILE_PATH``: nothing leaves the machine.
- ``LinkMobilityGateway`` posts to LINK Mobility's SMS REST API (``SMS_GATEWAY_URL``, the
  send endpoint): JSON with ``source``, ``destination``, ``userData``, ``platformId``,
  ``platformPartnerId`` and our ``refId``, with basic auth, within ``SMS_TIMEOUT`` seconds.

A gateway that cannot be reached, or answers 5xx or 429, raises ``SmsUnavailable`` (an
``OSError``, retried like an SMTP failure: the rows stay pending). One that refuses the message
(any other 4xx: a bad number, a refused sender) raises ``SmsRejected``, which is final and
recorded on the rows.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsUnavailable(OSError):
    """The gateway could not take the message now: try again later."""


class SmsRejected(Exception):
    """The gateway refused the message for good (a bad number, for one)."""


class SmsGateway(Protocol):
    def send(self, *, to: str, text: str, reference: str) -> str:
        """Send ``text`` to the number ``to`` (``+47…``); returns the gateway's message id.
        ``reference`` is ours: the same reference twice is the same message."""
        ...


class FileGateway:
    """Each SMS as one JSON line in ``SMS_FILE_PATH``/sms.jsonl."""

    def send(self, *, to: str, text: str, reference: str) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"to": to, "text": text, "reference": reference, "at": timezone.now().isoformat()}
        )
        with (folder / "sms.jsonl").open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        return f"file-{reference}"


class LinkMobilityGateway:
    """LINK Mobility's SMS REST API (the common platform's ``sms/send``)."""

    def __init__(self) -> None:
        if not settings.SMS_GATEWAY_URL.startswith(("https://", "http://")):
            raise SmsUnavailable("SMS_GATEWAY_URL is not an http(s) address")
        self.url = settings.SMS_GATEWAY_URL
        credentials = f"{settings.SMS_GATEWAY_USER}:{settings.SMS_GATEWAY_PASSWORD}"
        self.auth = "Basic " + base64.b64encode(credentials.encode()).decode("ascii")

    def body(self, *, to: str, text: str, reference: str) -> dict[str, object]:
        return {
            "source": settings.SMS_SENDER,
            "destination": to,
            "userData": text,
            "platformId": settings.SMS_PLATFORM_ID,
            "platformPartnerId": settings.SMS_PLATFORM_PARTNER_ID,
            "refId": reference,
            "useDeliveryReport": False,
        }

    def send(self, *, to: str, text: str, reference: str) -> str:
        request = urllib.request.Request(  # noqa: S310 (http(s) only: checked above)
            self.url,
            data=json.dumps(self.body(to=to, text=text, reference=reference)).encode(),
            headers={
                "Authorization": self.auth,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 (http(s) only)
                request, timeout=settings.SMS_TIMEOUT
            ) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            status = error.code
            # Kept on the row and shown in the admin: without a number the gateway may echo.
            detail = re.sub(r"\+?\d[\d ]{3,}\d", "…", error.read()[:200].decode("utf-8", "replace"))
            if status >= 500 or status in (408, 429):
                raise SmsUnavailable(f"gateway answered {status}") from None
            raise SmsRejected(f"gateway refused the message ({status}): {detail}") from None
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise SmsUnavailable(f"gateway not reached: {type(error).__name__}") from None
        return str(answer.get("messageId") or reference)


def gateway() -> SmsGateway:
    """The gateway ``SMS_GATEWAY`` names."""
    gateway_class = import_string(settings.SMS_GATEWAY)
    return gateway_class()
