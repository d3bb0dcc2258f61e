"""Training configuration: a preset plus `key=value` overrides, recorded in every run folder."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass


@dataclass
class Config:
    # model
    arch: str = "seedface"  # "seedface": our (V)AE (model.Decoder); "article": the reference article's autoencoder
    image_size: int = 64  # what the decoder draws
    enc_size: int = 0  # what the encoder reads (faces area-downsampled); 0: image_size
    latent_size: int = 128
    enc_widths: tuple = (32, 64, 128, 256)  # one stride-2 conv per width
    dec_widths: tuple = (128, 64, 32, 16, 16)  # channels at 4, 8, 16, 32, 64 px: 25.6 M MACs per face
    dec_stem: int = 4  # side of the linear stem's output; each dec_widths entry after the first doubles it
    dec_block: str = "upsample"  # or "transposed": how each doubling is drawn (see model.UpBlock)
    dec_head: int = 0  # >0: the last doubling is a sub-pixel head with this many channels at full size
    dec_noise: bool = False  # per-pixel noise inputs: image_size² more normals after the latent (model.NoiseInput)
    # objective
    variational: bool = True
    beta: float = 5e-4  # KL weight (KL summed over latent dims, recon averaged over pixels)
    kl_warmup_steps: int = 2000
    l1_weight: float = 1.0
    mse_weight: float = 1.0
    grad_weight: float = 0.5  # L1 on image gradients: a sharpening term that needs no downloaded weights
    adv_weight: float = 0.05  # hinge patch-discriminator weight; 0 turns the discriminator off
    adv_start_step: int = 1500
    # the critic also sees decoded prior draws (samples are what we serve): N(0, I) for a VAE, for a plain AE the
    # Gaussian of its latents, tracked as it trains (prior.RunningGaussian)
    adv_on_samples: bool = True
    adv_adaptive: bool = False  # scale the adversarial term by |∇rec| / |∇adv| at the last layer (VQGAN), times adv_weight
    disc_width: int = 16
    disc_depth: int = 3  # stride-2 stages: 3 suits 64 px, 4 gives 128 px the same ~45 px patches
    disc_heads: int = 1  # logit maps, read off the last stages: 2 at depth 5 judges 46 px patches and the whole face
    fm_weight: float = 0.0  # L1 between the critic's features of a face and of its reconstruction
    ffl_weight: float = 0.0  # focal frequency loss (Jiang et al. 2021): spectrum error, hardest frequencies weighted
    perc_weight: float = 0.0  # perceptual distance on a face network's features (perceptual.py; not the eval's)
    perc_net: str = "emotion"  # which: "emotion" (human's emotion net) or "age" (SSR-Net, from human-models)
    # optimisation
    optimizer: str = "adamw"  # or "adam"
    lr: float = 2e-3
    weight_decay: float = 1e-4
    schedule: str = "cosine"  # or "plateau" (ReduceLROnPlateau on val loss)
    warmup_steps: int = 300
    batch_size: int = 64
    steps: int = 20000
    max_minutes: float = 0.0  # a wall-clock budget: the schedule runs to whichever of steps/time ends first
    ema_decay: float = 0.999  # 0 disables the EMA copy
    augment: bool = True
    age_balance: float = 0.0  # >0: draw faces by age group (data.age_weights; needs the data set's labels, --labels)
    # bookkeeping
    seed: int = 0
    threads: int = 1
    log_every: int = 50
    eval_every: int = 1000
    sample_every: int = 2000
    ckpt_every: int = 1000
    ckpt_minutes: float = 10.0  # also checkpoint after this much wall time: a killed session loses at most this
    val_batches: int = 8
    amp: bool = True  # bf16 autocast, used on CUDA only

    @property
    def encoder_size(self) -> int:
        return self.enc_size or self.image_size

    @property
    def input_size(self) -> int:
        """Numbers per face in the served decoder's input: the latent, then the noise map (`dec_noise`)."""
        return self.latent_size + (self.image_size ** 2 if self.dec_noise else 0)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2)


