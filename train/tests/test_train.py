import json

import pytest
import torch
import torch.nn.functional as F

from seedface_train.config import make_config
from seedface_train.data import load_pack
from seedface_train.train import Trainer, reconstruction_loss


def test_a_few_steps_lower_the_loss(pack, tmp_path):
    cfg = make_config("tiny", ["steps=60", "adv_weight=0", "eval_every=1000", "sample_every=1000"])
    Trainer(cfg, pack, tmp_path).fit()
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    losses = [r["l1"] + r["mse"] for r in rows if "l1" in r]
    assert losses[-1] < 0.8 * losses[0]


# the second: a plain AE whose critic draws from its latents' running Gaussian, which the checkpoint must carry
@pytest.mark.parametrize("overrides", [[], ["variational=0", "adv_on_samples=1"], ["disc_heads=2"]])
def test_resume_continues_exactly(pack, tmp_path, overrides):
    cfg = make_config("tiny", ["steps=20", "ckpt_every=10", *overrides])
    straight = Trainer(cfg, pack, tmp_path / "straight")
    straight.fit()
    Trainer(cfg, pack, tmp_path / "resumed").fit(until=10)
    resumed = Trainer(cfg, pack, tmp_path / "resumed")
    resumed.fit()
    assert resumed.step == 20
    for a, b in zip(straight.model.state_dict().values(), resumed.model.state_dict().values()):
        assert torch.equal(a, b)


def test_a_checkpoint_from_before_the_cpu_count_is_taken_at_wall_time_per_thread(pack, tmp_path, monkeypatch):
    cfg = make_config("tiny", ["steps=4", "threads=2"])
    Trainer(cfg, pack, tmp_path).fit(until=2)
    state = torch.load(tmp_path / "ckpt.pt")
    del state["cpu_seconds"]
    torch.save(state, tmp_path / "ckpt.pt")
    monkeypatch.setattr("time.process_time", lambda: 0.0)
    resumed = Trainer(cfg, pack, tmp_path)
    resumed.fit()
    assert resumed.cpu_seconds == pytest.approx(2 * state["elapsed"])


def test_age_balance_needs_the_labels_and_draws_with_their_weights(pack, tmp_path):
    cfg = make_config("tiny", ["steps=2", "age_balance=1"])
    with pytest.raises(SystemExit, match="--labels"):
        Trainer(cfg, pack, tmp_path / "unlabelled")
    _, keys = load_pack(pack, "train")
    labels = tmp_path / "index.csv"  # the first face is the only one aged >= 50: it gets a third of the draws
    labels.write_text("key,age\n" + "".join(f"{k},{70 if i == 0 else 20 if i % 2 else 40}\n" for i, k in enumerate(keys)))
    trainer = Trainer(cfg, pack, tmp_path / "balanced", labels)
    assert trainer.batches.weights[0] == pytest.approx(1 / 3)
    trainer.fit()
    assert trainer.step == 2


def test_run_folder_records_config_samples_and_summary(trained_run):
    assert json.loads((trained_run / "config.json").read_text())["image_size"] == 16
    assert list((trained_run / "samples").glob("step-*.png"))
    summary = json.loads((trained_run / "summary.json").read_text())
    assert summary["steps"] == 20 and "val_mse" in summary["final"]
    # bf16 where the CPU has AMX, float32 elsewhere: recorded either way
    amx = "amx_bf16" in open("/proc/cpuinfo").read()
    assert summary["precision"] == ("bf16 autocast" if amx else "float32")


def test_amp_is_refused_where_it_would_be_emulated(monkeypatch):
    from seedface_train import train as T
    monkeypatch.setattr("builtins.open", lambda *a, **k: iter(["flags\t: fpu avx2 fma\n"]))
    assert T.bf16_autocast(torch.device("cpu"))[0] is False
    monkeypatch.setattr("builtins.open", lambda *a, **k: iter(["flags\t: fpu avx2 amx_bf16 amx_tile\n"]))
    assert T.bf16_autocast(torch.device("cpu"))[0] is True


