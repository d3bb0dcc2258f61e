import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { symmetricEigenvalues } from '../../eval/eigen';
import { frechetDistance } from '../../eval/frechet';

/** Deterministic standard normals (LCG + Box–Muller), so the tests never flake. */
function normals(seed: number): () => number {
  let state = seed;
  const uniform = () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function sample(count: number, dim: number, seed: number, mean = 0): Float32Array[] {
  const next = normals(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: dim }, () => mean + next()));
}

describe('symmetricEigenvalues', () => {
  it('solves a 2x2 case exactly', () => {
    const values = [...symmetricEigenvalues(Float64Array.from([2, 1, 1, 2]), 2)].sort();
    expect(values[0]).toBeCloseTo(1, 12);
    expect(values[1]).toBeCloseTo(3, 12);
  });

  it('keeps the trace and the Frobenius norm of a random matrix', () => {
    const n = 60, next = normals(3), a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = next();
    const values = symmetricEigenvalues(a, n);
    let trace = 0, frobenius = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i];
    for (const v of a) frobenius += v * v;
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 9);
    expect(values.reduce((s, v) => s + v * v, 0)).toBeCloseTo(frobenius, 8);
  });

  it('converges on a huge cluster of rounding-noise eigenvalues', () => {
    // The tridiagonal form of the Gram matrix of 938 faceres embeddings from a low-diversity test decoder
    // (faces derived from the public-domain astronaut photo), 4 significant digits. QL with a purely local
    // deflation test stalled on it forever.
    const { d, e } = JSON.parse(readFileSync(join(import.meta.dirname, 'eigen-stall.json'), 'utf8')) as { d: number[]; e: number[] };
    const n = d.length, matrix = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      matrix[i * n + i] = d[i];
      if (i > 0) matrix[i * n + i - 1] = matrix[(i - 1) * n + i] = e[i];
    }
    const values = symmetricEigenvalues(matrix, n);
    const trace = d.reduce((s, v) => s + v, 0);
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 0);
    expect(values.every(Number.isFinite)).toBe(true);
  }, 120_000);
});

describe('frechetDistance', () => {
  it('is ~0 between a set and itself, also with fewer samples than dimensions', () => {
    expect(frechetDistance(sample(50, 8, 1), sample(50, 8, 1))).toBeLessThan(1e-9);
    const wide = sample(20, 64, 2);
    expect(frechetDistance(wide, wide)).toBeLessThan(1e-9);
  });

  it('matches the closed form in one dimension', () => {
    // Means 1 and 3, unbiased variances 2 and 8: (1-3)² + 2 + 8 - 2·√16 = 6.
    expect(frechetDistance([[0], [2]], [[1], [5]])).toBeCloseTo(6, 12);
  });

  it('grows with a shift of the mean, by ‖shift‖²', () => {
    const base = sample(200, 6, 4);
    const shifted = (by: number) => base.map((v) => v.map((x) => x + by));
    const distances = [0.5, 1, 2].map((by) => frechetDistance(base, shifted(by)));
    expect(distances[0]).toBeCloseTo(6 * 0.25, 6);
    expect(distances[1]).toBeCloseTo(6, 6);
    expect(distances[2]).toBeCloseTo(24, 6);
  });

  it('is symmetric and positive between independent samples of one distribution', () => {
    const x = sample(100, 10, 5), y = sample(80, 10, 6);
    const d = frechetDistance(x, y);
    expect(d).toBeGreaterThan(0);
    expect(frechetDistance(y, x)).toBeCloseTo(d, 9);
    expect(d).toBeLessThan(frechetDistance(x, sample(80, 10, 6, 1)));
  });

  it('rejects sets that are too small or of different dimension', () => {
    expect(() => frechetDistance([[1]], [[1], [2]])).toThrow();
    expect(() => frechetDistance([[1], [2]], [[1, 2], [3, 4]])).toThrow();
  });
});
