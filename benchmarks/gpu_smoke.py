"""GPU training smoke test: train a real-size network for a few hundred steps and print throughput.

    python benchmarks/gpu_smoke.py [--device cuda] [--steps 300] [--precision bf16] [--arch resnet]

The network is the 3×32×32 SEW resnet of the C-runtime benchmark (channels [64, 128, 256], 2 blocks,
ternary TaWQ weights, LIF, T = 4; 3.47 M parameters), or the dim-256 transformer (`--arch transformer`),
trained by `snnc.train` on synthetic CIFAR-shaped data (an .npz written to a temporary folder: nothing is
downloaded). It prints the device, the step count, samples/s and the loss at the start and end. It is
for machines with a GPU; CI never runs it (`--device cpu --steps 4` works anywhere, slowly).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from snnc.train import train

CONFIGS = {
    "resnet": dict(channels=[64, 128, 256], blocks=2, quant="tawq"),
    "transformer": dict(embed_dim=256, heads=8, depth=4, patch_size=4, quant="lsq", quant_opts={"bits": 2}),
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--precision", default="bf16", choices=("fp32", "bf16", "fp16"))
    p.add_argument("--arch", default="resnet", choices=sorted(CONFIGS))
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args()
    n = args.steps * args.batch_size
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "synthetic_cifar.npz"
        np.savez(data, x=rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8), y=rng.integers(0, 10, n),
                 x_test=rng.integers(0, 256, (256, 3, 32, 32), dtype=np.uint8), y_test=rng.integers(0, 10, 256))
        start = time.perf_counter()
        model, history = train(args.arch, "direct", epochs=1, data=f"npz:{data}", device=args.device,
                               precision=args.precision, batch_size=args.batch_size, T=4, verbose=True,
                               **CONFIGS[args.arch])
        seconds = time.perf_counter() - start
    params = sum(p.numel() for p in model.parameters())
    gpu = torch.cuda.get_device_name(torch.device(args.device)) if args.device.startswith("cuda") else "cpu"
    row = history[0]
    print(f"{args.arch} ({params / 1e6:.2f} M parameters) on {gpu}, {args.precision}: {args.steps} steps of "
          f"{args.batch_size} in {row['seconds']:.1f} s = {row['samples_per_second']:.0f} samples/s "
          f"(whole run with data loading and evaluation {seconds:.1f} s); loss {row['loss']:.4f}")


if __name__ == "__main__":
    main()
