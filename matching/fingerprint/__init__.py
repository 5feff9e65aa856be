"""Fingerprint engine: LEADER minutiae, MCC16b templates, LSS-R 1:1, indexed 1:N.

Numpy in, dataclasses out; nothing loads at import time (the LEADER network is built on first
use by ``loader.leader_session``). Coordinates are pixels at 500 dpi, x right, y down; angles in
radians from +x towards +y. Scores are in [0, 1], higher is more similar; compare them with
``finger.match_score`` in ``matching.thresholds``.

    templates = extract_templates([img1, img2], [500, 569])   # FingerTemplate or error each
    score = compare(templates[0], templates[1])
    index = FingerIndex(); index.add(ids, positions, templates); index.search(probe, 2, k=20)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import FingerQualityError, TemplateError
from .template import EXTRACTOR_NAME, EXTRACTOR_VERSION, FingerTemplate

if TYPE_CHECKING:
    from .extract import check_image, extract_templates
    from .index import FingerIndex
    from .lssr import compare
    from .template import make_template

__all__ = [
    "EXTRACTOR_NAME",
    "EXTRACTOR_VERSION",
    "FingerIndex",
    "FingerQualityError",
    "FingerTemplate",
    "TemplateError",
    "check_image",
    "compare",
    "extract_templates",
    "make_template",
]

_LAZY = {
    "check_image": "extract",
    "extract_templates": "extract",
    "compare": "lssr",
    "make_template": "template",
    "FingerIndex": "index",
}


def __getattr__(name: str) -> Any:
    # numba/onnxruntime/faiss are imported only when a function that needs them is first used.
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)
