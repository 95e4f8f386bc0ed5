"""The system C and C++ compilers: finding them, probing their flags, building with a cache.

A compiler is the target's option (``cc`` / ``cxx``), else the environment variable (``CC`` /
``CXX``, read when a build starts, never at import), else the default (``cc`` / ``g++``); it may
carry arguments (``CC="ccache gcc"``, ``CXX="g++ -m64"``). A missing compiler is a
`ToolNotFoundError` naming where the name came from and how to point snnc at another one; a
failed or timed-out build is a `TargetError` with the compiler's last lines.

Builds are cached: `build` keys the output on the compiler command, the flags, the bytes of
every C-family file below the sources' folders (and folders they include from; by relative path,
so the same sources rendered into another temporary folder hit), and the file
list of vendor include folders, and copies a cached result instead of compiling again. The cache is ``$SNNC_CACHE_DIR`` (``off`` disables
it), else ``$XDG_CACHE_HOME/snnc/build``, else ``~/.cache/snnc/build``; it keeps the most
recent `CACHE_ENTRIES` results.
"""
from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..target import TargetError, ToolNotFoundError

BUILD_TIMEOUT_S = 900
CACHE_ENTRIES = 256
SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".h", ".hpp", ".hh", ".inc")

_LANGS = {  # language → (environment variable, default, what to install)
    "c": ("CC", "cc", "a C99 compiler (gcc or clang)"),
    "c++": ("CXX", "g++", "g++"),
}
_PROBES: dict[tuple, bool] = {}


@dataclass(frozen=True)
class Compiler:
    """A compiler command (argv prefix) for one language, with the option that chose it."""
    argv: tuple[str, ...]
    lang: str
    target: str          # the target whose option names it (messages)
    option: str          # that option's name (cc, cxx)

    @property
    def name(self) -> str:
        return "C compiler" if self.lang == "c" else "C++ compiler"


def find_compiler(lang: str, option_value: str | None, *, target: str, option: str) -> Compiler:
    """The compiler for `lang` ("c" or "c++"): `option_value`, else $CC/$CXX, else the default."""
    env, default, install = _LANGS[lang]
    env_value = os.environ.get(env, "").strip()
    spec, origin = ((option_value, f"the {target} option {option}") if option_value else
                    (env_value, f"the {env} environment variable") if env_value else (default, "the default"))
    what = "C compiler" if lang == "c" else "C++ compiler"
    try:
        argv = shlex.split(spec)
    except ValueError as e:
        raise TargetError(f"cannot parse the {what} {spec!r} from {origin}: {e}") from None
    if not argv or shutil.which(argv[0]) is None:
        raise ToolNotFoundError(f"{what} {argv[0] if argv else spec!r} (from {origin}) not found; install "
                                f"{install} or point the environment variable {env} or the {target} option "
                                f"{option}=... at one")
    return Compiler(tuple(argv), lang, target, option)


def accepts(cc: Compiler, flag: str) -> bool:
    """Whether the compiler builds an empty program with `flag` (probed once per compiler and flag)."""
    key = (cc.argv, flag)
    if key not in _PROBES:
        with tempfile.TemporaryDirectory(prefix="snnc-probe-") as tmp:
            src = Path(tmp) / ("probe.c" if cc.lang == "c" else "probe.cpp")
            src.write_text("int main(void) { return 0; }\n")
            try:
                r = subprocess.run([*cc.argv, flag, str(src), "-o", str(Path(tmp) / "probe")],
                                   capture_output=True, timeout=120)
                _PROBES[key] = r.returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                _PROBES[key] = False
    return _PROBES[key]


def run(cc: Compiler, args: list[str], *, cwd: Path | None, what: str, hint: str = "") -> None:
    """Run the compiler with `args`; TargetError with its last lines when it fails."""
    cmd = [*cc.argv, *args]
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    except FileNotFoundError:
        raise ToolNotFoundError(f"{cc.name} {cc.argv[0]!r} not found; set {_LANGS[cc.lang][0]} or the "
                                f"{cc.target} option {cc.option}=...") from None
    except subprocess.TimeoutExpired:
        raise TargetError(f"{cc.target} target: building {what} took more than {BUILD_TIMEOUT_S} s{hint}") from None
    if r.returncode != 0:
        tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-30:])
        raise TargetError(f"{cc.target} target: the {cc.name} failed building {what} "
                          f"({' '.join(cmd[:3])} … exit {r.returncode}):\n{tail}")


def build(cc: Compiler, flags: list[str], sources: list[Path], output: Path, *, what: str,
          include_dirs=(), depends=(), cwd: Path | None = None, hint: str = "") -> Path:
    """Compile `sources` with `flags` into `output`, or copy the cached result of the same build.

    The key covers the C-family files below the sources' folders and below `depends` (folders
    the sources include from, e.g. by absolute path) and the file list of `include_dirs`."""
    sources = [Path(s) for s in sources]
    cache = cache_dir()
    key = None if cache is None else _key(cc, flags, sources, include_dirs, depends)
    hit = None if cache is None else cache / key / Path(output).name
    if hit is not None and hit.is_file():
        shutil.copyfile(hit, output)
        return Path(output)
    run(cc, [*flags, *(str(s) for s in sources), "-o", str(output)], cwd=cwd, what=what, hint=hint)
    if hit is not None:
        _store(Path(output), hit)
    return Path(output)


def cache_dir() -> Path | None:
    """The build cache folder (module docstring), or None when disabled or not writable."""
    env = os.environ.get("SNNC_CACHE_DIR", "").strip()
    if env.lower() == "off":
        return None
    root = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "snnc" / "build"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return root if os.access(root, os.W_OK) else None


def _key(cc: Compiler, flags: list[str], sources: list[Path], include_dirs, depends) -> str:
    """Hash of the command, the flags, the bytes of every C-family file below the sources' folders and
    `depends` (by path relative to its folder: the content, not where it lies), and the names, sizes and
    times of the files below `include_dirs` (a vendor's headers)."""
    h = hashlib.sha256()
    h.update(repr((cc.argv, shutil.which(cc.argv[0]), tuple(flags), [s.name for s in sources])).encode())
    # each file by its path below its folder, so that the same sources in another (temporary) folder hit
    roots = sorted({Path(d).resolve() for d in {s.parent for s in sources} | {Path(d) for d in depends}})
    for root in roots:
        for f in sorted(f for f in _tree(root) if f.suffix in SOURCE_SUFFIXES):
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    for d in include_dirs:
        for f in sorted(_tree(Path(d))):
            st = f.stat()
            h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:32]


def _tree(root: Path):
    return (f for f in root.rglob("*") if f.is_file()) if root.is_dir() else iter(())


def _store(built: Path, dest: Path) -> None:
    """Put a fresh build into the cache (atomically) and keep the newest CACHE_ENTRIES entries."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}")
        shutil.copyfile(built, tmp)
        os.replace(tmp, dest)
        entries = sorted((p for p in dest.parent.parent.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
        for old in entries[:-CACHE_ENTRIES]:
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass
