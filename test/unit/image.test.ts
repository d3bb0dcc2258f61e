import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planesToRgba, resampleTaps } from '../../src/runtime/image';

const planes = (src: number, value: (c: number, x: number, y: number) => number) => {
  const p = new Float32Array(3 * src * src);
  for (let c = 0; c < 3; c++) for (let y = 0; y < src; y++) for (let x = 0; x < src; x++) p[c * src * src + y * src + x] = value(c, x, y);
  return p;
};

describe('resampling', () => {
  it('weights of every output sample sum to 1, so flat images stay flat at any size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 96 }), fc.integer({ min: 1, max: 600 }), (src, dst) => {
        const { count, weights } = resampleTaps(src, dst);
        for (let i = 0; i < dst; i++) {
          let sum = 0;
          for (let k = 0; k < count; k++) sum += weights[i * count + k];
          expect(sum).toBeCloseTo(1, 5);
        }
      }),
    );
  });

  it('downscaling by an integer factor averages blocks (area averaging, not sampling)', () => {
    // A 1-pixel checkerboard: nearest or bilinear sampling would give black or white; area averaging gives grey.
    const out = planesToRgba(planes(64, (_, x, y) => ((x + y) % 2 ? 1 : -1)), 64, { size: 16, valueRange: [-1, 1] });
    for (let i = 0; i < 16 * 16; i++) expect(Math.abs(out[i * 4] - 127.5)).toBeLessThanOrEqual(0.5);
  });

  it('upscaling is smooth: a step edge passes through intermediate values (not nearest neighbour)', () => {
    const out = planesToRgba(planes(8, (_, x) => (x < 4 ? -1 : 1)), 8, { size: 64, valueRange: [-1, 1] });
    const row = Array.from({ length: 64 }, (_, x) => out[(10 * 64 + x) * 4]);
    expect(row.filter((v) => v > 10 && v < 245).length).toBeGreaterThanOrEqual(4);
    expect(row[0]).toBe(0);
    expect(row[63]).toBe(255);
  });

  it('maps valueRange to 0–255 and clamps values outside it', () => {
    const out = planesToRgba(planes(4, (c) => [-2, 0, 3][c]), 4, { size: 4, valueRange: [-1, 1] });
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 128, 255, 255]);
  });
});
