"""Tiny synthetic faces: coloured ellipses with two dark 'eyes', written as WebDataset shards by the tests."""
from __future__ import annotations

import io
import json
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def synthetic_face(rng: np.random.Generator, size: int = 32) -> Image.Image:
    bg = tuple(int(v) for v in rng.integers(0, 255, 3))
    skin = tuple(int(v) for v in rng.integers(120, 255, 3))
    image = Image.new("RGB", (size, size), bg)
    draw = ImageDraw.Draw(image)
    m = size // 8 + int(rng.integers(0, 2))
    draw.ellipse((m, m, size - m, size - m + 2), fill=skin)
    for x in (size * 3 // 8, size * 5 // 8):
        draw.ellipse((x - 2, size * 3 // 8 - 2, x + 2, size * 3 // 8 + 2), fill=(20, 20, 20))
    return image


def write_shards(root: Path, n: int = 48, val: int = 8, per_shard: int = 24, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    for shard in range(0, n, per_shard):
        with tarfile.open(root / f"faces-{shard // per_shard:06d}.tar", "w") as tar:
            for i in range(shard, min(n, shard + per_shard)):
                key = f"synth-{i:06d}"
                buf = io.BytesIO()
                synthetic_face(rng).save(buf, format="JPEG", quality=95)
                meta = json.dumps({"key": key, "split": "val" if i >= n - val else "train"}).encode()
                for name, data in ((f"{key}.jpg", buf.getvalue()), (f"{key}.json", meta)):
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
    return root


@pytest.fixture(scope="session")
def shards(tmp_path_factory) -> Path:
    return write_shards(tmp_path_factory.mktemp("shards"))


@pytest.fixture(scope="session")
def pack(shards, tmp_path_factory) -> Path:
    from seedface_train.data import prepare
    out = tmp_path_factory.mktemp("pack") / "tiny16.npz"
    prepare(shards, out, 16)
    return out


@pytest.fixture(scope="session")
def trained_run(pack, tmp_path_factory) -> Path:
    """A tiny model trained for 20 steps, with its prior fitted: what export/quantize/publish tests start from."""
    from seedface_train.config import make_config
    from seedface_train.prior import fit_run_prior
    from seedface_train.train import Trainer
    run = tmp_path_factory.mktemp("run")
    Trainer(make_config("tiny"), pack, run).fit()
    fit_run_prior(run, pack)
    return run
