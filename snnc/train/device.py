"""Where and in what precision a run trains: `Placement.parse(device, precision)`.

* device: "cpu", "cuda" or "cuda:N" (a CUDA device that is not there is a clear error);
* precision: "fp32"; "bf16" (autocast to bfloat16, on CUDA or CPU); "fp16" (autocast to float16 with a
  gradient scaler, CUDA only). The weights stay float32; only the forward pass runs in lower precision.

On CUDA the run stays deterministic: `CUBLAS_WORKSPACE_CONFIG` is set (if unset) before cuBLAS starts,
as `torch.use_deterministic_algorithms(True)` requires.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import torch

from snnc.errors import ConfigError

PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass(frozen=True)
class Placement:
    device: torch.device
    precision: str

    @classmethod
    def parse(cls, device: str = "cpu", precision: str = "fp32", local_rank: int | None = None) -> "Placement":
        """`device` "cuda" under torchrun means this process's GPU, cuda:LOCAL_RANK."""
        if precision not in PRECISIONS:
            raise ConfigError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
        try:
            dev = torch.device(device)
        except (RuntimeError, TypeError):
            raise ConfigError(f"unknown device {device!r}; give cpu, cuda or cuda:N") from None
        if dev.type not in ("cpu", "cuda"):
            raise ConfigError(f"device {device!r}: snnc trains on cpu or cuda")
        if dev.type == "cuda" and dev.index is None and local_rank is not None:
            dev = torch.device("cuda", local_rank)
        if dev.type == "cuda":
            if not torch.cuda.is_available():
                raise ConfigError(f"device {device!r}: this machine has no CUDA GPU PyTorch can use "
                                  f"(torch {torch.__version__}); train with --device cpu")
            if dev.index is not None and dev.index >= torch.cuda.device_count():
                raise ConfigError(f"device {device!r}: there are {torch.cuda.device_count()} CUDA devices "
                                  f"(cuda:0 … cuda:{torch.cuda.device_count() - 1})")
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        if precision == "fp16" and dev.type != "cuda":
            raise ConfigError("precision fp16 needs a CUDA device (its gradient scaler); on cpu use bf16 or fp32")
        return cls(dev, precision)

    @property
    def device_text(self) -> str:
        return str(self.device)

    def put(self, module: torch.nn.Module) -> None:
        module.to(self.device)

    def move(self, tensor: torch.Tensor) -> torch.Tensor:
        return tensor.to(self.device, non_blocking=True)

    def autocast(self):
        dtype = PRECISIONS[self.precision]
        if dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=dtype)

    def scaler(self):
        return torch.amp.GradScaler("cuda") if self.precision == "fp16" else None

    def step(self, loss, opt, scaler) -> None:
        if scaler is None:
            loss.backward()
            opt.step()
        else:
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
