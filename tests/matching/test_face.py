"""Face templates: quality reasons, versioned bytes, distances, lazy model loading.

The first half runs on a fake model backend (no images needed); the real-dlib tests at the end
use the ageitgey images from the shared data folder (their terms allow tests, not shipping them
in the repository) and skip cleanly without it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from matching import face, thresholds

MIN_PX = int(thresholds.value("face.min_face_px"))
# tests/conftest.py memoizes encode_face by pixels for the whole session (a fixture that starts
# after collection); these tests exercise the function itself, so they use it unwrapped.
_REAL_ENCODE_FACE = face.encode_face


@pytest.fixture(autouse=True)
def _unmemoized(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(face, "encode_face", _REAL_ENCODE_FACE)


class FakeModels:
    """Returns scripted boxes per upsample level; the vector encodes the box."""

    def __init__(self, at_1x: list[face.Box], at_2x: list[face.Box] | None = None) -> None:
        self.boxes = {0: at_1x, 1: at_2x or []}
        self.calls: list[int] = []

    def detect(self, rgb: np.ndarray, upsample: int) -> list[face.Box]:
        self.calls.append(upsample)
        return self.boxes[upsample]

    def encode(self, rgb: np.ndarray, box: face.Box) -> np.ndarray:
        v = np.zeros(128, dtype=np.float64)
        v[:4] = box
        return v / 1000.0


@pytest.fixture
def fake() -> Iterator[FakeModels]:
    models = FakeModels([(10, 110, 110, 10)])
    previous = face.set_models(models)
    yield models
    face.set_models(previous)


def image(h: int = 200, w: int = 200) -> np.ndarray:
    return np.full((h, w, 3), 128, dtype=np.uint8)


def test_encode_returns_float32_vector_and_box(fake: FakeModels) -> None:
    enc = face.encode_face(image())
    assert enc.vector.dtype == np.float32 and enc.vector.shape == (128,)
    assert enc.box == (10, 110, 110, 10)
    assert (enc.extractor, enc.version) == (face.FACE_EXTRACTOR, face.FACE_EXTRACTOR_VERSION)
    assert fake.calls == [0]  # found at 1x: no upsampling


def test_upsamples_only_when_nothing_found_at_1x(fake: FakeModels) -> None:
    fake.boxes = {0: [], 1: [(0, MIN_PX + 5, MIN_PX + 5, 0)]}
    face.encode_face(image())
    assert fake.calls == [0, 1]


@pytest.mark.parametrize(
    ("at_1x", "at_2x", "reason"),
    [
        ([], [], "no_face"),
        ([(0, 100, 100, 0), (0, 300, 100, 200)], [], "multiple_faces"),
        ([], [(0, MIN_PX - 1, MIN_PX - 1, 0)], "face_too_small"),
    ],
)
def test_quality_reasons(fake: FakeModels, at_1x, at_2x, reason: str) -> None:
    fake.boxes = {0: at_1x, 1: at_2x}
    with pytest.raises(face.FaceQualityError) as info:
        face.encode_face(image(400, 400))
    assert info.value.reason == reason
    assert isinstance(info.value, ValueError)


def test_small_background_face_does_not_make_multiple(fake: FakeModels) -> None:
    fake.boxes = {0: [(0, 100, 100, 0), (0, 240, 30, 210)], 1: []}
    assert face.encode_face(image(300, 300)).box == (0, 100, 100, 0)


@pytest.mark.parametrize(
    "bad",
    [np.zeros((10, 10), np.uint8), np.zeros((10, 10, 4), np.uint8),
     np.zeros((10, 10, 3), np.float32), [[1, 2, 3]]],
)
def test_rejects_non_rgb_arrays(fake: FakeModels, bad) -> None:
    with pytest.raises(ValueError) as info:
        face.encode_face(bad)
    assert not isinstance(info.value, face.FaceQualityError)


def test_bytes_round_trip(fake: FakeModels) -> None:
    enc = face.encode_face(image())
    back = face.FaceEncoding.from_bytes(enc.to_bytes())
    assert np.array_equal(back.vector, enc.vector) and back.box == enc.box
    assert back.vector.dtype == np.float32


def test_bytes_validation(fake: FakeModels) -> None:
    data = face.encode_face(image()).to_bytes()
    with pytest.raises(face.FaceTemplateError, match="bytes"):
        face.FaceEncoding.from_bytes(data[:-4])
    with pytest.raises(face.FaceTemplateError, match="not a face template"):
        face.FaceEncoding.from_bytes(b"X" + data[1:])
    old = face.FaceEncoding(np.zeros(128, np.float32), (0, 1, 1, 0), version="0")
    with pytest.raises(face.FaceTemplateError, match="re-extract"):
        face.FaceEncoding.from_bytes(old.to_bytes())
    nan = face.FaceEncoding(np.full(128, np.nan, np.float32), (0, 1, 1, 0))
    with pytest.raises(face.FaceTemplateError, match="non-finite"):
        face.FaceEncoding.from_bytes(nan.to_bytes())


def test_distance_is_l2_and_symmetric() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(2, 128)).astype(np.float32)
    assert face.face_distance(a, a) == 0.0
    assert face.face_distance(a, b) == pytest.approx(float(np.linalg.norm(a - b)), rel=1e-6)
    assert face.face_distance(a, b) == face.face_distance(b, a)
    with pytest.raises(ValueError):
        face.face_distance(a[:64], b[:64])


def test_distance_refuses_cross_version() -> None:
    v = np.zeros(128, np.float32)
    with pytest.raises(ValueError, match="versions"):
        face.face_distance(face.FaceEncoding(v, (0, 1, 1, 0)),
                           face.FaceEncoding(v, (0, 1, 1, 0), version="0"))


def test_import_does_no_work() -> None:
    code = ("import sys; from PIL import ImageFile; import matching.face, matching.vector_index, "
            "matching.fusion; assert 'face_recognition' not in sys.modules; "
            "assert 'dlib' not in sys.modules; assert not ImageFile.LOAD_TRUNCATED_IMAGES")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_real_models_keep_pillow_strict_and_find_no_face_in_blank_image() -> None:
    """Loads the real dlib models (installed with the package, no image data needed)."""
    from PIL import ImageFile

    previous = face.set_models(None)
    try:
        with pytest.raises(face.FaceQualityError) as info:
            face.encode_face(image(120, 160))
        assert info.value.reason == "no_face"
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    finally:
        face.set_models(previous)


# --- real faces (shared data) --------------------------------------------------------------

def _load(shared: Path, rel: str) -> np.ndarray:
    from PIL import Image

    path = shared / "faces" / "ageitgey_face_recognition" / rel
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


@pytest.fixture(scope="module")
def real(shared_data: Path) -> dict[str, face.FaceEncoding]:
    previous = face.set_models(None)
    try:
        return {name: face.encode_face(_load(shared_data, f"tests/test_images/{name}.jpg"))
                for name in ("obama", "obama2", "obama3", "biden")}
    finally:
        face.set_models(previous)


@pytest.mark.shared_data
def test_genuine_pairs_clearly_below_match_distance(real) -> None:
    limit = thresholds.value("face.match_distance")
    for other in ("obama2", "obama3"):
        assert face.face_distance(real["obama"], real[other]) < limit - 0.05


@pytest.mark.shared_data
def test_impostor_pair_clearly_above_match_distance(real) -> None:
    limit = thresholds.value("face.match_distance")
    for name in ("obama", "obama2", "obama3"):
        assert face.face_distance(real[name], real["biden"]) > limit + 0.15


@pytest.mark.shared_data
def test_real_quality_failures(shared_data: Path) -> None:
    from PIL import Image

    previous = face.set_models(None)
    try:
        with pytest.raises(face.FaceQualityError) as info:
            face.encode_face(_load(shared_data, "examples/two_people.jpg"))
        assert info.value.reason == "multiple_faces"
        small = Image.fromarray(_load(shared_data, "tests/test_images/obama.jpg"))
        small = small.resize((small.width // 6, small.height // 6))  # face ~43 px
        with pytest.raises(face.FaceQualityError) as info:
            face.encode_face(np.asarray(small))
        assert info.value.reason in {"face_too_small", "no_face"}
    finally:
        face.set_models(previous)


@pytest.mark.shared_data
def test_concurrent_encodings_equal_sequential(shared_data: Path, real) -> None:
    from concurrent.futures import ThreadPoolExecutor

    images = [_load(shared_data, f"tests/test_images/{n}.jpg") for n in ("obama", "biden")] * 3
    previous = face.set_models(None)
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            got = list(pool.map(face.encode_face, images))
    finally:
        face.set_models(previous)
    for enc, name in zip(got, ["obama", "biden"] * 3, strict=True):
        assert np.allclose(enc.vector, real[name].vector, atol=1e-5)
