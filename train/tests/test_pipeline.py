"""Prior fold-in, ONNX export (checked in onnxruntime), quantisation bounds and publishing."""
import json
from pathlib import Path

import jsonschema
import numpy as np
import onnx
import pytest
import torch

from seedface_train.export import export_run, served_decoder
from seedface_train.manifest import publish, sha256_file
from seedface_train.ort import ort_run
from seedface_train.prior import fit_gaussian, fold_prior, prior_flow, to_standard
from seedface_train.quantize import MIN_PSNR_DB, choose, quantize_run
from seedface_train.runs import load_run


def test_folded_prior_equals_sampling_the_prior(trained_run):
    _, model = load_run(trained_run)
    prior = torch.load(trained_run / "prior.pt")
    served, _ = served_decoder(trained_run)
    eps = torch.randn(16, 8, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        z = prior["mean"].float() + prior_flow(prior)(eps) @ prior["chol"].float().T
        assert torch.allclose(served(eps), model.decoder(z), atol=1e-5)


def test_to_standard_gives_the_served_input_that_decodes_a_latent(trained_run):
    _, model = load_run(trained_run)
    prior = torch.load(trained_run / "prior.pt")
    served, _ = served_decoder(trained_run)
    latents = prior["latents"][:16]
    with torch.no_grad():
        assert torch.allclose(served(to_standard(latents, prior)), model.decoder(latents), atol=1e-4)


def test_fitted_gaussian_recovers_a_known_covariance():
    rng = torch.Generator().manual_seed(0)
    a = torch.randn(4, 4, generator=rng, dtype=torch.float64)
    samples = torch.randn(200_000, 4, generator=rng, dtype=torch.float64) @ a.T + 3.0
    mean, chol = fit_gaussian(samples)
    assert torch.allclose(mean, torch.full((4,), 3.0, dtype=torch.float64), atol=0.02)
    assert torch.allclose(chol @ chol.T, a @ a.T, rtol=0.05, atol=0.05)


def test_fold_prior_is_exact_for_a_linear_layer():
    layer = torch.nn.Linear(3, 5).double()
    reference = torch.nn.Linear(3, 5).double()
    reference.load_state_dict(layer.state_dict())
    mean, chol = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64), torch.tril(torch.rand(3, 3, dtype=torch.float64)) + torch.eye(3, dtype=torch.float64)
    fold_prior(layer, mean, chol)
    eps = torch.randn(7, 3, dtype=torch.float64)
    with torch.no_grad():
        assert torch.allclose(layer(eps), reference(mean + eps @ chol.T))


@pytest.fixture(scope="module")
def exported(trained_run):
    return export_run(trained_run)


def test_onnx_matches_torch_in_onnxruntime(trained_run, exported):
    assert exported["max_abs_diff_vs_torch"] < 1e-4
    model = onnx.load(exported["onnx"])
    assert model.opset_import[0].version <= 17
    assert "BatchNormalization" not in exported["ops"]  # folded into the convs at export
    decoder, _ = served_decoder(trained_run)
    z = np.random.default_rng(1).standard_normal((3, 8)).astype(np.float32)  # a batch size other than the export's
    out, _ = ort_run(exported["onnx"], z)
    with torch.no_grad():
        np.testing.assert_allclose(out, decoder(torch.from_numpy(z)).numpy(), atol=1e-4)


def test_a_transposed_export_draws_the_same_faces_with_fewer_macs(trained_run, exported, tmp_path):
    import shutil
    run = shutil.copytree(trained_run, tmp_path / "run")  # the export writes into the run folder
    fast = export_run(run, transposed=True)
    assert "ConvTranspose" in fast["ops"] and "Resize" not in fast["ops"] and "Resize" in exported["ops"]
    assert fast["doublings"] == "transposed" and exported["doublings"] == "as trained"
    assert fast["macs"] < exported["macs"] and fast["parameters"] > exported["parameters"]
    z = np.random.default_rng(2).standard_normal((5, 8)).astype(np.float32)
    np.testing.assert_allclose(ort_run(fast["onnx"], z)[0], ort_run(exported["onnx"], z)[0], atol=1e-4)


def test_the_autoencoder_is_exported_for_the_evaluation(trained_run, exported):
    graph = onnx.load(str(trained_run / "autoencoder.onnx")).graph
    dims = lambda value: [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]  # noqa: E731
    assert [v.name for v in graph.input] == ["image"] and [v.name for v in graph.output] == ["recon"]
    assert dims(graph.input[0]) == ["batch", 3, 16, 16]  # the output's shape is symbolic after the encoder's flatten


