"""Boundary and shape kernels: input, output, flatten, reshape (no arithmetic)."""
from .registry import kernel


@kernel("input")
def input_(ctx, node):
    """x[t]: the checked input array bound to this input's name."""
    return ctx.inputs[node.name]


@kernel("output")
def output(ctx, node, x):
    """y[t] = x[t]."""
    return x


@kernel("flatten")
def flatten(ctx, node, x):
    """Row-major merge of the per-timestep dims [start:] (a reshape to the node's type)."""
    return x.reshape((ctx.T, ctx.B) + node.type.shape)


@kernel("reshape")
def reshape(ctx, node, x):
    """Row-major view of each timestep with the per-timestep shape `shape`."""
    return x.reshape((ctx.T, ctx.B) + tuple(node.attrs["shape"]))
