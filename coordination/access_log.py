"""The access log's daily digest, e-mailed to the privacy officers.

``consent.chain`` keeps the access log's hash chain and stores the head of each day that has
ended (``AccessLogDigest``); here the new digests go by e-mail to every privacy officer (staff
with the role ``PRIVACY_OFFICER`` in a service, membership not ended, account active), who keep
the e-mail outside Samordna. A history rewritten in the database, digests included, then no
longer matches the e-mails (``manage.py verify_access_log --digest …``).

The digest is stored in the transaction that sends it: if the e-mail cannot be sent, nothing is
stored and the next run (hourly) tries again. The e-mail holds dates, counts and hashes only:
no names, identity numbers or case content.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from cases.models import StaffRole
from consent import chain
from consent.models import AccessLogDigest

logger = logging.getLogger(__name__)


def privacy_officer_addresses() -> list[str]:
    """The addresses of the privacy officers now, each once."""
    return sorted(
        set(
            get_user_model()
            .objects.filter(
                is_active=True,
                memberships__role=StaffRole.PRIVACY_OFFICER,
                memberships__ended_at__isnull=True,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def digest_message(digests: list[AccessLogDigest], address: str) -> EmailMessage:
    """One plain-text e-mail with the new days' digests, Norwegian first, English alongside."""
    context = {
        "digests": [
            {
                "day": digest.day,
                "rows": digest.rows,
                "head_id": digest.head_id,
                "given": str(chain.GivenDigest(digest.day, digest.head_id, bytes(digest.head))),
            }
            for digest in digests
        ],
        "first": digests[0].day,
        "last": digests[-1].day,
    }
    with translation.override("nb"):
        subject = render_to_string("email/access_log_digest_subject.txt", context).strip()
        body = render_to_string("email/access_log_digest.txt", context)
    return EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
    )


def digest_and_send() -> int:
    """Store the digests of the days that have ended and e-mail them to the privacy officers,
    in one transaction: an e-mail that fails leaves the days for the next run. Returns the
    number of days digested."""
    with transaction.atomic():
        digests = chain.digest_days()
        if not digests:
            return 0
        addresses = privacy_officer_addresses()
        if not addresses:
            logger.warning("access-log digest stored; there is no privacy officer to send it to")
        messages = [digest_message(digests, address) for address in addresses]
        get_connection(fail_silently=False).send_messages(messages)
    return len(digests)
