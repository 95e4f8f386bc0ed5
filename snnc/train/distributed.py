"""Data-parallel training: gloo on CPU, NCCL on GPUs (each rank on cuda:LOCAL_RANK).

Under `torchrun --nproc_per_node=N` each process sees `RANK`, `WORLD_SIZE`,
`MASTER_ADDR` and `MASTER_PORT` (read when `setup` is called, never at
import). `setup` joins the process group, the model is wrapped in
`DistributedDataParallel`, and every global batch of `B` samples is split so
that rank `r` trains on positions `r, r+N, r+2N, …` of it. DDP averages the
gradients over ranks, so one step sees the whole global batch, as in one
process. Outside torchrun (or with `distributed=False`) everything runs in
this process and nothing here has an effect.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from snnc.errors import ConfigError


@dataclass(frozen=True)
class Context:
    """Where this process stands: its rank, the world size, and who made the group."""

    rank: int = 0
    world: int = 1
    owns_group: bool = False

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world > 1


def setup(distributed: bool | None = None, backend: str = "gloo") -> Context:
    """Join (or reuse) the process group (gloo on CPU, nccl on GPUs) when asked or when run by torchrun."""
    if dist.is_available() and dist.is_initialized():
        return Context(dist.get_rank(), dist.get_world_size(), owns_group=False)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if distributed is None:
        distributed = world > 1
    if not distributed:
        return Context()
    if world < 2 or "MASTER_ADDR" not in os.environ:
        raise ConfigError(
            "distributed training needs torchrun's environment (WORLD_SIZE ≥ 2, MASTER_ADDR …); "
            "run under `torchrun --nproc_per_node=2 …` or pass distributed=False"
        )
    dist.init_process_group(backend=backend)
    return Context(dist.get_rank(), dist.get_world_size(), owns_group=True)


def teardown(ctx: Context) -> None:
    """Leave the process group if `setup` created it."""
    if ctx.owns_group and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def wrap(model: torch.nn.Module, ctx: Context, find_unused_parameters: bool = False) -> torch.nn.Module:
    """`model` wrapped in DistributedDataParallel when several processes train."""
    if not ctx.active:
        return model
    from torch.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(model, find_unused_parameters=find_unused_parameters)


def shard(index: torch.Tensor, ctx: Context) -> torch.Tensor:
    """This rank's part (`index[rank::world]`) of a global batch."""
    return index[ctx.rank::ctx.world] if ctx.active else index


def all_sum(values: list[float], ctx: Context) -> list[float]:
    """Element-wise sum of `values` over all ranks (identity in one process)."""
    if not ctx.active:
        return list(values)
    t = torch.tensor(values, dtype=torch.float64)
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.tolist()


def broadcast_module(module: torch.nn.Module, ctx: Context) -> None:
    """Copy rank 0's parameters and buffers into `module` on every rank."""
    if not ctx.active:
        return
    for tensor in list(module.parameters()) + list(module.buffers()):
        dist.broadcast(tensor.data, src=0)


def rank() -> int:
    """This process's rank: from the process group, else torchrun's RANK, else 0."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    return int(os.environ.get("RANK", "0"))


def local_rank() -> int | None:
    """torchrun's LOCAL_RANK (the GPU of this process on its node), None outside torchrun."""
    value = os.environ.get("LOCAL_RANK")
    return int(value) if value is not None and value.isdigit() else None
