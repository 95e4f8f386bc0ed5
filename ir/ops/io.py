"""Graph boundary ops: `input` and `output`."""
from ..types import TensorType, parse_dtype
from .base import Attr, OpDef, register


@register
class Input(OpDef):
    """input: x[t] — the graph input at timestep t, shape `shape`, element type `dtype`.

    For integer encodings (direct-encoded images as k-bit integers) the real
    value is ``x · scale``; for spikes and floats `scale` is 1.
    """
    name = "input"
    arity = 0
    attrs = (Attr("shape", "ints"), Attr("dtype", "str"), Attr("scale", "float", 1.0))

    def check(self, node, graph):
        try:
            dt = parse_dtype(node.attrs["dtype"])
        except ValueError as e:
            self.fail(node, str(e))
        if not node.attrs["scale"] > 0:
            self.fail(node, f"input scale must be positive, got {node.attrs['scale']}")
        if dt.is_float and node.attrs["scale"] != 1.0:
            self.fail(node, "a float input cannot have a scale")
        if any(d <= 0 for d in node.attrs["shape"]):
            self.fail(node, f"input shape {list(node.attrs['shape'])} has a non-positive dimension")

    def infer_type(self, node, graph, ins):
        return TensorType(node.attrs["shape"], parse_dtype(node.attrs["dtype"]))


@register
class Output(OpDef):
    """output: y[t] = x[t] — marks a graph output; its name is the output's name.

    For integer results `scale` gives the real value, ``y · scale`` (integerize sets
    it, e.g. for fixed-point logits); for spikes and floats it is 1.
    """
    name = "output"
    attrs = (Attr("scale", "float", 1.0),)

    def check(self, node, graph):
        if graph.users(node.name):
            self.fail(node, "an output node cannot be used by other nodes")
        if not node.attrs["scale"] > 0:
            self.fail(node, f"output scale must be positive, got {node.attrs['scale']}")

    def infer_type(self, node, graph, ins):
        return ins[0]
