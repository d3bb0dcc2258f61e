import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnalysisCache } from '../../eval/analysis-cache';
import type { FaceAnalysis } from '../../eval/faces';

describe('AnalysisCache', () => {
  const analysis: FaceAnalysis = { faces: 1, score: 0.875, embedding: Float32Array.from([0.25, -1, 3.5]), age: 28.7, gender: 'female', genderScore: 0.62 };

  it('gives back, in a new process, exactly what was stored, per settings key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'analysis-cache-'));
    new AnalysisCache(dir, 'settings A').set('h1', analysis);
    expect(new AnalysisCache(dir, 'settings A').get('h1')).toEqual(analysis);
    expect(new AnalysisCache(dir, 'settings B').get('h1')).toBeUndefined();
  });

  it('reads an old line whose described face has no age as 0 years, skips a cut-off line, and keeps no-face lines', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'analysis-cache-'));
    const cache = new AnalysisCache(dir, 'settings');
    const embedding = Buffer.from(Float32Array.from([1, 2]).buffer).toString('base64');
    appendFileSync(cache.file, `${JSON.stringify({ hash: 'baby', faces: 1, score: 0.9, age: null, gender: 'male', genderScore: 0.3, embedding })}\n`);
    appendFileSync(cache.file, `${JSON.stringify({ hash: 'none', faces: 0, score: 0, age: null, gender: null, embedding: null })}\n{"hash":"cut`);
    const reread = new AnalysisCache(dir, 'settings');
    expect(reread.get('baby')).toMatchObject({ faces: 1, age: 0, embedding: Float32Array.from([1, 2]) });
    expect(reread.get('none')).toEqual({ faces: 0, score: 0, age: null, gender: null, genderScore: null, embedding: null });
    expect(reread.get('cut')).toBeUndefined();
  });
});
