"""The reference degradations: what each keeps and what it takes away, and their graphs' contract."""
import onnx
import torch

from seedface_train.degrade import GaussianBlur, LowResolution, references, write_references


def test_a_blur_keeps_flat_colour_and_the_mean_and_takes_away_fine_detail():
    flat = torch.full((1, 3, 16, 16), 0.25)
    assert torch.allclose(GaussianBlur(1.0)(flat), flat)
    stripes = torch.tensor([1.0, -1.0]).repeat(8).expand(1, 3, 16, 16)  # the finest detail there is
    blurred = GaussianBlur(1.0)(stripes)
    assert blurred.shape == stripes.shape
    assert blurred[..., 4:-4].abs().max() < 0.05  # away from the replicated edges, the stripes are gone


def test_a_lower_resolution_keeps_the_mean_and_loses_detail_finer_than_its_pixels():
    coarse = torch.randn(1, 3, 4, 4).repeat_interleave(4, 2).repeat_interleave(4, 3)  # [1, 3, 16, 16], 4 px blocks
    assert torch.allclose(LowResolution(4)(coarse).mean(), coarse.mean())
    fine = torch.tensor([1.0, -1.0]).repeat(8).expand(1, 3, 16, 16)
    assert LowResolution(2)(fine).abs().max() < 1e-6  # 2 px stripes average out at half the side


def test_the_graphs_take_faces_of_the_size_asked(tmp_path):
    paths = write_references(tmp_path, 32)
    assert [p.stem for p in paths] == list(references(32)) == ["photo", "blur1", "blur2", "at16", "at8"]
    for path in paths:
        graph = onnx.load(str(path)).graph
        shape = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
        assert (graph.input[0].name, graph.output[0].name) == ("image", "recon")
        assert shape(graph.input[0]) == ["batch", 3, 32, 32]  # the output's side is read at run time (eval)