# The 64-px recipe, which the cpu and gpu presets share: a plain autoencoder with the patch critic on reconstructions
# (on the GPU ablation in docs/experiments.md it beat every VAE setting at the same budget: excess FFD 9.5 against
# 14.8 for β = 1e-4, 15.2 for β = 5e-4), and an 8×8 stem (at equal MACs and CPU time: excess FFD 10.7 → 8.6 against
# 4×4).
_CPU = Config(variational=False, beta=0.0, kl_warmup_steps=0, adv_weight=0.1, adv_on_samples=False, dec_stem=8,
              dec_widths=(128, 32, 16, 16), steps=100000, max_minutes=100, adv_start_step=2000, eval_every=1000,
              sample_every=2000)

# Native 128 px: model 5's 64-px trunk, a sub-pixel head to 128, the encoder on 64-px copies; losses at 128 with a
# critic of 4 stages (the same ~45 px patches at twice the resolution), its weight set by the gradient-norm ratio
# (× 0.9: three times the first run's 0.3 cut excess FFD 7.41 → 7.07 and met both sharpness bars in a fine-tune,
# docs/native128-notes.md), critic feature matching and the focal frequency loss. Batch 32: at 128 px a step of 64
# costs ~1.4 s on one core, and steps matter more than batch size here. A budget of steps, not minutes: the run spans
# sessions (--resume, and --nproc 2 where both cores are free), and a wall-clock schedule would depend on how busy
# each machine was. 30,000 steps: where the chained runs of 3 Dec met the FFD bar (7.0 h of training clock, on shared
# cores).
_CPU128 = dataclasses.replace(_CPU, image_size=128, enc_size=64, dec_head=4, disc_depth=4, adv_adaptive=True,
                              adv_weight=0.9, fm_weight=1.0, ffl_weight=1.0, batch_size=32, steps=30000, max_minutes=0.0,
                              adv_start_step=3000, eval_every=1000, sample_every=1000, ckpt_every=1000)

PRESETS: dict[str, Config] = {
    # The reference article's network, trained as it was (plain AE, MSE, Adam 1e-3, ReduceLROnPlateau).
    "article-ae": Config(
        arch="article", variational=False, beta=0.0, kl_warmup_steps=0, l1_weight=0.0, mse_weight=1.0,
        grad_weight=0.0, adv_weight=0.0, optimizer="adam", lr=1e-3, weight_decay=0.0, schedule="plateau",
        warmup_steps=0, ema_decay=0.0, augment=False,
    ),
    # At most 100 minutes on one core of this 2-core machine (~200 images/s when the other core is quiet).
    "cpu": _CPU,
    # The same recipe in under 10 minutes on one H100 (7.25 min of training plus start-up): large batches, bf16.
    "gpu": dataclasses.replace(_CPU, batch_size=256, steps=1000000, max_minutes=7.25, warmup_steps=500, threads=2,
                               eval_every=2500, sample_every=5000, ckpt_every=5000),
    # The default model's recipe: native 128 px, trained for its step budget over several sessions.
    "cpu128": _CPU128,
    # For tests: a few steps on tiny images.
    "tiny": Config(image_size=16, latent_size=8, enc_widths=(8, 16), dec_widths=(16, 8, 8), batch_size=8,
                   steps=20, adv_start_step=10, warmup_steps=2, kl_warmup_steps=5, log_every=5, eval_every=10,
                   sample_every=10, ckpt_every=10, val_batches=1),
}


def _parse_value(current, text: str):
    if isinstance(current, bool):
        return text.lower() in ("1", "true", "yes", "on")
    if isinstance(current, int):
        return int(text)
    if isinstance(current, float):
        return float(text)
    if isinstance(current, tuple):
        return tuple(int(v) for v in text.split(","))
    return text


def make_config(preset: str, overrides: list[str] | None = None) -> Config:
    """The named preset with `key=value` overrides applied (unknown keys are an error, not silently ignored)."""
    if preset not in PRESETS:
        raise SystemExit(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    cfg = dataclasses.replace(PRESETS[preset])
    for item in overrides or []:
        key, _, value = item.partition("=")
        if not hasattr(cfg, key):
            raise SystemExit(f"unknown config key {key!r}")
        setattr(cfg, key, _parse_value(getattr(cfg, key), value))
    return cfg


def load_config(path) -> Config:
    data = json.loads(open(path).read())
    data = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return Config(**data)
