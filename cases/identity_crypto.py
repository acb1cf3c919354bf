"""Identity numbers at rest: authenticated encryption under a keyring, and a keyed blind index.

A stored number is *sealed* with AES-256-GCM as ``<key id>:<base64(nonce + ciphertext + tag)>``:
a random 96-bit nonce per value, and associated data naming the table, the column and the row
(``associated_data``), so a sealed value copied into another column or another row does not
open. The key id names the key of the ring that opens it; the first key of the ring seals.

The *blind index* is HMAC-SHA256 of the number under a key of its own, as
``<key id>:<base64>``. The same number always gives the same index, so the database finds a
number and keeps it unique by its index, and the clear number is never sent to it. The key
matters: with the birth date (a column in clear) a number has only a few hundred candidates,
which an unkeyed hash would give away at once.

Keys come from settings, read from the environment or a ``_FILE`` secret by
``coordination/settings.py``: ``SAMORDNA_IDENTITY_KEYS`` and ``SAMORDNA_IDENTITY_INDEX_KEY``, each
``kid:base64key[,kid:base64key...]`` with the current key first (a second index key is there only
while the index moves to a new one). Locally they are made on first run into ``var/``
(``development_keys``). How to rotate them: docs/identity-numbers.md.

This module imports nothing of Django's ORM: the settings module uses it to check the keys.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

from cases.identity import normalise

KEY_BYTES = 32  # AES-256, and an HMAC-SHA256 key as long as its output
NONCE_BYTES = 12  # the 96-bit nonce GCM is made for
KEYS_SETTING = "SAMORDNA_IDENTITY_KEYS"
INDEX_KEY_SETTING = "SAMORDNA_IDENTITY_INDEX_KEY"
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,16}")
_ITEM_SEPARATORS = re.compile(r"[,\s]+")


class SealedValueError(Exception):
    """A sealed value that does not open: altered, moved from another column or row, or sealed
    under a key that is not in the ring. The message never holds key material or the value."""


@dataclass(frozen=True)
class Keyring:
    """Keys by id; ``current`` seals (or indexes), every key opens what it sealed."""

    current: str
    keys: dict[str, bytes]


def new_key() -> str:
    """A fresh random key, base64 as the settings take it."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def parse_keyring(raw: str, *, name: str) -> Keyring:
    """``kid:base64key`` items separated by commas (or new lines, in a ``_FILE``); the first
    is current. Raises ImproperlyConfigured naming the setting, never echoing a key."""
    items = [item for item in _ITEM_SEPARATORS.split(raw.strip()) if item]
    if not items:
        raise ImproperlyConfigured(f"{name} holds no key.")
    keys: dict[str, bytes] = {}
    for position, item in enumerate(items, start=1):
        kid, separator, encoded = item.partition(":")
        if not separator or not _KEY_ID.fullmatch(kid):
            raise ImproperlyConfigured(
                f"{name}: key {position} must be kid:base64key, the kid 1-16 of A-Z a-z 0-9 _ . -"
            )
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise ImproperlyConfigured(f"{name}: key {kid!r} is not valid base64.") from None
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"{name}: key {kid!r} must be {KEY_BYTES} random bytes, got {len(key)}."
            )
        if kid in keys:
            raise ImproperlyConfigured(f"{name}: key id {kid!r} is given twice.")
        keys[kid] = key
    return Keyring(current=next(iter(keys)), keys=keys)


def check_keys(keys: str, index_keys: str) -> None:
    """Both rings parse, and no index key is also an encryption key (the index key's holder
    must not be able to decrypt). Raises ImproperlyConfigured."""
    sealing = parse_keyring(keys, name=KEYS_SETTING)
    indexing = parse_keyring(index_keys, name=INDEX_KEY_SETTING)
    if set(sealing.keys.values()) & set(indexing.keys.values()):
        raise ImproperlyConfigured(
            f"{INDEX_KEY_SETTING} must be a key of its own, not one of {KEYS_SETTING}."
        )