def test_article_ae_preset_is_the_articles_network():
    from seedface_train.model import AutoEncoder, count_macs, count_params
    model = AutoEncoder(make_config("article-ae"))
    # Linear 128→128·8·8, ConvT 128→64, 64→32, 32→3 (3×3, stride 2), with biases: the article's 1.15 M
    assert count_params(model.decoder) == (128 * 8192 + 8192) + (128 * 64 * 9 + 64) + (64 * 32 * 9 + 32) + (32 * 3 * 9 + 3)
    # per input position of each transposed conv: 8², 16², 32² positions × 9 × cin × cout; plus the linear
    assert count_macs(model.decoder, torch.zeros(1, 128)) == 128 * 8192 + 64 * 9 * 128 * 64 + 256 * 9 * 64 * 32 + 1024 * 9 * 32 * 3


def test_a_larger_stem_grid_buys_parameters_not_macs():
    from seedface_train.model import Decoder, count_macs, count_params
    z = torch.zeros(2, 128)
    small = Decoder(make_config("cpu", ["dec_stem=4", "dec_widths=128,64,32,16,16"]))  # model 2's decoder
    large = Decoder(make_config("cpu"))
    assert large(z).shape == small(z).shape == (2, 3, 64, 64)
    assert large.stem.out_features == 128 * 8 * 8
    assert count_params(large) > 2.5 * count_params(small)
    assert count_macs(large, z) < 1.1 * count_macs(small, z)


def test_dec_widths_must_reach_the_image_size_from_the_stem():
    from seedface_train.model import Decoder
    with pytest.raises(AssertionError):
        Decoder(make_config("cpu", ["dec_widths=128,64,32,16,16"]))  # five widths from 8 px would end at 128 px


@pytest.mark.parametrize("kind", ["upsample", "transposed"])
def test_an_up_block_folds_its_batchnorm_exactly(kind):
    from seedface_train.model import UpBlock
    torch.manual_seed(0)
    block = UpBlock(8, 4, kind)
    block.train()(torch.randn(16, 8, 5, 5) * 3 + 1)  # running statistics away from the identity
    block.eval()
    x = torch.randn(2, 8, 5, 5)
    with torch.no_grad():
        before = block(x)
        block.fold_norm()
        after = block(x)
    assert before.shape == (2, 4, 10, 10)
    assert isinstance(block.norm, torch.nn.Identity)
    assert torch.allclose(before, after, atol=1e-5)


def test_an_upsample_block_drawn_as_a_transposed_conv_is_the_same_function_at_four_ninths_of_the_macs():
    from seedface_train.model import UpBlock, count_macs
    torch.manual_seed(0)
    block = UpBlock(8, 5)
    block.train()(torch.randn(16, 8, 5, 5) * 3 + 1)  # running statistics away from the identity
    block.eval()
    x = torch.randn(2, 8, 7, 9)  # odd and unequal sides: the borders' padding must agree too
    with torch.no_grad():
        before, macs = block(x), count_macs(block, x)
        block.to_transposed()
        after = block(x)
    assert isinstance(block.conv, torch.nn.ConvTranspose2d) and not block.upsample
    assert after.shape == before.shape == (2, 5, 14, 18)
    assert torch.allclose(before, after, atol=1e-5)
    assert count_macs(block, x) * 9 == macs * 4


def test_transposed_doublings_cost_four_ninths_of_the_macs():
    from seedface_train.model import Decoder, count_macs
    z = torch.zeros(1, 128)
    upsample, transposed = (Decoder(make_config("cpu", [f"dec_block={k}"])) for k in ("upsample", "transposed"))
    assert transposed(z).shape == upsample(z).shape == (1, 3, 64, 64)
    fixed = 128 * 128 * 8 * 8 + 64 * 64 * 9 * 16 * 3  # the linear stem and the conv to RGB are the same in both
    assert count_macs(transposed, z) - fixed == 4 * (count_macs(upsample, z) - fixed) // 9


