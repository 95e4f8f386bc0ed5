"""The installed version of snnc (from the package metadata: pyproject.toml keeps it, once)."""
from importlib import metadata

try:
    VERSION = metadata.version("snnc")
except metadata.PackageNotFoundError:       # running from a source tree that was never installed
    VERSION = "0+unknown"
