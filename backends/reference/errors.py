"""Errors of the reference interpreter; each names the node (and timestep) where it happened."""
from snnc.ir import IRError


class ExecutionError(IRError):
    """Running a graph failed at a node: an integer left its declared range, a value was not
    finite where an integer was needed, or a kernel met a malformed node.

    `node` names the node, `timestep` (when known) the first timestep at fault,
    `detail` is the message without the location prefix.
    """

    def __init__(self, message: str, node: str | None = None, timestep: int | None = None,
                 op: str | None = None):
        self.node, self.timestep, self.op, self.detail = node, timestep, op, message
        where = []
        if node is not None:
            where.append(f"node %{node}" + (f" ({op})" if op else ""))
        if timestep is not None:
            where.append(f"timestep {timestep}")
        super().__init__(", ".join(where) + ": " + message if where else message)


class InputError(ExecutionError, ValueError):
    """An input array does not match its input node: wrong name, shape, element type or range.

    `node` is the input's name."""


class UnprovenError(ExecutionError):
    """A run longer than the timesteps the graph's integer widths are proven for (`node`: the
    neuron that could overflow, `timestep`: where); see `snnc.ir.check_timesteps`."""
