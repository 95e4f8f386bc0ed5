"""snnc.templates — Jinja templates (`*.j2`) rendered by the backends, shipped as package data."""
