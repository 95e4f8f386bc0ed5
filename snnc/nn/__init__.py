"""snnc.nn — quantized spiking modules, all multi-step over time-major tensors ``[T, B, ...]``.

* `neurons`: `LIF`, `IF`, `PLIF`, `CubaLIF`, `IELIF` (each with `ir_op` and `ir_params()`).
* `surrogate`: surrogate gradients of the spike step (atan, sigmoid, triangle).
* `quant`: weight quantizers (TaWQ, mTaWQ, ternary, LSQ, PTQ), `QLinear` / `QConv2d`
  with `deployable()`, `ptq`, `weight_entropy`, `sparsity`.
* `SeqWrap` (a per-timestep module), `MCDropout` and `mc_mode` (Monte-Carlo passes),
  `SpikeDrivenSelfAttention` (softmax-free attention block) with `record_attention` /
  `attention_maps` for distillation.
* `LayerScale` (a learned per-channel gain) and `Voting` (a population readout: mean of
  groups of k neurons).

These, BatchNorm1d/2d, MaxPool2d/AvgPool2d, Flatten, Dropout and Identity are
the only module types the models of `snnc.models` use, so that the tracer can
map each one onto IR ops.
"""
from . import quant, surrogate
from .attention import SpikeDrivenSelfAttention, attention_maps, record_attention
from .dropout import MCDropout, mc_mode
from .neurons import IELIF, IF, LIF, PLIF, CubaLIF, SpikingNeuron
from .quant import DeployableWeights, QConv2d, QLinear, ptq, sparsity, weight_entropy
from .scale import LayerScale, Voting
from .seq import SeqWrap
from .surrogate import Surrogate, get_surrogate

__all__ = ["LIF", "IF", "PLIF", "CubaLIF", "IELIF", "SpikingNeuron", "QLinear", "QConv2d", "DeployableWeights",
           "SeqWrap", "LayerScale", "Voting", "MCDropout", "mc_mode", "SpikeDrivenSelfAttention",
           "record_attention", "attention_maps",
           "ptq", "weight_entropy", "sparsity", "Surrogate", "get_surrogate", "quant", "surrogate"]
