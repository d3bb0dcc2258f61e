"""The PyTorch ports of human's emotion net and human-models' SSR-Net age net against TF.js itself, and the
perceptual distance built on them."""
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import synthetic_face

from seedface_train.ort import REPO
from seedface_train.perceptual import AGE, EMOTION, PerceptualDistance, TfjsGraph, scoped


def tfjs_run(model: Path, x: np.ndarray, node: str | None = None) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        xin, yout = Path(tmp) / "x.f32", Path(tmp) / "y.f32"
        np.ascontiguousarray(x, dtype=np.float32).tofile(xin)
        subprocess.run(["node", "--import", "tsx", str(REPO / "scripts" / "tfjs-run.ts"), "--model", str(model),
                        "--input", str(xin), "--shape", ",".join(map(str, x.shape)), "--out", str(yout)]
                       + (["--node", node] if node else []), cwd=REPO, check=True, capture_output=True)
        return np.fromfile(yout, dtype=np.float32)


def grey_faces(n: int, size: int = 64) -> np.ndarray:
    """Synthetic faces as the net reads them: [N, 64, 64, 1] grey in [-1, 1]."""
    rng = np.random.default_rng(0)
    faces = [np.asarray(synthetic_face(rng, size).convert("L"), dtype=np.float32) / 127.5 - 1 for _ in range(n)]
    return np.stack(faces)[..., None]


def test_the_port_computes_what_tfjs_computes():
    x = grey_faces(3)
    net = TfjsGraph(EMOTION)
    ours = net(torch.from_numpy(x).permute(0, 3, 1, 2), (net.nodes[-1]["name"],))[0].numpy()
    np.testing.assert_allclose(ours.ravel(), tfjs_run(EMOTION, x), rtol=1e-4, atol=1e-6)
    assert not np.allclose(ours[0], ours[1])  # different faces, different emotions: the check can fail


def test_the_age_nets_feature_maps_are_what_tfjs_computes():
    # the deepest map of each stream: every op the distance uses (convolutions with and without ReLU, both pools, tanh)
    rng = np.random.default_rng(0)
    x = np.stack([np.asarray(synthetic_face(rng, 64), dtype=np.float32) for _ in range(3)])  # RGB in [0, 255]
    layers = scoped(AGE, "activation_3/Relu", "activation_7/Tanh")
    net = TfjsGraph(AGE, layers)  # the age head beyond them uses ops not ported: only what the maps need is loaded
    for ours, layer in zip(net(torch.from_numpy(x).permute(0, 3, 1, 2), layers), layers):
        theirs = tfjs_run(AGE, x, layer).reshape(ours.permute(0, 2, 3, 1).shape)
        np.testing.assert_allclose(ours.permute(0, 2, 3, 1).numpy(), theirs, rtol=1e-4, atol=1e-5)
        assert ours.abs().max() > 0.1 and not torch.allclose(ours[0], ours[1])


def test_a_graph_with_ops_not_ported_is_refused(tmp_path):
    (tmp_path / "m.json").write_text(EMOTION.read_text().replace('"op":"Softmax"', '"op":"LogSoftmax"'))
    with pytest.raises(ValueError, match="LogSoftmax"):
        TfjsGraph(tmp_path / "m.json")
    with pytest.raises(ValueError, match="StridedSlice"):
        TfjsGraph(AGE)  # the whole age net: its regression head is not ported
    with pytest.raises(ValueError, match="emotion, age"):
        PerceptualDistance("gear")


@pytest.mark.parametrize("net", ["emotion", "age"])
def test_the_distance_is_zero_for_a_match_and_grows_with_the_change(net):
    torch.manual_seed(0)
    a = torch.from_numpy(grey_faces(4, 128)).permute(0, 3, 1, 2).repeat(1, 3, 1, 1)
    distance = PerceptualDistance(net)
    assert distance(a, a).item() == pytest.approx(0.0, abs=1e-6)
    small, large = distance(a, a + 0.05 * torch.randn_like(a)), distance(a, a + 0.3 * torch.randn_like(a))
    assert 0 < small < large
    # seen at 64 px: a 2×2 blur of a 128-px face is invisible to it, a shifted face is not
    blurred = F.avg_pool2d(a, 2).repeat_interleave(2, -1).repeat_interleave(2, -2)
    assert distance(a, blurred).item() < 1e-6 < distance(a, a.roll(4, dims=-1)).item()
    frozen = a.clone().requires_grad_(True)
    distance(frozen, a.flip(0)).backward()
    assert frozen.grad.abs().sum() > 0 and all(b.grad is None for b in distance.buffers())
