"""Loading a finished run folder: its config and its exported (EMA) weights."""
from __future__ import annotations

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
