/**
 * Analyses of real photos and of their reconstructions through a training run's autoencoder, through the analysis
 * cache, and the reconstruction FFD: how far the decoder's reconstructions of real faces sit from real faces.
 *
 * A generated face's excess FFD has two sources: the decoder (what it draws even from a latent the encoder chose)
 * and the prior (where the served latents land). Reconstructions of the real set, compared with the same training
 * faces as the floor, measure the first alone; what the generated faces add on top is the prior's part.
 */
import { sha256, type AnalysisCache } from './analysis-cache';
import { analyseRealPhoto, realFace } from './analyse';
import type { Autoencoder } from './autoencoder';
import type { FaceAnalysis, FaceAnalyzer } from './faces';
import { frechetDistance } from './frechet';
import { detectedEmbeddings } from './metrics';
import { startProgress } from './progress';

/** A photo and its reconstruction, analysed like every other face of the evaluation. */
export interface AnalysedPair {
  original: FaceAnalysis;
  reconstruction: FaceAnalysis;
}

/**
 * Analyses of `photos` (image file bytes) and of their reconstructions at `size`. Photos share the real set's cache
 * entries (same image, same preparation); reconstructions are cached under the autoencoder's and the photo's
 * hashes, so a second run of the same autoencoder only reads the cache.
 */
export async function analysePairs(
  label: string,
  autoencoder: Autoencoder,
  photos: readonly Uint8Array[],
  analyzer: FaceAnalyzer,
  size: number,
  cache: AnalysisCache,
): Promise<AnalysedPair[]> {
  const pairs: AnalysedPair[] = [];
  const progress = startProgress(label, photos.length);
  const chunk = 16;
  for (let start = 0; start < photos.length; start += chunk) {
    const batch = photos.slice(start, start + chunk).map((bytes) => ({ bytes, reconHash: sha256(`reconstruction ${autoencoder.sha256} ${sha256(bytes)}`) }));
    const missing = batch.filter((p) => !cache.get(p.reconHash));
    const reconstructions = await autoencoder.reconstruct(missing.map((p) => realFace(p.bytes, autoencoder.inputSize)), size);
    for (const [i, p] of missing.entries()) cache.set(p.reconHash, await analyzer.analyze(reconstructions[i]));
    for (const p of batch) {
      pairs.push({ original: await analyseRealPhoto(p.bytes, analyzer, size, cache), reconstruction: cache.get(p.reconHash) as FaceAnalysis });
      progress.tick();
    }
  }
  progress.done();
  return pairs;
}

/** The reconstruction FFD figure. */
export interface ReconstructionFigures {
  /** Reconstructions of the first n real faces, and how many of them the detector found. */
  faces: number;
  detected: number;
  /** Training faces vs reconstructions, `size` of each: read it against the floor (training vs real, same size). */
  ffdVsTrain: number;
  floor: number;
  size: number;
  /** ffdVsTrain − floor: the decoder's part of a generated face's excess FFD. */
  excess: number;
}

/**
 * FFD of training faces against reconstructions of the real set, beside the floor (the same training faces against
 * the photos), on equally many faces of each so that the two figures differ only in what is compared. NaN where
 * fewer than two faces of a set were detected.
 */
export function reconstructionFigures(pairs: readonly AnalysedPair[], train: readonly FaceAnalysis[]): ReconstructionFigures {
  const trainEmb = detectedEmbeddings(train);
  const realEmb = detectedEmbeddings(pairs.map((p) => p.original));
  const reconEmb = detectedEmbeddings(pairs.map((p) => p.reconstruction));
  const size = Math.min(trainEmb.length, realEmb.length, reconEmb.length);
  const fd = (x: Float32Array[], y: Float32Array[]) => (size >= 2 ? frechetDistance(x.slice(0, size), y.slice(0, size)) : NaN);
  const ffdVsTrain = fd(trainEmb, reconEmb), floor = fd(trainEmb, realEmb);
  return { faces: pairs.length, detected: reconEmb.length, ffdVsTrain, floor, size, excess: ffdVsTrain - floor };
}
