"""snnc.backends — the targets: each renders a deployable IR graph into code and runs it.

Backends import `snnc.ir` only, never the frontend or torch."""
