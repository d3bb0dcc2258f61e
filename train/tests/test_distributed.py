"""Data-parallel training: two gloo processes on the CPU must keep identical weights and checkpoint as one run."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from seedface_train.config import make_config
from seedface_train.distributed import launch
from seedface_train.train import Trainer

SRC = str(Path(__file__).resolve().parents[1] / "src")

# every loss term on, so each gradient path (critic, feature matching, adaptive weight) is synchronised
TERMS = ["adv_adaptive=1", "fm_weight=1", "ffl_weight=1", "adv_start_step=4", "steps=12", "ckpt_every=6"]


def run_ranks(pack: Path, out: Path, steps: int | None = None) -> int:
    script = textwrap.dedent(f"""
        import os, sys, time, torch
        sys.path.insert(0, {SRC!r})
        time.process_time = lambda: 1.0 + int(os.environ["RANK"])  # each rank's CPU clock, fixed so sums are exact
        from seedface_train.config import make_config
        from seedface_train.train import Trainer
        trainer = Trainer(make_config("tiny", {TERMS!r}), {str(pack)!r}, {str(out)!r})
        trainer.fit(until={steps!r})
        rank = os.environ["RANK"]
        torch.save({{"model": trainer.model.state_dict(), "disc": trainer.disc.state_dict(),
                    "ema": trainer.ema.module.state_dict(), "per_rank": trainer.batches.batch_size}},
                   {str(out)!r} + f"/rank{{rank}}.pt")
    """)
    return launch(2, [sys.executable, "-c", script])


def test_two_processes_keep_identical_weights(pack, tmp_path):
    assert run_ranks(pack, tmp_path) == 0
    a, b = (torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1))
    for part in ("model", "disc", "ema"):
        assert a[part].keys() == b[part].keys()
        for key in a[part]:
            assert torch.equal(a[part][key], b[part][key]), f"{part}.{key} differs between ranks"
    # batch_size is the step's faces, split over the ranks: the recipe is the same on one process or two
    assert a["per_rank"] == b["per_rank"] == 4
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["processes"] == 2 and summary["steps"] == 12
    assert summary["epochs"] == round(12 * 8 / summary["train_images"], 2)


def test_a_distributed_run_resumes_exactly(pack, tmp_path):
    assert run_ranks(pack, tmp_path / "straight") == 0
    assert run_ranks(pack, tmp_path / "resumed", steps=6) == 0
    state = torch.load(tmp_path / "resumed" / "ckpt.pt")
    assert state["step"] == 6 and state["world"] == 2 and len(state["batches"]) == 2
    # each rank draws its own faces
    assert not torch.equal(state["batches"][0]["generator"], state["batches"][1]["generator"])
    assert run_ranks(pack, tmp_path / "resumed") == 0
    a, b = (torch.load(tmp_path / d / "rank0.pt")["model"] for d in ("straight", "resumed"))
    for key in a:
        assert torch.equal(a[key], b[key]), key
    # CPU time: both ranks' clocks (1 s and 2 s) in each launch, the first launch's carried by its checkpoint
    assert state["cpu_seconds"] == 3.0
    assert json.loads((tmp_path / "resumed" / "summary.json").read_text())["cpu_time_s"] == 6.0


def test_a_batch_that_does_not_split_over_the_processes_is_refused(pack, tmp_path, monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "3")  # tiny's batch of 8 over 3 ranks: refused before joining any group
    with pytest.raises(SystemExit, match="does not split evenly over 3"):
        Trainer(make_config("tiny"), pack, tmp_path)


def test_the_launcher_reports_a_failing_process(tmp_path):
    code = "import os, sys; sys.exit(3 if os.environ['RANK'] == '1' else 0)"
    assert launch(2, [sys.executable, "-c", code]) == 3


def test_each_process_leaves_its_group_before_the_interpreter_shuts_down(tmp_path):
    # gloo's threads outliving Python abort the process at exit (a flaky SIGABRT after a run that went well); a handler
    # registered before joining runs after the trainer's own, and sees whether the group was left
    script = textwrap.dedent(f"""
        import atexit, os, sys, torch
        import torch.distributed as dist
        sys.path.insert(0, {SRC!r})
        from seedface_train import distributed
        atexit.register(lambda: open({str(tmp_path)!r} + "/rank" + os.environ["RANK"], "w").write(str(dist.is_initialized())))
        distributed.init(torch.device("cpu"))
        distributed.gather_objects(os.environ["RANK"])
    """)
    assert launch(2, [sys.executable, "-c", script]) == 0
    assert [(tmp_path / f"rank{r}").read_text() for r in (0, 1)] == ["False", "False"]
