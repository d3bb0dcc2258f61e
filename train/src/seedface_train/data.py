"""Face images in, compact training packs out, augmented batches for training.

Three sources are read: WebDataset tar shards (jpg + json per sample, as in `shared/faces`), a plain folder of
images, and the CelebA layout (`img_align_celeba/` + `list_attr_celeba.txt`). `prepare` turns any of them into a
pack: one `.npz` of re-encoded JPEGs at the training resolution, so epochs never touch the originals and a pack can
travel to a GPU machine. The data path is always an argument; nothing here knows where the photos live.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

SPLITS = ("train", "val", "test")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp")


@dataclass
class Record:
    key: str
    split: str
    image: bytes  # encoded image file


def _hash_split(name: str, val_share: float = 0.03) -> str:
    """A stable split for sources without one: the md5 of the name, as the faces build does for UTKFace."""
    bucket = int(hashlib.md5(name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "val" if bucket < val_share else "train"


def read_shards(root: Path) -> Iterator[Record]:
    """Samples of every `*.tar` under `root`, split from each sample's json (WebDataset convention: same key stem)."""
    for shard in sorted(root.glob("*.tar")):
        pending: dict[str, dict] = {}
        with tarfile.open(shard) as tar:
            for member in tar:
                if not member.isfile():
                    continue
                stem, _, ext = member.name.rpartition(".")
                entry = pending.setdefault(stem, {})
                entry[ext.lower()] = tar.extractfile(member).read()
                image_ext = next((e for e in ("jpg", "jpeg", "png") if e in entry), None)
                if image_ext and "json" in entry:
                    meta = json.loads(entry["json"])
                    yield Record(meta.get("key", Path(stem).name), meta.get("split", "train"), entry[image_ext])
                    del pending[stem]
        for stem, entry in pending.items():  # images without metadata
            image_ext = next((e for e in ("jpg", "jpeg", "png") if e in entry), None)
            if image_ext:
                yield Record(Path(stem).name, _hash_split(stem), entry[image_ext])


def read_folder(root: Path) -> Iterator[Record]:
    """Every image file below `root`; split by a hash of its relative path."""
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES):
        rel = str(path.relative_to(root))
        yield Record(rel, _hash_split(rel), path.read_bytes())


def read_celeba(root: Path) -> Iterator[Record]:
    """CelebA's `img_align_celeba/`; the official partition file decides the split when present."""
    partition = {}
    part_file = root / "list_eval_partition.txt"
    if part_file.exists():
        for line in part_file.read_text().split("\n"):
            fields = line.split()
            if len(fields) == 2:
                partition[fields[0]] = SPLITS[int(fields[1])]
    for path in sorted((root / "img_align_celeba").iterdir()):
        if path.suffix.lower() in IMAGE_SUFFIXES:
            yield Record(path.stem, partition.get(path.name, _hash_split(path.name)), path.read_bytes())


def read_source(root: str | Path) -> Iterator[Record]:
    """Pick the reader by what the folder holds."""
    root = Path(root)
    if (root / "img_align_celeba").is_dir():
        return read_celeba(root)
    if any(root.glob("*.tar")):
        return read_shards(root)
    return read_folder(root)


def to_square(image: Image.Image, size: int) -> Image.Image:
    """Centre-crop to a square, then resize with Lanczos (the faces README's advice for 128 → 64)."""
    image = image.convert("RGB")
    w, h = image.size
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    image = image.crop((left, top, left + side, top + side))
    return image if side == size else image.resize((size, size), Image.LANCZOS)


def prepare(source: str | Path, out: str | Path, size: int, quality: int = 95, limit: int = 0,
            fmt: str = "jpeg") -> dict:
    """Write a pack: images re-encoded at `size` px, their keys and splits. Returns a summary.

    `fmt="webp"` makes a pack ~40 % smaller than JPEG at the same PSNR (at 64 px a JPEG's headers alone are ~600
    bytes), which is what lets all 42k faces travel to a GPU machine within its 64 MiB (53 MiB at quality 88).
    """
    if fmt not in ("jpeg", "webp"):
        raise SystemExit(f"unknown pack format {fmt!r}; choose jpeg or webp")
    blobs, keys, splits = [], [], []
    for record in read_source(source):
        image = to_square(Image.open(io.BytesIO(record.image)), size)
        buf = io.BytesIO()
        if fmt == "webp":
            image.save(buf, format="WEBP", quality=quality, method=6)
        else:
            image.save(buf, format="JPEG", quality=quality, subsampling=0)
        blobs.append(np.frombuffer(buf.getvalue(), dtype=np.uint8))
        keys.append(record.key)
        splits.append(SPLITS.index(record.split) if record.split in SPLITS else 0)
        if limit and len(keys) >= limit:
            break
    if not keys:
        raise SystemExit(f"no images found under {source}")
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype(np.int64)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, data=np.concatenate(blobs), offsets=offsets, keys=np.array(keys), splits=np.array(splits, np.uint8),
             size=np.array(size))
    counts = {s: int(np.sum(np.array(splits) == i)) for i, s in enumerate(SPLITS)}
    return {"pack": str(out), "images": len(keys), "bytes": out.stat().st_size, "size": size, **counts}


