"""Encoders, decoders and the patch discriminator. Plain `nn` modules that run on torch 1.13 and 2.x alike.

Shapes are written for the `cpu128` preset (128 px out, encoder reads 64 px, latent 128); other sizes scale the same
way.
"""
from __future__ import annotations


import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import Config


class Encoder(nn.Module):
    """Image → (mean, log-variance) of q(z|x). One stride-2 conv per width, then a linear head."""

    def __init__(self, cfg: Config):
        super().__init__()
        layers, cin = [], 3
        for width in cfg.enc_widths:  # [N,3,64,64] → [N,32,32,32] → … → [N,256,4,4]
            layers += [nn.Conv2d(cin, width, 3, 2, 1), nn.BatchNorm2d(width), nn.LeakyReLU(0.2, inplace=True)]
            cin = width
        self.features = nn.Sequential(*layers)
        side = cfg.encoder_size >> len(cfg.enc_widths)
        self.head = nn.Linear(cin * side * side, 2 * cfg.latent_size)  # → [N, 2·128]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, logvar = self.head(self.features(x).flatten(1)).chunk(2, dim=1)
        return mean, logvar.clamp(-12.0, 8.0)


class NoiseInput(nn.Module):
    """Adds a map of per-pixel noise to every channel of a feature map, each channel with its own learned strength
    (StyleGAN's noise inputs). The strengths start at zero: a decoder that gains them first draws what it drew."""

    def __init__(self, channels: int):
        super().__init__()
        self.strength = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return x + self.strength.reshape(1, -1, 1, 1) * noise  # [N,C,H,W] + [1,C,1,1]·[N,1,H,W]


def noise_pyramid(noise: torch.Tensor, levels: int) -> list[torch.Tensor]:
    """A full-size map of standard normals [N,1,S,S] and its 2×2 means at S/2, S/4, …: `levels` maps, smallest
    first, each rescaled to unit deviation (a mean of four unit normals has deviation ½)."""
    maps = [noise]
    for _ in range(levels - 1):
        maps.insert(0, F.avg_pool2d(maps[0], 2) * 2.0)
    return maps


class UpBlock(nn.Module):
    """One doubling: conv, BatchNorm (folded into the conv on export: free at inference), LeakyReLU (ORT's wasm fuses
    Conv+LeakyRelu).

    "upsample": nearest ×2, then a 3×3 conv: no transposed-conv checkerboard. "transposed": a 4×4 stride-2
    transposed conv. Each output pixel of either sees a 2×2 window of inputs, evenly (no checkerboard from uneven
    overlap), but nearest+3×3 spends 9 MACs per input channel and pixel on what the transposed conv computes with 4,
    and ties its weights across the four output phases."""

    def __init__(self, cin: int, cout: int, kind: str = "upsample", noisy: bool = False):
        super().__init__()
        assert kind in ("upsample", "transposed"), kind
        self.upsample = kind == "upsample"
        self.conv = nn.Conv2d(cin, cout, 3, 1, 1) if self.upsample else nn.ConvTranspose2d(cin, cout, 4, 2, 1)
        self.norm = nn.BatchNorm2d(cout)
        self.noise = NoiseInput(cout) if noisy else None

    def forward(self, x: torch.Tensor, noise: torch.Tensor | None = None) -> torch.Tensor:
        if self.upsample:
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        x = self.norm(self.conv(x))
        return F.leaky_relu(self.noise(x, noise) if self.noise else x, 0.2)

    def fold_norm(self) -> None:
        """Fold the eval-mode BatchNorm into the conv's weights, for export."""
        scale = self.norm.weight / (self.norm.running_var + self.norm.eps).sqrt()
        # output channels: Conv weights are [out, in, k, k], ConvTranspose weights [in, out, k, k]
        per_output = (-1, 1, 1, 1) if self.upsample else (1, -1, 1, 1)
        with torch.no_grad():
            self.conv.weight.mul_(scale.reshape(per_output))
            self.conv.bias.copy_((self.conv.bias - self.norm.running_mean) * scale + self.norm.bias)
        self.norm = nn.Identity()

    def to_transposed(self) -> None:
        """Become the same function drawn as a 4×4 stride-2 transposed conv, at 4/9 of the MACs, for export (eval
        mode; folds the BatchNorm). Nearest ×2 then a 3×3 conv gives each output phase a 2×2 window of inputs, whose
        weights are sums of the 3×3's taps: along each axis, output 2i reads input i−1 with w[0] and i with w[1] + w[2];
        output 2i+1 reads i with w[0] + w[1] and i+1 with w[2]. The transposed conv's tap k serves output 2i − 1 + k."""
        assert self.upsample, "already a transposed conv"
        self.fold_norm()
        w3 = self.conv.weight.double()  # [out, in, 3, 3]
        taps = torch.tensor([[0, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 0]], dtype=torch.float64)  # [4, 3]
        conv = nn.ConvTranspose2d(self.conv.in_channels, self.conv.out_channels, 4, 2, 1)
        with torch.no_grad():
            conv.weight.copy_(torch.einsum("ka,oiab,lb->iokl", taps, w3, taps).float())  # [in, out, 4, 4]
            conv.bias.copy_(self.conv.bias)
        self.conv, self.upsample = conv, False


