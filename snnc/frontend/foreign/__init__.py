"""Lowerings of other SNN libraries' modules, each imported only when a model uses that library
(`snnc.frontend.registry.FOREIGN`)."""
