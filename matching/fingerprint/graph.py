"""Two rewrites of the LEADER ONNX graph that compute the same network with less layout work.

1. **Transpose regions** (exact). The export wraps parts of every GELU in a layout change and
   back::

       x (NCHW) -> Transpose(0,2,3,1) -> Pow(., 3) -> Mul(c, .) -> Transpose(0,3,1,2) -> ...

   Element-wise ops commute with any transpose (their constants transposed alike), and a
   Concat does with its axis permuted, so a region of them between ``Transpose(P)`` and
   ``Transpose(P⁻¹)`` runs on the original layout instead: the same arithmetic on the same
   values, in a different memory order (bit-identical outputs). LEADER as shipped has 27 such
   regions; the dilated convolutions below leave three more (removing those saved another
   ~7% of an inference: OpenVINO had turned each into a full-resolution reorder).
2. **Dilated convolutions** (float rounding). TensorFlow exported each dilated convolution as
   space-to-batch, a plain convolution and batch-to-space::

       x -> Pad -> Transpose -> SpaceToDepth(d) -> ... -> Conv(k) -> Transpose(1,0,2,3)
         -> DepthToSpace(d) -> Slice (crop) -> y    (y in the swapped [C, N, H, W] layout)

   which is one convolution with dilation ``d`` and "same" padding ``d (k - 1) / 2``: the same
   products and sums, in another order, without the four full-resolution layout passes
   (~11% of a finger's inference under OpenVINO, side by side). LEADER has four (two in the
   stem, two in the attention block). The outputs differ from the shipped graph's by float
   rounding only, as the runtimes' outputs already do (``tests/matching/fingerprint`` checks
   the minutiae and the scores on real fingers).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

# Element-wise ops (numpy broadcasting semantics): they commute with a transpose when every
# other operand is a one-element constant or a constant of full rank (transposed with them).
_ELEMENTWISE = frozenset({"Mul", "Add", "Sub", "Div", "Pow", "Tanh", "Sigmoid", "Neg", "Sqrt",
                          "Reciprocal", "Cast", "Sign", "Atan", "Erf", "Relu", "Abs", "Exp"})


def _perm(node: Any) -> list[int]:
    from onnx import helper

    for attr in node.attribute:
        if attr.name == "perm":
            return [int(v) for v in helper.get_attribute_value(attr)]
    return []


def _constants(graph: Any) -> dict[str, Any]:
    from onnx import numpy_helper

    found = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            found[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    return found


class _Region(NamedTuple):
    perm: list[int]
    entries: list[Any]  # Transpose(perm) nodes
    nodes: list[Any]  # element-wise ops and Concats between them
    exits: list[Any]  # Transpose(perm⁻¹) nodes


def _region(start: Any, producer: dict[str, Any], consumers: dict[str, list[Any]],
            constants: dict[str, Any], outputs: set[str]) -> _Region | None:
    """The region that ``start`` (a Transpose) opens: every node its tensors reach and every
    node they need, closed under both directions; ``None`` unless the region holds only
    element-wise ops and Concats, enters through Transposes of ``start``'s permutation and
    leaves only through Transposes of the inverse one."""
    perm = _perm(start)
    inverse = [perm.index(i) for i in range(len(perm))]
    entries, nodes, exits = {start.name: start}, dict[str, Any](), dict[str, Any]()
    tensors = {start.output[0]}

    def movable(node: Any) -> bool:
        return (node.op_type in _ELEMENTWISE or node.op_type == "Concat") \
            and len(node.output) == 1

    def constant(name: str) -> bool:
        c = constants.get(name)
        return c is not None and (c.size == 1 or c.ndim == len(perm))

    grew = True
    while grew:
        grew = False
        for tensor in list(tensors):
            if tensor in outputs:
                return None
            for node in consumers[tensor]:
                if node.name in nodes or node.name in exits:
                    continue
                if node.op_type == "Transpose" and _perm(node) == inverse:
                    exits[node.name] = node
                elif movable(node):
                    nodes[node.name] = node
                else:
                    return None
                grew = True
        for node in list(nodes.values()):
            for name in node.input:
                if not name or name in tensors or constant(name):
                    continue
                source = producer.get(name)
                if source is not None and source.op_type == "Transpose" and _perm(source) == perm:
                    entries[source.name] = source
                elif source is not None and movable(source):
                    nodes[source.name] = source
                else:
                    return None
                tensors.add(name)
                grew = True
            if node.output[0] not in tensors:
                tensors.add(node.output[0])
                grew = True
    if not exits:
        return None
    return _Region(perm, list(entries.values()), list(nodes.values()), list(exits.values()))


def _move_out(graph: Any, region: _Region, constants: dict[str, Any]) -> None:
    """Run ``region``'s nodes on the untransposed tensors and drop its Transposes."""
    from onnx import numpy_helper

    inverse = [region.perm.index(i) for i in range(len(region.perm))]
    untransposed = {e.output[0]: e.input[0] for e in region.entries}
    for node in region.nodes:
        for attr in node.attribute:
            if node.op_type == "Concat" and attr.name == "axis":
                attr.i = region.perm[attr.i % len(region.perm)]
        for i, name in enumerate(node.input):
            if name in untransposed:
                node.input[i] = untransposed[name]
            elif name in constants and constants[name].size > 1:
                moved = f"{name}/perm{''.join(map(str, inverse))}"
                if moved not in constants:
                    constants[moved] = constants[name].transpose(inverse).copy()
                    graph.initializer.append(numpy_helper.from_array(constants[moved], moved))
                node.input[i] = moved
    renames = {x.output[0]: untransposed.get(x.input[0], x.input[0]) for x in region.exits}
    outputs = {o.name for o in graph.output}
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in renames:
                node.input[i] = renames[name]
    for node in region.exits:
        if node.output[0] in outputs:  # a graph output keeps its name: the exit copies
            node.op_type, node.input[0] = "Identity", renames[node.output[0]]
            del node.attribute[:]
        else:
            graph.node.remove(node)
    for node in region.entries:
        graph.node.remove(node)


