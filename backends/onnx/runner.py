"""Running an emitted model with onnxruntime, with the reference interpreter's interface.

``OnnxRunner(model, graph, options).run(x)`` takes the raw inputs the reference takes
(one array ``[T, batch, *shape]`` or a dict input name → array; checked as the reference
checks them), feeds them as float32, and returns the outputs as the reference does: one
array for one output, else a dict output name → array (float32 for f32 outputs, int64 for
spike / integer outputs). A model exported with ``trace=True`` also gives
``run(x, trace=True) -> (outputs, trace)``, trace mapping every node name to its value.
T is fixed by the model: an input with another T is an `InputError` naming both.
"""
from __future__ import annotations

import json

import numpy as np

from snnc.ir import Graph

from ..reference.errors import InputError
from ..reference.inputs import bind_inputs
from ..target import TargetError
from .options import OnnxOptions
from .support import import_onnxruntime


class OnnxRunner:
    def __init__(self, model, graph: Graph, options: OnnxOptions):
        ort = import_onnxruntime()
        props = {p.key: p.value for p in model.metadata_props}
        try:
            self.T = int(props["snnc.timesteps"])
            self.io = json.loads(props["snnc.io"])
        except (KeyError, ValueError):
            raise TargetError("this ONNX model was not written by snnc's onnx target (its metadata lacks "
                              "snnc.timesteps / snnc.io); emit it again") from None
        self.graph = graph
        so = ort.SessionOptions()
        so.intra_op_num_threads = options.threads
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        if not options.optimize:
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            self.session = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
        except Exception as e:       # onnxruntime raises its own exception types
            raise TargetError(f"onnxruntime cannot load the model: {e}") from None

    def run(self, x, trace: bool = False):
        if trace and not self.io["trace"]:
            raise TargetError("run(x, trace=True) needs a model exported with trace=True")
        arrays = bind_inputs(self.graph, x)
        T = next(iter(arrays.values())).shape[0]
        if T != self.T:
            raise InputError(f"the ONNX model is unrolled over T={self.T} timesteps but the input has T={T}; "
                             f"pass {self.T} timesteps or compile again with the option timesteps={T}")
        feed = {self.io["inputs"][name]: a.astype(np.float32) for name, a in arrays.items()}
        names = dict(self.io["outputs"], **(self.io["trace"] if trace else {}))
        values = dict(zip(names, self.session.run(list(names.values()), feed)))
        outputs = {n: values[n] for n in self.io["outputs"]}
        result = next(iter(outputs.values())) if len(outputs) == 1 else outputs
        if trace:
            return result, {**{n: values[n] for n in self.io["trace"]}, **outputs}
        return result
