"""Publishing: copy a run's chosen decoder into `models/` and record its manifest entry (see models/README.md)."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import torch

from .checkpoints import write_training_weights
from .export import served_decoder
from .grid import save_grid
from .train import slerp

# What the default models were trained on; `publish --dataset/--license` say it for a model trained on other faces.
DATASET = "faces128 (../shared/faces): 40,634 aligned CelebA and UTKFace faces (train split), {size}x{size}{how}"
LICENSE = ("Trained on CelebA and UTKFace, which are licensed for non-commercial research only: so are these weights "
           "and the faces they draw.")
VERSION_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{0,31}$")


def sha256_file(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _read(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def eval_figures(report: dict) -> dict:
    """The headline figures of an `npm run eval` report.json, as the manifest records them."""
    f, settings = report["figures"], report["settings"]
    return {"n": settings["n"], "heldOut": ", ".join(settings["real"]), "model": report["model"]["file"],
            "ffd": round(f["ffd"]["generatedVsReal"], 2), "ffdFloorTrainVsVal": round(f["ffd"]["trainVsReal"], 2),
            "excessFfd": round(f["ffd"]["generatedVsReal"] - f["ffd"]["trainVsReal"], 2),
            "detectionRate": f["detectionRate"]["generated"], "diversityRatio": round(f["diversity"]["ratio"], 3),
            "memorisationRatio": round(f["memorisation"]["ratio"], 3),
            "femaleShare": round(f["attributes"]["generated"]["femaleShare"], 3)}


def write_eval(run: Path, report: str | Path, baseline: str | Path | None = None) -> dict:
    """`eval.json` in the run folder from the model's eval report (and the article-ae baseline's, at the same n)."""
    doc = {"tool": "npm run eval (human faceres 1024-d)", **eval_figures(json.loads(Path(report).read_text()))}
    if baseline:
        doc["baselineArticleAe"] = eval_figures(json.loads(Path(baseline).read_text()))
        if doc["baselineArticleAe"]["n"] != doc["n"]:
            raise SystemExit("the model and the baseline must be evaluated at the same n")
    (run / "eval.json").write_text(json.dumps(doc, indent=2) + "\n")
    return doc


def model_entry(run: Path, name: str, version: str, variant: str, file: str, sha256: str, size: int,
                dataset: str | None = None, license_: str | None = None) -> dict:
    """The manifest entry for a run's exported decoder: every field the service and a reader need (the data set and
    licence default to the shared CelebA/UTKFace set's)."""
    export, summary = _read(run / "export.json"), _read(run / "summary.json")
    quant, prior = _read(run / "quantize.json"), _read(run / "prior.json")
    final = summary.get("final", {})
    return {
        "name": name, "version": version, "file": file, "sha256": sha256, "bytes": size,
        "latentSize": export["latent_size"], "imageSize": export["image_size"], "input": "z", "output": "image",
        "layout": "NCHW", "valueRange": [-1, 1],
        "quantization": {"fp32": "fp32", "fp16": "fp16", "int8": "int8-weights"}[variant],
        "parameters": export["parameters"], "macs": export["macs"], "opset": export["opset"],
        "prior": prior.get("kind", "none (decoder samples N(0, I) directly)"),
        "priorFlow": prior.get("flow"),  # the flow's shape and held-out NLL against the Gaussian alone
        "dataset": dataset or DATASET.format(
            size=export["image_size"], how=" (Lanczos from 128x128)" if export["image_size"] < 128 else ""), "license": license_ or LICENSE,
        "training": {"preset": summary.get("preset_config", {}).get("arch"), "config": summary.get("preset_config"),
                     "device": summary.get("device"), "wallTimeSeconds": summary.get("wall_time_s"),
                     "cpuSeconds": summary.get("cpu_time_s"),
                     # a warm start's own steps and CPU time are not in the run's: the file it began from, with them
                     "startedFrom": summary.get("started_from"),
                     "steps": summary.get("steps"), "epochs": summary.get("epochs"), "torch": summary.get("torch"),
                     "finalLosses": {k: round(v, 5) for k, v in final.items() if isinstance(v, float)}},
        "quantizationReport": quant.get("variants"),
        "eval": _read(run / "eval.json") or None,
    }


