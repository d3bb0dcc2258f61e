"""Single-convolution ONNX graphs for `npm run bench:wasm -- --quick --model …` (docs/wasm-efficiency-notes.md):
how the wasm build's convolution throughput depends on channel counts and size, and whether a nearest 2x upsample +
3x3 conv (the decoders' block) runs faster as the equivalent stride-2 4x4 ConvTranspose (2.25x fewer MACs).

Each graph takes `z` [N, C*H*W] (what bench:wasm feeds: a latent of that size) and reshapes it to [N, C, H, W].
Usage: /usr/bin/python3 bench/conv-shapes.py OUT_DIR
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# (name, input channels, output channels, input size, block): block = upsample 2x then conv, or the ConvTranspose form
SHAPES = [
    ("conv16to3_64", 16, 3, 64, None), ("conv16to4_64", 16, 4, 64, None), ("conv16to8_64", 16, 8, 64, None),
    ("conv16to16_64", 16, 16, 64, None), ("conv32to16_32", 32, 16, 32, None), ("conv128to32_16", 128, 32, 16, None),
    ("conv4to3_128", 4, 3, 128, None), ("conv8to8_128", 8, 8, 128, None),
    ("up_conv16to16_32", 16, 16, 32, "upsample"), ("convT16to16_32", 16, 16, 32, "transpose"),
]


def transpose_kernel(w: np.ndarray) -> np.ndarray:
    """The 4x4 stride-2 ConvTranspose kernel [Cin, Cout, 4, 4] equal to nearest 2x upsampling then the 3x3 conv `w`
    [Cout, Cin, 3, 3] (pad 1): per axis, taps [w2, w1 + w2, w0 + w1, w0]."""
    taps = np.array([[0, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 0]], dtype=np.float32)  # 4 x 3
    return np.einsum("ai,bj,oxij->xoab", taps, taps, w).astype(np.float32)


def graph(name: str, cin: int, cout: int, size: int, block: str | None) -> onnx.ModelProto:
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((cout, cin, 3, 3)) / np.sqrt(9 * cin)).astype(np.float32)
    inits = [numpy_helper.from_array(np.array([-1, cin, size, size], dtype=np.int64), "shape"),
             numpy_helper.from_array(np.zeros(cout, dtype=np.float32), "b")]
    nodes = [helper.make_node("Reshape", ["z", "shape"], ["x"])]
    if block == "transpose":
        inits.append(numpy_helper.from_array(transpose_kernel(w), "w"))
        nodes.append(helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], kernel_shape=[4, 4], strides=[2, 2], pads=[1, 1, 1, 1]))
    else:
        inits.append(numpy_helper.from_array(w, "w"))
        if block == "upsample":
            inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "scales"))
            nodes.append(helper.make_node("Resize", ["x", "", "scales"], ["u"], mode="nearest"))
        nodes.append(helper.make_node("Conv", ["u" if block else "x", "w", "b"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["batch", cin * size * size])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", cout, 2 * size if block else size, 2 * size if block else size])], inits)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for shape in SHAPES:
        onnx.save(graph(*shape), out / f"{shape[0]}.onnx")
        print(out / f"{shape[0]}.onnx")
