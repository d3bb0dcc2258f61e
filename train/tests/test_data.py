import io
import json

import numpy as np
import torch
from PIL import Image

from conftest import synthetic_face
from seedface_train.data import Batches, augment, load_pack, prepare, read_source, to_model_range


def test_shards_keep_their_splits(shards):
    records = list(read_source(shards))
    assert len(records) == 48
    assert sum(r.split == "val" for r in records) == 8
    assert Image.open(io.BytesIO(records[0].image)).size == (32, 32)


def test_pack_decodes_to_uint8_at_the_requested_size(pack):
    train, keys = load_pack(pack, "train")
    val, _ = load_pack(pack, "val")
    assert train.shape == (40, 3, 16, 16) and val.shape == (8, 3, 16, 16)
    assert train.dtype == torch.uint8 and len(keys) == 40
    x = to_model_range(train)
    assert -1.0 <= x.min() < -0.5 and 0.5 < x.max() <= 1.0


def test_folder_and_celeba_layouts(tmp_path):
    rng = np.random.default_rng(1)
    folder = tmp_path / "folder" / "nested"
    folder.mkdir(parents=True)
    for i in range(5):
        synthetic_face(rng, 40).crop((0, 0, 40, 30)).save(folder / f"{i}.png")  # non-square: centre-cropped
    summary = prepare(tmp_path / "folder", tmp_path / "folder.npz", 16)
    assert summary["images"] == 5
    celeba = tmp_path / "celeba" / "img_align_celeba"
    celeba.mkdir(parents=True)
    for i in range(4):
        synthetic_face(rng, 24).save(celeba / f"{i:06d}.jpg")
    (tmp_path / "celeba" / "list_eval_partition.txt").write_text("000000.jpg 0\n000001.jpg 0\n000002.jpg 1\n000003.jpg 2\n")
    splits = [r.split for r in read_source(tmp_path / "celeba")]
    assert splits == ["train", "train", "val", "test"]


def test_augment_keeps_shape_and_range_and_changes_images(pack):
    images, _ = load_pack(pack, "train")
    x = to_model_range(images[:16])
    y = augment(x.clone(), torch.Generator().manual_seed(0))
    assert y.shape == x.shape and y.min() >= -1.0 and y.max() <= 1.0
    assert (y - x).abs().mean() > 0.01


def test_batches_are_reproducible(pack):
    images, _ = load_pack(pack, "train")
    a = Batches(images, 4, 3, torch.device("cpu"), True).next()
    b = Batches(images, 4, 3, torch.device("cpu"), True).next()
    assert torch.equal(a, b)


def test_a_webp_pack_is_smaller_and_decodes_the_same_faces(shards, tmp_path):
    jpeg = prepare(shards, tmp_path / "jpeg.npz", 16, quality=90)
    webp = prepare(shards, tmp_path / "webp.npz", 16, quality=90, fmt="webp")
    assert webp["images"] == jpeg["images"] and webp["bytes"] < jpeg["bytes"]
    a, keys_a = load_pack(tmp_path / "jpeg.npz")
    b, keys_b = load_pack(tmp_path / "webp.npz")
    assert keys_a == keys_b and a.shape == b.shape
    assert (a.float() - b.float()).abs().mean() < 8.0  # same faces, only the codec's loss apart