def test_a_widened_decoder_starts_as_the_trained_one_and_its_new_channels_learn():
    from seedface_train.model import Decoder, load_widened
    torch.manual_seed(0)
    trained = Decoder(make_config("tiny"))  # widths 16, 8, 8
    trained.train()(torch.randn(16, 8) * 2)  # BatchNorm statistics away from the identity
    wide = Decoder(make_config("tiny", ["dec_widths=16,12,8"]))
    load_widened(wide, trained.state_dict())
    z = torch.randn(4, 8)
    with torch.no_grad():
        assert torch.equal(wide.eval()(z), trained.eval()(z))
    new_in, new_out = wide.blocks[1].conv.weight[:, 8:], wide.blocks[0].conv.weight[8:]
    assert torch.count_nonzero(new_in) == 0 and torch.count_nonzero(new_out) > 0
    # the readers of the new channels get gradients at once, the new channels themselves once the readers moved
    wide.train()(z).square().mean().backward()
    assert wide.blocks[1].conv.weight.grad[:, 8:].abs().sum() > 0
    with torch.no_grad():
        wide.blocks[1].conv.weight[:, 8:] += 0.01
    wide.zero_grad()
    wide(z).square().mean().backward()
    assert wide.blocks[0].conv.weight.grad[8:].abs().sum() > 0


def test_a_wider_sub_pixel_head_starts_as_the_trained_one():
    from seedface_train.model import Decoder, load_widened
    torch.manual_seed(0)
    trained = Decoder(make_config("tiny", ["image_size=32", "dec_head=4"]))
    wide = Decoder(make_config("tiny", ["image_size=32", "dec_head=6", "dec_widths=16,8,12"]))
    load_widened(wide, trained.state_dict())
    z = torch.randn(4, 8)
    with torch.no_grad():
        assert torch.equal(wide.eval()(z), trained.eval()(z))


def test_a_warm_start_with_another_critic_trains_a_fresh_one(trained_run, pack, tmp_path):
    trainer = Trainer(make_config("tiny", ["disc_depth=2"]), pack, tmp_path)  # the file's critic has 3 stages
    fresh = {k: v.clone() for k, v in trainer.disc.state_dict().items()}
    trainer.warm_start(trained_run / "model.pt")
    assert all(torch.equal(v, trainer.disc.state_dict()[k]) for k, v in fresh.items())
    assert trainer.fit()["steps"] == 20


def test_a_two_head_critic_weighs_its_patches_and_its_whole_face_view_alike():
    from seedface_train.model import PatchDiscriminator
    torch.manual_seed(0)
    one, two = PatchDiscriminator(8, 3), PatchDiscriminator(8, 3, heads=2).eval()  # eval: spectral norms hold still
    assert set(one.state_dict()) < set(two.state_dict())  # one head keeps the keys of the files trained before heads
    x = torch.randn(2, 3, 32, 32, requires_grad=True)
    feats, logits = two.features(x)
    assert logits.shape == (2, 2, 8, 8)  # the 4×4 view repeated up to the 8×8 patches' size
    fine, coarse = two.finer_logits[0](feats[1]), two.logit(feats[2])
    assert torch.allclose(logits.mean(), (fine.mean() + coarse.mean()) / 2, atol=1e-6)
    logits.mean().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in (two.logit.weight_orig,
                                                                       two.finer_logits[0].weight_orig))
    with pytest.raises(ValueError, match="1 to 3 logit heads"):
        PatchDiscriminator(8, 3, heads=4)


def test_widening_refuses_narrower_layers_and_other_layers():
    from seedface_train.model import Decoder, load_widened
    trained = Decoder(make_config("tiny")).state_dict()
    for overrides, message in ((["dec_widths=16,4,8"], "does not fit"),
                               (["dec_stem=2", "dec_widths=16,8,8,8"], "not the same")):
        with pytest.raises(ValueError, match=message):
            load_widened(Decoder(make_config("tiny", overrides)), trained)


