"""Attribute directions (smile, glasses, age, …) in the served decoder's input space, from dataset labels.

The prior maps the latents to ε, which is N(0, I) over the training set (whitening, then the flow's inverse, if
any); the directions are differences of class means there. With the Gaussian alone that is also the linear
discriminant's normal. A strength s moves ε by s times that distance along the unit direction: s = 1 is the step
from the typical labelled-negative face to the typical positive one.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import torch

from .data import read_labels
from .prior import to_standard

Label = Callable[[dict], "int | None"]  # +1 positive, −1 negative, None unlabelled


def _celeba(column: str, invert: bool = False) -> Label:
    def label(row: dict):
        value = row.get(column, "")
        return None if value == "" else (-1 if invert else 1) * (1 if value == "1" else -1)
    return label


def _gender(row: dict):
    if row.get("Male"):
        return 1 if row["Male"] == "1" else -1
    if row.get("gender") in ("0", "1"):  # UTKFace: 0 male, 1 female
        return 1 if row["gender"] == "0" else -1
    return None


def _age(row: dict):
    # Measured ages only (UTKFace). CelebA's `Young` is a judgement call on celebrities: mixing it in shrank the
    # class-mean distance from 1.63 to 1.23 on model 2 and left the direction too weak to read on the faces.
    # Young = under 18: generated faces already look about 29, and an independent age predictor gives ~29 to
    # everyone aged 13-35, so a direction towards 18-35-year-olds (model 2's) left faces barely younger to that predictor.
    if not row.get("age"):
        return None
    age = int(float(row["age"]))
    return 1 if age >= 50 else -1 if age <= 17 else None


# name → (label, what positive strengths do)
ATTRIBUTES: dict[str, tuple[Label, str]] = {
    "age": (_age, "older; negative: younger, towards children (UTKFace age >= 50 vs. under 18)"),
    "gender": (_gender, "more male-presenting; negative: more female-presenting (CelebA Male, UTKFace gender)"),
    "smile": (_celeba("Smiling"), "smiling"),
    "glasses": (_celeba("Eyeglasses"), "wearing glasses"),
    "beard": (_celeba("No_Beard", invert=True), "bearded"),
    "blond": (_celeba("Blond_Hair"), "blond hair"),
    "bangs": (_celeba("Bangs"), "bangs"),
    "makeup": (_celeba("Heavy_Makeup"), "heavy make-up"),
}
MIN_PER_CLASS = 50
# Attributes measured within the groups of another: in these faces older people are more often labelled male, so a
# plain class-mean difference for age also changed gender (seen on the development model); within each gender it
# cannot.
STRATIFY_BY = {"age": "gender"}


def _labels(name: str, keys: list[str], rows: dict[str, dict]) -> torch.Tensor:
    label = ATTRIBUTES[name][0]
    return torch.tensor([(label(rows[k]) or 0) if k in rows else 0 for k in keys])


def _mean_difference(eps: torch.Tensor, y: torch.Tensor, strata: torch.Tensor) -> torch.Tensor | None:
    """Size-weighted mean over strata of (positive mean − negative mean); None without enough faces."""
    total, weight = torch.zeros(eps.shape[1]), 0
    for stratum in strata.unique():
        pos, neg = eps[(y == 1) & (strata == stratum)], eps[(y == -1) & (strata == stratum)]
        if len(pos) >= MIN_PER_CLASS and len(neg) >= MIN_PER_CLASS:
            total += (len(pos) + len(neg)) * (pos.mean(0) - neg.mean(0))
            weight += len(pos) + len(neg)
    return total / weight if weight else None


def directions(eps: torch.Tensor, keys: list[str], rows: dict[str, dict]) -> dict[str, dict]:
    """Unit direction and scale per attribute from latents in the served input space `eps` [N, D] and their rows."""
    out = {}
    for name, (_, meaning) in ATTRIBUTES.items():
        y = _labels(name, keys, rows)
        if name in STRATIFY_BY:
            strata = _labels(STRATIFY_BY[name], keys, rows)
            y = torch.where(strata == 0, torch.zeros_like(y), y)  # unknown stratum: left out
        else:
            strata = torch.zeros_like(y)
        delta = _mean_difference(eps, y, strata)
        if delta is None:
            continue
        out[name] = {"positive": meaning, "scale": round(float(delta.norm()), 5),
                     "direction": [round(float(v), 6) for v in delta / delta.norm()],
                     "nPositive": int((y == 1).sum()), "nNegative": int((y == -1).sum())}
    return out


def fit_run_attributes(run: str | Path, index_csv: str | Path) -> dict:
    """Write `attributes.json` into a run folder whose prior has been fitted."""
    run = Path(run)
    prior = torch.load(run / "prior.pt")
    eps = to_standard(prior["latents"], prior)
    found = directions(eps, prior["keys"], read_labels(index_csv))
    doc = {"space": "decoder input (standard normal after the folded prior)", "strengthRange": [-2, 2],
           "shift": "z' = z + strength * scale * direction", "attributes": found}
    (run / "attributes.json").write_text(json.dumps(doc) + "\n")
    return {"attributes": str(run / "attributes.json"),
            "found": {k: {"scale": v["scale"], "n": [v["nPositive"], v["nNegative"]]} for k, v in found.items()}}
