"""Options of the onnx target (`snnc.compile(..., target="onnx", **options)`).

* ``timesteps`` (int, default: the graph attribute ``timesteps``) — T, the number of
  timesteps the model is unrolled over; the model's input is ``[T, batch, *shape]``.
* ``opset`` (int, 17) — the ONNX opset the model declares (17 …
  `MAX_OPSET`; the ops used mean the same in all of them).
* ``threads`` (int, 1) — onnxruntime intra-op threads for `run()`; 0 lets onnxruntime choose.
* ``optimize`` (bool, False) — let onnxruntime rewrite the graph before `run()`. Off by
  default: its fusions (Conv+Mul, MatMul+Add → Gemm, …) change the order of float
  operations, and the target promises the reference's float32 results, not approximations.
"""
from __future__ import annotations

from dataclasses import dataclass

from snnc.ir import Graph

from ..target import TargetError

MIN_OPSET = 17
MAX_OPSET = 21      # tested with onnx 1.23 / onnxruntime 1.31


@dataclass(frozen=True)
class OnnxOptions:
    """The fields are the option names (module docstring); types are checked by the option parser."""
    timesteps: int | None = None
    opset: int = MIN_OPSET
    threads: int = 1
    optimize: bool = False

    def __post_init__(self):
        if self.timesteps is not None and self.timesteps < 1:
            raise TargetError(f"onnx option timesteps={self.timesteps!r}; expected a positive integer")
        if not MIN_OPSET <= self.opset <= MAX_OPSET:
            raise TargetError(f"onnx option opset={self.opset!r}; expected an integer {MIN_OPSET}..{MAX_OPSET}")
        if not 0 <= self.threads <= 1024:
            raise TargetError(f"onnx option threads={self.threads!r}; expected an integer 0..1024 "
                              "(0: onnxruntime's default)")

    def timesteps_for(self, graph: Graph) -> int:
        """T: the option, else the graph attribute ``timesteps``."""
        if self.timesteps is not None:
            return self.timesteps
        t = graph.attrs.get("timesteps")
        if isinstance(t, int) and not isinstance(t, bool) and t >= 1:
            return int(t)
        if t is not None:
            raise TargetError(f"the graph attribute timesteps={t!r} is not a positive integer; "
                              "give the onnx option timesteps=T")
        raise TargetError("the onnx target unrolls the network over a fixed number of timesteps, and the "
                          "graph has no attribute timesteps; give -T/--timesteps T (snnc.compile(..., "
                          "timesteps=T)) or the onnx option timesteps=T")
