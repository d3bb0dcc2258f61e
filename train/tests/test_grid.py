"""Sample sheets draw decoder values as the service does."""
import numpy as np
import torch

from seedface_train.grid import to_uint8


def test_to_uint8_maps_values_as_the_service_does():
    # src/runtime/image.ts: v = (x - lo) * 255 / (hi - lo) in float64, then (v + 0.5) | 0, clamped to 0..255.
    x = np.random.default_rng(0).uniform(-1.05, 1.05, (2000, 3, 20, 20)).astype(np.float32)
    x[0, :, 0, :3] = [[-1.0, 0.0, 1.0]] * 3
    want = np.clip(np.floor((x.astype(np.float64) + 1.0) * 127.5 + 0.5), 0, 255).astype(np.uint8).transpose(0, 2, 3, 1)
    got = to_uint8(torch.from_numpy(x))
    assert got[0, 0, :3, 0].tolist() == [0, 128, 255]
    assert np.array_equal(got, want)
