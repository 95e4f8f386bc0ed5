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
    default_pipeline = "dce"
    options_type = OnnxOptions
    features = {"time-varying weights": True, "multi-bit spikes": True, "conv": True, "attention": True}

    def check(self, graph: Graph) -> None:
        check_graph(graph, self.name)
        super().check(graph)

    def export(self, graph: Graph, options: dict | None = None, trace: bool = False):
        """The ONNX `ModelProto` for `graph` (checked first); `trace` adds every node as an output."""
        o = OnnxOptions.parse(options)
        self.check(graph)
        return to_onnx(graph, o.timesteps_for(graph), o.opset, trace=trace)

    def emit(self, graph: Graph, out_dir: Path, options: dict) -> dict[str, Path]:
        onnx = import_onnx()
        model = self.export(graph, options)
        path = Path(out_dir) / MODEL_FILE
        onnx.save_model(model, str(path))
        return {"onnx": path}

    def load(self, out_dir: Path | None, graph: Graph, options: dict) -> OnnxRunner:
        o = OnnxOptions.parse(options)
        if out_dir is None:
            return OnnxRunner(self.export(graph, options), graph, o)
        path = Path(out_dir) / MODEL_FILE
        if not path.is_file():
            raise TargetError(f"{path} does not exist; emit the onnx target into {out_dir} first")
        return OnnxRunner(import_onnx().load_model(str(path)), graph, o)
