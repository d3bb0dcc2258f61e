/** Runs the face analyser over the generated faces and over real sets (the latter through the cache). */
import { sha256, type AnalysisCache } from './analysis-cache';
import type { FaceAnalysis, FaceAnalyzer } from './faces';
import type { GeneratedFace } from './generate';
import { decodeImage } from './image-codec';
import { centreSquare, resizeSquare, type RgbImage } from './image';
import { startProgress } from './progress';
import { readRealImages } from './realset';

/**
 * A real image as the evaluation compares it with faces served at `size`: its centred square brought to `size`²
 * by the service's resampler (area average down, bicubic up; the shared set's 128 px faces are used as they are
 * at 128).
 */
export function realFace(bytes: Uint8Array, size: number): RgbImage {
  return resizeSquare(centreSquare(decodeImage(bytes)), size);
}

/** The analysis of a real image at `size`, through the cache (keyed by the SHA-256 of its file's bytes). */
export async function analyseRealPhoto(bytes: Uint8Array, analyzer: FaceAnalyzer, size: number, cache: AnalysisCache): Promise<FaceAnalysis> {
  const hash = sha256(bytes);
  let analysis = cache.get(hash);
  if (!analysis) {
    analysis = await analyzer.analyze(realFace(bytes, size));
    cache.set(hash, analysis);
  }
  return analysis;
}

/** Analyses of the first `n` images of a real set (fewer if the set is smaller), with their ids. */
export async function analyseRealSet(
  label: string,
  sources: readonly string[],
  n: number,
  analyzer: FaceAnalyzer,
  size: number,
  cache: AnalysisCache,
): Promise<{ ids: string[]; analyses: FaceAnalysis[] }> {
  const ids: string[] = [], analyses: FaceAnalysis[] = [];
  const progress = startProgress(label, n);
  for await (const real of readRealImages(sources)) {
    if (ids.length >= n) break;
    ids.push(real.id);
    analyses.push(await analyseRealPhoto(real.bytes, analyzer, size, cache));
    progress.tick();
  }
  progress.done();
  return { ids, analyses };
}

/**
 * Analyses of the faces for seeds "0".."n-1", decoded in batches so that only one batch of images is held at a
 * time; `keep` receives every face (with its analysis) for the contact sheet.
 */
export async function analyseGenerated(
  n: number,
  generate: (seeds: readonly string[]) => Promise<GeneratedFace[]>,
  analyzer: FaceAnalyzer,
  keep: (face: GeneratedFace, analysis: FaceAnalysis) => void,
): Promise<FaceAnalysis[]> {
  const analyses: FaceAnalysis[] = [];
  const progress = startProgress('generated', n);
  const chunk = 64;
  for (let start = 0; start < n; start += chunk) {
    const seeds = Array.from({ length: Math.min(chunk, n - start) }, (_, i) => String(start + i));
    for (const face of await generate(seeds)) {
      const analysis = await analyzer.analyze(face.image);
      analyses.push(analysis);
      keep(face, analysis);
      progress.tick();
    }
  }
  progress.done();
  return analyses;
}
