from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching.fingerprint import FingerTemplate, extract_templates, make_template

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "fingers"


def load_png(name: str) -> np.ndarray:
    from PIL import Image

    with Image.open(FIXTURES / name) as im:
        return np.asarray(im.convert("L"))


@pytest.fixture(scope="session")
def synthetic_templates() -> dict[str, FingerTemplate]:
    """LEADER templates of the shipped synthetic fixtures (a_1/a_2 mated; b_1, c_1 others)."""
    names = ["a_1.png", "a_2.png", "b_1.png", "c_1.png"]
    out = extract_templates([load_png(n) for n in names], [500] * len(names))
    assert all(isinstance(t, FingerTemplate) for t in out), out
    return {n.split(".")[0]: t for n, t in zip(names, out, strict=True)}  # type: ignore[misc]


def random_minutiae(rng: np.random.Generator, n: int = 40, size: float = 320.0) -> np.ndarray:
    """Minutiae spread like a finger's: at least 12 px apart inside a size x size box."""
    pts: list[tuple[float, float]] = []
    while len(pts) < n:
        p = rng.uniform(20, size - 20, 2)
        if all((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 > 144 for q in pts):
            pts.append((float(p[0]), float(p[1])))
    xy = np.array(pts)
    return np.column_stack([xy, rng.uniform(0, 2 * np.pi, n)]).astype(np.float32)


def impression(rng: np.random.Generator, m: np.ndarray, drop: float = 0.15) -> np.ndarray:
    """Another impression: rotated, shifted, jittered, some minutiae lost."""
    a = rng.uniform(-0.4, 0.4)
    c, s = np.cos(a), np.sin(a)
    centre = m[:, :2].mean(0)
    xy = (m[:, :2] - centre) @ np.array([[c, s], [-s, c]]) + centre + rng.uniform(-20, 20, 2)
    xy += rng.normal(0, 2.0, xy.shape)
    ang = m[:, 2] + a + rng.normal(0, 0.08, len(m))
    keep = rng.random(len(m)) > drop
    return np.column_stack([xy, ang])[keep].astype(np.float32)


@pytest.fixture(scope="session")
def minutiae_gallery() -> tuple[list[FingerTemplate], list[FingerTemplate]]:
    """60 random fingers (templates from synthetic minutiae) and one mated probe for each."""
    rng = np.random.default_rng(7)
    base = [random_minutiae(rng, int(rng.integers(30, 50))) for _ in range(60)]
    gallery = [make_template(m) for m in base]
    probes = [make_template(impression(rng, m)) for m in base]
    return gallery, probes
