"""Errors of the IR: every one names where it happened (a node, or a line and column)."""


class IRError(Exception):
    """Base class of IR errors; all of them are caused by the input, not by a bug."""


class VerifyError(IRError):
    """A graph breaks a structural rule or an op's own rule. `node` names the culprit."""

    def __init__(self, message: str, node: str | None = None):
        self.node = node
        self.detail = message
        super().__init__(f"node %{node}: {message}" if node is not None else message)


class ParseError(IRError):
    """A text IR file could not be parsed: `line`, `column` (1-based) and what was expected."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 expected: tuple[str, ...] = (), source: str | None = None):
        self.line, self.column, self.expected, self.source = line, column, tuple(expected), source
        where = ""
        if line is not None:
            where = f"line {line}" + (f", column {column}" if column is not None else "") + ": "
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{where}{message}")


class TimestepsError(VerifyError):
    """A run is longer than the timesteps the graph's integer widths are proven for (`node`: the
    first neuron that could leave its state type, `timestep`: where, `T`: the run's length)."""

    def __init__(self, message: str, node: str | None = None, timestep: int | None = None, T: int | None = None):
        self.timestep, self.T = timestep, T
        super().__init__(message, node=node)