def remove_transposes(model: Any) -> int:
    """Remove, in place, every region of ``model`` (an ``onnx.ModelProto``) that enters through
    ``Transpose(P)``, computes element-wise ops and Concats, and leaves through
    ``Transpose(P⁻¹)``: the region then runs on the untransposed tensors (its full-rank
    constants and Concat axes permuted to match). Returns the number of regions removed."""
    graph = model.graph
    for n, node in enumerate(graph.node):  # regions are keyed by node name
        node.name = node.name or f"unnamed_{n}"
    removed, failed = 0, set[str]()
    while True:
        constants = _constants(graph)
        producer = {out: node for node in graph.node for out in node.output}
        consumers: dict[str, list[Any]] = defaultdict(list)
        for node in graph.node:
            for name in node.input:
                consumers[name].append(node)
        start = next((n for n in graph.node
                      if n.op_type == "Transpose" and n.name not in failed), None)
        if start is None:
            return removed
        region = _region(start, producer, consumers, constants, {o.name for o in graph.output})
        if region is None:
            failed.add(start.name)
            continue
        _move_out(graph, region, constants)
        _drop_dead_nodes(graph)
        removed += 1
        failed.clear()  # a region that failed may close now that this one is gone


def _attr(node: Any, name: str, default: Any = None) -> Any:
    from onnx import helper

    for attr in node.attribute:
        if attr.name == name:
            return helper.get_attribute_value(attr)
    return default


def _space_to_batch_source(conv: Any, producer: dict[str, Any],
                           block: int) -> tuple[str, list[int]] | None:
    """For a convolution fed by ``Pad -> Transpose(P) -> SpaceToDepth(block) -> reshapes``, the
    tensor before the Pad and the permutation that makes it NCHW; else ``None``."""
    node = producer.get(conv.input[0])
    while node is not None and node.op_type in ("Transpose", "Reshape", "Squeeze", "Unsqueeze"):
        node = producer.get(node.input[0])
    if node is None or node.op_type != "SpaceToDepth" or _attr(node, "blocksize") != block:
        return None
    swap = producer.get(node.input[0])
    pad = producer.get(swap.input[0]) if swap is not None else None
    if swap is None or swap.op_type != "Transpose" or pad is None or pad.op_type != "Pad":
        return None
    perm = _perm(swap)  # x -> [C, N, H, W]; then (1, 0, 2, 3) gives NCHW
    return pad.input[0], [perm[1], perm[0], perm[2], perm[3]]


