"""A simulated device's signing identity: an RSA-2048 key and a self-signed certificate, kept
in a folder so the same device keeps the same key (and stays registered) across runs.

Test and demonstration only: a certified device keeps its key in its FTM and its certificate
is issued by the device provider; Hawiya trusts exactly the certificates registered with it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def load_or_create(folder: Path, serial: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The key and certificate of device ``serial`` under ``folder`` (created on first use,
    the key file readable by its owner only)."""
    folder.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = folder / f"{serial}.key.pem", folder / f"{serial}.cert.pem"
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, serial),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Hawiya SBI simulator")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=365))
            .sign(key, hashes.SHA256()))
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.private_bytes(serialization.Encoding.PEM,
                                   serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert
