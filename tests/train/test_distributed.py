"""Two-process data-parallel training (gloo, CPU) through torchrun and the CLI."""
import os
import subprocess
import sys

import pytest

from snnc.checkpoint import load
from snnc.train import train


@pytest.mark.slow
def test_torchrun_two_processes_one_epoch_matches_one_process(tmp_path):
    out = tmp_path / "ddp.pt"
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR")}
    env["OMP_NUM_THREADS"] = "1"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--standalone",
           "-m", "snnc.train", "--arch", "mlp", "--method", "fp", "--T", "2",
           "--epochs", "1", "--set", "hidden=[32]", "--out", str(out), "--quiet"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("test accuracy") == 1  # only rank 0 reports and saves
    ddp = load(out)
    assert ddp.metadata["world_size"] == 2 and ddp.metadata["epochs"] == 1

    # each rank trains on half of every global batch and DDP averages the gradients:
    # the same steps as one process, up to float summation order
    single, _ = train("mlp", "fp", epochs=1, seed=0, T=2, hidden=[32], verbose=False)
    assert single.metadata["world_size"] == 1
    for name, value in single.state_dict().items():
        assert (value - ddp.state_dict()[name]).abs().max() < 1e-4, name
    assert abs(single.metadata["accuracy"] - ddp.metadata["accuracy"]) <= 0.01
