"""The recogniser's ONNX graph with its elementwise steps folded, for speed.

PP-OCRv4's recogniser (PPLCNetV3), as exported from Paddle, follows most convolutions
with a learnable scale and shift (`Mul`, `Add` by scalars) and writes hard-swish out as
`Add 3, Clip 0..6, Mul, Div 6`. onnxruntime fuses none of them: they were ~30 % of its
CPU time, each a pass over the feature map. Rewritten here, mathematically the same:

- a convolution's output scale and shift go into its weights and bias;
- hard-swish becomes `x * HardSigmoid(x)` (alpha 1/6, beta 1/2), which onnxruntime runs
  inside its convolutions;
- a scale and shift in front of a 1x1 convolution without padding go into its weights
  and bias (not in front of padded ones: their zero padding would be shifted too);
- the scale and shift left after a hard-swish (in front of a padded depthwise
  convolution) become a 1x1 convolution, one weight and bias per channel: onnxruntime
  keeps convolutions in its blocked layout (NCHWc), while a `Mul` and `Add` by scalars
  made it convert the feature map out of that layout and back, four passes for one
  (~10 % of the recogniser's time).

The model's operator set (12) is kept: HardSwish itself needs 14, whose Squeeze and
Softmax differ. Probabilities differ from the plain graph's by float rounding only
(under 1e-5 on PP-OCRv4); recognition is ~1.6x as fast
(one thread, crops 96-768 columns wide).
"""

from __future__ import annotations

import collections

import numpy as np
import onnx
from onnx import helper, numpy_helper

_Nodes = list[onnx.NodeProto]


def folded_model(path: str) -> bytes:
    """The model at `path` with its affine steps and hard-swishes folded, serialised."""
    model = onnx.load(path)
    graph = model.graph
    consts = _constants(graph)
    nodes = list(graph.node)
    for rewrite in (_fold_into_conv, _hard_swish, _fold_into_next_conv, _affine_as_conv):
        nodes = rewrite(nodes, _Graph(graph, consts))
    kept = []
    for node in nodes:
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        kept.append(copy)
    del graph.node[:]
    graph.node.extend(kept)
    return model.SerializeToString()


def _constants(graph: onnx.GraphProto) -> dict[str, np.ndarray]:
    consts = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in graph.node
              if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value"}
    consts.update({i.name: numpy_helper.to_array(i) for i in graph.initializer})
    return consts


class _Graph:
    """Constants by name, new initialisers, and fresh names."""

    def __init__(self, graph: onnx.GraphProto, consts: dict[str, np.ndarray]) -> None:
        self.graph, self.consts, self.count = graph, consts, 0
        self.outputs = {o.name for o in graph.output}

    def scalar(self, name: str) -> np.float32 | None:
        value = self.consts.get(name)
        return None if value is None or value.size != 1 else np.float32(value.ravel()[0])

    def add(self, array: np.ndarray, base: str) -> str:
        self.count += 1
        name = f"{base}__folded{self.count}"
        self.graph.initializer.append(numpy_helper.from_array(array.astype(np.float32), name))
        self.consts[name] = array
        return name

    def sole(self, consumers: dict[str, _Nodes], name: str, op: str) -> onnx.NodeProto | None:
        """The one node reading `name`, if it is an `op` (and `name` no graph output)."""
        found = consumers.get(name, [])
        if len(found) == 1 and found[0].op_type == op and name not in self.outputs:
            return found[0]
        return None

    def affine(self, consumers: dict[str, _Nodes], name: str
               ) -> tuple[onnx.NodeProto, onnx.NodeProto, np.float32, np.float32] | None:
        """`name * s + b` by scalars, as its Mul and Add nodes and s, b."""
        mul = self.sole(consumers, name, "Mul")
        if mul is None or (s := self.scalar(_other(mul, name))) is None:
            return None
        add = self.sole(consumers, mul.output[0], "Add")
        if add is None or (b := self.scalar(_other(add, mul.output[0]))) is None:
            return None
        return mul, add, s, b

    def weights(self, conv: onnx.NodeProto) -> tuple[np.ndarray, np.ndarray]:
        weight = self.consts[conv.input[1]]
        bias = (self.consts[conv.input[2]] if len(conv.input) > 2
                else np.zeros(weight.shape[0], np.float32))
        return weight, bias


def _other(node: onnx.NodeProto, name: str) -> str:
    return node.input[1] if node.input[0] == name else node.input[0]


def _consumers(nodes: _Nodes) -> dict[str, _Nodes]:
    found: dict[str, _Nodes] = collections.defaultdict(list)
    for node in nodes:
        for name in node.input:
            found[name].append(node)
    return found


def _without(nodes: _Nodes, removed: set[int]) -> _Nodes:
    return [n for n in nodes if id(n) not in removed]


def _fold_into_conv(nodes: _Nodes, graph: _Graph) -> _Nodes:
    """conv(x) * s + b is a convolution with weights w * s and bias bias * s + b."""
    consumers, removed = _consumers(nodes), set()
    for conv in [n for n in nodes if n.op_type == "Conv" and n.input[1] in graph.consts]:
        found = graph.affine(consumers, conv.output[0])
        if found is None:
            continue
        mul, add, s, b = found
        weight, bias = graph.weights(conv)
        conv.input[:] = [conv.input[0], graph.add(weight * s, conv.input[1]),
                         graph.add(bias * s + b, conv.output[0])]
        _rename_input(consumers, add.output[0], conv.output[0])
        removed |= {id(mul), id(add)}
    return _without(nodes, removed)


