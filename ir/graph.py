"""Graph and Node: the IR's data structure.

A `Graph` holds named nodes in topological order, a parameter store (NumPy
arrays by key) and graph attributes (`dt`, provenance …). A `Node` has an op
name, operands (names of earlier nodes), attributes (plain scalars, tuples,
strings), parameters (role → key in the store), a result type and a `meta` dict
for per-pass scratch data (never printed, never compared).

Rewrites go through `replace_all_uses_with` and `remove`; `add` infers the
result type from the op definition (`ir.ops`) unless one is given.
"""
from __future__ import annotations

import copy as _copy
from typing import Iterable, Iterator

import numpy as np

from .errors import VerifyError
from .types import TensorType, normalize_param

AttrValue = int | float | bool | str | tuple


class Node:
    __slots__ = ("name", "op", "operands", "attrs", "params", "type", "meta")

    def __init__(self, name: str, op: str, operands: Iterable[str] = (), attrs: dict | None = None,
                 params: dict[str, str] | None = None, type: TensorType | None = None):
        self.name = name
        self.op = op
        self.operands = list(operands)
        self.attrs = dict(attrs or {})
        self.params = dict(params or {})
        self.type = type
        self.meta: dict = {}

    @property
    def opdef(self):
        from .ops import get_op
        return get_op(self.op, node=self.name)

    def key(self) -> tuple:
        return (self.name, self.op, tuple(self.operands), tuple(sorted(self.attrs.items())),
                tuple(sorted(self.params.items())), self.type)

    def __eq__(self, other) -> bool:
        return isinstance(other, Node) and self.key() == other.key()

    def __repr__(self) -> str:
        ops = ", ".join("%" + o for o in self.operands)
        return f"<Node %{self.name} = {self.op}({ops}) : {self.type}>"


