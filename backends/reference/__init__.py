"""snnc.backends.reference — the NumPy interpreter of the IR, the golden model.

Every other target is compared with it by equality of integers, so each kernel
implements exactly the equation in its op's docstring (`snnc.ir.ops`).

* `run(graph, x, trace=False)` — x is an array ``[T, B, *shape]`` (single-input
  graph) or a dict input name → array. Values are float32 for f32 types and
  int64 raw integers for spike / int / uint / fixed types. Returns the output
  array (single output) or a dict output name → array; with ``trace=True``,
  ``(outputs, trace)`` where `trace` maps every node name to its value
  ``[T, B, *shape]`` and every stateful node's state to ``"<node>#v"`` (and the
  CUBA current to ``"<node>#i"``).
  `run` trusts the graph's structure and types (it does not call `verify()`;
  verify untrusted graphs first) but checks every integer result against its type.
* `encode_inputs(graph, x_real)` — real data → the arrays `run` takes.
* `ExecutionError` (an `IRError`) names the node and timestep of a failure;
  `InputError` (also a `ValueError`) names the input whose array is wrong;
  `UnprovenError` refuses a run longer than the timesteps the graph's integer widths are
  proven for (`snnc.ir.check_timesteps`), before anything runs.
* `KERNELS` — op name → kernel (`kernels/`); `SUPPORTED_OPS` — the ops it runs.

Float semantics: float32, in the order each docstring gives. Integer semantics:
exact (int64, wider where needed); a value outside its declared type — the
node's result type, or int<state_bits> for integer neuron state unless
`saturate` — is an `ExecutionError`, which is how integerize bugs surface.
"""
from .errors import ExecutionError, InputError, UnprovenError
from .inputs import encode_inputs
from .interpreter import run
from .kernels import KERNELS

SUPPORTED_OPS = frozenset(KERNELS)

__all__ = ["run", "encode_inputs", "ExecutionError", "InputError", "UnprovenError", "KERNELS", "SUPPORTED_OPS"]
