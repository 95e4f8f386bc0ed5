"""Plumbing the C-family targets share: one Jinja environment (`templates`), one C/C++
toolchain with flag probing and a build cache (`toolchain`), one identifier namer
(`names`), one integer-literal formatter (`literals`).

Nothing here is imported by `snnc.backends` itself; targets import the modules they use.
"""
