"""The SBI simulator on a free loopback port, serving images taken from the shared test data,
and the helpers that turn its signed captures into an enrollment packet."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.packets import face_path, finger_path
from enrollment.devices import client, sbi, simulator

TWO_PEOPLE = ("examples", "two_people.jpg")  # fails the face gate: two faces


def free_sbi_port() -> int:
    for port in sbi.PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 4501-4600")


def make_profile(root: Path, name: str, shared: Path, *, face: str = "obama.jpg",
                 impression: int = 1, db: str = "FVC2002_DB1_B", fingers: tuple[int, ...] =
                 tuple(range(1, 11)), bad_face_first: bool = False,
                 exception_photo: bool = False) -> Path:
    """``root/name``: one person's face and fingers (FVC ``10P_impression``), copied from the
    shared data; with ``bad_face_first`` the first face capture is a photo of two people."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    if bad_face_first:
        shutil.copy(shared / "faces" / "ageitgey_face_recognition" / TWO_PEOPLE[0] / TWO_PEOPLE[1],
                    folder / "face_1.jpg")
        shutil.copy(face_path(shared, face), folder / "face_2.jpg")
    else:
        shutil.copy(face_path(shared, face), folder / "face.jpg")
    for pos in fingers:
        shutil.copy(finger_path(shared, pos, impression, db), folder / f"finger_{pos}.tif")
    if exception_photo:  # a stand-in for the photo of the hands (any real photo decodes)
        shutil.copy(face_path(shared, "biden.jpg"), folder / "exception.jpg")
    return folder


@dataclass
class RunningSimulator:
    port: int
    server: Any

    @property
    def sim(self) -> simulator.Simulator:
        return self.server.simulator  # type: ignore[no-any-return]

    def select(self, profile: str) -> None:
        client.call(self.port, "POST", "/admin/profile", {"profileId": profile})


@contextmanager
def running(images: Path, key_dir: Path, prefix: str = "HWSIM") -> Iterator[RunningSimulator]:
    port = free_sbi_port()
    server = simulator.serve(images, port=port, key_dir=key_dir, prefix=prefix)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name=f"sbi-{port}")
    thread.start()
    try:
        yield RunningSimulator(port, server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def rcapture(port: int, device_type: str, *, sub_id: int = 0, subtypes: list[str] | None = None,
             exception: list[str] | None = None, transaction: str | None = None
             ) -> list[dict[str, Any]]:
    """An RCAPTURE request as a station sends it; the ``biometrics`` entries."""
    device_id = "1" if device_type == "Finger" else "2"
    body = {"env": "Developer", "purpose": "Registration", "specVersion": "0.9.5",
            "timeout": 10000, "captureTime": simulator.now_iso(),
            "transactionId": transaction or f"t-{port}-{id(subtypes)}-{sub_id}-{device_type}",
            "bio": [{"type": device_type, "count": len(subtypes or []) or 1,
                     "bioSubType": subtypes or [], "exception": exception or [],
                     "requestedScore": 40, "deviceId": device_id, "deviceSubId": str(sub_id),
                     "previousHash": sbi.EMPTY_HASH}], "customOpts": {}}
    answer = client.call(port, "RCAPTURE", "/capture", body)
    return list(answer["biometrics"])


def sample_of(entry: dict[str, Any]) -> tuple[str, bytes]:
    payload = sbi.parse_jws(entry["data"]).payload
    raw = sbi.unb64url(payload["bioValue"])
    if payload["bioType"] == "Face":
        return "face", raw
    return f"finger_{sbi.SUBTYPE_POSITIONS[payload['bioSubType']]}", raw


def capture_all(port: int, *, transaction: str) -> dict[str, dict[str, Any]]:
    """Three slaps and the face: sample name → its SBI entry."""
    out: dict[str, dict[str, Any]] = {}
    for sub_id in (1, 2, 3):
        for entry in rcapture(port, "Finger", sub_id=sub_id, transaction=f"{transaction}-{sub_id}"):
            out[sample_of(entry)[0]] = entry
    out["face"] = rcapture(port, "Face", transaction=f"{transaction}-face")[0]
    return out


def packet_from(entries: dict[str, dict[str, Any]], demographics: dict[str, Any], capture_id: str
                ) -> tuple[dict[str, str], list[tuple[str, tuple[str, bytes, str]]]]:
    """Form fields and files for POST /v1/enrollments, with the ``captures`` document."""
    files: list[tuple[str, tuple[str, bytes, str]]] = []
    captures = {}
    for name, entry in sorted(entries.items()):
        _, raw = sample_of(entry)
        kind = "image/jpeg" if name == "face" else "image/png"
        files.append((name, (f"{name}.bin", raw, kind)))
        captures[name] = {"source": "device", "biometric": entry}
    files.append(("captures", ("captures.json", json.dumps(captures).encode(),
                               "application/json")))
    missing = {str(p): "not_captured" for p in range(1, 11) if f"finger_{p}" not in entries}
    data = {"capture_id": capture_id, "demographics": json.dumps(demographics)}
    if missing:
        data["missing_fingers"] = json.dumps(missing)
    return data, files


def tamper(entry: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The entry with its signed payload changed and the signature kept (it no longer verifies)."""
    head, body, sig = entry["data"].split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(changes)
    new_body = sbi.b64url(json.dumps(payload).encode())
    return {**entry, "data": f"{head}.{new_body}.{sig}"}


def fake_camera_video(path: Path, photos: list[Path], *, seconds_each: float = 1.0,
                      fps: int = 10) -> Path:
    """A Y4M file Chromium plays as its camera (``--use-file-for-fake-video-capture``): each
    photo held ``seconds_each``, centred on a 640x480 grey frame (the file loops)."""
    import cv2
    import numpy as np
    from PIL import Image

    frames = []
    for photo in photos:
        rgb = np.asarray(Image.open(photo).convert("RGB").resize((360, 360)))
        canvas = np.full((480, 640, 3), 110, dtype=np.uint8)
        canvas[60:420, 140:500] = rgb
        yuv = cv2.cvtColor(canvas, cv2.COLOR_RGB2YUV_I420)
        frames += [yuv.tobytes()] * round(seconds_each * fps)
    with path.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W640 H480 F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            fh.write(b"FRAME\n" + frame)
    return path


LFW_TURN = ("Colin_Powell", ("0001", "0002", "0003", "0004"))  # filled in from the bench