def dilate_space_to_batch_convs(model: Any) -> int:
    """Replace, in place, every space-to-batch convolution of ``model`` by one dilated
    convolution (module docstring); returns how many were replaced."""
    from onnx import helper

    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    consumers: dict[str, list[Any]] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)
    added: list[tuple[Any, Any]] = []
    drop: list[Any] = []
    nchw: dict[tuple[str, tuple[int, ...]], str] = {}
    for d2s in list(graph.node):
        if d2s.op_type != "DepthToSpace" or _attr(d2s, "mode", b"DCR") not in (b"DCR", "DCR"):
            continue
        block = int(_attr(d2s, "blocksize"))
        swap = producer.get(d2s.input[0])
        conv = producer.get(swap.input[0]) if swap is not None else None
        crop = consumers[d2s.output[0]]
        if (swap is None or swap.op_type != "Transpose" or _perm(swap) != [1, 0, 2, 3]
                or conv is None or conv.op_type != "Conv" or len(consumers[conv.output[0]]) != 1
                or len(crop) != 1 or crop[0].op_type != "Slice"):
            continue
        kh, kw = (int(k) for k in _attr(conv, "kernel_shape"))
        if (list(_attr(conv, "dilations", [1, 1])) != [1, 1]
                or list(_attr(conv, "strides", [1, 1])) != [1, 1]
                or any(_attr(conv, "pads", [0, 0, 0, 0])) or kh % 2 == 0 or kw % 2 == 0):
            continue
        found = _space_to_batch_source(conv, producer, block)
        if found is None:
            continue
        source, perm = found
        if perm != [0, 1, 2, 3]:
            key = (source, tuple(perm))
            if key not in nchw:
                nchw[key] = f"{source}/nchw"
                added.append((conv, helper.make_node("Transpose", [source], [nchw[key]],
                                                     name=nchw[key], perm=perm)))
            source = nchw[key]
        out = f"{conv.name}/dilated:0"
        pads = [block * (kh - 1) // 2, block * (kw - 1) // 2]
        added.append((conv, helper.make_node(
            "Conv", [source, *conv.input[1:]], [out], name=f"{conv.name}/dilated",
            dilations=[block, block], strides=[1, 1], group=int(_attr(conv, "group", 1)),
            kernel_shape=[kh, kw], pads=pads * 2)))
        # Downstream reads the swapped layout [C, N, H, W], as before.
        added.append((conv, helper.make_node("Transpose", [out], [crop[0].output[0]],
                                             name=f"{conv.name}/swap", perm=[1, 0, 2, 3])))
        drop += [conv, swap, d2s, crop[0]]
    for anchor, node in added:
        graph.node.insert(list(graph.node).index(anchor), node)
    for node in drop:
        graph.node.remove(node)
    _drop_dead_nodes(graph)
    return len(drop) // 4


def _drop_dead_nodes(graph: Any) -> None:
    outputs = {o.name for o in graph.output}
    while True:
        used = {name for node in graph.node for name in node.input} | outputs
        dead = [node for node in graph.node if not any(o in used for o in node.output)]
        if not dead:
            break
        for node in dead:
            graph.node.remove(node)
    for init in [i for i in graph.initializer if i.name not in used]:
        graph.initializer.remove(init)


class Rewrites(NamedTuple):
    transpose_regions: int
    dilated_convs: int


def optimized_leader(path: str) -> tuple[bytes, Rewrites]:
    """The LEADER model at ``path`` with both rewrites applied, serialized; and how many of
    each were made."""
    import onnx

    model = onnx.load(path)
    regions = remove_transposes(model)
    dilated = dilate_space_to_batch_convs(model)
    done = Rewrites(regions + remove_transposes(model), dilated)  # again: the dilated convs'
    # outputs leave in the swapped layout
    onnx.checker.check_model(model)
    return model.SerializeToString(), done
