/**
 * The figures computed from face analyses: detection rate, pairwise and nearest-neighbour embedding distances,
 * and the age/gender spread. Distances are Euclidean in human's faceres embedding space (the space FFD uses).
 */
import type { FaceAnalysis } from './faces';

/** A face counts as detected when the detector finds exactly one face above its threshold. */
export function isDetected(analysis: FaceAnalysis): boolean {
  return analysis.faces === 1 && analysis.embedding !== null;
}

/** Share of analyses with exactly one detected face. */
export function detectionRate(analyses: readonly FaceAnalysis[]): number {
  return analyses.length === 0 ? NaN : analyses.filter(isDetected).length / analyses.length;
}

/** Embeddings of the detected faces, in input order. */
export function detectedEmbeddings(analyses: readonly FaceAnalysis[]): Float32Array[] {
  return analyses.filter(isDetected).map((a) => a.embedding as Float32Array);
}

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2;
  return Math.sqrt(s);
}

/** Mean Euclidean distance over all unordered pairs (NaN for fewer than two vectors). */
export function meanPairwiseDistance(vectors: readonly Float32Array[]): number {
  let sum = 0, pairs = 0;
  for (let i = 0; i < vectors.length; i++) {
    for (let j = i + 1; j < vectors.length; j++) {
      sum += distance(vectors[i], vectors[j]);
      pairs++;
    }
  }
  return pairs === 0 ? NaN : sum / pairs;
}

/** For each query, the distance to its nearest reference vector. */
export function nearestDistances(queries: readonly Float32Array[], references: readonly Float32Array[]): number[] {
  if (references.length === 0) return queries.map(() => NaN);
  return queries.map((q) => references.reduce((best, r) => Math.min(best, distance(q, r)), Infinity));
}

/** The q-quantile of the values (0 ≤ q ≤ 1), interpolated linearly between the two nearest ranks; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q, below = Math.floor(at);
  return below + 1 < sorted.length ? sorted[below] + (at - below) * (sorted[below + 1] - sorted[below]) : sorted[below];
}

/** Median of the values (NaN for none). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Lower edges of the age bins: 0–9, 10–19, …, 60–69, 70+. */
export const AGE_BINS = [0, 10, 20, 30, 40, 50, 60, 70] as const;

/** Predicted age and gender over the detected faces. */
export interface AttributeSpread {
  /** Detected faces with a predicted age. */
  count: number;
  meanAge: number;
  /** Shares of faces per {@link AGE_BINS} bin; sums to 1. */
  ageShares: number[];
  /** Share predicted female among faces with a confident gender call (human reports "unknown" otherwise). */
  femaleShare: number;
}

/** Age and gender spread of the detected faces. */
export function attributeSpread(analyses: readonly FaceAnalysis[]): AttributeSpread {
  const detected = analyses.filter(isDetected);
  const ages = detected.map((a) => a.age).filter((age): age is number => age !== null);
  const counts = AGE_BINS.map(() => 0);
  for (const age of ages) {
    let bin = 0;
    while (bin + 1 < AGE_BINS.length && age >= AGE_BINS[bin + 1]) bin++;
    counts[bin]++; // ages below 0 (a model quirk) land in the first bin
  }
  const female = detected.filter((a) => a.gender === 'female').length;
  const male = detected.filter((a) => a.gender === 'male').length;
  return {
    count: ages.length,
    meanAge: ages.length ? ages.reduce((s, a) => s + a, 0) / ages.length : NaN,
    ageShares: counts.map((c) => (ages.length ? c / ages.length : NaN)),
    femaleShare: female + male ? female / (female + male) : NaN,
  };
}

/** Total-variation distance between two discrete distributions (0 = same, 1 = disjoint). */
export function totalVariation(p: readonly number[], q: readonly number[]): number {
  return p.reduce((s, pi, i) => s + Math.abs(pi - q[i]), 0) / 2;
}
