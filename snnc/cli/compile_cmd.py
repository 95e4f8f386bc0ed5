"""`snnc compile SOURCE -t cpu,hls,… -o OUT` — one folder per target plus OUT/manifest.json."""
from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from ..ir.options import OptionText
from .argtypes import bounded_int
from .progress import Steps


def add_parser(sub):
    p = sub.add_parser("compile", help="compile a checkpoint, .snnir or .nir file for one or more targets")
    p.add_argument("source", help="a checkpoint (.pt, from snnc.save), a .snnir or a .nir file")
    p.add_argument("-t", "--targets", default="reference",
                   help="comma-separated targets: reference, cpu, hls, loihi, nir, onnx (default: reference)")
    p.add_argument("-o", "--out", required=True, help="output folder (created; replaced if an earlier snnc output)")
    p.add_argument("-T", "--timesteps", type=int, default=None,
                   help="number of timesteps, for sources that do not record it (a NIR file, a bare .snnir)")
    p.add_argument("--input-type", default=None, metavar="TYPE",
                   help="what the input is, for sources that do not record it (a NIR file): spike, uint<k>, int<k> "
                        "or f32")
    p.add_argument("--input-scale", type=float, default=None, metavar="S",
                   help="real value of one raw input unit (uint<k>/int<k>), or the step an f32 input is quantized with")
    p.add_argument("--input-range", type=float, default=None, metavar="R",
                   help="f32 inputs: the range [-R, R] they are clipped to when the network becomes integer")
    p.add_argument("--passes", help="pass pipeline replacing each target's default, e.g. "
                   "'fold-batchnorm,fold-temporal-scale,integerize{frac_bits=10},dce'")
    p.add_argument("--print-after", default="", help="print the IR after these passes (comma-separated, or 'all')")
    p.add_argument("--temporal-weights", choices=("keep", "collapse"), default=None,
                   help="loihi: 'collapse' makes time-varying weights static ternary by post-training quantization")
    p.add_argument("--option", "-O", action="append", default=[], metavar="KEY=VALUE",
                   help="a target option (repeatable), e.g. -O parallelism=4 -O clock_mhz=250 -O threads=2")
    p.add_argument("--max-params", type=bounded_int(1, 1 << 40), default=None,
                   help="largest checkpoint accepted, in parameters (default 2^28): the budget an untrusted "
                        "checkpoint's config is checked against before the model is built")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    p.set_defaults(func=run)


def parse_options(items: list[str]) -> dict:
    """``-O KEY=VALUE`` items → option name → `OptionText` (each target converts it by its field's type)."""
    options = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise ConfigError(f"bad option {item!r}: write KEY=VALUE, e.g. -O parallelism=4")
        name = key.strip().replace("-", "_")
        if name in options:
            raise ConfigError(f"option {name} is given twice (-O {name}={options[name]} and -O {item}); give it once")
        options[name] = OptionText(value.strip())
    return options


def run(args) -> int:
    from ..backends import get_target
    from ..compiler import compile_many

    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    options = parse_options(args.option)
    if args.temporal_weights:
        options["temporal_weights"] = args.temporal_weights
    steps = Steps(quiet=args.quiet)
    compiled = compile_many(args.source, targets, args.out, passes=args.passes, print_after=args.print_after,
                            progress=steps, graph_timesteps=args.timesteps, max_params=args.max_params,
                            declared={"input_type": args.input_type, "input_scale": args.input_scale,
                                      "input_range": args.input_range}, **options)
    out = Path(args.out)
    for name, c in compiled.items():
        arts = ", ".join(str(p.relative_to(c.out_dir.parent)) for p in c.artifacts.values())
        print(f"{name:>9}: {out / name}  ({len(c.graph)} nodes; {arts})")
        if not args.quiet:
            for line in get_target(c.target).summary(c.graph, c.opts):
                print(f"{'':>11}{line}")
    print(f"manifest: {args.out}/manifest.json")
    return 0
