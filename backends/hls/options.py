"""The options of the hls target, checked once (`HLSOptions.parse`), before anything is written.

=============  ===================================  ==============================================
option         default                              meaning
=============  ===================================  ==============================================
top            ``"snn_top"``                        name of the top function (a C++ identifier)
interface      ``"axis"``                           ``"axis"``: one AXI4-Stream per input/output,
                                                    one element per beat; ``"array"``: arrays
                                                    ``[max_timesteps][size]`` (BRAM ports)
parallelism    ``1``                                lanes per layer: an int for every layer, or a
                                                    dict node name → int (others get ``1``); must
                                                    divide the layer's size (see `parallelism.py`)
timesteps      graph attr ``timesteps``, else 8     T of the testbench data and the estimates; the
                                                    top function takes the T of each call at run time
max_timesteps  ``timesteps``                        array interface: rows of the input/output arrays
clock_mhz      ``200``                              target clock (estimates, Tcl, config)
part           ``"xcu250-figd2104-2L-e"``           FPGA part for Vitis HLS
dataflow       ``True``                             ``#pragma HLS DATAFLOW`` over the layers of a
                                                    timestep when the graph is a chain
csim, csynth,  ``True, True, False, False``         default steps of ``build_prj.tcl``
cosim, export                                       (overridable on its command line)
tb_input       random (``seed``, ``tb_samples``)    raw integer input ``[T, B, ...]`` (or a dict by
                                                    input name) for the testbench data
seed           ``0``                                seed of the random testbench input
tb_samples     ``4``                                samples in the random testbench input
cxx            ``$CXX`` or ``g++``                  C++ compiler for the local C-simulation
hls_include    ``$XILINX_HLS/include`` or the shim  where ``ap_int.h`` / ``hls_stream.h`` come from
cxxflags       ``["-O1"]``                          extra flags for the local C-simulation build
=============  ===================================  ==============================================
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

from snnc.ir import Graph

from ..target import TargetError, check_option_names
from .names import check_identifier, check_word

DEFAULT_TIMESTEPS = 8
DEFAULT_PART = "xcu250-figd2104-2L-e"
INTERFACES = ("axis", "array")


@dataclass(frozen=True)
class HLSOptions:
    """The options; the field names are the option names (the table above)."""
    top: str = "snn_top"
    interface: str = "axis"
    parallelism: object = 1               # int (every layer) or dict node name → int
    timesteps: int | None = None          # None: the graph's `timesteps`, else DEFAULT_TIMESTEPS
    max_timesteps: int | None = None      # None: timesteps
    clock_mhz: float = 200.0
    part: str = DEFAULT_PART
    dataflow: bool = True
    csim: bool = True
    csynth: bool = True
    cosim: bool = False
    export: bool = False
    tb_input: object = None
    seed: int = 0
    tb_samples: int = 4
    cxx: str | None = None
    hls_include: str | None = None
    cxxflags: tuple = ("-O1",)

    @property
    def clock_ns(self) -> float:
        return 1000.0 / self.clock_mhz

    @property
    def steps(self) -> dict[str, bool]:
        """The default steps of build_prj.tcl."""
        return {"csim": self.csim, "csynth": self.csynth, "cosim": self.cosim, "export": self.export}

    def lanes(self, node_name: str) -> int:
        if isinstance(self.parallelism, dict):
            return self.parallelism.get(node_name, 1)
        return self.parallelism

    @classmethod
    def parse(cls, options: dict | None, graph: Graph) -> "HLSOptions":
        """Check every option (TargetError naming the option and what it takes); fill in defaults."""
        o = check_option_names("hls", options, cls)
        kw = {}
        kw["top"] = check_identifier(o.get("top", "snn_top"), "top")
        interface = o.get("interface", "axis")
        if interface not in INTERFACES:
            raise TargetError(f"option interface={interface!r}: expected one of {', '.join(INTERFACES)}")
        kw["interface"] = interface
        par = o.get("parallelism", 1)
        if isinstance(par, str) and ":" in par:       # the command line's "node:lanes,node:lanes"
            try:
                par = {k.strip(): int(v) for k, v in (item.rsplit(":", 1) for item in par.split(",") if item.strip())}
            except ValueError:
                raise TargetError(f"option parallelism={par!r}: write N, or node:N,node:N "
                                  f"(e.g. layers.0:4,layers.2:2)") from None
        if isinstance(par, dict):
            names = {n.name for n in graph}
            for k, v in par.items():
                if k not in names:
                    raise TargetError(f"option parallelism names node {k!r}, which is not in the graph; "
                                      f"nodes: {', '.join(sorted(names))}")
                _positive_int(v, f"parallelism[{k!r}]")
            kw["parallelism"] = {k: int(v) for k, v in par.items()}
        else:
            kw["parallelism"] = _positive_int(par, "parallelism")
        attr_t = graph.attrs.get("timesteps")
        usable = isinstance(attr_t, numbers.Integral) and not isinstance(attr_t, bool) and attr_t > 0
        t = o.get("timesteps")
        kw["timesteps"] = _positive_int(t if t is not None else (attr_t if usable else DEFAULT_TIMESTEPS),
                                        "timesteps")
        m = o.get("max_timesteps")
        kw["max_timesteps"] = _positive_int(m if m is not None else kw["timesteps"], "max_timesteps")
        if kw["max_timesteps"] < kw["timesteps"]:
            raise TargetError(f"option max_timesteps={kw['max_timesteps']} is below timesteps={kw['timesteps']}")
        clock = o.get("clock_mhz", 200.0)
        if isinstance(clock, bool) or not isinstance(clock, numbers.Real) or not 0 < clock <= 2000:
            raise TargetError(f"option clock_mhz={clock!r}: expected a number of MHz in (0, 2000]")
        kw["clock_mhz"] = float(clock)
        kw["part"] = check_word(o.get("part", DEFAULT_PART), "part", DEFAULT_PART)
        for flag, default in (("dataflow", True), ("csim", True), ("csynth", True), ("cosim", False),
                              ("export", False)):
            kw[flag] = _bool(o.get(flag, default), flag)
        kw["tb_input"] = o.get("tb_input")
        kw["seed"] = _nonnegative_int(o.get("seed", 0), "seed")
        kw["tb_samples"] = _positive_int(o.get("tb_samples", 4), "tb_samples")
        for key in ("cxx", "hls_include"):
            v = o.get(key)
            if v is not None and (not isinstance(v, str) or not v):
                raise TargetError(f"option {key}={v!r}: expected a path or command name")
            kw[key] = v
        flags = o.get("cxxflags", ("-O1",))
        if isinstance(flags, str):
            flags = flags.split()
        if not isinstance(flags, (list, tuple)) or not all(isinstance(f, str) for f in flags):
            raise TargetError(f"option cxxflags={flags!r}: expected a string or a list of strings")
        kw["cxxflags"] = tuple(flags)
        return cls(**kw)


def _positive_int(v, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
        raise TargetError(f"option {name}={v!r}: expected a positive integer")
    return int(v)


def _nonnegative_int(v, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
        raise TargetError(f"option {name}={v!r}: expected a non-negative integer")
    return int(v)


def _bool(v, name: str) -> bool:
    if not isinstance(v, bool):
        raise TargetError(f"option {name}={v!r}: expected true or false")
    return v
