"""Run folders: loading a finished run's config and (EMA) weights, and snapshotting a run still in progress."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch

from .config import Config, load_config
from .model import AutoEncoder


def load_run(run: str | Path) -> tuple[Config, AutoEncoder]:
    """The run's config and its model in eval mode, on the CPU."""
    run = Path(run)
    cfg = load_config(run / "config.json")
    model = AutoEncoder(cfg)
    model.load_state_dict(torch.load(run / "model.pt", map_location="cpu")["model"])
    return cfg, model.eval()


def snapshot_run(run: str | Path, out: str | Path) -> dict:
    """A finished-run folder at `out` from `run`'s last checkpoint: its config and the weights it would publish.

    A long run spans sessions; this lets the prior, export and `npm run eval` measure it at any checkpoint without
    stopping it. The weights are the EMA's where the run keeps one, as `fit` writes them at the end.
    """
    run, out = Path(run), Path(out)
    state = torch.load(run / "ckpt.pt", map_location="cpu")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run / "config.json", out / "config.json")
    weights = state["ema"] if state["ema"] is not None else state["model"]
    config = json.loads((run / "config.json").read_text())
    torch.save({"config": config, "model": weights, "disc": state["disc"]}, out / "model.pt")
    summary = {"snapshot_of": str(run), "steps": state["step"], "wall_time_s": round(state["elapsed"], 1),
               "cpu_time_s": round(state["cpu_seconds"], 1) if "cpu_seconds" in state else None}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary
