"""The options of the hls target: `HLSOptions`, the target's `Options` (checked before anything is written).

=============  ===================================  ==============================================
option         default                              meaning
=============  ===================================  ==============================================
top            ``"snn_top"``                        name of the top function (a C++ identifier)
interface      ``"axis"``                           ``"axis"``: one AXI4-Stream per input/output,
                                                    one element per beat; ``"array"``: arrays
                                                    ``[max_timesteps][size]`` (BRAM ports)
parallelism    ``1``                                PE, the output lanes per layer: an int for every
                                                    layer, or a dict node name → int (others get
                                                    ``1`` or the solver's choice; the command line
                                                    writes ``node:N,node:N``); must divide the
                                                    layer's size (see `parallelism.py`)
simd           ``1``                                SIMD, the input lanes of the synaptic layers
                                                    (linear, conv2d, spike_matmul), the same forms;
                                                    must divide the layer's fan-in
fps            none                                 samples per second to meet: the folding solver
                                                    (`folding.py`) picks PE × SIMD per layer
fold           none                                 ``balanced`` | ``min-area`` | ``max-throughput``:
                                                    the solver's goal instead of an fps
max_utilization ``0.7``                             share of each resource of the part the solver
                                                    may use (headroom for routing and the shell)
timesteps      graph attr ``timesteps``             T of the testbench data and the estimates; the
                                                    top function takes the T of each call at run time
max_timesteps  ``timesteps``                        array interface: rows of the input/output arrays
clock_mhz      ``200``                              target clock (estimates, Tcl, config)
part           ``"xcu250-figd2104-2L-e"``           FPGA part for Vitis HLS: a full part number, a
                                                    device or a board alias of `parts.py` (u250,
                                                    u55c, zcu104, kv260, pynq-z2 …), which also
                                                    gives the resources of the estimates
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
from .parts import Part, find_part, known_parts

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
    simd: object = field(default=1, metadata={"type": "int, or node:N,node:N per layer"})
    fps: float | None = None
    fold: Literal["balanced", "min-area", "max-throughput"] | None = None
    max_utilization: float = 0.7
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
        self._check_folding()
        _count(self.seed, "seed", 0)
        _count(self.tb_samples, "tb_samples", 1, MAX_TB_SAMPLES)
        for key in ("cxx", "hls_include"):
            if getattr(self, key) is not None and not getattr(self, key).strip():
                raise _error(f"option {key}={getattr(self, key)!r}: expected a path or command name")

    def _check_folding(self):
        """simd, fps, fold, max_utilization; a part of the table becomes its full part number."""
        object.__setattr__(self, "simd", _parallelism(self.simd, "simd"))
        known = find_part(self.part)
        if known is not None:
            object.__setattr__(self, "part", known.part)
        if self.fps is not None and not self.fps > 0:
            raise _error(f"option fps={self.fps!r}: expected a positive number of samples per second")
        if self.fps is not None and self.fold is not None:
            raise _error(f"options fps={self.fps:g} and fold={self.fold} both choose the folding; give one of them")
        if not 0 < self.max_utilization <= 1:
            raise _error(f"option max_utilization={self.max_utilization!r}: expected a fraction in (0, 1]")
        if (self.fps is not None or self.fold is not None) and known is None:
            raise _error(f"option {'fps' if self.fps is not None else 'fold'} needs the resources of the part, "
                         f"and part={self.part} is not in snnc's table; give -O part= one of {known_parts()}")

    @property
    def device(self) -> Part | None:
        """The part's resources, when the part is in the table of `parts.py`."""
        return find_part(self.part)

    def resolved(self, graph: Graph) -> "HLSOptions":
        """The node names of `parallelism` / `simd` checked against the graph; timesteps and max_timesteps filled in."""
        names = {n.name for n in graph}
        for key in ("parallelism", "simd"):
            for k in getattr(self, key) if isinstance(getattr(self, key), dict) else ():
                if k not in names:
                    raise _error(f"option {key} names node {k!r}, which is not in the graph; "
                                 f"nodes: {', '.join(sorted(names))}")
        attr_t = graph.attrs.get("timesteps")
        usable = isinstance(attr_t, numbers.Integral) and not isinstance(attr_t, bool) and 0 < attr_t <= MAX_TIMESTEPS
        t = self.timesteps if self.timesteps is not None else int(attr_t) if usable else None
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
        return self.explicit("parallelism", node_name) or 1

    def simd_lanes(self, node_name: str) -> int:
        return self.explicit("simd", node_name) or 1

    def explicit(self, key: str, node_name: str) -> int | None:
        """The PE (`parallelism`) or SIMD (`simd`) the user gave for a node, None where the solver may choose.
        A single int given for every layer counts as given, except the default 1 while a solver runs."""
        value = getattr(self, key)
        if isinstance(value, dict):
            return value.get(node_name)
        solving = self.fps is not None or self.fold is not None
        return None if solving and value == 1 else value


def _parallelism(par, name: str = "parallelism"):
    """An int for every layer, or a dict node name → int (text: ``N`` or ``node:N,node:N``)."""
    if isinstance(par, str) and ":" in par:
        try:
            par = {k.strip(): int(v) for k, v in (item.rsplit(":", 1) for item in par.split(",") if item.strip())}
        except ValueError:
            raise _error(f"option {name}={par!r}: write N, or node:N,node:N "
                         f"(e.g. layers.0:4,layers.2:2)") from None
    if isinstance(par, dict):
        return {k: _count(v, f"{name}[{k!r}]", 1) for k, v in par.items()}
    return _count(par, name, 1)


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
