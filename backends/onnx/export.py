"""`to_onnx(graph, T)`: the float IR graph unrolled over T timesteps as an ONNX model.

Model interface:

* one input per IR `input` node, float32 ``[T, batch, *shape]`` (``batch`` is a dynamic
  dimension); spike and integer inputs carry their raw values as floats;
* one output per IR `output` node, ``[T, batch, *shape]``: float32 for f32 values, int64
  for spike / integer values (raw integers, as the reference interpreter returns them);
* ``metadata_props``: ``snnc.timesteps``, ``snnc.io`` (JSON: IR name → ONNX name for
  inputs, outputs and traced nodes) and ``snnc.graph`` (the IR graph's name).

Inside, the input is split into its T timesteps (``Gather``), every IR node is lowered
timestep by timestep (`lowering.LOWERINGS`), and each output stacks its T steps
(``Unsqueeze`` + ``Concat``). With ``trace=True`` every other node's value is an extra
output as well (as the reference interpreter's trace), for debugging and for tests.
"""
from __future__ import annotations

import json

import numpy as np

from snnc.ir import Graph

from ..target import TargetError
from . import elementwise, neurons, pooling, synapses  # noqa: F401  (fill LOWERINGS)
from .builder import GraphBuilder
from .lowering import LOWERINGS, Lowering
from .names import Namer, sanitize
from .options import MIN_OPSET
from .support import import_onnx

BATCH = "batch"
SUPPORTED_OPS = frozenset(LOWERINGS) | {"input", "output"}


def to_onnx(graph: Graph, T: int, opset: int = MIN_OPSET, trace: bool = False):
    """The ONNX `ModelProto` of `graph` unrolled over `T` timesteps (checked by onnx.checker)."""
    if not graph.inputs or not graph.outputs:
        raise TargetError(f"graph {graph.name} has no {'input' if not graph.inputs else 'output'} node; "
                          "an ONNX model needs at least one of each")
    onnx = import_onnx()
    TP = onnx.TensorProto
    namer = Namer()
    io = {"inputs": {}, "outputs": {}, "trace": {}}
    for n in graph.inputs:                       # interface names first: they keep their plain form
        io["inputs"][n.name] = namer.fresh(n.name)
    for n in graph.outputs:
        io["outputs"][n.name] = namer.fresh(n.name)
    b = GraphBuilder(onnx, namer)
    lw = Lowering(graph, T, b)
    values: dict[str, list[str]] = {}
    graph_inputs, graph_outputs = [], []

    def dims(node):
        return [T, BATCH] + list(node.type.shape)

    def stack(node, steps, name):
        axis0 = b.const([0], np.int64)
        parts = [b.op("Unsqueeze", [s, axis0], f"{node.name}_stack_t{t}") for t, s in enumerate(steps)]
        integer = not node.type.dtype.is_float
        y = b.op("Concat", parts, f"{node.name}_stacked", axis=0) if len(parts) > 1 else parts[0]
        b.nodes.append(onnx.helper.make_node("Cast" if integer else "Identity", [y], [name],
                                             name=namer.fresh(f"{name}_out"), **({"to": TP.INT64} if integer else {})))
        elem = TP.INT64 if integer else TP.FLOAT
        graph_outputs.append(onnx.helper.make_tensor_value_info(name, elem, dims(node)))

    for node in graph:
        if node.op == "input":
            name = io["inputs"][node.name]
            graph_inputs.append(onnx.helper.make_tensor_value_info(name, TP.FLOAT, dims(node)))
            values[node.name] = [b.op("Gather", [name, b.const(t, np.int64)], f"{node.name}_t{t}", axis=0)
                                 for t in range(T)]
        elif node.op == "output":
            stack(node, values[node.operands[0]], io["outputs"][node.name])
        else:
            values[node.name] = LOWERINGS[node.op](lw, node, [values[o] for o in node.operands])
    if trace:
        for node in graph:
            if node.op != "output":
                io["trace"][node.name] = namer.fresh(f"trace_{node.name}")
                stack(node, values[node.name], io["trace"][node.name])

    g = onnx.helper.make_graph(b.nodes, sanitize(graph.name), graph_inputs, graph_outputs, b.initializers)
    opsets = [onnx.helper.make_opsetid("", opset)]
    model = onnx.helper.make_model(g, opset_imports=opsets, producer_name="snnc",
                                   ir_version=onnx.helper.find_min_ir_version_for(opsets))
    onnx.helper.set_model_props(model, {"snnc.timesteps": str(T), "snnc.io": json.dumps(io),
                                        "snnc.graph": graph.name})
    onnx.checker.check_model(model, full_check=True)
    return model
