"""Reference "autoencoders" that give each photo back with only detail taken away: the ceilings a decoder's
reconstructions are judged against.

`npm run eval:age-cues` on these says how much of the age cue a reconstruction may lose to blur or resolution
alone (docs/native128-notes.md): a model that reads below the 32 px copy loses more than detail. Each graph has
`autoencoder.onnx`'s contract (export.py): input `image` float32 [N, 3, S, S] in [-1, 1], output `recon`, same shape.
"""
from __future__ import annotations

import math
from pathlib import Path

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

from .export import OPSET, _exporter_options


class GaussianBlur(nn.Module):
    """A separable Gaussian of standard deviation `sigma` px, edges replicated (no dark frame)."""

    def __init__(self, sigma: float):
        super().__init__()
        radius = math.ceil(3 * sigma)
        x = torch.arange(-radius, radius + 1, dtype=torch.float32)
        k = torch.exp(-x ** 2 / (2 * sigma ** 2))
        k = k / k.sum()
        self.register_buffer("kernel", (k[:, None] * k[None, :]).expand(3, 1, -1, -1).clone())  # [3, 1, K, K]
        self.radius = radius

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(F.pad(x, (self.radius,) * 4, mode="replicate"), self.kernel, groups=3)


class LowResolution(nn.Module):
    """The photo at 1/`factor` of its side (area average), brought back up bilinearly: a perfect model of that size."""

    def __init__(self, factor: int):
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        small = F.avg_pool2d(x, self.factor)  # [N, 3, S/f, S/f]
        return F.interpolate(small, scale_factor=self.factor, mode="bilinear", align_corners=False)


class Identity(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * 1.0  # an op, so the graph has a node between its input and output


def references(size: int) -> dict[str, nn.Module]:
    """The reference degradations for `size` px faces, by file stem."""
    return {"photo": Identity(), "blur1": GaussianBlur(1.0), "blur2": GaussianBlur(2.0),
            f"at{size // 2}": LowResolution(2), f"at{size // 4}": LowResolution(4)}


def write_references(out: str | Path, size: int = 128) -> list[Path]:
    """One ONNX graph per reference degradation in `out`; returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem, module in references(size).items():
        path = out / f"{stem}.onnx"
        torch.onnx.export(module.eval(), torch.zeros(1, 3, size, size), str(path), input_names=["image"],
                          output_names=["recon"], dynamic_axes={"image": {0: "batch"}, "recon": {0: "batch"}},
                          opset_version=OPSET, **_exporter_options())
        onnx.checker.check_model(onnx.load(str(path)))
        paths.append(path)
    return paths
