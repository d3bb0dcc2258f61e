"""The training loop: VAE (or the seed article's AE) with reconstruction, KL, gradient and adversarial terms.

Writes to the run folder: `config.json`, `metrics.jsonl`, `samples/step-*.png`, `ckpt.pt` (resumable) and, at the
end, `model.pt` (the EMA weights) and `summary.json`.
"""
from __future__ import annotations

import copy
import json
import math
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from .config import Config
from .data import Batches, load_pack, to_model_range
from .grid import save_grid
from .model import AutoEncoder, PatchDiscriminator, kl_divergence
from .prior import fit_latent_prior


def pick_device() -> torch.device:
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation between latents a and b ([D]) at fractions t ([T]) → [T, D]."""
    cos = (a @ b / (a.norm() * b.norm())).clamp(-1.0, 1.0)
    omega = torch.acos(cos)
    if omega.abs() < 1e-4:
        return torch.lerp(a[None], b[None], t[:, None])
    s = torch.sin(omega)
    return (torch.sin((1 - t) * omega)[:, None] * a + torch.sin(t * omega)[:, None] * b) / s


class EMA:
    """Exponential moving average of a module's parameters (buffers copied), the weights we export."""

    def __init__(self, module: torch.nn.Module, decay: float):
        self.decay, self.module = decay, copy.deepcopy(module).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, module: torch.nn.Module, step: int) -> None:
        # Warm-up: a fixed 0.999 would still carry 13 % of the random init after 2,000 steps (measured: washed-out
        # faces), so the average starts short and lengthens as training goes on.
        decay = min(self.decay, (1.0 + step) / (10.0 + step))
        # one fused launch per list rather than one per tensor: on a GPU this loop is launch-bound
        averages, params = list(self.module.parameters()), [p.detach() for p in module.parameters()]
        torch._foreach_mul_(averages, decay)
        torch._foreach_add_(averages, params, alpha=1.0 - decay)
        for avg, b in zip(self.module.buffers(), module.buffers()):
            avg.copy_(b)


def progress(cfg: Config, step: int, elapsed: float) -> float:
    """Share of the budget spent: steps, or wall time when `max_minutes` runs out first."""
    by_time = elapsed / (60.0 * cfg.max_minutes) if cfg.max_minutes else 0.0
    return max(step / cfg.steps, by_time)


def lr_factor(cfg: Config, step: int, elapsed: float) -> float:
    """Linear warm-up, then cosine decay to 5 % of the peak over the rest of the budget."""
    if step < cfg.warmup_steps:
        return (step + 1) / cfg.warmup_steps
    done = progress(cfg, step, elapsed)
    start = progress(cfg, cfg.warmup_steps, 0.0)
    progress_ = (done - start) / max(1e-9, 1.0 - start)
    return 0.05 + 0.95 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress_)))


