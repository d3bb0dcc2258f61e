import { describe, expect, it } from 'vitest';
import { createFaceAnalyzer, predictedAge } from '../../eval/faces';
import { solidImage } from '../../eval/image';
import { astronautFace } from './fixtures';

describe('face analyser (human on tfjs wasm)', () => {
  it('finds exactly one face, with a 1024-d embedding and attributes, in a real face photo', async () => {
    const analyzer = await createFaceAnalyzer({ size: 64 });
    const result = await analyzer.analyze(astronautFace(64));
    expect(result.faces).toBe(1);
    expect(result.score).toBeGreaterThan(0.5);
    expect(result.embedding).toHaveLength(1024);
    expect(result.age).toBeGreaterThan(10);
    expect(['female', 'male', 'unknown']).toContain(result.gender);
    expect(result.genderScore).toBeGreaterThanOrEqual(0);
    expect(result.genderScore).toBeLessThanOrEqual(1);
  }, 60_000);

  it('finds no face in a flat grey image', async () => {
    const analyzer = await createFaceAnalyzer({ size: 64 });
    const result = await analyzer.analyze(solidImage(64, 64, [128, 128, 128]));
    expect(result).toEqual({ faces: 0, score: 0, embedding: null, age: null, gender: null, genderScore: null });
  }, 60_000);

  it('gives the same embedding for the same image (deterministic)', async () => {
    const analyzer = await createFaceAnalyzer({ size: 64 });
    const [a, b] = [await analyzer.analyze(astronautFace(64, 5)), await analyzer.analyze(astronautFace(64, 5))];
    expect(a.embedding).toEqual(b.embedding);
  }, 60_000);
});

describe('predictedAge', () => {
  it('reads an age human dropped from a described face as 0 years, and keeps every other age as it is', () => {
    expect(predictedAge(31.4, true)).toBe(31.4);
    expect(predictedAge(undefined, true)).toBe(0); // human drops a falsy age
    expect(predictedAge(null, true)).toBe(0); // the same, from a cache line written before predictedAge
    expect(predictedAge(undefined, false)).toBeNull(); // no description, no age
    expect(predictedAge(Number.NaN, false)).toBeNull();
  });
});
