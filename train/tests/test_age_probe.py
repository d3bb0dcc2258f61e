"""The latent age probe: its AUC, that it finds age where the latent holds it and not where it does not, and the
command on a trained run."""
import csv

import torch

from seedface_train.age_probe import auc, probe, probe_run


def test_the_auc_is_the_share_of_ordered_pairs_with_ties_as_halves():
    scores = torch.tensor([0.1, 0.4, 0.4, 0.9, 0.2, 0.4])
    positive = torch.tensor([False, True, False, True, False, True])
    pairs = [(p, n) for p in scores[positive] for n in scores[~positive]]
    expected = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in pairs) / len(pairs)
    assert auc(scores, positive) == expected
    assert auc(torch.arange(4.0), torch.tensor([False, False, True, True])) == 1.0
    assert auc(-torch.arange(4.0), torch.tensor([False, False, True, True])) == 0.0


def _latents(n: int, old: torch.Tensor, signal: float, generator: torch.Generator) -> torch.Tensor:
    x = torch.randn(n, 16, generator=generator, dtype=torch.float64)
    x[:, 3] += signal * old.double()  # age in one direction of the latent, at this strength
    return x


def test_the_probe_reads_age_where_the_latent_holds_it_and_chance_where_it_does_not():
    g = torch.Generator().manual_seed(0)
    train_old, val_old = torch.rand(2000, generator=g) < 0.3, torch.rand(600, generator=g) < 0.3
    val_female = torch.rand(600, generator=g) < 0.5
    held = probe(_latents(2000, train_old, 3.0, g), train_old, _latents(600, val_old, 3.0, g), val_old, val_female)
    assert held["auc_all"] > 0.95 and held["auc_women"] > 0.95
    assert (held["train_faces"], held["val_faces"], held["val_old"]) == (2000, 600, int(val_old.sum()))
    absent = probe(_latents(2000, train_old, 0.0, g), train_old, _latents(600, val_old, 0.0, g), val_old, val_female)
    assert abs(absent["auc_all"] - 0.5) < 0.1


def test_the_command_probes_a_trained_run_on_the_labelled_faces_of_each_split(trained_run, pack, tmp_path):
    import numpy as np
    keys = [str(k) for k in np.load(pack)["keys"]]
    index = tmp_path / "index.csv"
    with open(index, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["key", "age", "gender"])
        for i, key in enumerate(keys):  # ages 60, 25, 40 (in neither group), unlabelled, … ; genders alternate
            age = ("60", "25", "40", "")[i % 4]
            writer.writerow([key, age, str(i % 2) if age else ""])
    figures = probe_run(trained_run, pack, index)
    assert figures["latent_size"] == 8
    assert figures["train_faces"] + figures["val_faces"] == sum(1 for i in range(len(keys)) if i % 4 in (0, 1))
    assert figures["val_old"] == sum(1 for i in range(len(keys) - 8, len(keys)) if i % 4 == 0)
    assert 0.0 <= figures["auc_all"] <= 1.0
