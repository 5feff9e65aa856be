from __future__ import annotations

import numpy as np
import pytest

from matching.fingerprint import FingerQualityError, FingerTemplate, check_image, extract_templates
from matching.fingerprint.loader import set_leader_loader

from .conftest import load_png


@pytest.mark.parametrize(
    ("image", "dpi", "reason"),
    [
        (np.zeros((300, 300), np.float32), 500, "undecodable"),
        (np.zeros((300, 300, 3), np.uint8), 500, "undecodable"),
        (np.zeros((300, 300), np.uint8), 100, "bad_resolution"),
        (np.zeros((100, 300), np.uint8), 500, "too_small"),
        (np.zeros((1200, 300), np.uint8), 500, "too_large"),
        (np.full((300, 300), 200, np.uint8), 500, "low_ridge_area"),
    ],
)
def test_quality_errors(image, dpi, reason):
    with pytest.raises(FingerQualityError) as err:
        check_image(image, dpi)
    assert err.value.reason == reason
    assert isinstance(err.value, ValueError)


def test_fixture_passes_the_gate():
    check_image(load_png("a_1.png"), 500)
    check_image(load_png("a_1.png")[:, :, None], 500)


class FakeLeader:
    """Counts calls; plants ``n`` confident detections on a grid."""

    def __init__(self, n: int) -> None:
        self.calls, self.n = 0, n

    def run(self, _names, feed):
        self.calls += 1
        x = feed["input"]
        out = np.zeros((*x.shape[:3], 4), np.float32)
        rng = np.random.default_rng(0)
        for k in range(self.n):
            yy, xx = 40 + (k // 6) * 35, 40 + (k % 6) * 35
            out[:, yy, xx, 3] = 0.9
            out[:, yy, xx, 1] = rng.uniform(-np.pi, np.pi)
        return [out]


@pytest.fixture
def fake_leader():
    def use(n: int) -> FakeLeader:
        fake = FakeLeader(n)
        set_leader_loader(lambda: fake)
        return fake

    yield use
    set_leader_loader(None)


def test_one_batched_call_per_packet_and_errors_in_place(fake_leader):
    fake = fake_leader(30)
    img = load_png("b_1.png")
    blank = np.full((300, 300), 200, np.uint8)
    out = extract_templates([img, blank, img, img], [500, 500, 569, 500])
    assert fake.calls == 1
    assert isinstance(out[1], FingerQualityError) and out[1].reason == "low_ridge_area"
    assert all(isinstance(out[i], FingerTemplate) for i in (0, 2, 3))


def test_too_few_minutiae(fake_leader):
    fake_leader(4)
    (out,) = extract_templates([load_png("b_1.png")], [500])
    assert isinstance(out, FingerQualityError) and out.reason == "too_few_minutiae"


def test_dpi_normalises_coordinates(synthetic_templates, fake_leader):
    fake_leader(30)
    img = load_png("a_1.png")
    import cv2

    big = cv2.resize(img, None, fx=569 / 500, fy=569 / 500, interpolation=cv2.INTER_LINEAR)
    (t500,) = extract_templates([img], [500])
    (t569,) = extract_templates([big], [569])
    assert isinstance(t500, FingerTemplate) and isinstance(t569, FingerTemplate)
    # same image extent at 500 dpi: coordinates land in the same range
    assert abs(float(t569.minutiae[:, 0].max()) - float(t500.minutiae[:, 0].max())) < 8


def test_real_leader_on_fixtures(synthetic_templates):
    for t in synthetic_templates.values():
        assert t.n_minutiae >= 20 and t.n_cylinders >= 15


def test_large_packets_are_split_by_pixel_budget(fake_leader):
    fake = fake_leader(30)
    big = np.tile(load_png("b_1.png"), (3, 3))[:900, :900]
    out = extract_templates([big, big, big], [500, 500, 500])
    assert fake.calls == 3  # 3 x 900^2 padded pixels > LEADER_BATCH_PIXELS
    assert all(isinstance(t, FingerTemplate) for t in out)
