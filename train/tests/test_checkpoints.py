"""A run's kept state (checkpoints.py): written while training, resumed on a 'fresh clone' in a fresh process."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import torch

from seedface_train.checkpoints import compact, expand, keep_run
from seedface_train.config import make_config
from seedface_train.train import Trainer

SRC = Path(__file__).resolve().parents[1] / "src"


def train_cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "seedface_train", "train", *args], check=True, capture_output=True,
                   env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})


def max_relative_difference(a: dict, b: dict) -> float:
    return max(float((a[k].float() - b[k].float()).norm() / b[k].float().norm().clamp_min(1e-12))
               for k in a if a[k].is_floating_point())


def test_a_run_stopped_resumes_from_its_kept_state_in_a_fresh_process_where_an_uninterrupted_run_ends(pack, tmp_path):
    straight = Trainer(make_config("tiny"), pack, tmp_path / "straight")
    straight.fit()
    # stopped at step 10 (the critic has just started), its compact state written beside the run folder
    stopped = tmp_path / "stopped"
    Trainer(make_config("tiny"), pack, stopped, kept=tmp_path / "kept.pt").fit(until=10)
    shutil.rmtree(stopped)  # the ignored run folder is gone with the machine; the kept state is all there is
    assert torch.load(tmp_path / "kept.pt")["step"] == 10
    train_cli("--preset", "tiny", "--data", str(pack), "--out", str(stopped), "--keep", str(tmp_path / "kept.pt"))
    resumed = torch.load(stopped / "ckpt.pt")
    assert resumed["step"] == 20
    # Adam's moments came back from bfloat16 (8 bits of mantissa), where a float32 resume ends bit-identical
    # (test_train.py): the weights end within 2 % of the uninterrupted run's (the worst are the biases before a
    # BatchNorm, which it cancels: their gradient is rounding noise that Adam normalises), and the faces the two
    # draw agree to ~1/1000 of the value range
    ema = straight.ema.module.state_dict()
    assert 0 < max_relative_difference(resumed["ema"], ema) < 2e-2
    assert max_relative_difference(resumed["model"], straight.model.state_dict()) < 2e-2
    assert max_relative_difference(resumed["disc"], straight.disc.state_dict()) < 2e-2
    twin = Trainer(make_config("tiny"), pack, tmp_path / "twin")
    twin.ema.module.load_state_dict(resumed["ema"])
    with torch.no_grad():
        a, b = straight.ema.module(straight.val)[0], twin.ema.module(straight.val)[0]
    assert float((a - b).abs().mean()) < 2e-3 and float((a - b).abs().max()) < 2e-2
    # and the kept state went on being written, now at the end of the run
    assert torch.load(tmp_path / "kept.pt")["step"] == 20
    assert (tmp_path / "kept.pt").stat().st_size < (stopped / "ckpt.pt").stat().st_size


def test_a_finished_runs_kept_state_gives_the_model_on_a_fresh_clone(pack, tmp_path):
    kept = tmp_path / "kept.pt"
    Trainer(make_config("tiny"), pack, tmp_path / "run", kept=kept).fit()
    ended = torch.load(tmp_path / "run" / "model.pt")["model"]
    shutil.rmtree(tmp_path / "run")  # the machine changed after the last step: only the kept state is left
    train_cli("--preset", "tiny", "--data", str(pack), "--out", str(tmp_path / "run"), "--keep", str(kept))
    model = torch.load(tmp_path / "run" / "model.pt")["model"]
    assert all(torch.equal(v, ended[k]) for k, v in model.items())  # the EMA weights, kept in float32
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["steps"] == 20 and summary["final"]["val_mse"] > 0  # held-out figures for the manifest
    assert (tmp_path / "run" / "samples" / "step-000020.png").exists()


def test_the_kept_form_halves_the_moments_and_expands_back(pack, tmp_path):
    Trainer(make_config("tiny", ["steps=12"]), pack, tmp_path / "run").fit()
    state = torch.load(tmp_path / "run" / "ckpt.pt")
    kept = compact(state, {"preset": "tiny"})
    moments = [v for s in kept["opt"]["state"].values() for v in s.values() if torch.is_tensor(v) and v.dim()]
    assert moments and all(v.dtype == torch.bfloat16 for v in moments)
    assert all(torch.equal(kept[k][n], state[k][n]) for k in ("model", "ema", "disc") for n in state[k])
    back = expand(kept)
    for i, s in back["opt"]["state"].items():
        for k, v in s.items():
            if torch.is_tensor(v) and v.dim():
                assert v.dtype == torch.float32
                assert torch.allclose(v, state["opt"]["state"][i][k], rtol=1e-2, atol=0)
    summary = keep_run(tmp_path / "run", tmp_path / "kept.pt")
    assert summary["step"] == 12 and summary["bytes"] == (tmp_path / "kept.pt").stat().st_size


def test_a_warm_start_begins_from_the_weights_with_a_new_schedule(pack, tmp_path):
    first = Trainer(make_config("tiny"), pack, tmp_path / "first")
    first.fit()
    weights = {"model": first.ema.module.state_dict(), "disc": first.disc.state_dict()}
    torch.save(weights, tmp_path / "weights.pt")
    second = Trainer(make_config("tiny"), pack, tmp_path / "second", init_from=tmp_path / "weights.pt")
    second.fit(until=0)
    assert second.step == 0 and not second.opt.state  # step 0 of a new schedule, fresh optimiser
    for module, expected in ((second.model, weights["model"]), (second.ema.module, weights["model"]),
                             (second.disc, weights["disc"])):
        assert all(torch.equal(v, expected[k]) for k, v in module.state_dict().items())
