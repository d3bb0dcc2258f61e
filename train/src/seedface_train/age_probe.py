"""How much age the latent carries: a linear probe on the encoder's means, the upper reference for the
reconstruction age-cue figure of `npm run eval` / `npm run eval:age-cues`.

A reconstruction can only show the age that the latent holds. A logistic regression from the standardised encoder
means to "aged ≥ 50 vs 18–35" (UTKFace's measured ages, the evaluation's two groups) is fitted on the training split
and scored on the validation split as a Mann–Whitney AUC, over all faces and over women. When the probe reads far
above the reconstructions, the decoder drops age the latent carries; when it reads near them, the bottleneck does.
The probe sees true ages and the reconstruction figure a face network's predictions, so the two are comparable in
direction, not to the third decimal.
"""
from __future__ import annotations

import math
from pathlib import Path

import torch

from .data import load_pack, read_labels
from .prior import encode
from .runs import load_run

OLD_FROM, YOUNG = 50, (18, 35)  # as eval/age-cues.ts


def auc(scores: torch.Tensor, positive: torch.Tensor) -> float:
    """P(score of a positive > score of a negative), ties counting one half (Mann–Whitney); NaN if a class is empty."""
    pos, neg = scores[positive], scores[~positive]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).double().sum()
    ties = (pos[:, None] == neg[None, :]).double().sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def fit_logistic(x: torch.Tensor, y: torch.Tensor, l2: float = 1e-3, iterations: int = 200) -> torch.Tensor:
    """Weights [D + 1] (bias last) of an L2-regularised logistic regression of y ∈ {0, 1} on x [N, D]."""
    x1 = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], 1)
    w = torch.zeros(x1.shape[1], dtype=x.dtype, requires_grad=True)
    optimiser = torch.optim.LBFGS([w], max_iter=iterations, line_search_fn="strong_wolfe")

    def closure():
        optimiser.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(x1 @ w, y.to(x.dtype)) + l2 * (w[:-1] ** 2).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    return w.detach()


def _groups(keys: list[str], rows: dict[str, dict]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(in the comparison, aged ≥ 50, female) masks [N] for the faces with a measured age and gender."""
    use, old, female = (torch.zeros(len(keys), dtype=torch.bool) for _ in range(3))
    for i, key in enumerate(keys):
        row = rows.get(key, {})
        if not row.get("age") or row.get("gender") not in ("0", "1"):  # UTKFace codes: 0 male, 1 female
            continue
        age = float(row["age"])
        use[i] = age >= OLD_FROM or YOUNG[0] <= age <= YOUNG[1]
        old[i], female[i] = age >= OLD_FROM, row["gender"] == "1"
    return use, old, female


def probe(train_latents: torch.Tensor, train_old: torch.Tensor, val_latents: torch.Tensor, val_old: torch.Tensor,
          val_female: torch.Tensor) -> dict:
    """Fit on the training latents (standardised by their own statistics) and score the validation ones."""
    mean, std = train_latents.mean(0), train_latents.std(0).clamp_min(1e-8)
    w = fit_logistic((train_latents - mean) / std, train_old)
    scores = (val_latents - mean) / std @ w[:-1] + w[-1]
    return {"train_faces": len(train_latents), "val_faces": len(val_latents),
            "val_old": int(val_old.sum()), "val_women": int(val_female.sum()),
            "auc_all": _figure(auc(scores, val_old)), "auc_women": _figure(auc(scores[val_female], val_old[val_female]))}


def _figure(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)  # JSON has no NaN


def probe_run(run: str | Path, pack: str | Path, index_csv: str | Path) -> dict:
    """The probe on a trained run's encoder means, training split → validation split of `pack`."""
    _, model = load_run(run)
    rows = read_labels(index_csv)
    splits = {}
    for split in ("train", "val"):
        images, keys = load_pack(pack, split)
        use, old, female = _groups(keys, rows)
        if not use.any():
            raise SystemExit(f"no face of the {split} split has a measured age and gender in {index_csv}")
        means, _ = encode(model, images[use])
        splits[split] = (means, old[use], female[use])
    (train, train_old, _), (val, val_old, val_female) = splits["train"], splits["val"]
    return {"run": str(run), "latent_size": train.shape[1], **probe(train, train_old, val, val_old, val_female)}
