"""How the OpenVINO runner is set up: f32, one thread, and no pinning to a core (every worker
process pinned its inference thread to the same core: two workers ran as one)."""

from __future__ import annotations

import numpy as np
import pytest

from matching.fingerprint import loader

pytest.importorskip("openvino")


def test_openvino_runner_is_f32_one_thread_and_unpinned():
    runner = loader.build("openvino", threads=1)
    out = runner.run(None, {"input": np.full((1, 64, 64, 1), 128.0, np.float32)})[0]
    assert out.shape == (1, 64, 64, 4)
    compiled = runner._compiled[(1, 64, 64, 1)].get_compiled_model()  # type: ignore[attr-defined]
    assert compiled.get_property("ENABLE_CPU_PINNING") is False
    assert compiled.get_property("INFERENCE_NUM_THREADS") == 1
    assert str(compiled.get_property("INFERENCE_PRECISION_HINT")) in ("f32", "<Type: 'float32'>")
