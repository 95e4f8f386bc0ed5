"""User-facing errors.

Every error a user can cause (a bad checkpoint, an unsupported layer, a graph a
target cannot express, a missing compiler …) is raised as a `SnncError`
subclass whose message names the cause and the way out. The CLI prints such an
error as one line and exits non-zero; anything else is a bug and shows a
traceback. Errors of the IR itself (`snnc.ir.IRError`: parse and verification
errors) are registered as user errors by the CLI too.
"""


class SnncError(Exception):
    """Base class of errors caused by the user's input, not by a bug."""


class CheckpointError(SnncError):
    """A checkpoint is missing, corrupted, unsafe or of an unknown architecture."""


class UnsupportedError(SnncError):
    """A model, layer or graph feature that a stage or target cannot handle."""


class ConfigError(SnncError):
    """An invalid option or configuration value."""


class ToolchainError(SnncError):
    """An external tool (C compiler, make …) is missing or failed."""


class DataError(ConfigError):
    """A dataset that cannot be read: a wrong path, format, shape or label (the message names the file)."""
