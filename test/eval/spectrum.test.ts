import { describe, expect, it } from 'vitest';
import { bandLabel, octavePowers, spectrumRatios } from '../../eval/spectrum';
import type { RgbImage } from '../../eval/image';

/** A grey image from a function of (x, y) in [0, 1]. */
function grey(size: number, f: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.fill(Math.round(255 * f(x, y)), (y * size + x) * 3, (y * size + x) * 3 + 3);
  return { width: size, height: size, data };
}

/** Uniform noise from a small LCG, so the test needs no randomness of its own. */
function noise(size: number, seed: number): RgbImage {
  let s = seed;
  return grey(size, () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32));
}

/** A 3×3 box blur of a grey image (edges clamped). */
function blur(image: RgbImage): RgbImage {
  const n = image.width, at = (x: number, y: number) => image.data[(Math.min(n - 1, Math.max(0, y)) * n + Math.min(n - 1, Math.max(0, x))) * 3] / 255;
  return grey(n, (x, y) => {
    let sum = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += at(x + dx, y + dy);
    return sum / 9;
  });
}

describe('spectrum', () => {
  it('has the issue\'s five octaves at 128 px, four at 64', () => {
    const bands = octavePowers([noise(128, 1)]);
    expect(bands.map(bandLabel)).toEqual(['1/64–1/32', '1/32–1/16', '1/16–1/8', '1/8–1/4', '1/4–1/2']);
    expect(octavePowers([noise(64, 1)]).map(bandLabel)).toEqual(['1/32–1/16', '1/16–1/8', '1/8–1/4', '1/4–1/2']);
  });

  it('puts a stripe pattern\'s power in the octave of its frequency', () => {
    const stripes = grey(128, (x) => 0.5 + 0.4 * Math.sin(2 * Math.PI * x * (12 / 128))); // 0.094 cycles/px
    const bands = octavePowers([stripes]);
    const strongest = bands.indexOf(bands.reduce((a, b) => (b.power > a.power ? b : a)));
    expect(bandLabel(bands[strongest])).toBe('1/16–1/8');
  });

  it('gives 1 for the same faces, and less in the high octaves for blurred ones', () => {
    const real = [1, 2, 3, 4].map((s) => noise(64, s));
    for (const band of spectrumRatios(real, real)) expect(band.power).toBeCloseTo(1, 10);
    const ratios = spectrumRatios(real.map(blur), real);
    expect(ratios.at(-1)!.power).toBeLessThan(0.2);
    expect(ratios.at(-1)!.power).toBeLessThan(ratios[0].power);
  });

  it('refuses sizes it cannot transform', () => {
    expect(() => octavePowers([grey(48, () => 0)])).toThrow(/power of two/);
    expect(() => octavePowers([])).toThrow(/no images/);
  });
});