def test_a_warm_start_into_wider_layers_draws_what_the_trained_model_drew(trained_run, pack, tmp_path):
    from seedface_train.checkpoints import write_training_weights
    from seedface_train.runs import load_run
    _, trained = load_run(trained_run)
    weights = write_training_weights(trained_run, tmp_path / "tiny-1.train.pt")  # as published
    trainer = Trainer(make_config("tiny", ["dec_widths=16,12,8"]), pack, tmp_path / "wide")
    trainer.warm_start(weights)
    z = torch.randn(4, 8)
    with torch.no_grad():
        assert torch.allclose(trainer.ema.module.eval().decoder(z), trained.eval().decoder(z), atol=1e-6)
    summary = trainer.fit()  # and trains, and says what it began from: the file, its steps and CPU time
    assert summary["started_from"]["file"] == "tiny-1.train.pt" and summary["started_from"]["steps"] == 20
    assert summary["started_from"]["cpu_time_s"] > 0
    resumed = Trainer(trainer.cfg, pack, tmp_path / "wide")  # which a resume keeps
    resumed.load_checkpoint()
    assert resumed.started_from == summary["started_from"]


def test_the_sub_pixel_head_draws_twice_the_trunks_size():
    from seedface_train.model import AutoEncoder, SubPixelHead, count_macs
    cfg = make_config("cpu128")
    model = AutoEncoder(cfg)
    assert isinstance(model.decoder.to_rgb, SubPixelHead)
    z = torch.zeros(2, 128)
    assert model.decoder(z).shape == (2, 3, 128, 128)
    # the encoder reads a 64-px copy: its head is the 64-px encoder's
    assert model.encode(torch.zeros(2, 3, 128, 128))[0].shape == (2, 128)
    assert model.encoder.head.in_features == 256 * 4 * 4
    # the head's two convs: 16→4·4 at 64 px, 4→3 at 128 px; the trunk is model 5's without its conv to RGB
    trunk = count_macs(AutoEncoder(make_config("cpu")).decoder, z) - 64 * 64 * 9 * 16 * 3
    assert count_macs(model.decoder, z) == trunk + 64 * 64 * 9 * 16 * 16 + 128 * 128 * 9 * 4 * 3


def test_noise_inputs_start_silent_then_draw_what_the_map_says():
    from seedface_train.model import Decoder
    torch.manual_seed(0)
    plain, noisy = Decoder(make_config("cpu128")).eval(), Decoder(make_config("cpu128", ["dec_noise=true"])).eval()
    missing, _ = noisy.load_state_dict(plain.state_dict(), strict=False)
    assert sorted(missing) == ["blocks.1.noise.strength", "blocks.2.noise.strength", "to_rgb.noise.strength"]
    assert make_config("cpu128", ["dec_noise=true"]).input_size == 128 + 128 * 128
    z, a, b = torch.randn(2, 128), torch.randn(2, 128 * 128), torch.randn(2, 128 * 128)
    with torch.no_grad():
        assert torch.allclose(noisy(torch.cat([z, a], 1)), plain(z), atol=1e-6)  # zero strengths: a warm start
        for p in noisy.parameters():
            if p.shape == (p.numel(),) and p.abs().sum() == 0:  # the strengths (and zero biases) wake up
                p.fill_(0.5)
        first = noisy(torch.cat([z, a], 1))
        assert torch.equal(first, noisy(torch.cat([z, a], 1)))  # the map, and only the map, is the randomness
        other = noisy(torch.cat([z, b], 1))
    change = (first - other).abs()
    assert change.mean() > 1e-3
    # fine noise moves pixels, not the face: 8-px means change far less than pixels do
    assert F.avg_pool2d(first - other, 8).abs().mean() < 0.5 * change.mean()


