"""The options of the hls target: `HLSOptions`, the target's `Options` (checked before anything is written).

=============  ===================================  ==============================================
option         default                              meaning
=============  ===================================  ==============================================
top            ``"snn_top"``                        name of the top function (a C++ identifier)
interface      ``"axis"``                           ``"axis"``: one AXI4-Stream per input/output,
                                                    one element per beat; ``"array"``: arrays
                                                    ``[max_timesteps][size]`` (BRAM ports)
parallelism    ``1``                                lanes per layer: an int for every layer, or a
                                                    dict node name → int (others get ``1``; the
                                                    command line writes ``node:N,node:N``); must
                                                    divide the layer's size (see `parallelism.py`)
timesteps      graph attr ``timesteps``             T of the testbench data and the estimates; the
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
cxxflags       ``("-O1",)``                         extra flags for the local C-simulation build
=============  ===================================  ==============================================

The option parser (`snnc.ir.options`) checks the field types; `__post_init__` the
ranges and the fields typed ``object`` (top, parallelism, timesteps: their messages say
what they take); `resolved(graph)` what needs the graph (the node names of
parallelism, the timesteps the graph records).
"""
from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass, field
from typing import Literal

from snnc.ir import MAX_TIMESTEPS, Graph

from ..common.names import check_identifier, check_word
from ..target import TargetError

MAX_TB_SAMPLES = 4096
DEFAULT_PART = "xcu250-figd2104-2L-e"


def _error(message: str) -> TargetError:
    return TargetError(f"hls target {message}")


@dataclass(frozen=True)
class HLSOptions:
    """The options; the field names are the option names (the table above)."""
    top: object = field(default="snn_top", metadata={"type": "C++ identifier"})
    interface: Literal["axis", "array"] = "axis"
    parallelism: object = field(default=1, metadata={"type": "int, or node:N,node:N per layer"})
    timesteps: object = field(default=None, metadata={"type": "int"})   # None: the graph's `timesteps`
    max_timesteps: int | None = None      # None: timesteps
    clock_mhz: float = 200.0
    part: str = DEFAULT_PART
    dataflow: bool = True
    csim: bool = True
    csynth: bool = True
    cosim: bool = False
    export: bool = False
    tb_input: object = field(default=None, metadata={"type": "array [T, B, ...] (API only)"})
    seed: int = 0
    tb_samples: int = 4
    cxx: str | None = None
    hls_include: str | None = None
    cxxflags: tuple[str, ...] = ("-O1",)

    def __post_init__(self):
        # the fields typed `object` are normalized in place (the dataclass is frozen)
        object.__setattr__(self, "top", str(check_identifier(self.top, "top", _error)))
        object.__setattr__(self, "parallelism", _parallelism(self.parallelism))
        if self.timesteps is not None:
            object.__setattr__(self, "timesteps", _count(self.timesteps, "timesteps", 1, MAX_TIMESTEPS))
        if self.max_timesteps is not None:
            _count(self.max_timesteps, "max_timesteps", 1, MAX_TIMESTEPS)
        if self.timesteps is not None and self.max_timesteps is not None and self.max_timesteps < self.timesteps:
            raise _error(f"option max_timesteps={self.max_timesteps} is below timesteps={self.timesteps}")
        if not 0 < self.clock_mhz <= 2000:
            raise _error(f"option clock_mhz={self.clock_mhz!r}: expected a number of MHz in (0, 2000]")
        check_word(self.part, "part", DEFAULT_PART, _error)
        _count(self.seed, "seed", 0)
        _count(self.tb_samples, "tb_samples", 1, MAX_TB_SAMPLES)
        for key in ("cxx", "hls_include"):
            if getattr(self, key) is not None and not getattr(self, key).strip():
                raise _error(f"option {key}={getattr(self, key)!r}: expected a path or command name")

    def resolved(self, graph: Graph) -> "HLSOptions":
        """The node names of `parallelism` checked against the graph; timesteps and max_timesteps filled in."""
        if isinstance(self.parallelism, dict):
            names = {n.name for n in graph}
            for k in self.parallelism:
                if k not in names:
                    raise _error(f"option parallelism names node {k!r}, which is not in the graph; "
                                 f"nodes: {', '.join(sorted(names))}")
        attr_t = graph.attrs.get("timesteps")
MAX_TB_SAMPLES = 4096
        return dataclasses.replace(self, timesteps=t, max_timesteps=self.max_timesteps or t)

    def require_timesteps(self) -> int:
        """T, which the testbench data, the estimates and the array interface are sized by."""
        if self.timesteps is None:
            raise _error("needs the number of timesteps T (the testbench data, the estimates and the array "
                         "interface are sized by it) and the graph records none: give -T/--timesteps T to "
                         "snnc compile, or the hls option timesteps=T")
        return self.timesteps

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


def _parallelism(par):
    """An int for every layer, or a dict node name → int (text: ``N`` or ``node:N,node:N``)."""
    if isinstance(par, str) and ":" in par:
        try:
            par = {k.strip(): int(v) for k, v in (item.rsplit(":", 1) for item in par.split(",") if item.strip())}
        except ValueError:
            raise _error(f"option parallelism={par!r}: write N, or node:N,node:N "
                         f"(e.g. layers.0:4,layers.2:2)") from None
    if isinstance(par, dict):
        return {k: _count(v, f"parallelism[{k!r}]", 1) for k, v in par.items()}
    return _count(par, "parallelism", 1)


def _count(v, name: str, minimum: int, maximum: int | None = None) -> int:
    """An integer in `minimum`..`maximum` (text is read as one); else the option's error."""
    if isinstance(v, str):
        try:
            v = int(v.strip())
        except ValueError:
            pass
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < minimum:
        raise _error(f"option {name}={v!r}: expected a {'positive' if minimum else 'non-negative'} integer")
    if maximum is not None and v > maximum:
        raise _error(f"option {name}={v!r}: expected at most {maximum}")
    return int(v)
