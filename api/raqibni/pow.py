"""A proof-of-work challenge that needs no outside service (hashcash-style).

The server hands out ``p1.<expires>.<bits>.<id>.<mac>``: an expiry (unix seconds), a difficulty
(leading zero bits), 96 random bits and a MAC under the server's secret, so nothing is stored
until it is used. The client finds a counter ``n`` (decimal) such that
``SHA-256(challenge + ":" + n)`` starts with ``bits`` zero bits — about ``2**bits`` hashes,
checked here with one. The id is spent by the complaint it admits (a unique column).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from identity.platform.crypto import keyed_hash
from identity.platform.errors import Invalid

VERSION = "p1"
_CONTEXT = "raqibni-pow-v1"
MAX_SOLUTION_DIGITS = 12


def _mac(body: str) -> str:
    return keyed_hash(body, _CONTEXT)[:24]


def issue(*, bits: int, ttl_seconds: int, now: float) -> str:
    body = f"{VERSION}.{int(now) + ttl_seconds}.{bits}.{secrets.token_hex(12)}"
    return f"{body}.{_mac(body)}"


def zero_bits(digest: bytes) -> int:
    """Leading zero bits of ``digest``."""
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        return count + 8 - byte.bit_length()
    return count


def check(challenge: str, solution: str, *, min_bits: int, now: float) -> str:
    """The challenge's id when ``solution`` solves a genuine, unexpired challenge of at least
    ``min_bits``; else 422 ``challenge_invalid``, ``challenge_expired`` or
    ``challenge_unsolved``."""
    parts = challenge.split(".")
    if len(parts) != 5 or parts[0] != VERSION or not parts[1].isdigit() \
            or not parts[2].isdigit() or len(challenge) > 100:
        raise Invalid("the challenge is not one this server issued", code="challenge_invalid")
    body, mac = ".".join(parts[:4]), parts[4]
    if not hmac.compare_digest(_mac(body), mac) or int(parts[2]) < min_bits:
        raise Invalid("the challenge is not one this server issued", code="challenge_invalid")
    if int(parts[1]) < now:
        raise Invalid("the challenge expired: load the page again", code="challenge_expired")
    if not solution.isdigit() or len(solution) > MAX_SOLUTION_DIGITS:
        raise Invalid("the challenge is not solved", code="challenge_unsolved")
    digest = hashlib.sha256(f"{challenge}:{solution}".encode()).digest()
    if zero_bits(digest) < int(parts[2]):
        raise Invalid("the challenge is not solved", code="challenge_unsolved")
    return parts[3]


def solve(challenge: str, bits: int, limit: int = 1 << 26) -> str:
    """The smallest counter solving ``challenge`` (what the page's script does; for tests and
    command-line clients)."""
    for n in range(limit):
        if zero_bits(hashlib.sha256(f"{challenge}:{n}".encode()).digest()) >= bits:
            return str(n)
    raise ValueError("no solution under the limit")
