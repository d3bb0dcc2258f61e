"""Command line: `python -m seedface_train {prepare,train,keep,snapshot,prior,attributes,export,quantize,publish,degrade,age-probe} …`. Each step says what it wrote."""
from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="seedface_train", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("prepare", help="faces (tar shards, folder or CelebA layout) → compact pack")
    p.add_argument("--data", required=True, help="source folder")
    p.add_argument("--out", default="train/.cache/faces64.npz")
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--quality", type=int, default=95)
    p.add_argument("--format", default="jpeg", choices=["jpeg", "webp"], help="webp: half the size, to carry to a GPU")
    p.add_argument("--limit", type=int, default=0, help="stop after this many images (0: all)")

    p = sub.add_parser("train", help="train a model from a pack (prepares one first if --data is a folder)")
    p.add_argument("--preset", default="cpu")
    p.add_argument("--data", default="train/.cache/faces64.npz", help="a pack, or a source folder to prepare")
    p.add_argument("--out", default=None, help="run folder (default train/runs/<preset>)")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="config overrides")
    p.add_argument("--no-resume", action="store_true")
    p.add_argument("--labels", default=None, help="the data set's index.csv, for age_balance")
    p.add_argument("--nproc", type=int, default=1,
                   help="data-parallel processes on this machine (gloo); under torchrun, leave at 1")
    p.add_argument("--keep", nargs="?", const="", default=None, metavar="PATH",
                   help="also write the run's compact state at every checkpoint to PATH (default "
                        "train/checkpoints/<run>.pt), to commit: a run resumes from it when its folder has no "
                        "checkpoint (a fresh clone), and goes on writing it")
    p.add_argument("--init-from", default=None,
                   help="start from a published model's training weights (models/*.train.pt) or a kept state")

    p = sub.add_parser("keep", help="a run's last checkpoint → its compact, tracked state train/checkpoints/<run>.pt")
    p.add_argument("--run", required=True)
    p.add_argument("--out", default=None)

    p = sub.add_parser("snapshot", help="a run in progress → a run folder of its last checkpoint, for prior/export/eval")
    p.add_argument("--run", required=True)
    p.add_argument("--out", required=True)

    p = sub.add_parser("prior", help="fit the latent density of a trained run")
    p.add_argument("--run", required=True)
    p.add_argument("--data", default="train/.cache/faces64.npz")
    p.add_argument("--flow-layers", type=int, default=None,
                   help="coupling layers after the Gaussian (default 8; 0: the Gaussian alone)")
    p.add_argument("--flow-hidden", type=int, default=None, help="width of each coupling's MLP (default 96)")

    p = sub.add_parser("attributes", help="attribute directions from dataset labels (after prior)")
    p.add_argument("--run", required=True)
    p.add_argument("--labels", required=True, help="index.csv with a key column and CelebA/UTKFace labels")

    p = sub.add_parser("export", help="decoder with the prior folded in → ONNX (fp32), checked against torch")
    p.add_argument("--run", required=True)
    p.add_argument("--transposed", action="store_true",
                   help="draw the nearest-upsample + 3x3 doublings as the equal 4x4 stride-2 transposed convs "
                        "(the same faces up to rounding, 4/9 of their MACs); off keeps a re-export's bytes")

    p = sub.add_parser("quantize", help="fp16 and int8 weight-only variants of the exported ONNX, with PSNR")
    p.add_argument("--run", required=True)

    p = sub.add_parser("publish", help="copy a run's chosen ONNX into models/ and update models/manifest.json")
    p.add_argument("--run", required=True)
    p.add_argument("--variant", default=None, help="fp32, fp16 or int8 (default: the one quantize recommended)")
    p.add_argument("--name", default="seedface-ae64")
    p.add_argument("--version", required=True)
    p.add_argument("--models", default="models")
    p.add_argument("--no-current", action="store_true", help="add the entry without making it the default")
    p.add_argument("--eval", default=None, help="report.json of `npm run eval` on this model, for the manifest")
    p.add_argument("--baseline-eval", default=None, help="report.json of the article-ae baseline at the same n")
    p.add_argument("--dataset", default=None, help="what the run was trained on (default: the shared CelebA/UTKFace set)")
    p.add_argument("--license", default=None, help="the weights' licence (default: CelebA/UTKFace's non-commercial terms)")

    p = sub.add_parser("degrade", help="reference autoencoders (the photo, blurred, at lower resolution) → ONNX, "
                                       "for `npm run eval:age-cues`")
    p.add_argument("--out", required=True)
    p.add_argument("--size", type=int, default=128)

    p = sub.add_parser("age-probe", help="how much age a run's latent carries: a linear probe, train → val split")
    p.add_argument("--run", required=True)
    p.add_argument("--data", required=True, help="the pack the run was trained on")
    p.add_argument("--labels", required=True, help="the data set's index.csv (UTKFace ages and genders)")

    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # busy-waiting OpenMP threads starve a shared 2-core box

    if args.command == "prepare":
        from .data import prepare
        print(json.dumps(prepare(args.data, args.out, args.size, args.quality, args.limit, args.format), indent=2))
    elif args.command == "train":
        from pathlib import Path
        from .config import make_config
        from .data import prepare
        from .train import Trainer
        cfg = make_config(args.preset, args.set)
        pack = args.data
        if Path(pack).is_dir():
            pack = f"train/.cache/{Path(pack).name}{cfg.image_size}.npz"
            if not Path(pack).exists():
                print(json.dumps(prepare(args.data, pack, cfg.image_size), indent=2))
        if args.nproc > 1 and "WORLD_SIZE" not in os.environ:  # the launcher; its children see WORLD_SIZE
            from .distributed import launch
            command = [sys.executable, "-m", "seedface_train", *(argv if argv is not None else sys.argv[1:])]
            raise SystemExit(launch(args.nproc, command))
        from .checkpoints import kept_path
        out = args.out or f"train/runs/{args.preset}"
        kept = Path(args.keep) if args.keep else kept_path(out)
        # a run with a kept state goes on keeping it, whether or not this launch says --keep
        Trainer(cfg, pack, out, args.labels, kept=kept if args.keep is not None or kept.exists() else None,
                init_from=args.init_from).fit(resume=not args.no_resume)
    elif args.command == "keep":
        from .checkpoints import keep_run
        print(json.dumps(keep_run(args.run, args.out), indent=2))
    elif args.command == "snapshot":
        from .runs import snapshot_run
        print(json.dumps(snapshot_run(args.run, args.out), indent=2))
    elif args.command == "prior":
        from .prior import fit_run_prior
        print(json.dumps(fit_run_prior(args.run, args.data, args.flow_layers, args.flow_hidden), indent=2))
    elif args.command == "attributes":
        from .attributes import fit_run_attributes
        print(json.dumps(fit_run_attributes(args.run, args.labels), indent=2))
    elif args.command == "export":
        from .export import export_run
        print(json.dumps(export_run(args.run, args.transposed), indent=2))
    elif args.command == "quantize":
        from .quantize import quantize_run
        print(json.dumps(quantize_run(args.run), indent=2))
    elif args.command == "publish":
        from .manifest import publish
        print(json.dumps(publish(args.run, args.models, args.name, args.version, args.variant, not args.no_current,
                                 args.eval, args.baseline_eval, args.dataset, args.license),
                         indent=2))
    elif args.command == "degrade":
        from .degrade import write_references
        print(json.dumps([str(p) for p in write_references(args.out, args.size)], indent=2))
    elif args.command == "age-probe":
        from .age_probe import probe_run
        print(json.dumps(probe_run(args.run, args.data, args.labels), indent=2))


if __name__ == "__main__":
    main()
