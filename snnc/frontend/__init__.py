"""snnc.frontend — PyTorch spiking models (and model files) into the float IR.

* `trace(model, example_input, *, input_type=None, input_scale=None) -> Graph`:
  torch.fx tracing with snnc's modules as leaves, lowered node by node into IR
  ops that compute exactly what the PyTorch model computes (conventions in the
  docstrings of `trace.py`, `layers.py`, `neurons.py`, `stateless.py`,
  `attention.py`, `scale.py`, `functions.py`, `inputs.py`).
* `load_source(source, example=None) -> Graph`: an nn.Module, a checkpoint
  (``.pt``), an IR file (``.snnir`` / ``.nir``) or a Graph.
* `nir_import`: NIR graphs from any framework into the IR (`from_nir`, `read`),
  imported on first use (it needs the `nir` package).
* `compare_with_torch(model, graph, x)`: run both on the same data and count
  spike mismatches per neuron, telling threshold ties from real differences.
* `lowers(ModuleClass)`: register a lowering for a user's module (signature in
  `registry.lowers`); `MODULES`: module type → lowering; `SnncTracer`.
* SpikingJelly modules are lowered by `foreign/spikingjelly.py`, imported only when a
  model holds one.
"""
from .compare import Comparison, compare_with_torch
from .emit import Emitter, broadcast
from .registry import MODULES, Site, lower_module, lowers
from .source import default_example, load_source
from .trace import trace
from .tracer import SnncTracer

__all__ = ["trace", "load_source", "default_example", "compare_with_torch", "Comparison", "MODULES", "Site",
           "lowers", "lower_module", "Emitter", "broadcast", "SnncTracer"]
