"""Random secrets that are handed out once and kept only as a digest (API tokens, staff
invitations).

A secret of 256 random bits cannot be guessed from a list, so a fast digest protects it (a slow
hash protects passwords, which people choose), and the digest can be a unique column: a secret
presented later is found in one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets

SECRET_BYTES = 32


def new_secret() -> str:
    """A new URL-safe secret of ``SECRET_BYTES`` random bytes."""
    return secrets.token_urlsafe(SECRET_BYTES)


def digest_of(secret: str) -> str:
    """The SHA-256 digest of ``secret``, as 64 hexadecimal characters."""
    return hashlib.sha256(secret.encode()).hexdigest()
