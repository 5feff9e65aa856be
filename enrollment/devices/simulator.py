"""An SBI device service for tests and demonstrations: a fingerprint slap scanner and a face
camera on ``http://127.0.0.1:<port>`` that answer ``MOSIPDISC``, ``MOSIPDINFO`` and
``RCAPTURE`` as the SBI 0.9.5 specification shapes them, with signed captures read from files.

Images: ``DIR/<profile>/face*.jpg|png``, ``DIR/<profile>/finger_<N>*.png|tif|...`` (N the
ISO finger position) and ``exception*.jpg`` (the photo of the hands a face capture with
exceptions returns); a folder of images without sub-folders is the one profile ``default``.
Each profile stands for the person at the desk; ``POST /admin/profile {"profileId": NAME}``
(the simulator's own admin call, as MOSIP's mock service has) changes it. A sample with several
files is served in name order, one per capture (the last one repeats): a first capture that
fails the quality gate and a good re-capture are two files.

Deviations from a certified device, on purpose: ``bioValue`` is the image file (PNG for fingers,
JPEG/PNG for the face: what Hawiya decodes), not an ISO 19794 record; the device's
``qualityScore`` is the image's contrast (0-100), not NFIQ 2.0.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image

from enrollment.devices import identity, sbi

log = logging.getLogger("hawiya.sbi")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
SERVICE_VERSION = "1.0"
MAX_BODY = 64 * 1024
_TRANSACTION = re.compile(r"^[A-Za-z0-9-]{4,50}$")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Device:
    """One simulated device: its SBI description and its signing identity."""

    device_id: str
    serial: str
    type: str  # Finger | Face
    sub_type: str  # Slap | Full face
    sub_ids: list[int]
    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    make: str = "Hawiya"
    model: str = "SBI-SIM"
    provider: str = "Hawiya simulator"

    def digital_id(self) -> dict[str, str]:
        return {"serialNo": self.serial, "make": self.make, "model": self.model,
                "type": self.type, "deviceSubType": self.sub_type,
                "deviceProvider": self.provider, "deviceProviderId": "hawiya.sim",
                "dateTime": now_iso()}

    def info(self, port: int) -> dict[str, Any]:
        return {"deviceStatus": "Ready", "deviceId": self.device_id, "firmware": SERVICE_VERSION,
                "certification": "L0", "serviceVersion": SERVICE_VERSION,
                "deviceSubId": [str(s) for s in self.sub_ids],
                "callbackId": f"http://127.0.0.1:{port}/",
                "digitalId": sbi.sign(self.digital_id(), self.key, self.cert),
                "deviceCode": self.serial, "env": "Developer", "purpose": "Registration",
                "specVersion": list(sbi.SPEC_VERSIONS)}


@dataclass
class ImageBank:
    """The image files of each profile, and how many times each sample was captured."""

    root: Path
    profile: str = "default"
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.profile = self.profiles()[0]

    def profiles(self) -> list[str]:
        """The profiles (sub-folders), or ``default`` for a folder of images alone."""
        subs = sorted(p.name for p in self.root.iterdir() if p.is_dir())
        return subs or ["default"]

    def _folder(self) -> Path:
        subs = any(p.is_dir() for p in self.root.iterdir())
        return self.root / self.profile if subs else self.root

    def files(self, sample: str) -> list[Path]:
        folder = self._folder()
        if not folder.is_dir():
            return []
        pattern = re.compile(rf"^{re.escape(sample)}(?![0-9])")
        return sorted(p for p in folder.iterdir()
                      if p.suffix.lower() in IMAGE_SUFFIXES and pattern.match(p.name))

    def next(self, sample: str) -> Path | None:
        found = self.files(sample)
        if not found:
            return None
        k = self.counts.get(sample, 0)
        self.counts[sample] = k + 1
        return found[min(k, len(found) - 1)]

    def select(self, profile: str) -> None:
        if profile not in self.profiles():
            raise KeyError(profile)
        self.profile, self.counts = profile, {}


def encode_sample(path: Path, face: bool) -> tuple[bytes, float]:
    """The bytes a capture carries (faces: the JPEG/PNG file as it is; fingers: 8-bit grey PNG
    keeping the file's dpi, 500 when it has none) and the simulated quality score (0-100)."""
    with Image.open(path) as img:
        img.load()
        grey = np.asarray(img.convert("L"), dtype=np.float32)
        score = float(min(100.0, round(grey.std() / 0.64, 1)))
        if face:
            raw = path.read_bytes()
            if raw[:3] == b"\xff\xd8\xff" or raw[:8] == b"\x89PNG\r\n\x1a\n":
                return raw, score
            buf = io.BytesIO()
            img.convert("RGB").save(buf, format="JPEG", quality=92)
            return buf.getvalue(), score
        dpi = img.info.get("dpi") or (500, 500)
        buf = io.BytesIO()
        img.convert("L").save(buf, format="PNG", dpi=(round(dpi[0]), round(dpi[1])))
        return buf.getvalue(), score


def _error(code: str, info: str) -> dict[str, str]:
    return {"errorCode": code, "errorInfo": info}


class Simulator:
    """The device service's logic, HTTP aside (``serve`` puts it on a port)."""

    def __init__(self, images: Path, key_dir: Path, port: int, prefix: str = "HWSIM") -> None:
        self.bank = ImageBank(Path(images))
        self.port = port
        self._capture = threading.Lock()
        fkey, fcert = identity.load_or_create(key_dir, f"{prefix}-FINGER-01")
        ckey, ccert = identity.load_or_create(key_dir, f"{prefix}-FACE-01")
        self.devices = [
            Device("1", f"{prefix}-FINGER-01", "Finger", "Slap", [1, 2, 3], fkey, fcert),
            Device("2", f"{prefix}-FACE-01", "Face", "Full face", [0], ckey, ccert),
        ]

    def discover(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        wanted = str(body.get("type", "Biometric Device"))
        out = []
        for d in self.devices:
            if wanted in ("Biometric Device", d.type):
                out.append({"deviceId": d.device_id, "deviceStatus": "Ready",
                            "certification": "L0", "serviceVersion": SERVICE_VERSION,
                            "deviceSubId": [str(s) for s in d.sub_ids],
                            "callbackId": f"http://127.0.0.1:{self.port}/",
                            "digitalId": sbi.b64url(json.dumps(d.digital_id()).encode()),
                            "deviceCode": d.serial, "specVersion": list(sbi.SPEC_VERSIONS),
                            "purpose": "Registration", "error": _error("0", "Success")})
        return out

    def info(self) -> list[dict[str, Any]]:
        return [{"deviceInfo": sbi.sign(d.info(self.port), d.key, d.cert),
                 "error": _error("0", "Success")} for d in self.devices]

    def capture(self, body: dict[str, Any]) -> dict[str, Any]:
        """RCAPTURE: one signed entry per biometric captured, chained by ``hash``."""
        transaction = str(body.get("transactionId", ""))
        if not _TRANSACTION.match(transaction):
            return {"biometrics": [{"error": _error("112", "Invalid Transaction ID")}]}
        bios = body.get("bio")
        if not isinstance(bios, list) or len(bios) != 1 or not isinstance(bios[0], dict):
            return {"biometrics": [{"error": _error("101", "Invalid JSON Value")}]}
        bio = bios[0]
        device = next((d for d in self.devices if d.device_id == str(bio.get("deviceId"))
                       or d.type == bio.get("type")), None)
        if device is None:
            return {"biometrics": [{"error": _error("106", "Device not found")}]}
        if not self._capture.acquire(blocking=False):
            return {"biometrics": [{"error": _error("111", "Device is Busy")}]}
        try:
            return {"biometrics": self._capture_entries(device, bio, body, transaction)}
        finally:
            self._capture.release()

    def _requested(self, device: Device, bio: dict[str, Any]) -> list[tuple[str, str]]:
        """(sample name, bioSubType) pairs the request asks for, exceptions left out."""
        if device.type == "Face":
            # A face capture with exceptions is the exception photo (of the hands showing the
            # missing fingers), as the SBI specification has it.
            return [("exception", "")] if bio.get("exception") else [("face", "")]
        exceptions = set(bio.get("exception") or [])
        subtypes = [s for s in (bio.get("bioSubType") or []) if s in sbi.SUBTYPE_POSITIONS]
        if not subtypes:
            sub_id = int(str(bio.get("deviceSubId") or "0") or 0)
            subtypes = [sbi.FINGER_SUBTYPES[p] for p in sbi.SLAPS.get(sub_id, ())]
        return [(f"finger_{sbi.SUBTYPE_POSITIONS[s]}", s) for s in subtypes
                if s not in exceptions]

    def _capture_entries(self, device: Device, bio: dict[str, Any], body: dict[str, Any],
                         transaction: str) -> list[dict[str, Any]]:
        previous = str(bio.get("previousHash") or sbi.EMPTY_HASH)
        requested = float(bio.get("requestedScore") or 0)
        entries: list[dict[str, Any]] = []
        for sample, subtype in self._requested(device, bio):
            path = self.bank.next(sample)
            if path is None:
                entries.append({"specVersion": sbi.SPEC_VERSIONS[0],
                                "error": _error("101", "Unable to detect a biometric object"),
                                "bioSubType": subtype})
                continue
            raw, score = encode_sample(path, face=sample in ("face", "exception"))
            data = {"digitalId": sbi.sign(device.digital_id(), device.key, device.cert),
                    "bioType": device.type, "deviceCode": device.serial,
                    "deviceServiceVersion": SERVICE_VERSION, "bioSubType": subtype,
                    "purpose": "Registration", "env": str(body.get("env") or "Developer"),
                    "bioValue": sbi.b64url(raw), "transactionId": transaction,
                    "timestamp": now_iso(), "requestedScore": requested,
                    "qualityScore": score}
            previous = sbi.chain_hash(previous, raw)
            entries.append({"specVersion": sbi.SPEC_VERSIONS[0],
                            "data": sbi.sign(data, device.key, device.cert),
                            "hash": previous, "error": _error("0", "Success")})
        return entries


def _handler(sim: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "HawiyaSBI/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("sbi %s", format % args)

        def _cors(self) -> None:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods",
                             "MOSIPDISC, MOSIPDINFO, RCAPTURE, POST, GET, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type")
            self.send_header("Access-Control-Allow-Private-Network", "true")
            self.send_header("Access-Control-Max-Age", "600")

        def _reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Location", f"http://127.0.0.1:{sim.port}")
            self.send_header("Content-Length", str(len(data)))
            self._cors()
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0:
                return {}
            if length > MAX_BODY:
                raise ValueError("request too large")
            data = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(data, dict):
                raise ValueError("request must be a JSON object")
            return data

        def _dispatch(self, verb: str) -> None:
            try:
                body = self._body()
            except (ValueError, UnicodeDecodeError):
                self._reply(400, {"error": _error("101", "Invalid JSON Value")})
                return
            path = self.path.split("?")[0].rstrip("/")
            if verb == "MOSIPDISC" and path in ("", "/device"):
                self._reply(200, sim.discover(body))
            elif verb == "MOSIPDINFO" and path in ("", "/info"):
                self._reply(200, sim.info())
            elif verb == "RCAPTURE" and path == "/capture":
                self._reply(200, sim.capture(body))
            elif verb == "POST" and path == "/admin/profile":
                try:
                    sim.bank.select(str(body.get("profileId", "")))
                except KeyError:
                    self._reply(404, {"errorInfo": "no such profile",
                                      "profiles": sim.bank.profiles()})
                    return
                self._reply(200, {"profileId": sim.bank.profile})
            elif verb == "GET" and path == "":
                self._reply(200, {"service": "Hawiya SBI simulator", "profile": sim.bank.profile,
                                  "profiles": sim.bank.profiles(),
                                  "devices": [d.serial for d in sim.devices]})
            else:
                self._reply(404, {"error": _error("500", "unknown verb or path")})

        def do_MOSIPDISC(self) -> None:
            self._dispatch("MOSIPDISC")

        def do_MOSIPDINFO(self) -> None:
            self._dispatch("MOSIPDINFO")

        def do_RCAPTURE(self) -> None:
            self._dispatch("RCAPTURE")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_OPTIONS(self) -> None:
            self.send_response(204)
            self._cors()
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def serve(images: Path, *, port: int, key_dir: Path, prefix: str = "HWSIM") -> ThreadingHTTPServer:
    """A started-to-be server (call ``serve_forever``) bound to 127.0.0.1:``port`` only."""
    if port not in sbi.PORTS:
        raise ValueError(f"SBI services listen on ports {sbi.PORTS.start}-{sbi.PORTS.stop - 1}")
    sim = Simulator(images, key_dir, port, prefix)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(sim))
    server.daemon_threads = True
    server.simulator = sim  # type: ignore[attr-defined]
    return server