def _rename_input(consumers: dict[str, _Nodes], old: str, new: str) -> None:
    for node in consumers.get(old, []):
        node.input[:] = [new if name == old else name for name in node.input]


def _hard_swish(nodes: _Nodes, graph: _Graph) -> _Nodes:
    """x * clip(x + 3, 0, 6) / 6 as x * HardSigmoid(x) (alpha 1/6, beta 1/2)."""
    consumers, removed = _consumers(nodes), set()
    replaced: dict[int, onnx.NodeProto] = {}
    for add in [n for n in nodes if n.op_type == "Add"]:
        x = next((name for name in add.input if graph.scalar(name) != 3.0), None)
        if x is None or graph.scalar(_other(add, x)) != 3.0:
            continue
        clip = graph.sole(consumers, add.output[0], "Clip")
        if clip is None or len(clip.input) != 3 or graph.scalar(clip.input[1]) != 0.0 \
                or graph.scalar(clip.input[2]) != 6.0:
            continue
        mul = graph.sole(consumers, clip.output[0], "Mul")
        if mul is None or _other(mul, clip.output[0]) != x:
            continue
        div = graph.sole(consumers, mul.output[0], "Div")
        if div is None or div.input[0] != mul.output[0] or graph.scalar(div.input[1]) != 6.0:
            continue
        graph.count += 1
        gate = f"{x}__gate{graph.count}"
        replaced[id(add)] = helper.make_node("HardSigmoid", [x], [gate], alpha=1 / 6, beta=0.5)
        replaced[id(clip)] = helper.make_node("Mul", [x, gate], [div.output[0]])
        removed |= {id(mul), id(div)}
    return [replaced.get(id(n), n) for n in _without(nodes, removed)]


def _fold_into_next_conv(nodes: _Nodes, graph: _Graph) -> _Nodes:
    """conv(x * s + b) for a 1x1 convolution without padding or groups is one with
    weights w * s and bias bias + b * (w summed over its inputs)."""
    consumers, removed = _consumers(nodes), set()
    for mul in [n for n in nodes if n.op_type == "Mul"]:
        x = next((name for name in mul.input if graph.scalar(name) is None), None)
        if x is None or (s := graph.scalar(_other(mul, x))) is None:
            continue
        add = graph.sole(consumers, mul.output[0], "Add")
        if add is None or (b := graph.scalar(_other(add, mul.output[0]))) is None:
            continue
        conv = graph.sole(consumers, add.output[0], "Conv")
        if conv is None or conv.input[0] != add.output[0] or not _plain_pointwise(conv, graph):
            continue
        weight, bias = graph.weights(conv)
        conv.input[:] = [x, graph.add(weight * s, conv.input[1]),
                         graph.add(bias + b * weight.sum(axis=(1, 2, 3)), conv.output[0])]
        removed |= {id(mul), id(add)}
    return _without(nodes, removed)


def _affine_as_conv(nodes: _Nodes, graph: _Graph) -> _Nodes:
    """x * s + b by scalars, on a hard-swish's output (x * HardSigmoid(x) after a
    convolution), as a depthwise 1x1 convolution: weight s and bias b per channel."""
    consumers, removed = _consumers(nodes), set()
    producers = {name: node for node in nodes for name in node.output}
    replaced: dict[int, onnx.NodeProto] = {}
    for mul in [n for n in nodes if n.op_type == "Mul"]:
        x = next((name for name in mul.input if graph.scalar(name) is None), None)
        channels = None if x is None else _hard_swish_channels(producers, graph, x)
        if channels is None or (found := graph.affine(consumers, x)) is None or found[0] is not mul:
            continue
        _, add, s, b = found
        weight = graph.add(np.full((channels, 1, 1, 1), s, np.float32), x)
        bias = graph.add(np.full(channels, b, np.float32), x)
        replaced[id(mul)] = helper.make_node("Conv", [x, weight, bias], [add.output[0]],
                                             group=channels, kernel_shape=[1, 1])
        removed.add(id(add))
    return [replaced.get(id(n), n) for n in _without(nodes, removed)]


def _hard_swish_channels(producers: dict[str, onnx.NodeProto], graph: _Graph,
                         name: str) -> int | None:
    """The channel count of `name` where it is x * HardSigmoid(x) of a convolution's x."""
    mul = producers.get(name)
    if mul is None or mul.op_type != "Mul" or len(mul.input) != 2:
        return None
    gate = producers.get(mul.input[1])
    conv = producers.get(mul.input[0])
    if gate is None or gate.op_type != "HardSigmoid" or gate.input[0] != mul.input[0] \
            or conv is None or conv.op_type != "Conv" or conv.input[1] not in graph.consts:
        return None
    return int(graph.consts[conv.input[1]].shape[0])


def _plain_pointwise(conv: onnx.NodeProto, graph: _Graph) -> bool:
    if conv.input[1] not in graph.consts:
        return False
    attrs = {a.name: helper.get_attribute_value(a) for a in conv.attribute}
    kernel = graph.consts[conv.input[1]].shape[2:]
    return (tuple(kernel) == (1, 1) and attrs.get("group", 1) == 1
            and not any(attrs.get("pads", [0])) and attrs.get("auto_pad", b"NOTSET")
            in (b"NOTSET", "NOTSET", b"VALID", "VALID"))

