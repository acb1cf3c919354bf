"""Set up a local account's TOTP authenticator, on the server.

    python manage.py totp_enrol <username> [--replace]

The only way a device is made: the web log-in asks for a code from a device that already
exists, and never offers to set one up, so a password alone never enrols a second factor.
The command prints the ``otpauth://`` URI and the same as a QR code in the terminal, once;
nothing keeps them but the device itself. Hand them to the account's holder in person (or
scan the QR code with their authenticator there and then). ``--replace`` deletes the user's
devices first (a lost authenticator).
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import twofactor


class Command(BaseCommand):
    help = "Make a user's TOTP device and print its otpauth:// URI and QR code once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the user's existing devices first (a lost authenticator).",
        )

    def handle(self, *args: Any, username: str, replace: bool, **options: Any) -> None:
        User = get_user_model()
        user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No user is named {username!r}.")
        try:
            device = twofactor.totp_enrol(actor=None, user=user, replace=replace)
        except twofactor.AlreadyEnrolled as exc:
            raise CommandError(
                f"{username!r} already has a TOTP device; --replace deletes it first."
            ) from exc
        qr = io.StringIO()
        segno.make(device.config_url, error="m").terminal(out=qr, compact=True)
        self.stdout.write(
            f"TOTP device made for {username!r}. Shown this once; add it to the "
            f"authenticator now:\n\n{device.config_url}\n\n{qr.getvalue()}"
        )
