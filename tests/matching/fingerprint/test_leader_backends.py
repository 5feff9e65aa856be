"""The optimized LEADER (transpose-free graph, OpenVINO f32) against the reference (the graph
as shipped, onnxruntime CPU) on real fingers: the rewrite is exact, the runtimes agree on the
minutiae and on the scores; the backend switch picks CUDA only where it exists."""

from __future__ import annotations

import numpy as np
import pytest

from matching.fingerprint import FingerTemplate, compare, loader
from matching.fingerprint.extract import detect, extract_templates, prepare
from matching.fingerprint.graph import optimized_leader, remove_transposes
from matching.thresholds import value

from .conftest import load_png

pytestmark = pytest.mark.shared_data
SETS = (("FVC2002_DB1_B", 500), ("FVC2002_DB2_B", 569), ("FVC2002_DB3_B", 500),
        ("FVC2004_DB2_B", 500))


@pytest.fixture(scope="module")
def fingers(shared_data) -> list[tuple[np.ndarray, int, str]]:
    from PIL import Image

    out = []
    for name, dpi in SETS:
        for fid in (101,):
            for imp in (1, 2):
                path = shared_data / "fingerprints" / name / f"{fid}_{imp}.tif"
                if not path.exists():
                    pytest.skip(f"{path} not in the shared data")
                with Image.open(path) as im:
                    out.append((np.asarray(im.convert("L")), dpi, f"{name}/{fid}"))
    return out


@pytest.fixture
def backend():
    def use(name: str) -> None:
        loader.configure(name)

    yield use
    loader.configure(None)


def _reliable(det: np.ndarray) -> np.ndarray:
    return det[det[:, 3] >= value("finger.leader_quality")]


def _ort(model: str | bytes):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


def _finger_input(batch: int = 1) -> np.ndarray:
    img = load_png("a_1.png").astype(np.float32)
    x = np.full((batch, 320, 384, 1), 200.0, np.float32)
    for b in range(batch):  # a different crop per batch item
        x[b, : img.shape[0] - 8 * b, : min(384, img.shape[1]), 0] = img[8 * b:, :384]
    return x


def test_transpose_rewrite_is_exact():
    import onnx

    model = onnx.load(str(loader.leader_path()))
    assert remove_transposes(model) == 27
    x = _finger_input()
    a = _ort(str(loader.leader_path())).run(None, {"input": x})[0]
    b = _ort(model.SerializeToString()).run(None, {"input": x})[0]
    assert np.array_equal(a, b)


@pytest.mark.parametrize("batch", [1, 3])
def test_dilated_rewrite_is_the_same_network(batch):
    """Both rewrites: the four space-to-batch convolutions become dilated ones; the outputs
    differ from the shipped graph's by float rounding only, one finger or a batch."""
    blob, done = optimized_leader(str(loader.leader_path()))
    assert done == (30, 4)
    x = _finger_input(batch)
    a = _ort(str(loader.leader_path())).run(None, {"input": x})[0]
    b = _ort(blob).run(None, {"input": x})[0]
    assert a.shape == b.shape
    turn = np.abs(np.angle(np.exp(1j * (a[..., 1] - b[..., 1]))))  # channel 1: directions
    assert turn.max() <= 1e-4
    assert np.abs(a[..., [0, 2, 3]] - b[..., [0, 2, 3]]).max() <= 1e-4
    assert np.array_equal(a[..., 3] > 0, b[..., 3] > 0)  # the same minutiae found
    assert not any(n.op_type in ("SpaceToDepth", "DepthToSpace")
                   for n in __import__("onnx").load_from_string(blob).graph.node)


def test_openvino_agrees_with_the_reference(fingers, backend):
    images = [prepare(im, dpi) for im, dpi, _ in fingers]
    backend("onnxruntime")
    ref = detect(images)
    backend("openvino")
    assert loader.leader_session().name == "openvino"  # type: ignore[attr-defined]
    new = detect(images)
    found = total = 0
    for r, n in zip(ref, new, strict=True):
        r, n = _reliable(r), _reliable(n)
        assert abs(len(r) - len(n)) <= max(2, len(r) // 20)
        for x, y, ang, _ in r:
            d = np.hypot(n[:, 0] - x, n[:, 1] - y)
            da = np.abs(np.angle(np.exp(1j * (n[:, 2] - ang))))
            found += int(np.any((d <= 2) & (da <= 0.2)))
            total += 1
    assert found / total >= 0.98, f"{found}/{total} reference minutiae kept"


def test_scores_agree_across_backends(fingers, backend):
    ims, dpis = [f[0] for f in fingers], [f[1] for f in fingers]
    backend("onnxruntime")
    ref = extract_templates(ims, dpis)
    backend("openvino")
    new = extract_templates(ims, dpis)
    assert all(isinstance(t, FingerTemplate) for t in [*ref, *new])
    for i in range(0, len(ref), 2):  # impressions 1 and 2 of one finger
        a, b = compare(ref[i], ref[i + 1]), compare(new[i], new[i + 1])  # type: ignore[arg-type]
        assert abs(a - b) <= 0.03, (fingers[i][2], a, b)
        assert b >= value("finger.match_score")  # genuine pairs still match


def test_backend_switch_follows_cuda(monkeypatch):
    monkeypatch.setattr(loader, "cuda_available", lambda: False)
    assert loader.resolve_backend("auto") == "openvino"
    with pytest.raises(RuntimeError, match="cuda"):
        loader.build("cuda", threads=1)
    monkeypatch.setattr(loader, "cuda_available", lambda: True)
    assert loader.resolve_backend("auto") == "cuda"
    with pytest.raises(ValueError):
        loader.resolve_backend("tpu")


def test_batched_path_on_the_cpu_provider(fingers):
    """The code CUDA runs (many fingers per call) on the CPU provider: same minutiae as one
    finger per call where the padding is the same."""
    runner = loader.build("onnxruntime", threads=1)
    runner.batched = True  # type: ignore[attr-defined]
    loader.set_leader_loader(lambda: runner)
    try:
        same = [prepare(im, dpi) for im, dpi, name in fingers if name.startswith("FVC2002_DB1")]
        batched = detect(same)
        runner.batched = False  # type: ignore[attr-defined]
        single = detect(same)
    finally:
        loader.set_leader_loader(None)
    for a, b in zip(batched, single, strict=True):
        np.testing.assert_allclose(_reliable(a)[:, :3], _reliable(b)[:, :3], atol=1e-3)