@pytest.mark.parametrize("net", ["emotion", "age"])
def test_the_perceptual_term_is_logged_and_trained_with_the_others(pack, tmp_path, net):
    cfg = make_config("tiny", ["steps=4", "perc_weight=0.1", f"perc_net={net}", "log_every=1"])
    Trainer(cfg, pack, tmp_path).fit()
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert all(r["perc"] > 0 for r in rows if "l1" in r) and len([r for r in rows if "l1" in r]) == 4


def test_focal_frequency_loss_is_zero_only_for_a_match_and_weighs_the_worst_frequencies():
    from seedface_train.train import focal_frequency_loss
    torch.manual_seed(0)
    x = torch.rand(2, 3, 16, 16)
    assert float(focal_frequency_loss(x - x)) == 0.0
    blurred = torch.nn.functional.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
    loss = focal_frequency_loss(blurred - x)
    # every weight is at most 1, so the loss is at most the MSE (Parseval, orthonormal FFT), and above 0
    assert 0.0 < float(loss) <= float((blurred - x).pow(2).mean()) + 1e-7


def test_the_adaptive_weight_balances_the_gradients_at_the_last_layer(pack, tmp_path):
    cfg = make_config("tiny", ["adv_adaptive=1"])
    trainer = Trainer(cfg, pack, tmp_path)
    x = trainer.batches.next()
    recon = trainer.model(x)[0]
    rec, adv = (recon - x).abs().mean(), -trainer.disc(recon).mean()
    # the step hands it each term's gradient at the decoder's output
    rec_grad, = torch.autograd.grad(rec, recon, retain_graph=True)
    adv_grad, = torch.autograd.grad(adv, recon, retain_graph=True)
    scale = trainer.adaptive_scale([recon], [rec_grad], [adv_grad])
    last = trainer.model.decoder.last_weight()
    g_rec, = torch.autograd.grad(rec, last, retain_graph=True)
    g_adv, = torch.autograd.grad(scale * adv, last)
    assert torch.allclose(g_adv.norm(), g_rec.norm(), rtol=1e-3)


def test_a_checkpoint_is_written_on_wall_time_too(pack, tmp_path):
    cfg = make_config("tiny", ["steps=3", "ckpt_every=1000", "ckpt_minutes=0"])
    trainer = Trainer(cfg, pack, tmp_path)
    trainer.fit(until=2)
    assert torch.load(tmp_path / "ckpt.pt")["step"] == 2


def test_a_snapshot_of_a_run_in_progress_loads_its_ema_weights(pack, tmp_path):
    from seedface_train.runs import load_run, snapshot_run
    cfg = make_config("tiny", ["steps=20"])
    trainer = Trainer(cfg, pack, tmp_path / "run")
    trainer.fit(until=10)
    summary = snapshot_run(tmp_path / "run", tmp_path / "snap")
    assert summary["steps"] == 10
    _, model = load_run(tmp_path / "snap")
    ema = trainer.ema.module.state_dict()
    assert all(torch.equal(v, ema[k]) for k, v in model.state_dict().items())
    assert not all(torch.equal(v, trainer.model.state_dict()[k]) for k, v in model.state_dict().items())


