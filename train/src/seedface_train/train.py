"""The training loop: VAE (or the reference article's AE) with reconstruction, KL, gradient, frequency and
adversarial terms, on one process or data-parallel over several (`distributed.py`).

Writes to the run folder: `config.json`, `metrics.jsonl`, `samples/step-*.png`, `ckpt.pt` (resumable: every
`ckpt_every` steps and every `ckpt_minutes`) and, at the end, `model.pt` (the EMA weights) and `summary.json`.
With several processes, `batch_size` is still the faces of one optimiser step: each process draws its share, so a
recipe trains the same way on one core, two or many GPUs (and resumes across them); rank 0 alone writes.
"""
from __future__ import annotations

import copy
import json
import math
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from . import distributed
from .config import Config
from .data import Batches, age_weights, load_pack, read_labels, to_model_range
from .grid import save_grid
from .model import AutoEncoder, PatchDiscriminator, kl_divergence
from .perceptual import PerceptualDistance
from .prior import fit_latent_prior


def pick_device(local_rank: int = 0) -> torch.device:
    return torch.device("cuda", local_rank) if torch.cuda.is_available() else torch.device("cpu")


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation between latents a and b ([D]) at fractions t ([T]) → [T, D]."""
    cos = (a @ b / (a.norm() * b.norm())).clamp(-1.0, 1.0)
    omega = torch.acos(cos)
    s = torch.sin(omega)
    if s < 1e-6:  # nearly parallel: the spherical weights are 0/0 (the same threshold as src/runtime/slerp.ts)
        return torch.lerp(a[None], b[None], t[:, None])
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
    if cfg.ffl_weight:
        terms["ffl"] = focal_frequency_loss(recon, x)
    return terms


def focal_frequency_loss(recon: torch.Tensor, x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Focal frequency loss (Jiang et al., ICCV 2021): squared spectrum error, each frequency weighted by its own
    error (normalised to [0, 1] per image and channel, not differentiated), so the frequencies the decoder draws worst
    — the fine ones, for an autoencoder — get the gradient. Pixel losses weigh every frequency by its energy, which
    is why their optimum is blurred."""
    # the real FFT's half spectrum: the other half mirrors it, and it costs half the time (a quarter of a CPU step)
    diff = torch.fft.rfft2(recon.float(), norm="ortho") - torch.fft.rfft2(x.float(), norm="ortho")
    dist = diff.real.pow(2) + diff.imag.pow(2)  # [N,3,H,W/2+1]
    weight = dist.detach().sqrt().pow(alpha)
    weight = weight / weight.flatten(2).amax(dim=2).clamp_min(1e-12)[..., None, None]
    return (weight * dist).mean()