def development_keys(path: Path) -> tuple[str, str]:
    """The local keys (encryption, index) kept in ``path``, made on first use.

    For the embedded defaults only: production refuses to start without keys from the
    environment. The file is written whole under a temporary name and linked into place, so
    processes starting together agree on one set of keys (the first link wins).
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (
            "# Local keys for identity numbers (docs/identity-numbers.md). Never for production:\n"
            "# there they come from the environment. Losing this file makes the local\n"
            "# database's identity numbers unreadable.\n"
            f"{KEYS_SETTING}=local1:{new_key()}\n"
            f"{INDEX_KEY_SETTING}=local1:{new_key()}\n"
        )
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(text)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    values: dict[str, str] = {}
    for line in path.read_text(encoding="ascii").splitlines():
        name, separator, value = line.partition("=")
        if separator and not line.startswith("#"):
            values[name.strip()] = value.strip()
    if KEYS_SETTING not in values or INDEX_KEY_SETTING not in values:
        raise ImproperlyConfigured(f"{path} lacks {KEYS_SETTING} or {INDEX_KEY_SETTING}.")
    return values[KEYS_SETTING], values[INDEX_KEY_SETTING]


@dataclass(frozen=True)
class _Rings:
    sealing: Keyring
    ciphers: dict[str, AESGCM]
    indexing: Keyring


@functools.lru_cache(maxsize=8)
def _parsed(keys: str, index_keys: str) -> _Rings:
    sealing = parse_keyring(keys, name=KEYS_SETTING)
    indexing = parse_keyring(index_keys, name=INDEX_KEY_SETTING)
    ciphers = {kid: AESGCM(key) for kid, key in sealing.keys.items()}
    return _Rings(sealing=sealing, ciphers=ciphers, indexing=indexing)


def _rings() -> _Rings:
    from django.conf import settings

    return _parsed(settings.SAMORDNA_IDENTITY_KEYS, settings.SAMORDNA_IDENTITY_INDEX_KEY)


def current_key_ids() -> tuple[str, str]:
    """The ids of the current encryption key and the current index key."""
    rings = _rings()
    return rings.sealing.current, rings.indexing.current


def associated_data(column: str, row: object) -> bytes:
    """What a sealed value is bound to: ``column`` as ``table.column``, and the row's key."""
    return f"{column}/{row}".encode()


def seal(number: str, *, column: str, row: object) -> str:
    """The number encrypted under the current key, bound to the column and the row."""
    rings = _rings()
    kid = rings.sealing.current
    nonce = os.urandom(NONCE_BYTES)
    sealed = rings.ciphers[kid].encrypt(
        nonce, normalise(number).encode("ascii"), associated_data(column, row)
    )
    return f"{kid}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def open_sealed(value: str, *, column: str, row: object) -> str:
    """The clear number of a sealed value; SealedValueError if it does not open here."""
    kid, _separator, encoded = value.partition(":")
    cipher = _rings().ciphers.get(kid)
    if cipher is None:
        raise SealedValueError(
            f"{column}: sealed under key {kid!r}, which is not in {KEYS_SETTING}."
        )
    try:
        raw = base64.b64decode(encoded, validate=True)
        clear = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data(column, row))
    except (binascii.Error, ValueError, InvalidTag):
        raise SealedValueError(
            f"{column}: a sealed value of row {row} does not open (altered or moved)."
        ) from None
    return clear.decode("ascii")


def key_id(value: str) -> str:
    """The key id a sealed value or an index was made under."""
    return value.partition(":")[0]


def _index(kid: str, key: bytes, number: str) -> str:
    digest = hmac.new(key, normalise(number).encode("ascii"), hashlib.sha256).digest()
    return f"{kid}:{base64.b64encode(digest).decode('ascii')}"


def blind_index(number: str) -> str:
    """The number's index under the current index key: what is stored."""
    ring = _rings().indexing
    return _index(ring.current, ring.keys[ring.current], number)


def blind_indexes(number: str) -> list[str]:
    """The number's index under every index key of the ring, current first: what a look-up
    matches (one value, except while the index moves to a new key)."""
    ring = _rings().indexing
    return [_index(kid, key, number) for kid, key in ring.keys.items()]
