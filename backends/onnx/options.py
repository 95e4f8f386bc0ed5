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

from ..target import TargetError, check_option_names

MIN_OPSET = 17
MAX_OPSET = 21      # tested with onnx 1.23 / onnxruntime 1.31


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


@dataclass(frozen=True)
class OnnxOptions:
    timesteps: int | None = None
    opset: int = MIN_OPSET
    threads: int = 1
    optimize: bool = False

    @classmethod
    def parse(cls, options: dict | None) -> "OnnxOptions":
        o = cls(**check_option_names("onnx", options, cls))
        if o.timesteps is not None and (not _is_int(o.timesteps) or o.timesteps < 1):
            raise TargetError(f"onnx option timesteps={o.timesteps!r}; expected a positive integer")
        if not _is_int(o.opset) or not MIN_OPSET <= o.opset <= MAX_OPSET:
            raise TargetError(f"onnx option opset={o.opset!r}; expected an integer {MIN_OPSET}..{MAX_OPSET}")
        if not _is_int(o.threads) or not 0 <= o.threads <= 1024:
            raise TargetError(f"onnx option threads={o.threads!r}; expected an integer 0..1024 "
                              "(0: onnxruntime's default)")
        if not isinstance(o.optimize, bool):
            raise TargetError(f"onnx option optimize={o.optimize!r}; expected true or false")
        return o

    def timesteps_for(self, graph: Graph) -> int:
        """T: the option, else the graph attribute ``timesteps``."""
        if self.timesteps is not None:
            return self.timesteps
        t = graph.attrs.get("timesteps")
        if _is_int(t) and t >= 1:
            return int(t)
        if t is not None:
            raise TargetError(f"the graph attribute timesteps={t!r} is not a positive integer; "
                              "give the onnx option timesteps=T")
        raise TargetError("the onnx target unrolls the network over a fixed number of timesteps, and the "
                          "graph has no attribute timesteps; give the onnx option timesteps=T "
                          "(CLI: snnc compile … -t onnx -O timesteps=T)")