def test_a_sub_pixel_decoder_exports_at_twice_its_trunks_size(pack, tmp_path):
    from seedface_train.config import make_config
    from seedface_train.train import Trainer
    Trainer(make_config("tiny", ["dec_head=2", "enc_size=8", "dec_widths=16,8"]), pack, tmp_path).fit()
    exported = export_run(tmp_path)
    assert exported["image_size"] == 16 and "DepthToSpace" in exported["ops"]
    assert exported["max_abs_diff_vs_torch"] < 1e-4


def test_a_noise_decoder_takes_the_latent_then_the_noise_map_and_keeps_its_flow_on_the_latent(pack, tmp_path):
    from seedface_train.config import make_config
    from seedface_train.prior import fit_run_prior
    from seedface_train.train import Trainer
    cfg = make_config("tiny", ["dec_noise=true", "dec_stem=2", "dec_head=2", "enc_size=8", "dec_widths=16,8,8"])
    Trainer(cfg, pack, tmp_path).fit()
    fit_run_prior(tmp_path, pack)
    exported = export_run(tmp_path)
    assert exported["latent_size"] == cfg.input_size == 8 + 16 * 16 and exported["image_size"] == 16
    assert exported["max_abs_diff_vs_torch"] < 1e-4
    decoder, _ = served_decoder(tmp_path)
    prior = torch.load(tmp_path / "prior.pt")
    eps = torch.randn(2, cfg.input_size)
    _, model = load_run(tmp_path)
    with torch.no_grad():  # ε's first 8 numbers go through the flow and the Gaussian; the rest is the noise map
        latent = (prior["mean"] + prior_flow(prior)(eps[:, :8]).double() @ prior["chol"].T).float()
        np.testing.assert_allclose(decoder(eps).numpy(), model.decoder(torch.cat([latent, eps[:, 8:]], 1)).numpy(),
                                   atol=1e-4)
    with pytest.raises(SystemExit, match="noise"):
        publish(tmp_path, tmp_path / "models", "noisy", "1")


def test_a_transposed_decoder_exports_with_its_batchnorm_folded(pack, tmp_path):
    from seedface_train.config import make_config
    from seedface_train.train import Trainer
    Trainer(make_config("tiny", ["dec_block=transposed"]), pack, tmp_path).fit()
    exported = export_run(tmp_path)
    assert "ConvTranspose" in exported["ops"] and "BatchNormalization" not in exported["ops"]
    assert exported["max_abs_diff_vs_torch"] < 1e-4
    report = quantize_run(tmp_path, repeat=2)
    assert report["variants"]["int8"]["psnr_db_vs_fp32"] >= MIN_PSNR_DB
    graph = onnx.load(report["variants"]["int8"]["file"]).graph
    dequantized = {node.output[0]: node for node in graph.node if node.op_type == "DequantizeLinear"}
    for node in (n for n in graph.node if n.op_type == "ConvTranspose"):  # weights [in, out, k, k]: per out channel
        assert dequantized[node.input[1]].attribute[0].i == 1


def test_quantised_variants_match_fp32_within_the_bound(trained_run, exported):
    report = quantize_run(trained_run, repeat=2)
    for name in ("fp16", "int8"):
        assert report["variants"][name]["psnr_db_vs_fp32"] >= MIN_PSNR_DB
    assert report["variants"]["fp16"]["bytes"] < 0.6 * report["variants"]["fp32"]["bytes"]
    assert report["default"] in report["variants"]


