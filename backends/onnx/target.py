"""The `onnx` target: the float graph unrolled over T timesteps as a standard ONNX model.

`emit` writes ``model.onnx`` (opset ≥ 17, weights as initializers, checked by
``onnx.checker``); `load` runs it with onnxruntime (`runner.OnnxRunner`), whose outputs
equal the reference interpreter's float semantics: spikes identical, float values
bit-identical where the reference's operation order is reproduced (everything but the
accumulation order inside MatMul and Conv, which is onnxruntime's; exact when inputs and
weights are integers). Options: `options.OnnxOptions`.
"""
from __future__ import annotations

from pathlib import Path

from snnc.ir import Graph

from ..target import Target, TargetError, register
from .export import SUPPORTED_OPS, to_onnx
from .options import OnnxOptions
from .runner import OnnxRunner
from .support import check_graph, import_onnx

MODEL_FILE = "model.onnx"


@register
class OnnxTarget(Target):
    name = "onnx"
    description = "the float graph unrolled over T timesteps as an ONNX model (model.onnx), run by onnxruntime"
    ops = SUPPORTED_OPS
    integer = False
    golden = "reference float32, bit for bit (onnxruntime)"
    default_pipeline = "dce"
    Options = OnnxOptions
    artifacts = {"onnx": MODEL_FILE}

    def check(self, graph: Graph, opts=None) -> None:
        check_graph(graph, self.name)          # integer-only ops are refused with the way out, before the op table
        super().check(graph, opts)

    def export(self, graph: Graph, options=None, trace: bool = False):
        """The ONNX `ModelProto` for `graph` (checked first); `trace` adds every node as an output."""
        o = self.options(options, graph)
        self.check(graph, o)
        return to_onnx(graph, o.timesteps_for(graph), o.opset, trace=trace)

    def render(self, graph: Graph, opts: OnnxOptions) -> dict[str, bytes]:
        return {MODEL_FILE: self.export(graph, opts).SerializeToString()}

    def open(self, out_dir: Path | None, graph: Graph, opts: OnnxOptions) -> OnnxRunner:
        if out_dir is None:
            return OnnxRunner(self.export(graph, opts), graph, opts)
        path = Path(out_dir) / MODEL_FILE
        if not path.is_file():
            raise TargetError(f"{path} does not exist; emit the onnx target into {out_dir} first")
        return OnnxRunner(import_onnx().load_model(str(path)), graph, opts)
