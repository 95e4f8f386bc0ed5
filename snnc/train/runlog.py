"""A run folder (`train(run_dir=…)`): ``last.pt`` after every epoch, to resume from, and ``log.csv``.

``last.pt`` holds plain tensors and numbers only (model and optimizer state dicts, the schedule's state,
the batch-order generator's and torch's RNG states, the gradient scaler's state, the history), so resuming reads it
with ``torch.load(weights_only=True)``; it is written to a temporary file and moved into place, so an
interrupted save leaves the previous one intact. Only rank 0 writes.
"""
from __future__ import annotations

import csv
import os
import pickle
from pathlib import Path

import torch

from snnc.errors import CheckpointError, ConfigError

STATE = "last.pt"
LOG = "log.csv"
FIELDS = ("epoch", "loss", "train_accuracy", "test_accuracy", "seconds", "samples_per_second")


class RunLog:
    def __init__(self, run_dir, writer: bool):
        self.dir = None if run_dir is None else Path(run_dir)
        self.writer = writer
        if self.dir is not None and writer:
            self.dir.mkdir(parents=True, exist_ok=True)

    def save(self, model, opt, sched, order_gen, scaler, history: list[dict]) -> None:
        if self.dir is None or not self.writer:
            return
        state = {"model": model.state_dict(), "optimizer": opt.state_dict(), "schedule": sched.state_dict(),
                 "order_generator": order_gen.get_state(), "torch_rng": torch.get_rng_state(), "history": history,
                 "scaler": None if scaler is None else scaler.state_dict()}
        tmp = self.dir / (STATE + ".tmp")
        torch.save(state, tmp)
        os.replace(tmp, self.dir / STATE)
        with open(self.dir / LOG, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
            w.writeheader()
            w.writerows(history)

    def restore(self, model, opt, sched, order_gen, scaler, epochs: int) -> list[dict]:
        """Load `last.pt` into the run's objects; the epochs already done (their history)."""
        if self.dir is None:
            raise ConfigError("resume needs the run folder: give run_dir (CLI --run-dir)")
        path = self.dir / STATE
        if not path.is_file():
            raise ConfigError(f"nothing to resume: {path} does not exist (start without --resume)")
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["optimizer"])
            sched.load_state_dict(state["schedule"])
            order_gen.set_state(state["order_generator"])
            torch.set_rng_state(state["torch_rng"])
            if scaler is not None and state.get("scaler"):
                scaler.load_state_dict(state["scaler"])
            history = list(state["history"])
        except (RuntimeError, KeyError, TypeError, ValueError, EOFError, pickle.UnpicklingError) as e:
            raise CheckpointError(f"cannot resume from {path}: {e}; start again without --resume") from None
        if len(history) > epochs:
            raise ConfigError(f"{path} has {len(history)} epochs done, more than epochs={epochs}")
        return history