class Graph:
    def __init__(self, name: str = "graph", attrs: dict | None = None):
        self.name = name
        self.attrs: dict = dict(attrs or {})
        self.nodes: dict[str, Node] = {}
        self.params: dict[str, np.ndarray] = {}

    # ---------------------------------------------------------------- access
    def __iter__(self) -> Iterator[Node]:
        return iter(list(self.nodes.values()))

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, name: str) -> bool:
        return name in self.nodes

    def __getitem__(self, name: str) -> Node:
        try:
            return self.nodes[name]
        except KeyError:
            raise VerifyError(f"no node named %{name}", node=name) from None

    @property
    def inputs(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.op == "input"]

    @property
    def outputs(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.op == "output"]

    def users(self, name: str) -> list[Node]:
        return [n for n in self.nodes.values() if name in n.operands]

    def param(self, node: Node | str, role: str) -> np.ndarray | None:
        """The array bound to `role` on a node, or None when the node has no such parameter."""
        node = self[node] if isinstance(node, str) else node
        key = node.params.get(role)
        return None if key is None else self.params[key]

    def operand_types(self, node: Node) -> list[TensorType]:
        return [self[o].type for o in node.operands]

    # ---------------------------------------------------------------- build
    def unique_name(self, base: str) -> str:
        base = base or "v"
        if base not in self.nodes:
            return base
        i = 1
        while f"{base}_{i}" in self.nodes:
            i += 1
        return f"{base}_{i}"

    def unique_param_key(self, base: str) -> str:
        if base not in self.params:
            return base
        i = 1
        while f"{base}_{i}" in self.params:
            i += 1
        return f"{base}_{i}"

    def add_param(self, key: str, array) -> str:
        """Store an array under a fresh key derived from `key`; returns the key used."""
        key = self.unique_param_key(key)
        self.params[key] = normalize_param(array)
        return key

    def add(self, op: str, operands: Iterable[Node | str] = (), attrs: dict | None = None,
            params: dict | None = None, name: str | None = None, type: TensorType | None = None,
            before: str | None = None, after: str | None = None) -> Node:
        """Append (or insert before/after a node) a new node and return it.

        `params` maps role → either a key already in the store (str) or an array,
        which is stored under the key ``<node name>.<role>``. Missing attributes
        are filled with the op's defaults; the result type is inferred unless given.
        """
        from .ops import get_op
        opdef = get_op(op, node=name)
        name = self.unique_name(name or op)
        operand_names = [o.name if isinstance(o, Node) else o for o in operands]
        for o in operand_names:
            if o not in self.nodes:
                raise VerifyError(f"operand %{o} is not defined before this node", node=name)
        bound = {}
        for role, value in (params or {}).items():
            if value is None:
                continue
            if isinstance(value, str):
                if value not in self.params:
                    raise VerifyError(f"parameter @{value} (role {role!r}) is not in the store", node=name)
                bound[role] = value
            else:
                bound[role] = self.add_param(f"{name}.{role}", value)
        node = Node(name, op, operand_names, opdef.complete_attrs(attrs or {}, name), bound)
        self._insert(node, before=before, after=after)
        if type is None:
            try:
                type = opdef.infer(node, self)
            except Exception:
                self._remove_node(node.name)
                raise
        node.type = type
        return node

    def _insert(self, node: Node, before: str | None = None, after: str | None = None):
        if before is None and after is None:
            self.nodes[node.name] = node
            return
        anchor = before if before is not None else after
        if anchor not in self.nodes:
            raise VerifyError(f"cannot insert relative to unknown node %{anchor}", node=node.name)
        items = []
        for k, v in self.nodes.items():
            if k == anchor and before is not None:
                items.append((node.name, node))
            items.append((k, v))
            if k == anchor and after is not None:
                items.append((node.name, node))
        self.nodes = dict(items)

    # ---------------------------------------------------------------- rewrite
    def replace_all_uses_with(self, old: Node | str, new: Node | str) -> int:
        """Make every user of `old` use `new` instead; returns the number of uses changed."""
        old = old.name if isinstance(old, Node) else old
        new = new.name if isinstance(new, Node) else new
        count = 0
        for n in self.nodes.values():
            if n.name == new:
                continue
            for i, o in enumerate(n.operands):
                if o == old:
                    n.operands[i] = new
                    count += 1
        return count

    def remove(self, node: Node | str):
        """Remove a node that has no users; its parameters stay until `prune_params`."""
        name = node.name if isinstance(node, Node) else node
        users = [u.name for u in self.users(name)]
        if users:
            raise VerifyError(f"cannot remove %{name}: still used by " + ", ".join("%" + u for u in users),
                              node=name)
        self._remove_node(name)

    def _remove_node(self, name: str):
        del self.nodes[name]

    def prune_params(self) -> list[str]:
        """Drop stored arrays that no node refers to; returns their keys."""
        used = {k for n in self.nodes.values() for k in n.params.values()}
        dead = [k for k in self.params if k not in used]
        for k in dead:
            del self.params[k]
        return dead

    def infer_types(self):
        """Recompute every node's result type from its op definition, in order."""
        for n in self.nodes.values():
            n.type = n.opdef.infer(n, self)

    # ---------------------------------------------------------------- whole graph
    def copy(self) -> "Graph":
        """Deep copy (parameter arrays copied too)."""
        g = Graph(self.name, _copy.deepcopy(self.attrs))
        for n in self.nodes.values():
            m = Node(n.name, n.op, n.operands, _copy.deepcopy(n.attrs), n.params, n.type)
            m.meta = _copy.deepcopy(n.meta)
            g.nodes[m.name] = m
        g.params = {k: v.copy() for k, v in self.params.items()}
        return g

    def __eq__(self, other) -> bool:
        if not isinstance(other, Graph):
            return NotImplemented
        if (self.name, self.attrs) != (other.name, other.attrs):
            return False
        if list(self.nodes.values()) != list(other.nodes.values()):
            return False
        if self.params.keys() != other.params.keys():
            return False
        return all(a.dtype == other.params[k].dtype and a.shape == other.params[k].shape
                   and np.array_equal(a, other.params[k], equal_nan=a.dtype.kind == "f")
                   for k, a in self.params.items())

    __hash__ = None

    def verify(self) -> "Graph":
        from .verify import verify
        verify(self)
        return self
