"""Data parallelism: the torchrun environment contract, a local launcher, and the few collectives training needs.

A training process reads `RANK`, `LOCAL_RANK`, `WORLD_SIZE`, `MASTER_ADDR` and `MASTER_PORT`, as `torchrun` sets them,
so the same command scales to many GPUs (nccl) elsewhere. Debian's torch 1.13 ships a `torchrun` that breaks on
Python 3.11 (its elastic agent), so `launch` starts the processes itself on this machine (gloo over loopback).
"""
from __future__ import annotations

import atexit
import os
import socket
import subprocess
import time

import torch
import torch.distributed as dist


def world() -> tuple[int, int, int]:
    """(rank, local rank, world size) of this process; (0, 0, 1) when it was started alone."""
    return int(os.environ.get("RANK", 0)), int(os.environ.get("LOCAL_RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


def init(device: torch.device) -> None:
    """Join the process group when there is more than one process: nccl on CUDA, gloo on the CPU."""
    if world()[2] > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        atexit.register(_leave)


def _leave() -> None:
    # A group still alive at interpreter shutdown lets gloo's worker threads free tensors after Python is gone, and
    # the process dies with SIGABRT ("terminate called without an active exception") however well training ended.
    if dist.is_initialized():
        dist.destroy_process_group()


def active() -> bool:
    return dist.is_available() and dist.is_initialized()


def broadcast_float(value: float, device: torch.device) -> float:
    """Rank 0's value on every rank: decisions taken on wall time (budget, checkpoints) must agree everywhere."""
    if not active():
        return value
    tensor = torch.tensor([value], dtype=torch.float64, device=device)
    dist.broadcast(tensor, 0)
    return float(tensor.item())


@torch.no_grad()
def _average(tensors: list[torch.Tensor]) -> None:
    """Average `tensors` across ranks in place, in one flat all-reduce: gloo's cost is per call more than per byte."""
    if not tensors:
        return
    flat = torch.cat([t.reshape(-1) for t in tensors])
    dist.all_reduce(flat)
    flat.div_(dist.get_world_size())
    offset = 0
    for t in tensors:
        t.copy_(flat[offset: offset + t.numel()].view_as(t))
        offset += t.numel()


def average_buffers(module: torch.nn.Module) -> None:
    """Average the floating-point buffers (BatchNorm's running statistics) across ranks: each rank updates them from
    its own batch, and the statistics of all of them are the better estimate. (SyncBatchNorm would do it inside the
    forward pass, but torch 1.13 has no CPU implementation.)"""
    if active():
        _average([b for b in module.buffers() if b.is_floating_point()])


def average_gradients(module: torch.nn.Module) -> None:
    """Average a module's gradients across ranks, as DistributedDataParallel would."""
    if active():
        _average([p.grad for p in module.parameters() if p.grad is not None])


def gather_objects(obj) -> list:
    """Every rank's `obj`, in rank order (each rank's data-loader state, for one checkpoint)."""
    if not active():
        return [obj]
    out = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(nproc: int, command: list[str]) -> int:
    """Run `command` as `nproc` processes of one group on this machine, as torchrun would; the first failure stops
    the rest. Returns the exit status (0 when every process succeeded)."""
    env = {**os.environ, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(_free_port()), "WORLD_SIZE": str(nproc)}
    procs = [subprocess.Popen(command, env={**env, "RANK": str(r), "LOCAL_RANK": str(r)}) for r in range(nproc)]
    try:
        while True:
            codes = [p.poll() for p in procs]
            failed = next((c for c in codes if c not in (None, 0)), None)
            if failed is not None or all(c == 0 for c in codes):
                return failed or 0
            time.sleep(0.5)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            p.wait()
