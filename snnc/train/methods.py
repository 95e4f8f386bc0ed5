"""Names of the training methods and the quantizer each one uses by default.

Kept free of torch so that the CLI can list them without importing it; the
loss of each method is written out in `snnc.train.loop`.
"""

METHODS = ("fp", "direct", "indirect", "attention", "ptq")

#: quantizer (`config["quant"]`) a method uses when none is given
DEFAULT_QUANT = {"fp": "fp", "direct": "ternary", "indirect": "ternary", "attention": "lsq", "ptq": "fp"}

#: one line per method, for `snnc train --help`
DESCRIPTIONS = {
    "fp": "full-precision weights",
    "direct": "quantization-aware training with --quant (tawq, mtawq, ternary, lsq)",
    "indirect": "ternarization-aware distillation from a full-precision teacher (soft-label KD + task loss)",
    "attention": "KD plus fine-grained attention-map distillation from a full-precision teacher (transformer)",
    "ptq": "train in full precision, then post-training quantization (--ptq-method, --ptq-bits)",
}