class SubPixelHead(nn.Module):
    """The last doubling, drawn at full resolution for a quarter of the cost (ESPCN's sub-pixel convolution): a 3×3
    conv at the trunk's size makes 4·C channels, DepthToSpace rearranges them into C channels at twice the size, and a
    3×3 conv there turns them into RGB. The full-size conv is what lets neighbouring output pixels differ in ways
    nearest-neighbour upsampling cannot: hair strands, eyelashes, skin texture."""

    def __init__(self, cin: int, width: int, noisy: bool = False):
        super().__init__()
        self.expand = nn.Conv2d(cin, 4 * width, 3, 1, 1)  # [N,16,64,64] → [N,4·C,64,64]
        self.shuffle = nn.PixelShuffle(2)  # → [N,C,128,128]
        self.noise = NoiseInput(width) if noisy else None
        self.to_rgb = nn.Conv2d(width, 3, 3, 1, 1)  # → [N,3,128,128]

    def forward(self, x: torch.Tensor, noise: torch.Tensor | None = None) -> torch.Tensor:
        x = self.shuffle(self.expand(x))
        return self.to_rgb(F.leaky_relu(self.noise(x, noise) if self.noise else x, 0.2))


class Decoder(nn.Module):
    """z → image in [-1, 1]. A linear stem to a small grid (4×4 by default), then one UpBlock (`dec_block`) per
    doubling, then either a 3×3 conv to RGB or, with `dec_head`, a sub-pixel head that doubles once more.

    The stem is the only layer that knows where in the frame it is (the convs are translation-equivariant), which
    aligned faces reward: a larger stem grid (`dec_stem`) buys position-specific detail for parameters, not MACs.

    With `dec_noise`, the input is the latent followed by image_size² standard normals, a row-major map of noise that
    the last three doublings add to their features (at a quarter, half and full size): skin, hair and eyelashes are
    detail that 128 numbers cannot carry, so the decoder has to draw it from somewhere. The served graph takes the
    noise as input, so the seed fixes it; given only the latent (training), the decoder draws it itself."""

    NOISE_LEVELS = 3

    def __init__(self, cfg: Config):
        super().__init__()
        widths, side = cfg.dec_widths, cfg.dec_stem
        trunk_size = cfg.image_size // 2 if cfg.dec_head else cfg.image_size
        assert side << (len(widths) - 1) == trunk_size, \
            "dec_widths needs one entry per size from dec_stem px to image_size (to half of it with dec_head)"
        self.latent_size, self.image_size = cfg.latent_size, cfg.image_size
        self.doublings = len(widths) - 1 + bool(cfg.dec_head)
        self.noise_levels = self.NOISE_LEVELS if cfg.dec_noise else 0
        assert self.noise_levels <= self.doublings, "dec_noise needs a stem of at most 1/8 of image_size"
        noisy = range(self.doublings - self.noise_levels, self.doublings)  # which doublings add noise
        self.stem_shape = (widths[0], side, side)
        self.stem = nn.Linear(cfg.latent_size, widths[0] * side * side)  # [N,D] → [N,C·side·side]
        self.blocks = nn.Sequential(*(UpBlock(a, b, cfg.dec_block, i in noisy)
                                      for i, (a, b) in enumerate(zip(widths, widths[1:]))))  # → [N,16,64,64]
        # → [N,3,128,128] with the head, [N,3,64,64] without
        self.to_rgb = (SubPixelHead(widths[-1], cfg.dec_head, self.doublings - 1 in noisy) if cfg.dec_head
                       else nn.Conv2d(widths[-1], 3, 3, 1, 1))

    def noise_maps(self, z: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor | None]]:
        """Input [N,D] or [N,D+S²] → the latent [N,D] and one noise map (or None) per doubling."""
        if not self.noise_levels:
            return z, [None] * self.doublings
        side = self.image_size
        if z.shape[1] == self.latent_size:
            noise = torch.randn(z.shape[0], 1, side, side, device=z.device, dtype=z.dtype)
        else:
            z, noise = z[:, : self.latent_size], z[:, self.latent_size:].reshape(-1, 1, side, side)
        return z, [None] * (self.doublings - self.noise_levels) + noise_pyramid(noise, self.noise_levels)

    def last_weight(self) -> torch.Tensor:
        """The weight that draws the output pixels, where the adaptive adversarial weight compares gradients."""
        return (self.to_rgb.to_rgb if isinstance(self.to_rgb, SubPixelHead) else self.to_rgb).weight

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        z, maps = self.noise_maps(z)
        x = F.leaky_relu(self.stem(z).reshape(-1, *self.stem_shape), 0.2)
        if self.noise_levels:
            for block, noise in zip(self.blocks, maps):
                x = block(x, noise)
        else:  # one call, as every model without noise was exported: re-exports keep the graph's node names, and bytes
            x = self.blocks(x)
        return torch.tanh(self.to_rgb(x, maps[-1]) if isinstance(self.to_rgb, SubPixelHead) else self.to_rgb(x))


