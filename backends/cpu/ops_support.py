"""The ops of the deployable integer IR that the cpu target implements (one template each)."""

SUPPORTED_OPS = frozenset({
    "input", "output", "linear", "conv2d", "sumpool2d", "maxpool2d", "flatten", "reshape", "add",
    "scale", "affine", "spike_matmul", "threshold", "lif_int", "cuba_lif_int", "li_int", "multispike_int",
})
