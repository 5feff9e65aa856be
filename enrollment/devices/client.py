"""A minimal SBI client (the CLI registers the devices a service on this machine reports)."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from enrollment.devices import sbi
from identity.access.devices import DeviceSpec


def call(port: int, verb: str, path: str, body: dict[str, Any] | None = None,
         timeout: float = 10.0) -> Any:
    """One SBI request to ``127.0.0.1:port``; the decoded JSON answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body or {}).encode()
        conn.request(verb, path, body=data, headers={"Content-Type": "application/json",
                                                     "EXT": "hawiya"})
        resp = conn.getresponse()
        return json.loads(resp.read() or b"null")
    finally:
        conn.close()


@dataclass(frozen=True)
class ReportedDevice:
    spec: DeviceSpec
    certificate_pem: bytes


def reported_devices(port: int) -> list[ReportedDevice]:
    """The devices ``MOSIPDINFO`` reports, each with the certificate that signed its info
    (its ``x5c``) and the identity its signed digital ID states. Unsigned (unregistered-state)
    device infos are skipped."""
    out = []
    for item in call(port, "MOSIPDINFO", "/info") or []:
        token = item.get("deviceInfo") if isinstance(item, dict) else None
        if not isinstance(token, str) or token.count(".") != 2:
            continue
        info = sbi.parse_jws(token)
        sbi.verify(info, info.certificate)  # self-consistent; trust comes from registering it
        digital = sbi.parse_jws(str(info.payload.get("digitalId", "")))
        d = digital.payload
        spec = DeviceSpec(serial=str(d.get("serialNo", "")), make=str(d.get("make", "")),
                          model=str(d.get("model", "")), type=str(d.get("type", "")),
                          sub_type=str(d.get("deviceSubType", "")),
                          provider=str(d.get("deviceProvider", "")))
        out.append(ReportedDevice(spec, _pem(info.certificate)))
    return out


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)
