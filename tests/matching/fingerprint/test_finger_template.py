from __future__ import annotations

import numpy as np
import pytest

from matching.fingerprint import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    FingerTemplate,
    TemplateError,
    compare,
)


def test_round_trip_is_exact(minutiae_gallery):
    t = minutiae_gallery[0][0]
    back = FingerTemplate.from_bytes(t.to_bytes())
    assert (back.extractor, back.version) == (EXTRACTOR_NAME, EXTRACTOR_VERSION)
    for field in ("minutiae", "quality", "cyl_index", "cyl_bits", "cyl_valid"):
        np.testing.assert_array_equal(getattr(back, field), getattr(t, field))
    assert compare(back, minutiae_gallery[1][0]) == compare(t, minutiae_gallery[1][0])


def test_cylinders_are_mcc16b(minutiae_gallery):
    t = minutiae_gallery[0][0]
    assert t.cyl_bits.shape == (t.n_cylinders, 192)
    assert t.cyl_valid.shape == (t.n_cylinders, 32)
    assert 0 < t.n_cylinders <= t.n_minutiae
    assert np.all((t.minutiae[:, 2] >= 0) & (t.minutiae[:, 2] < 2 * np.pi))


@pytest.mark.parametrize("where", [0, 5, 40, -3])
def test_flipped_byte_is_rejected(minutiae_gallery, where):
    data = bytearray(minutiae_gallery[0][0].to_bytes())
    data[where] ^= 0x40
    with pytest.raises(TemplateError):
        FingerTemplate.from_bytes(bytes(data))


def test_truncated_and_foreign_are_rejected(minutiae_gallery):
    data = minutiae_gallery[0][0].to_bytes()
    for cut in (0, 10, len(data) - 1):
        with pytest.raises(TemplateError):
            FingerTemplate.from_bytes(data[:cut])
    with pytest.raises(TemplateError, match="magic"):
        FingerTemplate.from_bytes(b"\x89PNG" + data[4:])
    t = minutiae_gallery[0][0]
    other = FingerTemplate(
        t.minutiae, t.quality, t.cyl_index, t.cyl_bits, t.cyl_valid, EXTRACTOR_NAME, "0.9"
    )
    with pytest.raises(TemplateError, match="re-extract"):
        FingerTemplate.from_bytes(other.to_bytes())
    with pytest.raises(TemplateError):
        compare(other, t)
