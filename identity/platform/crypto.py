"""Encryption at rest: AES-256-GCM with a key derived from the secret, context bound as AAD.

The associated data names the table, the row id and the field, so a ciphertext copied into
another row (or another column) fails to decrypt instead of silently reading as valid.
Envelope: version byte (1) + 12-byte nonce + ciphertext-with-tag.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from identity.platform.settings import get_settings

_VERSION = b"\x01"


@lru_cache(maxsize=8)
def _derive(secret: str, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"hawiya", info=purpose.encode()).derive(
        secret.encode()
    )


def _key(purpose: str) -> bytes:
    return _derive(get_settings().secret_key.get_secret_value(), purpose)


def context(table: str, row_id: int, field: str) -> bytes:
    return f"{table}:{row_id}:{field}".encode()


def encrypt(plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(12)
    return _VERSION + nonce + AESGCM(_key("at-rest-v1")).encrypt(nonce, plaintext, aad)


def decrypt(blob: bytes, aad: bytes) -> bytes:
    if not blob or blob[:1] != _VERSION:
        raise ValueError("unknown ciphertext envelope")
    return AESGCM(_key("at-rest-v1")).decrypt(blob[1:13], blob[13:], aad)


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 of ``value`` under a key derived for ``purpose`` (hex)."""
    return hmac.new(_key(purpose), value.encode(), hashlib.sha256).hexdigest()