def load_pack(path: str | Path, split: str = "train") -> tuple[torch.Tensor, list[str]]:
    """Decode one split of a pack into a uint8 tensor [N, 3, H, W] (and its keys)."""
    pack = np.load(path)
    data, offsets = pack["data"], pack["offsets"]
    chosen = np.nonzero(pack["splits"] == SPLITS.index(split))[0]
    size = int(pack["size"])
    images = np.empty((len(chosen), size, size, 3), np.uint8)
    for row, i in enumerate(chosen):
        images[row] = np.asarray(Image.open(io.BytesIO(data[offsets[i]:offsets[i + 1]].tobytes())).convert("RGB"))
    keys = [str(k) for k in pack["keys"][chosen]]
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), keys


def to_model_range(batch: torch.Tensor) -> torch.Tensor:
    """uint8 [0, 255] → float [-1, 1]."""
    return batch.float().div_(127.5).sub_(1.0)


def augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Horizontal flip, small random scale/translation, mild colour jitter, all per sample on a [-1, 1] batch."""
    n = x.shape[0]
    rand = lambda *shape: torch.rand(*shape, generator=generator, device=x.device)  # noqa: E731
    flip = rand(n) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    # Faces are aligned to a template: keep geometric jitter small so the decoder still learns the alignment.
    scale = 1.0 + (rand(n) - 0.5) * 0.10
    shift = (rand(n, 2) - 0.5) * 0.08
    theta = torch.zeros(n, 2, 3, device=x.device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0 / scale
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    brightness = (rand(n, 1, 1, 1) - 0.5) * 0.16
    contrast = 1.0 + (rand(n, 1, 1, 1) - 0.5) * 0.2
    saturation = 1.0 + (rand(n, 1, 1, 1) - 0.5) * 0.2
    grey = x.mean(dim=1, keepdim=True)
    x = grey + (x - grey) * saturation
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = mean + (x - mean) * contrast + brightness
    return x.clamp_(-1.0, 1.0)


def read_labels(index_csv: str | Path) -> dict[str, dict]:
    """The rows of a data set's `index.csv` (as `shared/faces` ships it), by sample key."""
    with open(index_csv, newline="") as f:
        return {row["key"]: row for row in csv.DictReader(f)}


# Age groups of the sampler, by measured age (UTKFace): children, the 18–35 and ≥ 50 groups of the evaluation's
# age-cue figure, and the years between.
AGE_GROUPS = ((0, 17), (18, 35), (36, 49), (50, 200))


def age_weights(keys: list[str], rows: dict[str, dict], balance: float) -> torch.Tensor:
    """Sampling weights [N] (summing to 1) that draw each age group as if its share of the faces were
    share^(1 − balance): 0 keeps the data set's mix, 1 draws every group equally often.

    Only faces with a measured age are regrouped, and together they keep their share of the draws: CelebA's faces
    (whose `Young` label is a judgement call, see attributes.py) are drawn as often as without balancing. The point:
    faces aged ≥ 50 are 11 % of the training set, and the decoder drew older women as about 30."""
    groups = torch.full((len(keys),), -1)
    for i, key in enumerate(keys):
        age = rows.get(key, {}).get("age", "")
        if age:
            groups[i] = next(g for g, (lo, hi) in enumerate(AGE_GROUPS) if lo <= int(float(age)) <= hi)
    weights = torch.ones(len(keys), dtype=torch.float64)
    measured = groups >= 0
    counts = torch.bincount(groups[measured], minlength=len(AGE_GROUPS)).double()
    per_group = counts.clamp_min(1) ** -balance  # a face's weight; a group then draws ∝ count^(1 − balance)
    weights[measured] = per_group[groups[measured]]
    if measured.any():  # the measured faces keep their share of all draws
        weights[measured] *= measured.sum() / weights[measured].sum()
    return weights / weights.sum()


class Batches:
    """Endless random batches from a uint8 image tensor, reproducible from a seed; uniform, or drawn with
    `weights` [N] (with replacement, like the uniform draws)."""

    def __init__(self, images: torch.Tensor, batch_size: int, seed: int, device: torch.device, augment_: bool,
                 weights: torch.Tensor | None = None):
        # On a GPU the whole uint8 set lives there (40k faces at 64 px: 0.5 GB): one gather per batch, no copies.
        images = images.to(device) if device.type == "cuda" else images
        self.images, self.batch_size, self.device, self.augment = images, batch_size, device, augment_
        self.weights = weights
        self.generator, self.aug_generator = torch.Generator(), torch.Generator(device=device)
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        self.generator.manual_seed(seed)
        self.aug_generator.manual_seed(seed + 1)

    def state_dict(self) -> dict:
        return {"generator": self.generator.get_state(), "aug_generator": self.aug_generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        self.aug_generator.set_state(state["aug_generator"])

    def next(self) -> torch.Tensor:
        idx = (torch.randint(len(self.images), (self.batch_size,), generator=self.generator) if self.weights is None
               else torch.multinomial(self.weights, self.batch_size, replacement=True, generator=self.generator))
        x = to_model_range(self.images[idx.to(self.images.device)].to(self.device))
        x = augment(x, self.aug_generator) if self.augment else x
        return x.contiguous(memory_format=torch.channels_last)
