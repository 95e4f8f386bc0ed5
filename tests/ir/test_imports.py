"""ir/ stands alone: its modules import nothing of snnc's outside ir/ and no third-party IR
package, and their imports (module level and function level alike) form no cycle.

The imports are read from the source with `ast`, so an import hidden inside a function
counts. Importing ``snnc.ir.a.b`` runs the package ``snnc.ir.a`` first, so an import
also depends on each package above its target that does not also hold the importer.
"""
import ast
import subprocess
import sys
from pathlib import Path


IR = Path(__file__).resolve().parents[2] / "ir"
ROOT = "snnc.ir"
FOREIGN_IR_PACKAGES = ("nir", "onnx", "torch")


def modules() -> dict[str, Path]:
    """Dotted name → source file of every module under ir/ (a package by its __init__.py)."""
    out = {}
    for path in sorted(IR.rglob("*.py")):
        parts = path.relative_to(IR).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join((ROOT, *parts))] = path
    return out


def imported_names(name: str, path: Path) -> list[str]:
    """Absolute names of everything `name` imports (``from p import x`` gives ``p`` and ``p.x``)."""
    is_package = path.name == "__init__.py"
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[:len(base) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names.append(module)
            names += [f"{module}.{a.name}" for a in node.names]
    return names


def dependencies(name: str, imported: str, known) -> set[str]:
    """The ir/ modules that importing `imported` from `name` runs: the module and the packages above it
    that are not packages of `name` itself."""
    parts = imported.split(".")
    own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
    return {m for m in (".".join(parts[:i]) for i in range(1, len(parts) + 1)) if m in known and m not in own}


def graph() -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    mods = modules()
    edges, outside = {}, {}
    for name, path in mods.items():
        names = imported_names(name, path)
        edges[name] = set().union(*(dependencies(name, i, mods) for i in names)) - {name}
        outside[name] = sorted({i for i in names if (i.split(".")[0] == "snnc" and i != ROOT
                                                     and not i.startswith(ROOT + ".") and i not in ("snnc",))
                                or i.split(".")[0] in FOREIGN_IR_PACKAGES})
    return edges, outside


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for d in sorted(edges[m]):
            if state.get(d) == "open":
                return stack[stack.index(d):] + [d]
            if d not in state:
                found = visit(d)
                if found:
                    return found
        stack.pop()
        state[m] = "done"
        return None

    for m in sorted(edges):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_the_walk_sees_every_module_and_function_level_imports():
    edges, _ = graph()
    assert "snnc.ir.graph" in edges and "snnc.ir.text.printer" in edges and "snnc.ir.ops.lif" in edges
    assert "snnc.ir.ops" in edges["snnc.ir.graph"]           # graph.py imports ops inside a method


def test_ir_imports_nothing_outside_ir():
    _, outside = graph()
    assert {m: names for m, names in outside.items() if names} == {}


def test_no_import_cycle_inside_ir():
    edges, _ = graph()
    assert find_cycle(edges) is None


def python(code: str) -> None:
    """Run `code` in a fresh interpreter; it fails the test by failing an assert."""
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_snnc_ir_loads_neither_nir_nor_other_snnc_modules():
    python("import snnc.ir, sys; assert 'nir' not in sys.modules")
    python("import sys, snnc\n"
           "before = set(sys.modules)\n"
           "import snnc.ir\n"
           "new = [m for m in set(sys.modules) - before if m.split('.')[0] in ('snnc', 'nir', 'onnx', 'torch')\n"
           "       and m != 'snnc.ir' and not m.startswith('snnc.ir.')]\n"
           "assert not new, sorted(new)")
