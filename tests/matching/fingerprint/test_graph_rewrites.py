"""The transpose-region rewrite on small graphs built here: a region with a Concat, a
full-rank constant and two entries runs untransposed with bit-identical outputs; a region
that leaks a transposed tensor to anything else is left alone."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from matching.fingerprint.graph import remove_transposes

SHAPE = [2, 3, 4, 5]  # NCHW


def _model(nodes: list, outputs: dict[str, list[int]], inits: dict[str, np.ndarray]):
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, SHAPE) for n in ("a", "b")],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, s) for o, s in outputs.items()],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _run(model, feed):
    import onnxruntime as ort

    return ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"]).run(None, feed)


def _feed():
    rng = np.random.default_rng(1)
    return {n: rng.standard_normal(SHAPE).astype(np.float32) for n in ("a", "b")}


def test_a_region_with_a_concat_and_a_full_rank_constant_runs_untransposed():
    nhwc = [0, 2, 3, 1]
    bias = np.arange(3, dtype=np.float32).reshape(1, 1, 1, 3)  # per channel, NHWC
    nodes = [
        helper.make_node("Transpose", ["a"], ["at"], perm=nhwc, name="ta"),
        helper.make_node("Transpose", ["b"], ["bt"], perm=nhwc, name="tb"),
        helper.make_node("Add", ["at", "bias"], ["x"], name="add"),
        helper.make_node("Mul", ["x", "half"], ["y"], name="mul"),
        helper.make_node("Tanh", ["y"], ["z"], name="tanh"),
        helper.make_node("Add", ["z", "x"], ["w"], name="add2"),  # two paths: a DAG
        helper.make_node("Concat", ["w", "bt"], ["c"], axis=3, name="cat"),  # channels in NHWC
        helper.make_node("Transpose", ["c"], ["out"], perm=[0, 3, 1, 2], name="back"),
    ]
    model = _model(nodes, {"out": [2, 6, 4, 5]}, {"bias": bias, "half": np.array(0.5, np.float32)})
    feed = _feed()
    before = _run(model, feed)[0]
    assert remove_transposes(model) == 1
    assert not [n for n in model.graph.node if n.op_type == "Transpose"]
    onnx.checker.check_model(model)
    assert np.array_equal(_run(model, feed)[0], before)


def test_a_region_whose_transposed_tensor_escapes_is_left_alone():
    nodes = [
        helper.make_node("Transpose", ["a"], ["at"], perm=[0, 2, 3, 1], name="ta"),
        helper.make_node("Relu", ["at"], ["r"], name="relu"),
        helper.make_node("Transpose", ["r"], ["out"], perm=[0, 3, 1, 2], name="back"),
        helper.make_node("ReduceMean", ["r"], ["m"], axes=[3], name="leak"),  # reads NHWC
    ]
    model = _model(nodes, {"out": SHAPE, "m": [2, 4, 5, 1]}, {})
    feed = _feed()
    before = _run(model, feed)
    assert remove_transposes(model) == 0
    after = _run(model, feed)
    assert all(np.array_equal(x, y) for x, y in zip(before, after, strict=True))
