import io
import json

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import synthetic_face
from seedface_train.data import (AGE_GROUPS, Batches, age_weights, augment, load_pack, prepare, read_source,
                                 to_model_range)


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


def test_age_weights_reshape_the_measured_groups_and_keep_the_rest():
    # 600 measured faces (300 aged 20, 200 aged 40, 100 aged 60) and 400 unmeasured (CelebA-like) faces
    ages = ["20"] * 300 + ["40"] * 200 + ["60"] * 100 + [""] * 400
    keys = [f"k{i}" for i in range(len(ages))]
    rows = {k: {"age": a} for k, a in zip(keys, ages)}
    share = lambda w, lo, hi: float(w[lo:hi].sum())
    uniform = age_weights(keys, rows, 0.0)
    assert torch.allclose(uniform, torch.full((1000,), 1e-3, dtype=torch.float64))
    full = age_weights(keys, rows, 1.0)
    assert share(full, 600, 1000) == pytest.approx(0.4)  # unmeasured faces keep their share of the draws
    for lo, hi in ((0, 300), (300, 500), (500, 600)):  # and each measured group gets a third of the rest
        assert share(full, lo, hi) == pytest.approx(0.2)
    half = age_weights(keys, rows, 0.5)  # groups drawn ∝ sqrt(count): between the two
    assert share(full, 500, 600) > share(half, 500, 600) > share(uniform, 500, 600)
    assert len(AGE_GROUPS) == 4 and AGE_GROUPS[-1][0] == 50


def test_weighted_batches_follow_the_weights(pack):
    images, _ = load_pack(pack, "train")
    weights = torch.zeros(len(images), dtype=torch.float64)
    weights[:2] = 0.5
    batches = Batches(images, 64, 0, torch.device("cpu"), False, weights)
    drawn = to_model_range(images[:2]).contiguous(memory_format=torch.channels_last)
    batch = batches.next()
    assert all(any(torch.equal(x, d) for d in drawn) for x in batch)  # only the two weighted faces