class ArticleEncoder(nn.Module):
    """The reference article's encoder: three stride-2 convs (32/64/128) and a linear layer to the latent."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.features = nn.Sequential(  # [N,3,64,64] → [N,32,32,32] → [N,64,16,16] → [N,128,8,8]
            nn.Conv2d(3, 32, 3, 2, 1), nn.ReLU(inplace=True),
            nn.Conv2d(32, 64, 3, 2, 1), nn.ReLU(inplace=True),
            nn.Conv2d(64, 128, 3, 2, 1), nn.ReLU(inplace=True),
        )
        side = cfg.encoder_size // 8
        self.head = nn.Linear(128 * side * side, cfg.latent_size)  # → [N,128]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean = self.head(self.features(x).flatten(1))
        return mean, torch.zeros_like(mean)  # a deterministic encoder: q(z|x) is a point


class ArticleDecoder(nn.Module):
    """The reference article's decoder: linear to 128×8×8, then mirrored stride-2 transposed convs and Tanh."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.side = cfg.image_size // 8
        self.stem = nn.Linear(cfg.latent_size, 128 * self.side * self.side)  # [N,128] → [N,128·8·8]
        self.body = nn.Sequential(  # → [N,64,16,16] → [N,32,32,32] → [N,3,64,64]
            nn.ConvTranspose2d(128, 64, 3, 2, 1, output_padding=1), nn.ReLU(inplace=True),
            nn.ConvTranspose2d(64, 32, 3, 2, 1, output_padding=1), nn.ReLU(inplace=True),
            nn.ConvTranspose2d(32, 3, 3, 2, 1, output_padding=1), nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.body(F.relu(self.stem(z)).reshape(-1, 128, self.side, self.side))

    def last_weight(self) -> torch.Tensor:
        return self.body[-2].weight


class PatchDiscriminator(nn.Module):
    """Spectral-norm patch critic: one real/fake logit per patch (~22 px at depth 3, ~46 px at depth 4, ~94 px, most of
    a 128-px face, at depth 5), for a hinge loss that sharpens texture. `features` also returns each stage's
    activations, for feature matching.

    `heads` > 1 also reads logits off the stages before the last (a multi-scale critic, as pix2pixHD's): at depth 5
    with 2 heads, the ~46 px patches judge texture and the ~94 px ones whether the parts belong to one face. Each
    coarser map is repeated up to the finest one's size, so every scale weighs the same in a mean over the logits."""

    def __init__(self, width: int = 16, depth: int = 3, heads: int = 1):
        super().__init__()
        if not 1 <= heads <= depth:
            raise ValueError(f"a critic of {depth} stages has 1 to {depth} logit heads, not {heads}")
        sn = nn.utils.spectral_norm
        stages, cin = [], 3
        for i in range(depth):  # [N,3,128,128] → [N,16,64,64] → [N,32,32,32] → [N,64,16,16] → [N,128,8,8] → [N,256,4,4]
            cout = width << i
            stages.append(nn.Sequential(sn(nn.Conv2d(cin, cout, 4, 2, 1)), nn.LeakyReLU(0.2)))
            cin = cout
        self.stages = nn.ModuleList(stages)
        self.logit = sn(nn.Conv2d(cin, 1, 3, 1, 1))  # the last stage's: → [N,1,8,8] at depth 4
        # the earlier stages' heads, finest first (none for one head, so a one-head critic keeps its state's keys)
        self.finer_logits = nn.ModuleList(sn(nn.Conv2d(width << i, 1, 3, 1, 1)) for i in range(depth - heads, depth - 1))

    def features(self, x: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        """Each stage's activations and the patch logits, [N,heads,h,w] at the finest head's size."""
        feats = []
        for stage in self.stages:
            x = stage(x)
            feats.append(x)
        first = len(feats) - 1 - len(self.finer_logits)
        maps = [head(f) for head, f in zip(self.finer_logits, feats[first:])] + [self.logit(x)]
        size = maps[0].shape[-2:]
        return feats, torch.cat([F.interpolate(m, size=size, mode="nearest") for m in maps], 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)[1]


class AutoEncoder(nn.Module):
    """Encoder + decoder pair; `variational` decides whether training samples z or uses the mean.

    The encoder may read a smaller copy of the face than the decoder draws (`enc_size`): 128 numbers cannot carry
    128-px detail anyway, and at 64 px the encoder costs a quarter."""

    def __init__(self, cfg: Config):
        super().__init__()
        article = cfg.arch == "article"
        self.encoder = ArticleEncoder(cfg) if article else Encoder(cfg)
        self.decoder = ArticleDecoder(cfg) if article else Decoder(cfg)
        self.variational = cfg.variational
        self.shrink = cfg.image_size // cfg.encoder_size

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """q(z|x) of full-size faces [N,3,H,W] in [-1, 1]: (mean, log-variance), each [N,D]."""
        return self.encoder(F.avg_pool2d(x, self.shrink) if self.shrink > 1 else x)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mean, logvar = self.encode(x)
        z = mean + torch.randn_like(mean) * (0.5 * logvar).exp() if self.variational and self.training else mean
        return self.decoder(z), mean, logvar


def load_widened(module: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Load a trained network's `state` into `module`, the same network with more channels in some layers (Net2Net's
    function-preserving widening, in its zero form). Each grown tensor keeps the trained values in its leading slice.
    Its entries that read the new channels (dim 1 of a conv or linear weight) start at zero, so the wider network
    draws exactly what the trained one drew; the new channels' own weights, biases and BatchNorm entries (dim 0) keep
    their fresh init, so that they learn once their readers move off zero (with both at zero, neither would).
    A sub-pixel head grows the same way: DepthToSpace draws output channel c from its input channels 4c … 4c+3, so
    the trained channels stay in the leading slice there too."""
    own = {k: v.clone() for k, v in module.state_dict().items()}  # the fresh init, to be overwritten where trained
    if set(own) != set(state):
        raise ValueError("not the same network: the layers differ, not only their widths")
    for name, trained in state.items():
        target = own[name]
        if target.dim() != trained.dim() or any(t < s for t, s in zip(target.shape, trained.shape)):
            raise ValueError(f"{name}: {tuple(trained.shape)} does not fit in {tuple(target.shape)}")
        if target.dim() > 1:
            target[:, trained.shape[1]:] = 0.0  # [out, in, …]: what the new input channels feed in
        target[tuple(slice(0, n) for n in trained.shape)] = trained
    module.load_state_dict(own)


def count_macs(module: nn.Module, example: torch.Tensor) -> int:
    """Multiply-accumulates of one forward pass on `example` (convs, transposed convs and linears)."""
    total = 0

    def conv_hook(m, inputs, output):
        nonlocal total
        kernel = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        # a transposed conv does its kernel work per *input* position and output channel
        positions = inputs[0][0, 0].numel() if isinstance(m, nn.ConvTranspose2d) else output[0, 0].numel()
        total += positions * kernel * m.out_channels

    def linear_hook(m, inputs, output):
        nonlocal total
        total += m.in_features * m.out_features

    hooks = [m.register_forward_hook(conv_hook) for m in module.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    hooks += [m.register_forward_hook(linear_hook) for m in module.modules() if isinstance(m, nn.Linear)]
    with torch.no_grad():
        module(example[:1])
    for h in hooks:
        h.remove()
    return total


def count_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def kl_divergence(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(q(z|x) || N(0, I)) summed over latent dims, averaged over the batch."""
    return 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=1).mean()


