"""PNG grids of [-1, 1] image batches, for sample sheets and the committed model card."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """[N, 3, H, W] in [-1, 1] → [N, H, W, 3] uint8, the service's mapping (src/runtime/image.ts, planesToRgba at the
    native size): (x + 1) * 127.5 in float64, rounded half up. torch's round() is half-to-even, and float32 arithmetic
    lands on the other side of .5 now and then: 12 of 2 M random values came out one lower or higher that way."""
    scaled = (images.detach().cpu().double().clamp(-1, 1) + 1.0) * 127.5
    return torch.floor(scaled + 0.5).byte().permute(0, 2, 3, 1).numpy()


def save_grid(rows: list[torch.Tensor], path: str | Path, pad: int = 2) -> Path:
    """One row per tensor, images side by side with a `pad`-pixel white gutter."""
    arrays = [to_uint8(r) for r in rows]
    n, h, w = max(len(a) for a in arrays), arrays[0].shape[1], arrays[0].shape[2]
    sheet = np.full((len(arrays) * (h + pad) + pad, n * (w + pad) + pad, 3), 255, np.uint8)
    for r, row in enumerate(arrays):
        for c, image in enumerate(row):
            y, x = pad + r * (h + pad), pad + c * (w + pad)
            sheet[y:y + h, x:x + w] = image
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet).save(path)
    return path
