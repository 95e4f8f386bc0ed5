"""What the onnx target can express, and the imports of onnx / onnxruntime.

The target runs the FLOAT graph: every value is a float32 tensor, spikes and
integer counts included. That is exact for integers of magnitude ≤ 2^24, so
`check_graph` refuses, naming the node:

* the integer-only ops (``*_int``, made by integerize) — the onnx target takes the
  float graph;
* an integer-typed value (spike, int, uint, fixed) that may exceed 2^24 in
  magnitude, judged from its type and, for sums of integers, from the bound on the
  partial sums (``max|x| · max_o Σ_i |W[o, i]|`` for linear/conv2d, ``K·max|a|·max|b|``
  for spike_matmul, ``kh·kw·max|x|`` for sumpool2d, ``Σ max|x_k|`` for add,
  ``max|x|·max|scale| + max|bias|`` for scale/affine);
* an integer parameter beyond 2^24 in magnitude.
"""
from __future__ import annotations

import numpy as np

from snnc.ir import OPS, Graph
from snnc.ir.types import maxabs

from ..target import TargetError

EXACT = 1 << 24          # every integer of magnitude ≤ 2^24 is a float32


def import_onnx():
    try:
        import onnx
    except ImportError:
        raise TargetError("the onnx target needs the Python package onnx; install it "
                          "(pip install onnx) or choose another target") from None
    return onnx


def import_onnxruntime():
    try:
        import onnxruntime
    except ImportError:
        raise TargetError("running an onnx model needs the Python package onnxruntime; install it "
                          "(pip install onnxruntime), or only emit the model (out_dir) without run()") from None
    return onnxruntime


def integer_bound(graph: Graph, node) -> int:
    """An upper bound on |every partial result| of an integer-typed node (see the module docstring)."""
    ins = graph.operand_types(node)
    p = graph.param
    own = maxabs(node.type.dtype)
    if node.op in ("linear", "conv2d"):
        w = p(node, "weight")
        rows = np.abs(w.astype(np.float64)).reshape(w.shape[:-3 if node.op == "conv2d" else -1] + (-1,))
        return max(own, maxabs(ins[0].dtype) * int(rows.sum(axis=-1).max(initial=0)) + maxabs(p(node, "bias")))
    if node.op == "spike_matmul":
        a = ins[0].shape
        k = a[-2] if node.attrs["transpose_a"] else a[-1]
        return max(own, k * maxabs(ins[0].dtype) * maxabs(ins[1].dtype))
    if node.op == "sumpool2d":
        kh, kw = node.attrs["kernel"]
        return max(own, kh * kw * maxabs(ins[0].dtype))
    if node.op == "add":
        return max(own, sum(maxabs(t.dtype) for t in ins))
    if node.op in ("scale", "affine"):
        return max(own, maxabs(ins[0].dtype) * maxabs(p(node, "scale")) + maxabs(p(node, "bias")))
    return own


def check_graph(graph: Graph, target: str) -> None:
    """Refuse what float32 ONNX cannot compute exactly as the reference does (module docstring)."""
    for node in graph:
        op = OPS.get(node.op)
        if op is not None and op.integer:
            raise TargetError(f"target {target} runs the float graph, but node %{node.name} is the integer-only op "
                              f"{node.op} (made by integerize); compile with the onnx target's default pipeline "
                              "(no integerize), or use the cpu, hls or reference target for the integer graph")
    for node in graph:
        for role, key in node.params.items():
            a = graph.params[key]
            if a.dtype.kind in "iu" and maxabs(a) > EXACT:
                raise TargetError(f"node %{node.name}: integer parameter {role} has values beyond 2^24, which "
                                  f"float32 cannot hold exactly; use the cpu or reference target")
        if node.type is not None and node.type.dtype.is_integer and node.op != "output":
            bound = integer_bound(graph, node)
            if bound > EXACT:
                raise TargetError(f"node %{node.name} ({node.op}, {node.type}) may reach integers of magnitude "
                                  f"{bound} > 2^24, which float32 ONNX cannot compute exactly; narrow the input "
                                  "or weights, or use the cpu or reference target")