def test_the_default_variant_is_small_fast_and_faithful():
    def variants(fp16_bytes, int8_ms, int8_psnr=55.0):
        return {"fp32": {"bytes": 2 * fp16_bytes, "psnr_db_vs_fp32": 150.0, "web_ms_batch1": 2.0},
                "fp16": {"bytes": fp16_bytes, "psnr_db_vs_fp32": 80.0, "web_ms_batch1": 2.0},
                "int8": {"bytes": fp16_bytes // 2, "psnr_db_vs_fp32": int8_psnr, "web_ms_batch1": int8_ms}}
    assert choose(variants(700_000, 2.1)) == "int8"
    assert choose(variants(700_000, 2.5)) == "fp16"  # int8 too slow, fp16 within the size budget
    assert choose(variants(2_200_000, 2.5)) == "int8"  # fp16 over 1.5 MB: the smallest faithful one
    assert choose(variants(2_200_000, 2.5, int8_psnr=35.0)) == "fp16"  # never an unfaithful one


def test_publish_writes_a_manifest_whose_sha_is_right(trained_run, exported, tmp_path):
    quantize_run(trained_run, repeat=1)
    result = publish(trained_run, tmp_path, "tiny", "t1", variant="fp16")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    entry = manifest["models"][0]
    assert manifest["current"] == "t1"
    assert entry["sha256"] == sha256_file(tmp_path / entry["file"]) == result["sha256"]
    assert entry["latentSize"] == 8 and entry["imageSize"] == 16 and entry["quantization"] == "fp16"
    assert "non-commercial" in entry["license"] and "16x16" in entry["dataset"]
    # the run's training weights stay beside the model, for the next one's warm start
    kept = torch.load(tmp_path / entry["trainingWeights"])
    run_weights = torch.load(trained_run / "model.pt")
    assert all(torch.equal(v, kept["model"][k]) for k, v in run_weights["model"].items())
    assert kept["disc"] is not None and kept["step"] == 20 and "opt" not in kept
    with pytest.raises(SystemExit):
        publish(trained_run, tmp_path, "tiny", "t1", variant="fp32")  # same version, other bytes
    # the same weights published again as another graph share the first one's training weights file
    publish(trained_run, tmp_path, "tiny", "t2", variant="fp32")
    second = json.loads((tmp_path / "manifest.json").read_text())["models"][1]
    assert second["version"] == "t2" and second["trainingWeights"] == entry["trainingWeights"]
    assert not (tmp_path / "tiny-t2.train.pt").exists()


def test_publish_records_the_data_set_and_licence_it_is_given(trained_run, exported, tmp_path):
    quantize_run(trained_run, repeat=1)
    publish(trained_run, tmp_path, "tiny", "own1", variant="fp32", dataset="our own consented portraits",
            license_="CC-BY-4.0")
    entry = json.loads((tmp_path / "manifest.json").read_text())["models"][0]
    assert entry["dataset"] == "our own consented portraits" and entry["license"] == "CC-BY-4.0"


# The service's manifest contract: generated from the zod schema in src/runtime/manifest.ts by `npm run schema`.
MANIFEST_SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "models" / "manifest.schema.json").read_text())


def test_published_manifests_satisfy_the_services_schema(trained_run, exported, tmp_path):
    quantize_run(trained_run, repeat=1)
    publish(trained_run, tmp_path, "tiny", "s1", variant="fp16")
    written = json.loads((tmp_path / "manifest.json").read_text())
    jsonschema.validate(written, MANIFEST_SCHEMA)
    jsonschema.validate(json.loads((Path(__file__).resolve().parents[2] / "models" / "manifest.json").read_text()),
                        MANIFEST_SCHEMA)
    broken = {**written, "models": [{**written["models"][0], "sha256": "not hex"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, MANIFEST_SCHEMA)


def _eval_report(n: int, ffd: float) -> dict:
    """The parts of an `npm run eval` report.json that the manifest reads."""
    return {"model": {"file": "m.onnx"}, "settings": {"n": n, "real": ["val.tar"]},
            "figures": {"ffd": {"generatedVsReal": ffd, "trainVsReal": 14.5}, "detectionRate": {"generated": 1},
                        "diversity": {"ratio": 0.9}, "memorisation": {"ratio": 0.98},
                        "attributes": {"generated": {"femaleShare": 0.6}}}}


def test_publish_records_the_eval_reports_figures(trained_run, exported, tmp_path):
    quantize_run(trained_run, repeat=1)
    (tmp_path / "model.json").write_text(json.dumps(_eval_report(1000, 20.0)))
    (tmp_path / "baseline.json").write_text(json.dumps(_eval_report(1000, 22.5)))
    publish(trained_run, tmp_path, "tiny", "t2", variant="fp16", eval_report=tmp_path / "model.json",
            baseline_report=tmp_path / "baseline.json")
    figures = json.loads((tmp_path / "manifest.json").read_text())["models"][0]["eval"]
    assert figures["excessFfd"] == 5.5 and figures["baselineArticleAe"]["excessFfd"] == 8.0 and figures["n"] == 1000
    (tmp_path / "baseline.json").write_text(json.dumps(_eval_report(500, 22.5)))
    with pytest.raises(SystemExit):  # figures at different n do not compare
        publish(trained_run, tmp_path, "tiny", "t2", variant="fp16", eval_report=tmp_path / "model.json",
                baseline_report=tmp_path / "baseline.json")


def test_a_vae_prior_adds_the_mean_posterior_variance():
    latents = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0], [0.0, -2.0]], dtype=torch.float64)
    _, chol_means = fit_gaussian(latents, jitter=0.0)
    _, chol_agg = fit_gaussian(latents, torch.tensor([0.5, 0.25], dtype=torch.float64), jitter=0.0)
    expected = chol_means @ chol_means.T + torch.diag(torch.tensor([0.5, 0.25], dtype=torch.float64))
    assert torch.allclose(chol_agg @ chol_agg.T, expected)
