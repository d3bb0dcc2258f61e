"""fp16 and int8 weight-only variants of an exported decoder, written with the onnx Python API alone.

The default is chosen by measurement: the smallest variant whose fidelity to fp32 is at least 40 dB PSNR (64 fixed
draws, on the 0–255 pixel scale) and whose onnxruntime-web (WASM, 1 thread) decode is within 10 % of fp32's. Every
cold isolate downloads the model, so size is a budget too: when that pick is over 1.5 MB, the smallest faithful
variant wins instead. (The decoder sessions fold int8 weights to float32 at load, so int8 costs load time, not decode
time: without that, model 3's int8 decoded in 2.55 ms against fp32's 2.23 in this module's timing.)
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .ort import ort_run

MIN_PSNR_DB = 40.0
MAX_SLOWDOWN = 1.10
MAX_BYTES = 1_500_000


def _prepend(graph: onnx.GraphProto, nodes: list[onnx.NodeProto]) -> None:
    existing = list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes + existing)


def to_fp16_weights(model: onnx.ModelProto) -> onnx.ModelProto:
    """Store every float32 initializer as float16 behind a Cast: half the bytes; ORT folds the Cast at load."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph, casts, kept = model.graph, [], []
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT:
            kept.append(init)
            continue
        half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), f"{init.name}.fp16")
        kept.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    _prepend(graph, casts)
    return model


def to_int8_weights(model: onnx.ModelProto) -> onnx.ModelProto:
    """Conv, ConvTranspose and Gemm weights as per-output-channel symmetric int8 + DequantizeLinear; biases stay
    float32."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    # the output-channel axis of each weight: Conv [out, in, k, k], Gemm rows (transB), ConvTranspose [in, out, k, k]
    weight_axis = {node.input[1]: int(node.op_type == "ConvTranspose")
                   for node in graph.node if node.op_type in ("Conv", "ConvTranspose", "Gemm")}
    kept, dequant = [], []
    for init in graph.initializer:
        if init.name not in weight_axis or init.data_type != TensorProto.FLOAT:
            kept.append(init)
            continue
        axis = weight_axis[init.name]
        w = numpy_helper.to_array(init)
        scale = np.abs(np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)).max(axis=1) / 127.0
        scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
        q = np.clip(np.round(w / scale.reshape([-1 if d == axis else 1 for d in range(w.ndim)])), -127, 127).astype(np.int8)
        kept += [numpy_helper.from_array(q, f"{init.name}.q"), numpy_helper.from_array(scale, f"{init.name}.scale"),
                 numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), f"{init.name}.zero")]
        dequant.append(helper.make_node("DequantizeLinear", [f"{init.name}.q", f"{init.name}.scale", f"{init.name}.zero"],
                                        [init.name], axis=axis))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    _prepend(graph, dequant)
    return model


def psnr(reference: np.ndarray, other: np.ndarray) -> float:
    """PSNR in dB on the 0–255 scale of two [-1, 1] image batches."""
    mse = max(float(np.mean(((reference - other) * 127.5) ** 2)), 1e-12)  # identical outputs: a finite 168 dB
    return 10.0 * np.log10(255.0 ** 2 / mse)


def choose(variants: dict[str, dict]) -> str:
    """The smallest variant that keeps fidelity and speed, unless it is over the size budget (see module doc)."""
    base = variants["fp32"]["web_ms_batch1"]
    faithful = [name for name, v in variants.items() if v["psnr_db_vs_fp32"] >= MIN_PSNR_DB]
    fast = [name for name in faithful if variants[name]["web_ms_batch1"] <= MAX_SLOWDOWN * base]
    def size(name: str) -> int:
        return variants[name]["bytes"]
    pick = min(fast, key=size)
    return pick if size(pick) <= MAX_BYTES else min(faithful, key=size)


def quantize_run(run: str | Path, repeat: int = 50) -> dict:
    """Write `decoder.fp16.onnx` and `decoder.int8.onnx` beside `decoder.fp32.onnx`; report in `quantize.json`."""
    run = Path(run)
    fp32 = run / "decoder.fp32.onnx"
    model = onnx.load(str(fp32))
    for name, convert in (("fp16", to_fp16_weights), ("int8", to_int8_weights)):
        variant = convert(model)
        onnx.checker.check_model(variant)
        onnx.save(variant, str(run / f"decoder.{name}.onnx"))
    dim = model.graph.input[0].type.tensor_type.shape.dim[1].dim_value
    z = np.random.default_rng(7).standard_normal((64, dim)).astype(np.float32)
    reference, _ = ort_run(fp32, z)
    variants = {}
    for name in ("fp32", "fp16", "int8"):
        path = run / f"decoder.{name}.onnx"
        out, _ = ort_run(path, z)
        _, timing = ort_run(path, z[:1], backend="wasm", repeat=repeat)
        _, timing8 = ort_run(path, z[:8], backend="wasm", repeat=max(5, repeat // 5))
        # the fastest of the timed runs: on a shared machine the median mostly measures the neighbours
        variants[name] = {"file": str(path), "bytes": path.stat().st_size, "psnr_db_vs_fp32": round(psnr(reference, out), 2),
                          "web_ms_batch1": round(timing["min_ms"], 3), "web_ms_batch8": round(timing8["min_ms"], 3)}
    report = {"variants": variants, "default": choose(variants),
              "rule": f"smallest with PSNR >= {MIN_PSNR_DB} dB vs fp32 and onnxruntime-web time <= {MAX_SLOWDOWN}x fp32;"
                      f" if that is over {MAX_BYTES} bytes, the smallest with PSNR >= {MIN_PSNR_DB} dB"}
    (run / "quantize.json").write_text(json.dumps(report, indent=2))
    return report
