"""An exact rewrite of the LEADER ONNX graph: transpose pairs around scalar element-wise chains.

The export wraps parts of every GELU in a layout change and back::

    x (NCHW) -> Transpose(0,2,3,1) -> Pow(., 3) -> Mul(c, .) -> Transpose(0,3,1,2) -> ...

Element-wise ops whose other operands are scalars commute with any transpose, so such a pair is
removed and the chain runs on the original layout: the same arithmetic on the same values, in
a different memory order (identical minutiae and scores; ``tests/matching/fingerprint``
checks it on real fingers). LEADER as shipped has 27 such pairs; nothing else is changed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

# Element-wise ops (numpy broadcasting semantics) that commute with a transpose when every
# operand other than the chain's tensor is a one-element constant.
_ELEMENTWISE = frozenset({"Mul", "Add", "Sub", "Div", "Pow", "Tanh", "Sigmoid", "Neg", "Sqrt",
                          "Reciprocal", "Cast", "Sign", "Atan", "Erf", "Relu", "Abs", "Exp"})


def _perm(node: Any) -> list[int]:
    from onnx import helper

    for attr in node.attribute:
        if attr.name == "perm":
            return [int(v) for v in helper.get_attribute_value(attr)]
    return []


def _one_element_constants(graph: Any) -> set[str]:
    from onnx import numpy_helper

    names = {i.name for i in graph.initializer if numpy_helper.to_array(i).size == 1}
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value" \
                and numpy_helper.to_array(node.attribute[0].t).size == 1:
            names.add(node.output[0])
    return names


def remove_transpose_pairs(model: Any) -> int:
    """Remove, in place, every ``Transpose(P) -> scalar element-wise chain -> Transpose(P⁻¹)``
    of ``model`` (an ``onnx.ModelProto``) whose intermediate tensors have one consumer each.
    Returns the number of pairs removed."""
    graph = model.graph
    scalars = _one_element_constants(graph)
    outputs = {o.name for o in graph.output}
    consumers: dict[str, list[Any]] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)
    drop: list[Any] = []
    renames: dict[str, str] = {}
    for first in list(graph.node):
        if first.op_type != "Transpose" or first.output[0] in outputs:
            continue
        perm = _perm(first)
        inverse = [perm.index(i) for i in range(len(perm))]
        tensor, chain = first.output[0], list[Any]()
        while len(consumers[tensor]) == 1 and tensor not in outputs:
            node = consumers[tensor][0]
            if node.op_type == "Transpose":
                if chain and _perm(node) == inverse:
                    # The chain reads the un-transposed tensor; the second transpose's readers
                    # read the chain's output.
                    for i, name in enumerate(chain[0].input):
                        if name == first.output[0]:
                            chain[0].input[i] = first.input[0]
                    renames[node.output[0]] = chain[-1].output[0]
                    drop += [first, node]
                break
            if node.op_type not in _ELEMENTWISE or len(node.output) != 1:
                break
            if not all(name == tensor or name in scalars for name in node.input):
                break
            chain.append(node)
            tensor = node.output[0]
    for node in drop:
        graph.node.remove(node)
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in renames:
                node.input[i] = renames[name]
    return len(drop) // 2


def optimized_leader(path: str) -> tuple[bytes, int]:
    """The LEADER model at ``path`` with its transpose pairs removed, serialized; and how many
    pairs were removed."""
    import onnx

    model = onnx.load(path)
    removed = remove_transpose_pairs(model)
    onnx.checker.check_model(model)
    return model.SerializeToString(), removed
