"""Checkpoints that outlive the machine: a run's state in a compact form that is committed to the repository.

Run folders (`train/runs/`) are ignored by git, and a developer machine is not always handed to the next session, so a
run that spans sessions keeps its resumable state at a tracked path, one file per run, overwritten
(`train/checkpoints/<run>.pt`). Every committed copy stays in the history, so the file is kept small: the weights,
their EMA and the critic in float32 as trained, Adam's two moments in bfloat16 (half the file; resuming from them is
measured in train/tests/test_checkpoints.py and docs/training.md). A published model keeps its run's final training
weights beside it (`models/<name>-<version>.train.pt`: the EMA autoencoder and the critic), for a warm start.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from .ort import REPO

KEPT = REPO / "train" / "checkpoints"


def kept_path(run: str | Path) -> Path:
    """Where the kept state of the run folder `run` lives: train/checkpoints/<its name>.pt."""
    return KEPT / f"{Path(run).name}.pt"


def _map_moments(opt_state: dict | None, dtype: torch.dtype) -> dict | None:
    """An optimiser state dict with its per-parameter moment tensors cast to `dtype` (step counters untouched)."""
    if opt_state is None:
        return None
    state = {i: {k: v.to(dtype) if torch.is_tensor(v) and v.is_floating_point() and v.dim() > 0 else v
                 for k, v in s.items()}
             for i, s in opt_state["state"].items()}
    return {**opt_state, "state": state}


def compact(state: dict, config: dict) -> dict:
    """A full checkpoint (Trainer.save_checkpoint's dict) → its kept form, with the run's config."""
    return {**state, "opt": _map_moments(state["opt"], torch.bfloat16),
            "disc_opt": _map_moments(state["disc_opt"], torch.bfloat16), "config": config, "kept": True}


def expand(state: dict) -> dict:
    """A kept state → a checkpoint the trainer loads (moments back in float32)."""
    if not state.get("kept"):
        return state
    return {**state, "opt": _map_moments(state["opt"], torch.float32),
            "disc_opt": _map_moments(state["disc_opt"], torch.float32)}


def write_atomically(obj, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    tmp.replace(path)  # a crash mid-write must not destroy the last good copy
    return path


def keep_run(run: str | Path, out: str | Path | None = None) -> dict:
    """Write the kept form of `run`'s last checkpoint (default train/checkpoints/<run>.pt)."""
    run = Path(run)
    out = Path(out) if out else kept_path(run)
    state = torch.load(run / "ckpt.pt", map_location="cpu")
    write_atomically(compact(state, json.loads((run / "config.json").read_text())), out)
    return {"kept": str(out), "step": state["step"], "bytes": out.stat().st_size}


def write_training_weights(run: str | Path, out: str | Path) -> Path:
    """What a published model keeps of its run folder: the weights it was exported from (`model.pt`: the EMA's,
    where the run keeps one) and the critic, for the next model to start from (`--init-from`). No optimiser state: a
    warm start begins a new schedule."""
    run = Path(run)
    trained = torch.load(run / "model.pt", map_location="cpu")
    summary = json.loads((run / "summary.json").read_text()) if (run / "summary.json").exists() else {}
    return write_atomically({"config": trained["config"], "model": trained["model"], "disc": trained.get("disc"),
                             "step": summary.get("steps"), "cpu_seconds": summary.get("cpu_time_s")}, Path(out))