def test_one_backward_pass_gives_the_gradients_of_the_whole_objective(pack, tmp_path):
    """train_step differentiates each term to the decoded image once and shares the critic's passes; its gradients
    must be those of the objective written out plainly: L = rec + w·adv + fm, w from the last layer's gradients."""
    import copy
    cfg = make_config("tiny", ["adv_adaptive=1", "fm_weight=1", "ffl_weight=1", "adv_start_step=0", "augment=0",
                                "variational=0", "adv_on_samples=0"])
    trainer = Trainer(cfg, pack, tmp_path)
    with torch.no_grad():  # let the spectral norms' power iteration settle, as it has in a run
        for _ in range(50):
            trainer.disc(trainer.val)
    before = copy.deepcopy((trainer.model.state_dict(), trainer.disc.state_dict(), trainer.batches.state_dict()))
    terms = trainer.train_step()
    got = {n: p.grad.clone() for n, p in trainer.model.named_parameters()}
    got_disc = {n: p.grad.clone() for n, p in trainer.disc.named_parameters()}

    model, disc = trainer.model, trainer.disc
    model.load_state_dict(before[0])
    disc.load_state_dict(before[1])
    trainer.batches.load_state_dict(before[2])
    model.zero_grad()
    x = trainer.batches.next()
    recon = model(x)[0]
    rec = sum(getattr(cfg, f"{k}_weight") * v for k, v in reconstruction_loss(cfg, recon, x).items())
    real_feats, real_logits = disc.train().features(x)
    fake_feats, fake_logits = disc.eval().features(recon)
    adv = -fake_logits.mean()
    last = model.decoder.last_weight()
    g_rec, = torch.autograd.grad(rec, last, retain_graph=True)
    g_adv, = torch.autograd.grad(adv, last, retain_graph=True)
    scale = g_rec.norm() / (g_adv.norm() + 1e-4)
    fm = sum((f - r.detach()).abs().mean() for f, r in zip(fake_feats, real_feats)) / len(real_feats)
    (rec + cfg.adv_weight * scale.detach() * adv + cfg.fm_weight * fm).backward(
        inputs=list(model.parameters()), retain_graph=True)
    hinge = torch.relu(1 - real_logits).mean() + torch.relu(1 + fake_logits).mean()
    disc.zero_grad()
    hinge.backward(inputs=list(disc.parameters()))

    assert float(terms["adv_scale"]) == pytest.approx(float(scale), rel=1e-4)
    for name, p in model.named_parameters():
        if name.endswith("conv.bias") or name.startswith("encoder.features") and name.endswith("bias"):
            continue  # biases a BatchNorm cancels: their gradient is rounding noise
        assert torch.allclose(got[name], p.grad, rtol=1e-3, atol=1e-6), name
    for name, p in disc.named_parameters():
        assert torch.allclose(got_disc[name], p.grad, rtol=1e-3, atol=1e-6), name


def test_the_running_gaussian_learns_the_latents_mean_and_covariance():
    from seedface_train.prior import RunningGaussian
    g = torch.Generator().manual_seed(0)
    mean, mix = torch.tensor([1.0, -2.0, 0.5, 3.0]), torch.randn(4, 4, generator=g)
    draw = lambda n: mean + torch.randn(n, 4, generator=g) @ mix.T  # noqa: E731
    running = RunningGaussian(4)
    first = draw(64)
    running.update(first)
    assert torch.allclose(running.mean, first.double().mean(dim=0))  # the first batch is taken outright
    for _ in range(3000):
        running.update(draw(64))
    torch.manual_seed(0)
    samples = running.sample(50000)
    assert samples.dtype == torch.float32 and samples.shape == (50000, 4)
    samples = samples.double()
    assert torch.allclose(samples.mean(dim=0), mean.double(), atol=0.1)
    cov = mix.double() @ mix.double().T
    assert float((samples.T.cov() - cov).abs().max() / cov.abs().max()) < 0.05


def test_a_warm_started_plain_autoencoders_critic_draws_from_a_full_rank_gaussian(pack, tmp_path):
    """At a warm start's first step the running Gaussian has seen one batch (rank < D): it is first filled from more
    faces, in eval mode, so the first draws are not confined to a few directions."""
    cfg = make_config("tiny", ["variational=0", "adv_on_samples=1", "adv_start_step=0"])
    trainer = Trainer(cfg, pack, tmp_path)
    stats = {k: v.clone() for k, v in trainer.model.state_dict().items() if "running" in k}
    assert trainer.latents.seen == 0
    draws = trainer.prior_draws(2 * cfg.latent_size)
    assert trainer.latents.seen >= 4 * cfg.latent_size
    assert torch.linalg.matrix_rank(draws - draws.mean(dim=0)) == cfg.latent_size
    assert all(torch.equal(v, trainer.model.state_dict()[k]) for k, v in stats.items())  # BatchNorm untouched
    assert trainer.model.training
    trainer.train_step()  # and the step that uses them runs
