"""The latent flow: invertible with the right log-determinant, the identity untrained, and a better density fitted."""
import math

import torch

from seedface_train.flow import LatentFlow, fit_flow


def _scrambled_flow(dim: int = 6) -> LatentFlow:
    flow = LatentFlow(dim, layers=3, hidden=16)
    with torch.no_grad():  # the zero-initialised last layers would make every check trivially the identity
        for p in flow.parameters():
            p.add_(0.3 * torch.randn(p.shape, generator=torch.Generator().manual_seed(p.numel())))
    return flow.double().eval()


def test_inverse_undoes_forward_with_the_jacobians_log_determinant():
    flow = _scrambled_flow()
    y = torch.randn(5, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        eps, logdet = flow.inverse(y)
        assert torch.allclose(flow(eps), y, atol=1e-9)
    for i in range(len(y)):
        jac = torch.autograd.functional.jacobian(lambda v: flow.inverse(v[None])[0][0], y[i])
        assert math.isclose(float(torch.linalg.slogdet(jac)[1]), float(logdet[i]), abs_tol=1e-8)


def test_an_untrained_flow_only_permutes_so_it_starts_as_the_gaussian():
    eps = torch.randn(4, 8, dtype=torch.float64)
    flow = LatentFlow(8, layers=2, hidden=8).double()
    with torch.no_grad():
        assert torch.equal(flow(eps).sort(dim=1).values, eps.sort(dim=1).values)
        gaussian = 0.5 * (eps ** 2).sum(dim=1).mean() + 4 * math.log(2 * math.pi)
        assert math.isclose(float(flow.nll(eps)), float(gaussian), rel_tol=1e-12)


def test_fitting_beats_the_gaussian_on_a_curved_density():
    g = torch.Generator().manual_seed(0)
    def sample(n):  # whitened, but the second coordinate is a parabola of the first: not Gaussian
        x = torch.randn(n, 4, generator=g)
        x[:, 1] = (x[:, 0] ** 2 - 1) / math.sqrt(2) + 0.1 * x[:, 1]
        return x
    _, fit = fit_flow(sample(4096), sample(1024), layers=4, hidden=32, epochs=20, batch=256, lr=3e-3)
    assert fit["val_nll_flow"] < fit["val_nll_gaussian"] - 1.0
