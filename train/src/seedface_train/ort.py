"""Run an ONNX model in onnxruntime through `scripts/ort-run.ts` (native, or the WASM build the edge serves with)."""
from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[3]


def ort_run(model: str | Path, z: np.ndarray, backend: str = "native", repeat: int = 1) -> tuple[np.ndarray, dict]:
    """Decode latents `z` [N, D] with `model`; returns the output and the timing report."""
    z = np.ascontiguousarray(z, dtype=np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        zin, yout = Path(tmp) / "z.f32", Path(tmp) / "y.f32"
        z.tofile(zin)
        done = subprocess.run(
            ["node", "--import", "tsx", str(REPO / "scripts" / "ort-run.ts"), "--backend", backend, "--model", str(model), "--input",
             str(zin), "--dim", str(z.shape[1]), "--out", str(yout), "--repeat", str(repeat)],
            cwd=REPO, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"onnxruntime ({backend}) failed: {done.stderr.strip()[-2000:]}")
        report = json.loads(done.stdout.strip().splitlines()[-1])
        return np.fromfile(yout, dtype=np.float32).reshape(report["shape"]), report
