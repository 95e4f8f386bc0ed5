"""snnc.backends.onnx — the `onnx` target: the float IR graph unrolled over T timesteps as
a standard ONNX model (opset ≥ 17) and run with onnxruntime.

* `target.py` — `OnnxTarget` (registered as "onnx"): check, emit ``model.onnx``, load a runner.
* `export.py` — `to_onnx(graph, T, opset, trace)`: the model, interface and metadata.
* `lowering.py` — the per-timestep lowering context and the op → lowering table, filled by
  `synapses.py` (linear, conv2d, spike_matmul), `pooling.py` (pools, flatten, reshape),
  `elementwise.py` (add, scale, affine, batchnorm, threshold, multispike) and
  `neurons.py` (lif, if, plif, cuba_lif, li).
* `support.py` — what the target refuses (integer-only ops, integers beyond float32).
* `runner.py` — `OnnxRunner`: onnxruntime with the reference interpreter's interface.
* `options.py`, `names.py`, `builder.py` — options, identifier-safe names, the ONNX writer.

onnx and onnxruntime are imported only when a model is built or run.
"""
from .export import to_onnx
from .options import OnnxOptions
from .target import OnnxTarget

__all__ = ["OnnxTarget", "OnnxOptions", "to_onnx"]