class Trainer:
    def __init__(self, cfg: Config, pack: str | Path, out: str | Path, labels: str | Path | None = None):
        self.cfg, self.out = cfg, Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.rank, local_rank, self.world = distributed.world()
        if cfg.batch_size % self.world:
            raise SystemExit(f"batch_size {cfg.batch_size} does not split evenly over {self.world} processes")
        torch.manual_seed(cfg.seed)  # the same initial weights on every rank
        torch.set_num_threads(cfg.threads)
        self.device = pick_device(local_rank)
        distributed.init(self.device)
        torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick its fastest kernels once
        train_images, train_keys = load_pack(pack, "train")
        val_images, _ = load_pack(pack, "val")
        if len(val_images) == 0:  # tiny folders may have no val split: hold out a slice instead
            val_images, train_images = train_images[: cfg.batch_size], train_images[cfg.batch_size:]
            train_keys = train_keys[cfg.batch_size:]
        self.n_train = len(train_images)
        weights = None
        if cfg.age_balance:
            if labels is None:
                raise SystemExit("age_balance needs the data set's labels: pass --labels (its index.csv)")
            weights = age_weights(train_keys, read_labels(labels), cfg.age_balance)
        # each rank draws its own batches; the seed offset keeps them apart and reproducible
        self.batches = Batches(train_images, cfg.batch_size // self.world, cfg.seed + 1000 * self.rank, self.device,
                               cfg.augment, weights)
        self.val = to_model_range(val_images[: cfg.val_batches * cfg.batch_size]).to(self.device).contiguous(
            memory_format=torch.channels_last)
        # channels-last: oneDNN's convolutions on the CPU (and tensor cores on a GPU) want it; in torch 1.13's CPU
        # build, the NCHW path for 64- and 128-px layers with few channels is 3× slower per step (measured)
        fmt = torch.channels_last
        self.model = AutoEncoder(cfg).to(self.device, memory_format=fmt)
        self.ema = EMA(self.model, cfg.ema_decay) if cfg.ema_decay else None
        self.perceptual = PerceptualDistance(cfg.perc_net).to(self.device) if cfg.perc_weight else None
        self.disc = (PatchDiscriminator(cfg.disc_width, cfg.disc_depth).to(self.device, memory_format=fmt)
                     if cfg.adv_weight else None)
        # The wrappers average gradients across ranks. The generator step calls the critic unwrapped, with its
        # weights frozen: only the critic's own step may move (and so synchronise) them.
        self.train_model, self.train_disc = self.model, self.disc
        if distributed.active():
            # BatchNorm statistics are averaged after each step instead of copied from rank 0 before each forward
            self.train_model = DistributedDataParallel(self.model, broadcast_buffers=False)
            self.train_disc = DistributedDataParallel(self.disc) if self.disc else None
        opt = torch.optim.AdamW if cfg.optimizer == "adamw" else torch.optim.Adam
        self.opt = opt(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.plateau = (torch.optim.lr_scheduler.ReduceLROnPlateau(self.opt, factor=0.5, patience=2)
                        if cfg.schedule == "plateau" else None)
        self.disc_opt = torch.optim.Adam(self.disc.parameters(), lr=2e-4, betas=(0.5, 0.9)) if self.disc else None
        # CPU seconds of every process of the run: earlier launches' (from the checkpoint) plus each process's own
        # clock, so the count holds across sessions and process counts; the README states a published run's total
        self.step, self.elapsed, self.cpu_before, self.cpu_seconds = 0, 0.0, 0.0, 0.0
        # fixed draws for the sample sheets, so sheets from different steps compare like for like
        g = torch.Generator().manual_seed(1234)
        self.sheet_z = torch.randn(16, cfg.latent_size, generator=g).to(self.device)
        self.amp = cfg.amp and self.device.type == "cuda"
        if self.rank == 0:
            (self.out / "config.json").write_text(cfg.to_json())

    @property
    def sampler(self) -> AutoEncoder:
        return self.ema.module if self.ema else self.model

    # -- checkpoints -------------------------------------------------------------------------------------------------
    def save_checkpoint(self) -> Path:
        """Everything a resumed run needs to continue as if never stopped; collective (every rank's data position)."""
        ranks = distributed.gather_objects((self.batches.state_dict(), time.process_time()))
        batches = [b for b, _ in ranks]
        self.cpu_seconds = self.cpu_before + sum(cpu for _, cpu in ranks)
        path = self.out / "ckpt.pt"
        if self.rank != 0:
            return path
        state = {"step": self.step, "elapsed": self.elapsed, "cpu_seconds": self.cpu_seconds, "world": self.world,
                 "model": self.model.state_dict(),
                 "opt": self.opt.state_dict(), "batches": batches,
                 "ema": self.ema.module.state_dict() if self.ema else None,
                 "disc": self.disc.state_dict() if self.disc else None,
                 "disc_opt": self.disc_opt.state_dict() if self.disc else None,
                 "plateau": self.plateau.state_dict() if self.plateau else None,
                 "rng": torch.get_rng_state()}
        torch.save(state, path.with_suffix(".tmp"))
        path.with_suffix(".tmp").replace(path)  # a crash mid-write must not destroy the last good checkpoint
        return path

    def load_checkpoint(self) -> bool:
        path = self.out / "ckpt.pt"
        if not path.exists():
            return False
        state = torch.load(path, map_location=self.device)
        self.step, self.elapsed = state["step"], state["elapsed"]
        # checkpoints from before the count: wall time × processes × threads, an upper bound
        self.cpu_before = state.get("cpu_seconds", state["elapsed"] * state["world"] * self.cfg.threads)
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["opt"])
        if state["world"] == self.world:
            self.batches.load_state_dict(state["batches"][self.rank])
        else:  # resumed with another number of processes: only the order of the faces changes
            self.batches.reseed(self.cfg.seed + 1000 * self.rank + self.step)
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
        if self.disc:
            self.disc.requires_grad_(False)
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.amp):
            recon, mean, logvar = self.train_model(x)
            terms = reconstruction_loss(cfg, recon, x)
            if self.perceptual:
                terms["perc"] = self.perceptual(recon, x)
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
                fake_feats, logits = self.disc.features(fake)
                terms["g_adv"] = -logits.mean()
                weight = cfg.adv_weight
                if cfg.adv_adaptive:
                    terms["adv_scale"] = self.adaptive_scale(loss, terms["g_adv"])
                    weight = weight * terms["adv_scale"]
                loss = loss + weight * terms["g_adv"]
                if cfg.fm_weight:
                    with torch.no_grad():
                        real_feats, _ = self.disc.features(x)
                    terms["fm"] = sum((f[: len(x)] - r).abs().mean() for f, r in zip(fake_feats, real_feats)) / len(real_feats)
                    loss = loss + cfg.fm_weight * terms["fm"]
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        distributed.average_buffers(self.model)
        if self.ema:
            self.ema.update(self.model, self.step)
        if adversarial:
            self.disc.requires_grad_(True)
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.amp):
                real_logits, fake_logits = self.train_disc(torch.cat([x, fake.detach()])).split([len(x), len(fake)])
                d_loss = F.relu(1.0 - real_logits).mean() + F.relu(1.0 + fake_logits).mean()
            self.disc_opt.zero_grad(set_to_none=True)
            d_loss.backward()
            self.disc_opt.step()
            terms["d_hinge"] = d_loss
        terms["loss"] = loss
        # tensors, not floats: reading a value waits for the GPU, so the loop reads them only when it logs
        return {k: v.detach() for k, v in terms.items()}

    def adaptive_scale(self, rec_loss: torch.Tensor, adv_loss: torch.Tensor) -> torch.Tensor:
        """|∇rec| / |∇adv| at the decoder's last weight (Esser et al., VQGAN): the adversarial term then pulls as
        hard as the reconstruction terms wherever training is, instead of by a fixed weight tuned for one stage."""
        last = self.model.decoder.last_weight()
        rec_grad, = torch.autograd.grad(rec_loss, last, retain_graph=True)
        adv_grad, = torch.autograd.grad(adv_loss, last, retain_graph=True)
        return (rec_grad.norm() / (adv_grad.norm() + 1e-4)).clamp(max=1e4).detach()

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
        means, logvars = model.encode(self.val)
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
        cfg, lead = self.cfg, self.rank == 0
        if resume and self.load_checkpoint() and lead:
            print(f"resumed from {self.out / 'ckpt.pt'} at step {self.step}")
        metrics = (self.out / "metrics.jsonl").open("a") if lead else None
        bar = tqdm(total=cfg.steps, initial=self.step, desc=f"train {cfg.arch}", dynamic_ncols=True, disable=not lead)
        last, started = {}, time.time() - self.elapsed
        last_ckpt = self.elapsed
        while progress(cfg, self.step, self.elapsed) < 1.0:
            if until is not None and self.step >= until:
                self.save_checkpoint()
                return {}
            self.model.train()
            terms = self.train_step()
            self.step += 1
            self.elapsed = distributed.broadcast_float(time.time() - started, self.device)
            bar.update(1)
            final = progress(cfg, self.step, self.elapsed) >= 1.0
            if lead and (self.step % cfg.log_every == 0 or final):
                last = {k: float(v) for k, v in terms.items()}
                bar.set_postfix(loss=f"{last['loss']:.4f}")
                metrics.write(json.dumps({"step": self.step, "time": round(self.elapsed, 1),
                                          "lr": self.opt.param_groups[0]["lr"], **last}) + "\n")
                metrics.flush()
            if self.step % cfg.eval_every == 0 or final:
                val = self.evaluate()  # on every rank: the same EMA weights and faces, so the plateau rule agrees
                if self.plateau:
                    self.plateau.step(val["val_mse"])
                if lead:
                    metrics.write(json.dumps({"step": self.step, "time": round(self.elapsed, 1), **val}) + "\n")
                    metrics.flush()
                    last.update(val)
            if lead and (self.step % cfg.sample_every == 0 or final):
                self.save_sheet(f"step-{self.step:06d}")
            if self.step % cfg.ckpt_every == 0 or self.elapsed - last_ckpt >= 60.0 * cfg.ckpt_minutes:
                self.save_checkpoint()
                last_ckpt = self.elapsed
        bar.close()
        self.save_checkpoint()
        if not lead:
            return {}
        torch.save({"config": json.loads(cfg.to_json()), "model": self.sampler.state_dict()}, self.out / "model.pt")
        device = torch.cuda.get_device_name() if self.device.type == "cuda" else f"cpu x{cfg.threads}"
        summary = {"preset_config": json.loads(cfg.to_json()), "steps": self.step, "wall_time_s": round(self.elapsed, 1),
                   "cpu_time_s": round(self.cpu_seconds, 1),
                   "device": device if self.world == 1 else f"{self.world} processes, each {device}",
                   "processes": self.world, "train_images": self.n_train,
                   "epochs": round(self.step * cfg.batch_size / self.n_train, 2),
                   "final": last, "torch": torch.__version__}
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2))
        print(f"wrote {self.out / 'model.pt'}, {self.out / 'summary.json'}, sheets in {self.out / 'samples'}")
        return summary