def image_gradients(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return x[..., :, 1:] - x[..., :, :-1], x[..., 1:, :] - x[..., :-1, :]


def reconstruction_loss(cfg: Config, recon: torch.Tensor, x: torch.Tensor) -> dict[str, torch.Tensor]:
    terms = {}
    if cfg.l1_weight:
        terms["l1"] = (recon - x).abs().mean()
    if cfg.mse_weight:
        terms["mse"] = (recon - x).pow(2).mean()
    if cfg.grad_weight:
        (rx, ry), (xx, xy) = image_gradients(recon), image_gradients(x)
        terms["grad"] = (rx - xx).abs().mean() + (ry - xy).abs().mean()
    return terms


class Trainer:
    def __init__(self, cfg: Config, pack: str | Path, out: str | Path):
        self.cfg, self.out = cfg, Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        torch.manual_seed(cfg.seed)
        torch.set_num_threads(cfg.threads)
        self.device = pick_device()
        torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick its fastest kernels once
        train_images, _ = load_pack(pack, "train")
        val_images, _ = load_pack(pack, "val")
        if len(val_images) == 0:  # tiny folders may have no val split: hold out a slice instead
            val_images, train_images = train_images[: cfg.batch_size], train_images[cfg.batch_size:]
        self.n_train = len(train_images)
        self.batches = Batches(train_images, cfg.batch_size, cfg.seed, self.device, cfg.augment)
        self.val = to_model_range(val_images[: cfg.val_batches * cfg.batch_size]).to(self.device)
        self.model = AutoEncoder(cfg).to(self.device)
        self.ema = EMA(self.model, cfg.ema_decay) if cfg.ema_decay else None
        opt = torch.optim.AdamW if cfg.optimizer == "adamw" else torch.optim.Adam
        self.opt = opt(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.plateau = (torch.optim.lr_scheduler.ReduceLROnPlateau(self.opt, factor=0.5, patience=2)
                        if cfg.schedule == "plateau" else None)
        self.disc = PatchDiscriminator().to(self.device) if cfg.adv_weight else None
        self.disc_opt = torch.optim.Adam(self.disc.parameters(), lr=2e-4, betas=(0.5, 0.9)) if self.disc else None
        self.step, self.elapsed = 0, 0.0
        # fixed draws for the sample sheets, so sheets from different steps compare like for like
        g = torch.Generator().manual_seed(1234)
        self.sheet_z = torch.randn(16, cfg.latent_size, generator=g).to(self.device)
        self.amp = cfg.amp and self.device.type == "cuda"
        (self.out / "config.json").write_text(cfg.to_json())

    @property
    def sampler(self) -> AutoEncoder:
        return self.ema.module if self.ema else self.model

    # -- checkpoints -------------------------------------------------------------------------------------------------
    def save_checkpoint(self) -> Path:
        state = {"step": self.step, "elapsed": self.elapsed, "model": self.model.state_dict(),
                 "opt": self.opt.state_dict(), "batches": self.batches.state_dict(),
                 "ema": self.ema.module.state_dict() if self.ema else None,
                 "disc": self.disc.state_dict() if self.disc else None,
                 "disc_opt": self.disc_opt.state_dict() if self.disc else None,
                 "plateau": self.plateau.state_dict() if self.plateau else None,
                 "rng": torch.get_rng_state()}
        path = self.out / "ckpt.pt"
        torch.save(state, path.with_suffix(".tmp"))
        path.with_suffix(".tmp").replace(path)  # a crash mid-write must not destroy the last good checkpoint
        return path

    def load_checkpoint(self) -> bool:
        path = self.out / "ckpt.pt"
        if not path.exists():
            return False
        state = torch.load(path, map_location=self.device)
        self.step, self.elapsed = state["step"], state["elapsed"]
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["opt"])
        self.batches.load_state_dict(state["batches"])
        if self.ema:
            self.ema.module.load_state_dict(state["ema"])
        if self.disc:
            self.disc.load_state_dict(state["disc"])
            self.disc_opt.load_state_dict(state["disc_opt"])
        if self.plateau:
            self.plateau.load_state_dict(state["plateau"])
        torch.set_rng_state(state["rng"])  # reparameterisation and critic draws continue as if never stopped
        return True

    # -- one step ----------------------------------------------------------------------------------------------------
    def train_step(self) -> dict[str, float]:
        cfg, x = self.cfg, self.batches.next()
        if not self.plateau:
            for group in self.opt.param_groups:
                group["lr"] = cfg.lr * lr_factor(cfg, self.step, self.elapsed)
        adversarial = self.disc is not None and self.step >= cfg.adv_start_step
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.amp):
            recon, mean, logvar = self.model(x)
            terms = reconstruction_loss(cfg, recon, x)
            loss = sum(getattr(cfg, f"{k}_weight") * v for k, v in terms.items())
            if cfg.variational:
                terms["kl"] = kl_divergence(mean.float(), logvar.float())
                warm = min(1.0, (self.step + 1) / cfg.kl_warmup_steps) if cfg.kl_warmup_steps else 1.0
                loss = loss + cfg.beta * warm * terms["kl"]
            if adversarial:
                fake = recon
                if cfg.adv_on_samples:
                    z = torch.randn(x.shape[0] // 2, cfg.latent_size, device=self.device)
                    fake = torch.cat([recon, self.model.decoder(z)])
                terms["g_adv"] = -self.disc(fake).mean()
                loss = loss + cfg.adv_weight * terms["g_adv"]
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        if self.ema:
            self.ema.update(self.model, self.step)
        if adversarial:
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.amp):
                d_loss = F.relu(1.0 - self.disc(x)).mean() + F.relu(1.0 + self.disc(fake.detach())).mean()
            self.disc_opt.zero_grad(set_to_none=True)
            d_loss.backward()
            self.disc_opt.step()
            terms["d_hinge"] = d_loss
        terms["loss"] = loss
        # tensors, not floats: reading a value waits for the GPU, so the loop reads them only when it logs
        return {k: v.detach() for k, v in terms.items()}

    # -- evaluation and sheets ---------------------------------------------------------------------------------------
    @torch.no_grad()
    def evaluate(self) -> dict[str, float]:
        """Reconstruction terms of the exported (EMA) weights on held-out faces; MSE always, for the plateau rule."""
        model, totals = self.sampler.eval(), {}
        for chunk in self.val.split(self.cfg.batch_size):
            recon = model(chunk)[0]
            terms = {**reconstruction_loss(self.cfg, recon, chunk), "mse": (recon - chunk).pow(2).mean()}
            for k, v in terms.items():
                totals[f"val_{k}"] = totals.get(f"val_{k}", 0.0) + float(v) * len(chunk) / len(self.val)
        return totals

    @torch.no_grad()
    def save_sheet(self, name: str) -> Path:
        """Two rows of samples, real faces, their reconstructions and an interpolation row.

        The samples preview what will be served: the prior is fitted after training, so here a Gaussian fitted to
        the held-out faces' latents stands in for it (N(0, I) draws from a plain AE are colour noise)."""
        model = self.sampler.eval()
        means, logvars = model.encoder(self.val)
        centre, chol = fit_latent_prior(means.double().cpu(), logvars.double().exp().cpu(), self.cfg.variational)
        samples = model.decoder((centre + self.sheet_z.double().cpu() @ chol.T).float().to(self.device))
        real = self.val[:8]
        recon = model(real)[0]
        t = torch.linspace(0, 1, 8, device=self.device)
        row = model.decoder(slerp(means[0], means[1], t))
        return save_grid([samples[:8], samples[8:16], real, recon, row], self.out / "samples" / f"{name}.png")

    # -- the loop ----------------------------------------------------------------------------------------------------
    def fit(self, resume: bool = True, until: int | None = None) -> dict:
        """Train to the end of the budget (or stop after step `until`, as an interruption would; resume continues)."""
        cfg = self.cfg
        if resume and self.load_checkpoint():
            print(f"resumed from {self.out / 'ckpt.pt'} at step {self.step}")
        metrics = (self.out / "metrics.jsonl").open("a")
        bar = tqdm(total=cfg.steps, initial=self.step, desc=f"train {cfg.arch}", dynamic_ncols=True)
        last, started = {}, time.time() - self.elapsed
        while progress(cfg, self.step, self.elapsed) < 1.0:
            if until is not None and self.step >= until:
                self.save_checkpoint()
                return {}
            self.model.train()
            terms = self.train_step()
            self.step += 1
            self.elapsed = time.time() - started
            bar.update(1)
            final = progress(cfg, self.step, self.elapsed) >= 1.0
            if self.step % cfg.log_every == 0 or final:
                last = {k: float(v) for k, v in terms.items()}
                bar.set_postfix(loss=f"{last['loss']:.4f}")
                metrics.write(json.dumps({"step": self.step, "time": round(self.elapsed, 1),
                                          "lr": self.opt.param_groups[0]["lr"], **last}) + "\n")
                metrics.flush()
            if self.step % cfg.eval_every == 0 or final:
                val = self.evaluate()
                if self.plateau:
                    self.plateau.step(val["val_mse"])
                metrics.write(json.dumps({"step": self.step, "time": round(self.elapsed, 1), **val}) + "\n")
                metrics.flush()
                last.update(val)
            if self.step % cfg.sample_every == 0 or final:
                self.save_sheet(f"step-{self.step:06d}")
            if self.step % cfg.ckpt_every == 0:
                self.save_checkpoint()
        bar.close()
        self.save_checkpoint()
        torch.save({"config": json.loads(cfg.to_json()), "model": self.sampler.state_dict()}, self.out / "model.pt")
        summary = {"preset_config": json.loads(cfg.to_json()), "steps": self.step, "wall_time_s": round(self.elapsed, 1),
                   "device": torch.cuda.get_device_name() if self.device.type == "cuda" else f"cpu x{cfg.threads}",
                   "train_images": self.n_train, "epochs": round(self.step * cfg.batch_size / self.n_train, 2),
                   "final": last, "torch": torch.__version__}
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2))
        print(f"wrote {self.out / 'model.pt'}, {self.out / 'summary.json'}, sheets in {self.out / 'samples'}")
        return summary
