"""Weight quantizers and quantized layers.

* Quantizers (`Quantizer` subclasses; a layer calls them on its weight):
  `TaWQ` / `MTaWQ` (time-varying ternary / k-bit levels from a calcium state),
  `TernaryQuant` (direct ternary QAT), `LSQ` (learned step size, 1…8 bits),
  `PTQQuant` (static, for post-training quantization). `make_quantizer(spec)` builds
  one from a name / dict spec; `QUANTIZERS` maps names to classes.
* Layers: `QLinear`, `QConv2d` — ``y[t] = (x[t] ⊛ W_int[t]) * scale[t] + bias``;
  each has `deployable() -> DeployableWeights` (integer levels, scales, bias).
* `ptq(model, method, bits)`: post-training quantization of a trained model.
* `weight_entropy(w_int)`, `sparsity(w_int)`: statistics of integer levels.
"""
from .base import QuantizedWeight, Quantizer
from .deployable import DeployableWeights
from .lsq import LSQ, lsq_levels
from .ptq import ptq
from .qconv import QConv2d
from .qlayer import QuantLayer
from .qlinear import QLinear
from .registry import QUANTIZERS, make_quantizer
from .static import PTQQuant
from .stats import sparsity, weight_entropy
from .tawq import MTaWQ, TaWQ
from .ternary import TernaryQuant

__all__ = ["Quantizer", "QuantizedWeight", "DeployableWeights", "TaWQ", "MTaWQ", "TernaryQuant", "LSQ",
           "PTQQuant", "QUANTIZERS", "make_quantizer", "QLinear", "QConv2d", "QuantLayer", "ptq",
           "weight_entropy", "sparsity", "lsq_levels"]
