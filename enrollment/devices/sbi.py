"""MOSIP Secure Biometric Interface (SBI 1.0 / 2.0, spec 0.9.5): the parts Hawiya speaks.

- The HTTP verbs on ``http://127.0.0.1:<4501..4600>``: ``MOSIPDISC /device`` (discovery),
  ``MOSIPDINFO /info`` (device info, a signed JWT per device), ``RCAPTURE /capture``
  (registration capture: signed, unencrypted ``bioValue``).
- Signatures are JWS compact serialisations (RFC 7515): header ``{"alg": "RS256", "typ": "JWT",
  "x5c": [base64 DER certificate]}``, the payload the JSON bytes, RS256 (PKCS#1 v1.5, SHA-256).
- ``bioSubType`` names ↔ ISO/IEC 19794-4 finger positions (1 right thumb .. 10 left little).
- The capture hash chain: ``hash = SHA256(previousHash bytes + SHA256(biometric bytes))``,
  upper-case hex, the first ``previousHash`` being SHA256 of the empty string.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from identity.access.devices import parse_certificate
from identity.platform.errors import DomainError

PORTS = range(4501, 4601)
SPEC_VERSIONS = ("0.9.5", "1.0.0")
VERBS = ("MOSIPDISC", "MOSIPDINFO", "RCAPTURE")
# ISO/IEC 19794-4 finger position → SBI bioSubType.
FINGER_SUBTYPES = {
    1: "Right Thumb", 2: "Right IndexFinger", 3: "Right MiddleFinger", 4: "Right RingFinger",
    5: "Right LittleFinger", 6: "Left Thumb", 7: "Left IndexFinger", 8: "Left MiddleFinger",
    9: "Left RingFinger", 10: "Left LittleFinger",
}
SUBTYPE_POSITIONS = {name: pos for pos, name in FINGER_SUBTYPES.items()}
# The 4-4-2 slaps (deviceSubId 1 left slap, 2 right slap, 3 two thumbs).
SLAPS = {1: (7, 8, 9, 10), 2: (2, 3, 4, 5), 3: (1, 6)}
EMPTY_HASH = hashlib.sha256(b"").hexdigest().upper()


class SbiError(ValueError):
    """A malformed or unverifiable SBI structure; ``code`` is the stable refusal code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    if not isinstance(text, str) or len(text) > 64 * 1024 * 1024:
        raise SbiError("invalid_capture", "not a base64url string")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SbiError("invalid_capture", "not base64url") from exc


def chain_hash(previous: str, biometric: bytes) -> str:
    """The SBI capture hash of ``biometric`` after ``previous`` (upper-case hex)."""
    try:
        prev = bytes.fromhex(previous)
    except ValueError as exc:
        raise SbiError("invalid_capture", "previous hash is not hex") from exc
    return hashlib.sha256(prev + hashlib.sha256(biometric).digest()).hexdigest().upper()


def sign(payload: dict[str, Any] | bytes, key: rsa.RSAPrivateKey,
         cert: x509.Certificate) -> str:
    """A JWS compact serialisation of ``payload`` (RS256, ``x5c`` = ``cert``)."""
    header = {"alg": "RS256", "typ": "JWT",
              "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]}
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(body)}".encode("ascii")
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode('ascii')}.{b64url(signature)}"


@dataclass(frozen=True)
class Jws:
    header: dict[str, Any]
    payload: dict[str, Any]
    certificate: x509.Certificate  # x5c[0], as presented (not yet trusted)
    signing_input: bytes
    signature: bytes


def parse_jws(token: str) -> Jws:
    """Split and decode a JWS (nothing verified yet); ``SbiError`` when malformed."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise SbiError("invalid_capture", "not a JWS compact serialisation")
    head_b64, body_b64, sig_b64 = token.split(".")
    try:
        header = json.loads(unb64url(head_b64))
        payload = json.loads(unb64url(body_b64))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SbiError("invalid_capture", "JWS header or payload is not JSON") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise SbiError("invalid_capture", "JWS header and payload must be objects")
    if header.get("alg") != "RS256":
        raise SbiError("invalid_signature", f"unsupported JWS alg {header.get('alg')!r}")
    chain = header.get("x5c")
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        raise SbiError("invalid_signature", "the JWS carries no x5c certificate")
    try:
        der = base64.b64decode(chain[0], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SbiError("invalid_signature", "x5c is not base64") from exc
    try:
        cert = parse_certificate(der)
    except DomainError as exc:
        raise SbiError("invalid_signature", "x5c is not a certificate") from exc
    return Jws(header, payload, cert, f"{head_b64}.{body_b64}".encode("ascii"),
               unb64url(sig_b64))


def verify(jws: Jws, cert: x509.Certificate) -> None:
    """Check the RS256 signature of ``jws`` with ``cert``'s public key (the *registered*
    certificate, not the presented one); ``SbiError("invalid_signature")`` otherwise."""
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SbiError("invalid_signature", "device key is not RSA")
    try:
        key.verify(jws.signature, jws.signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise SbiError("invalid_signature", "the capture's signature does not verify") from exc
