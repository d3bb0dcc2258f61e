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

from . import checkpoints, distributed
from .config import Config
from .data import Batches, age_weights, load_pack, read_labels, to_model_range
from .grid import save_grid
from .model import AutoEncoder, PatchDiscriminator, kl_divergence, load_widened
from .perceptual import PerceptualDistance
from .prior import RunningGaussian, fit_latent_prior


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
    """The pixel terms, in float32 whatever precision the decoder ran in. Every one of them is a function of the
    difference alone (image gradients and the Fourier transform are linear), so it is formed once: on the CPU these
    element-wise passes over [N,3,128,128] cost more than the decoder's convolutions."""
    diff, terms = recon.float() - x, {}
    if cfg.l1_weight:
        terms["l1"] = diff.abs().mean()
    if cfg.mse_weight:
        terms["mse"] = diff.pow(2).mean()
    if cfg.grad_weight:
        dx, dy = image_gradients(diff)
        terms["grad"] = dx.abs().mean() + dy.abs().mean()
    if cfg.ffl_weight:
        terms["ffl"] = focal_frequency_loss(diff)
    return terms


def focal_frequency_loss(diff: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Focal frequency loss (Jiang et al., ICCV 2021) of `diff` = reconstruction − photo: squared spectrum error,
    each frequency weighted by its own error (normalised to [0, 1] per image and channel, not differentiated), so the
    frequencies the decoder draws worst — the fine ones, for an autoencoder — get the gradient. Pixel losses weigh
    every frequency by its energy, which is why their optimum is blurred."""
    # the spectrum of the difference is the difference of the spectra: one transform, not two; the real FFT's half
    # spectrum, as the other half mirrors it
    spectrum = torch.view_as_real(torch.fft.rfft2(diff, norm="ortho"))
    dist = spectrum.pow(2).sum(-1)  # [N,3,H,W/2+1]
    weight = dist.detach().sqrt().pow(alpha)
    weight = weight / weight.flatten(2).amax(dim=2).clamp_min(1e-12)[..., None, None]
    return (weight * dist).mean()


def bf16_autocast(device: torch.device) -> tuple[bool, str]:
    """Whether bf16 autocast pays on `device`, and why. On the CPU only AMX makes it faster (oneDNN runs bf16
    convolutions on the tile unit: 2.1× fp32 on a conv-only step); without AMX bf16 is emulated and slower."""
    if device.type == "cuda":
        return True, "bf16 autocast on CUDA"
    try:
        flags = next((line for line in open("/proc/cpuinfo") if line.startswith("flags")), "").split()
    except OSError:
        flags = []
    if "amx_bf16" in flags:
        return True, "bf16 autocast on the CPU (AMX-BF16)"
    return False, "float32: this CPU has no AMX-BF16, where bf16 autocast would be slower"


class Trainer:
    """Trains `cfg` on a pack into the run folder `out`.

    `kept`: a tracked path for the run's compact state (checkpoints.py), written with every checkpoint and resumed
    from when the run folder has none (a fresh clone). `init_from`: a published model's training weights (or a kept
    state) to start from instead of random weights, with a new schedule."""

    def __init__(self, cfg: Config, pack: str | Path, out: str | Path, labels: str | Path | None = None,
                 kept: str | Path | None = None, init_from: str | Path | None = None):
        self.cfg, self.out = cfg, Path(out)
        self.kept, self.init_from = (Path(kept) if kept else None), (Path(init_from) if init_from else None)
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
        self.disc = (PatchDiscriminator(cfg.disc_width, cfg.disc_depth, cfg.disc_heads).to(self.device, memory_format=fmt)
                     if cfg.adv_weight else None)
        # The wrapper averages the autoencoder's gradients across ranks; the critic's are averaged by hand
        # (distributed.average_gradients), as its one backward pass is not a plain loss.backward()
        self.train_model = self.model
        if distributed.active():
            # BatchNorm statistics are averaged after each step instead of copied from rank 0 before each forward
            self.train_model = DistributedDataParallel(self.model, broadcast_buffers=False)
        opt = torch.optim.AdamW if cfg.optimizer == "adamw" else torch.optim.Adam
        self.opt = opt(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.plateau = (torch.optim.lr_scheduler.ReduceLROnPlateau(self.opt, factor=0.5, patience=2)
                        if cfg.schedule == "plateau" else None)
        self.disc_opt = torch.optim.Adam(self.disc.parameters(), lr=2e-4, betas=(0.5, 0.9)) if self.disc else None
        # where a plain autoencoder's served prior will draw, for the critic's sample draws (a VAE's: N(0, I))
        self.latents = (RunningGaussian(cfg.latent_size)
                        if self.disc and cfg.adv_on_samples and not cfg.variational else None)
        # CPU seconds of every process of the run: earlier launches' (from the checkpoint) plus each process's own
        # clock, so the count holds across sessions and process counts; the README states a published run's total
        self.step, self.elapsed, self.cpu_before, self.cpu_seconds = 0, 0.0, 0.0, 0.0
        self.started_from = None  # a warm start's file, and the steps and CPU time already spent on its weights
        # fixed draws for the sample sheets, so sheets from different steps compare like for like
        g = torch.Generator().manual_seed(1234)
        self.sheet_z = torch.randn(16, cfg.latent_size, generator=g).to(self.device)
        supported, precision = bf16_autocast(self.device)
        self.amp = cfg.amp and supported
        if self.rank == 0:
            print(f"precision: {precision if self.amp else 'float32 (amp=false)' if supported else precision}")
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
                 "latents": self.latents.state_dict() if self.latents else None,
                 "started_from": self.started_from, "rng": torch.get_rng_state()}
        checkpoints.write_atomically(state, path)
        if self.kept:
            checkpoints.write_atomically(checkpoints.compact(state, json.loads(self.cfg.to_json())), self.kept)
        return path

    def load_checkpoint(self) -> Path | None:
        """Resume from the run folder's checkpoint, else from the kept state; the path resumed from, if any."""
        path = next((p for p in (self.out / "ckpt.pt", self.kept) if p is not None and p.exists()), None)
        if path is None:
            return None
        state = checkpoints.expand(torch.load(path, map_location=self.device))
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
        if self.latents and state.get("latents"):
            self.latents.load_state_dict(state["latents"])
        self.started_from = state.get("started_from")
        torch.set_rng_state(state["rng"])  # reparameterisation and critic draws continue as if never stopped
        return path

    def warm_start(self, path: Path) -> None:
        """Start from trained weights (the EMA's where the file has them) with fresh optimisers and schedule; a
        config with wider decoder layers (`dec_widths`) starts from the same function (model.load_widened), a config
        with another critic from an untrained one."""
        state = torch.load(path, map_location=self.device)
        self.started_from = {"file": Path(path).name, "steps": state.get("step"), "cpu_time_s": state.get("cpu_seconds")}
        load_widened(self.model, state.get("ema") or state["model"])
        if self.ema:
            self.ema.module.load_state_dict(self.model.state_dict())
        trained_disc = state.get("disc")
        if self.disc and trained_disc is not None:
            own = self.disc.state_dict()
            if own.keys() == trained_disc.keys() and all(own[k].shape == v.shape for k, v in trained_disc.items()):
                self.disc.load_state_dict(trained_disc)
            elif self.rank == 0:  # another critic (e.g. `disc_depth`): it starts untrained, the autoencoder does not
                print("warm start: the file's critic has another shape; this run's critic starts untrained")

    # -- one step ----------------------------------------------------------------------------------------------------
    def train_step(self) -> dict[str, float]:
        """One generator step and, once the critic is on, one critic step, sharing the critic's forward passes.

        The decoder's output is the graph's waist: every term is differentiated to the image once, the adaptive
        weight compares the terms' gradients at the last layer from there, and one backward pass takes their weighted
        sum through decoder and encoder. The critic sees the photos and the decoded faces once per step: the
        generator's adversarial and feature-matching terms and the critic's own hinge loss are all read off those two
        passes, taken before either side moves (on the CPU, a critic pass costs as much as a decoder pass)."""
        cfg, x = self.cfg, self.batches.next()
        if not self.plateau:
            for group in self.opt.param_groups:
                group["lr"] = cfg.lr * lr_factor(cfg, self.step, self.elapsed)
        adversarial = self.disc is not None and self.step >= cfg.adv_start_step
        autocast = torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.amp)
        with autocast:
            recon, mean, logvar = self.train_model(x)
            outputs = [recon]
            if self.latents:
                self.latents.update(mean)
            if adversarial and cfg.adv_on_samples:
                outputs.append(self.model.decoder(self.prior_draws(x.shape[0] // 2)))
        images = [o.detach().float().requires_grad_() for o in outputs]  # the waist: [N,3,128,128] each
        terms = reconstruction_loss(cfg, images[0], x)
        if self.perceptual:
            terms["perc"] = self.perceptual(images[0], x)
        rec = sum(getattr(cfg, f"{k}_weight") * v for k, v in terms.items())
        grads = list(torch.autograd.grad(rec, images, allow_unused=True))
        grads = [torch.zeros_like(i) if g is None else g for g, i in zip(grads, images)]
        loss = rec.detach()
        if adversarial:
            with autocast:
                # The spectral norms' power iteration runs once, on the photos' pass; the faces' pass reuses its
                # estimate (eval mode), so both sides are scored by the same critic.
                real_feats, real_logits = self.disc.train().features(x)
                fake_feats, fake_logits = self.disc.eval().features(torch.cat(images))
            self.disc.train()
            real_logits, fake_logits = real_logits.float(), fake_logits.float()
            terms["g_adv"] = -fake_logits.mean()
            adv_grads = torch.autograd.grad(terms["g_adv"], images, retain_graph=True)
            weight = cfg.adv_weight
            if cfg.adv_adaptive:
                terms["adv_scale"] = self.adaptive_scale(outputs, grads, adv_grads)
                weight = weight * terms["adv_scale"]
            grads = [g + weight * a for g, a in zip(grads, adv_grads)]
            loss = loss + weight * terms["g_adv"].detach()
            if cfg.fm_weight:
                terms["fm"] = sum((f[: len(x)].float() - r.detach().float()).abs().mean()
                                  for f, r in zip(fake_feats, real_feats)) / len(real_feats)
                fm_grad, = torch.autograd.grad(terms["fm"], images[0], retain_graph=True)
                grads[0] = grads[0] + cfg.fm_weight * fm_grad
                loss = loss + cfg.fm_weight * terms["fm"].detach()
            terms["d_hinge"] = F.relu(1.0 - real_logits).mean() + F.relu(1.0 + fake_logits).mean()
        tensors, tensor_grads = outputs, [g.to(o.dtype) for g, o in zip(grads, outputs)]
        if cfg.variational:
            terms["kl"] = kl_divergence(mean.float(), logvar.float())
            warm = min(1.0, (self.step + 1) / cfg.kl_warmup_steps) if cfg.kl_warmup_steps else 1.0
            kl = cfg.beta * warm * terms["kl"]
            tensors, tensor_grads = [*tensors, kl], [*tensor_grads, None]
            loss = loss + kl.detach()
        self.opt.zero_grad(set_to_none=True)
        torch.autograd.backward(tensors, tensor_grads)
        if adversarial:  # the critic's gradients, from the same passes (none flow into the faces: they are leaves)
            self.disc_opt.zero_grad(set_to_none=True)
            torch.autograd.backward(terms["d_hinge"], inputs=list(self.disc.parameters()))
            distributed.average_gradients(self.disc)
            self.disc_opt.step()
        self.opt.step()
        distributed.average_buffers(self.model)
        if self.ema:
            self.ema.update(self.model, self.step)
        terms["loss"] = loss
        # tensors, not floats: reading a value waits for the GPU, so the loop reads them only when it logs
        return {k: v.detach() for k, v in terms.items()}

    def prior_draws(self, n: int) -> torch.Tensor:
        """n latents [n, D] where the served prior will draw: N(0, I) for a VAE; for a plain autoencoder, from its
        latents' running Gaussian, which a warm start first fills from enough faces to be full rank."""
        if self.latents is None:
            return torch.randn(n, self.cfg.latent_size, device=self.device)
        if self.latents.seen < 4 * self.cfg.latent_size:
            self.model.eval()  # the trained BatchNorm statistics, and no update to them from these extra passes
            with torch.no_grad():
                while self.latents.seen < 4 * self.cfg.latent_size:
                    self.latents.update(self.model.encode(self.batches.next())[0])
            self.model.train()
        return self.latents.sample(n).to(self.device)

    def adaptive_scale(self, outputs: list[torch.Tensor], rec_grads: list[torch.Tensor],
                       adv_grads: tuple[torch.Tensor, ...]) -> torch.Tensor:
        """|∇rec| / |∇adv| at the decoder's last weight (Esser et al., VQGAN): the adversarial term then pulls as
        hard as the reconstruction terms wherever training is, instead of by a fixed weight tuned for one stage.
        Each term's gradient at the images is taken back through the last layer only."""
        last = self.model.decoder.last_weight()
        norms = [torch.autograd.grad(outputs, last, [g.to(o.dtype) for g, o in zip(grads, outputs)],
                                     retain_graph=True)[0].float().norm() for grads in (rec_grads, adv_grads)]
        return (norms[0] / (norms[1] + 1e-4)).clamp(max=1e4).detach()

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
        resumed = self.load_checkpoint() if resume else None
        if resumed and lead:
            print(f"resumed from {resumed} at step {self.step}")
        elif not resumed and self.init_from:
            self.warm_start(self.init_from)
            if lead:
                print(f"warm start from {self.init_from}")
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
        if not last:
            # resumed at the end of the budget (a finished run's kept state on a fresh clone): the held-out figures
            # and the last sheet the final step would have written, so that publishing finds them
            last = self.evaluate()
            self.save_sheet(f"step-{self.step:06d}")
        torch.save({"config": json.loads(cfg.to_json()), "model": self.sampler.state_dict(),
                    "disc": self.disc.state_dict() if self.disc else None}, self.out / "model.pt")
        device = torch.cuda.get_device_name() if self.device.type == "cuda" else f"cpu x{cfg.threads}"
        summary = {"preset_config": json.loads(cfg.to_json()), "steps": self.step, "wall_time_s": round(self.elapsed, 1),
                   "cpu_time_s": round(self.cpu_seconds, 1), "started_from": self.started_from,
                   "device": device if self.world == 1 else f"{self.world} processes, each {device}",
                   "processes": self.world, "precision": "bf16 autocast" if self.amp else "float32",
                   "train_images": self.n_train,
                   "epochs": round(self.step * cfg.batch_size / self.n_train, 2),
                   "final": last, "torch": torch.__version__}
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2))
        print(f"wrote {self.out / 'model.pt'}, {self.out / 'summary.json'}, sheets in {self.out / 'samples'}")
        return summary