@torch.no_grad()
def sample_sheet(run: Path, path: Path) -> Path:
    """What the served graph draws: three rows of N(0, I) draws (seeded) and a slerp row between the first two."""
    decoder, latent_size = served_decoder(run)
    z = torch.randn(24, latent_size, generator=torch.Generator().manual_seed(0))
    row = decoder(slerp(z[0], z[1], torch.linspace(0, 1, 8)))
    faces = decoder(z)
    return save_grid([faces[:8], faces[8:16], faces[16:], row], path)


def _published_weights(run: Path, entries: list[dict], models: Path) -> str | None:
    """The training weights file of a published model with exactly the run's weights (a re-export of them, e.g.
    `export --transposed`), so that a second copy of the same 11 MB does not go into the repository."""
    weights = torch.load(run / "model.pt", map_location="cpu")["model"]
    for name in dict.fromkeys(e["trainingWeights"] for e in entries if e.get("trainingWeights")):  # each file once
        if (models / name).exists():
            kept = torch.load(models / name, map_location="cpu")["model"]
            if kept.keys() == weights.keys() and all(torch.equal(v, kept[k]) for k, v in weights.items()):
                return name
    return None


def publish(run: str | Path, models: str | Path, name: str, version: str, variant: str | None = None,
            make_current: bool = True, eval_report: str | Path | None = None,
            baseline_report: str | Path | None = None, dataset: str | None = None,
            license_: str | None = None) -> dict:
    """Copy `decoder.<variant>.onnx` (default: quantize's choice) into `models/` with a sample sheet and the run's
    training weights (`<name>-<version>.train.pt`, not served), update the
    manifest (with the figures of `eval_report`, an `npm run eval` report.json, when given). A version is never
    reused for different bytes, so publishing again to add the evaluation keeps the weights."""
    run, models = Path(run), Path(models)
    if json.loads((run / "config.json").read_text()).get("dec_noise"):
        # the served spec draws the latent only: a noise map would change the seed → image algorithm, the runtime
        # and the test vectors together (docs/native128-notes.md, noise inputs)
        raise SystemExit("a decoder with noise inputs (dec_noise) cannot be published: the service draws no noise map")
    if eval_report:
        write_eval(run, eval_report, baseline_report)
    if not VERSION_PATTERN.match(version):
        raise SystemExit(f"version {version!r} must match {VERSION_PATTERN.pattern}")
    variant = variant or _read(run / "quantize.json").get("default", "fp32")
    source = run / f"decoder.{variant}.onnx"
    file = f"{name}-{version}.onnx"
    sha = sha256_file(source)
    manifest_path = models / "manifest.json"
    manifest = _read(manifest_path) or {"current": version, "models": []}
    clash = next((m for m in manifest["models"] if m["version"] == version), None)
    if clash and clash["sha256"] != sha:
        raise SystemExit(f"version {version} already names other weights: pick a new version")
    models.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, models / file)
    entry = model_entry(run, name, version, variant, file, sha, source.stat().st_size, dataset, license_)
    attributes = run / "attributes.json"
    if attributes.exists():
        entry["attributesFile"] = f"{name}-{version}.attributes.json"
        entry["attributesSha256"] = sha256_file(attributes)
        entry["attributes"] = sorted(json.loads(attributes.read_text())["attributes"])
        shutil.copyfile(attributes, models / entry["attributesFile"])
    sample_sheet(run, models / f"{name}-{version}.png")
    entry["trainingWeights"] = (_published_weights(run, manifest["models"], models)
                                or write_training_weights(run, models / f"{name}-{version}.train.pt").name)
    manifest["models"] = [m for m in manifest["models"] if m["version"] != version] + [entry]
    if make_current:
        manifest["current"] = version
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return {"manifest": str(manifest_path), "model": str(models / file), "sha256": sha, "variant": variant}
