"""Decoder (prior folded in) → ONNX, checked against torch in onnxruntime."""
from __future__ import annotations

import copy
import inspect
import json
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn as nn

from .model import UpBlock, count_macs, count_params
from .ort import ort_run
from .prior import fold_prior, prior_flow
from .runs import load_run

OPSET = 17  # torch 1.13's maximum; also what onnxruntime-web 1.30 runs everywhere


class FlowThenDecode(nn.Module):
    """A flow in front of a decoder with noise inputs: the flow maps the latent part of the input, the noise passes."""

    def __init__(self, flow: nn.Module, decoder: nn.Module):
        super().__init__()
        self.flow, self.decoder = flow, decoder

    def forward(self, eps: torch.Tensor) -> torch.Tensor:
        latent = self.decoder.latent_size
        return self.decoder(torch.cat([self.flow(eps[:, :latent]), eps[:, latent:]], dim=1))


def served_decoder(run: str | Path, transposed: bool = False) -> tuple[nn.Module, int]:
    """The decoder the service runs: standard-normal ε in (the latent, then any noise map), image in [-1, 1] out.
    Returns it and the input's size. `transposed`: its nearest-upsample + 3×3 doublings drawn as the equal 4×4
    stride-2 transposed convs (UpBlock.to_transposed): the same faces up to float rounding, at 4/9 of those
    layers' MACs. Off by default, so that a re-export keeps a published model's bytes."""
    run = Path(run)
    cfg, model = load_run(run)
    decoder = copy.deepcopy(model.decoder).eval()  # load_run builds it in the default (NCHW) memory format
    for block in [m for m in decoder.modules() if isinstance(m, UpBlock)]:
        # torch's exporter folds BatchNorm into a Conv itself, but not into a ConvTranspose. Folding the Conv blocks
        # here as well would round differently and change the bytes of every published model when re-exported.
        if block.upsample and transposed:
            block.to_transposed()
        elif not block.upsample:
            block.fold_norm()
    path = run / "prior.pt"
    if path.exists():
        prior = torch.load(path)
        fold_prior(decoder.stem, prior["mean"], prior["chol"])
        flow = prior_flow(prior)
        if flow is not None and cfg.dec_noise:
            decoder = FlowThenDecode(flow, decoder).eval()
        elif flow is not None:
            decoder = nn.Sequential(flow, decoder).eval()  # [N,D] ε → [N,D] whitened latent → image
    return decoder, cfg.input_size


def _exporter_options() -> dict:
    # one exporter on torch 1.13 and 2.x (2.9+ defaults to dynamo)
    return {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def export_onnx(decoder: nn.Module, latent_size: int, path: str | Path) -> Path:
    """Write `decoder` as ONNX: input `z` float32 [N, D] (dynamic N), output `image` float32 [N, 3, H, W]."""
    path = Path(path)
    kwargs = _exporter_options()
    torch.onnx.export(decoder, torch.zeros(1, latent_size), str(path), input_names=["z"], output_names=["image"],
                      dynamic_axes={"z": {0: "batch"}, "image": {0: "batch"}}, opset_version=OPSET,
                      do_constant_folding=True, **kwargs)
    onnx.checker.check_model(onnx.load(str(path)))
    return path


def check_against_torch(decoder: nn.Module, path: str | Path, latent_size: int, n: int = 64) -> float:
    """Largest absolute difference between torch and onnxruntime on `n` fixed draws."""
    z = torch.randn(n, latent_size, generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        expected = decoder(z).numpy()
    got, _ = ort_run(path, z.numpy())
    return float(np.abs(got - expected).max())


class Reconstruct(nn.Module):
    """Face → the decoder's reconstruction of it through the encoder's mean: what the evaluation compares with the
    photo (does the decoder keep its age cues?). A decoder with noise inputs gets one fixed map, so that the
    evaluation's figures repeat."""

    def __init__(self, model: nn.Module, noise_size: int):
        super().__init__()
        self.model = model
        self.register_buffer("noise", torch.randn(1, noise_size, generator=torch.Generator().manual_seed(0)))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        mean = self.model.encode(image)[0]
        return self.model.decoder(torch.cat([mean, self.noise.expand(mean.shape[0], -1)], dim=1))


def export_autoencoder(run: str | Path) -> Path:
    """`<run>/autoencoder.onnx`: input `image` float32 [N, 3, S, S] in [-1, 1] at the decoder's size, output `recon`
    of the same shape. For evaluation only: it is never served, and it carries no prior."""
    run = Path(run)
    cfg, model = load_run(run)
    path = run / "autoencoder.onnx"
    kwargs = _exporter_options()
    size = cfg.image_size
    reconstruct = Reconstruct(model, cfg.input_size - cfg.latent_size).eval()
    torch.onnx.export(reconstruct, torch.zeros(1, 3, size, size), str(path), input_names=["image"],
                      output_names=["recon"], dynamic_axes={"image": {0: "batch"}, "recon": {0: "batch"}},
                      opset_version=OPSET, do_constant_folding=True, **kwargs)
    onnx.checker.check_model(onnx.load(str(path)))
    return path


def export_run(run: str | Path, transposed: bool = False) -> dict:
    """Export a run's served decoder to `<run>/decoder.fp32.onnx` (and its autoencoder, for the evaluation's
    reconstruction figures, to `<run>/autoencoder.onnx`); writes `export.json` with MACs and the check.
    `transposed`: see `served_decoder`."""
    run = Path(run)
    decoder, latent_size = served_decoder(run, transposed)
    path = export_onnx(decoder, latent_size, run / "decoder.fp32.onnx")
    export_autoencoder(run)
    graph = onnx.load(str(path)).graph
    report = {"onnx": str(path), "opset": OPSET, "latent_size": latent_size,
              "image_size": int(decoder(torch.zeros(1, latent_size)).shape[-1]),
              "macs": count_macs(decoder, torch.zeros(1, latent_size)), "parameters": count_params(decoder),
              "ops": sorted({node.op_type for node in graph.node}), "prior_folded": (run / "prior.pt").exists(),
              "doublings": "transposed" if transposed else "as trained",
              "max_abs_diff_vs_torch": check_against_torch(decoder, path, latent_size)}
    (run / "export.json").write_text(json.dumps(report, indent=2))
    return report
