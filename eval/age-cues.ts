/**
 * The reconstruction age-cue figure (docs/attributes-notes.md, "The decoder draws older women as about 30"): do a
 * model's reconstructions keep the age cues of the photos they reconstruct?
 *
 * The faces are those of the real set whose shard metadata gives a measured age and a gender (UTKFace), aged ≥ 50
 * or 18–35, all of them (not only the first n: the figure is read per group, and the groups are small). Each
 * photo and its reconstruction through the run's autoencoder are analysed like every other face of the
 * evaluation; the AUC is the probability that a face aged ≥ 50 gets a higher predicted age than a face aged 18–35,
 * for the photos and for the reconstructions, over all faces and over women (the data set's gender label).
 */
import type { AnalysisCache } from './analysis-cache';
import type { Autoencoder } from './autoencoder';
import type { FaceAnalyzer } from './faces';
import { median } from './metrics';
import { analysePairs, type AnalysedPair } from './reconstructions';
import { readRealImages, readSampleMetadata } from './realset';

/** Measured ages of the two groups compared: old from 50 up, young 18–35 (inclusive). */
export const OLD_FROM = 50;
export const YOUNG_AGES: readonly [number, number] = [18, 35];

/**
 * Probability that a value drawn from `higher` exceeds one drawn from `lower`, ties counting half (the
 * Mann–Whitney AUC); NaN when either list is empty.
 */
export function auc(higher: readonly number[], lower: readonly number[]): number {
  if (higher.length === 0 || lower.length === 0) return NaN;
  let wins = 0;
  for (const h of higher) for (const l of lower) wins += h > l ? 1 : h === l ? 0.5 : 0;
  return wins / (higher.length * lower.length);
}

/** The figures for one group of faces (all, or women). */
export interface AgeCueGroup {
  /** Faces aged ≥ 50 and 18–35 that entered the AUC. */
  old: number;
  young: number;
  auc: { originals: number; reconstructions: number };
  /** Median predicted age of the faces aged ≥ 50. */
  medianOldAge: { originals: number; reconstructions: number };
}

/** The whole figure. */
export interface AgeCueFigures {
  autoencoder: { file: string; sha256: string; inputSize: number };
  /** Side at which photos and reconstructions were analysed. */
  size: number;
  /** Labelled faces in the two age groups. */
  faces: number;
  /** Of those, faces left out because the photo or its reconstruction got no predicted age (no face found). */
  undetected: number;
  all: AgeCueGroup;
  women: AgeCueGroup;
}

/** One face of the two groups, with its analyses. */
interface Scored extends AnalysedPair {
  age: number;
  female: boolean;
}

/** A photo of one of the two age groups, with its labels. */
export interface LabelledPhoto {
  bytes: Uint8Array;
  age: number;
  female: boolean;
}

/** A metadata field as a number: the shared set writes UTKFace's labels as strings ("age": "16"). */
function label(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
}

/**
 * The labelled photos of the two age groups, in the real set's order; throws if there are none (a real set of
 * plain images, or shards without UTKFace faces), since the figure was asked for.
 */
export async function labelledPhotos(sources: readonly string[]): Promise<LabelledPhoto[]> {
  const metadata = await readSampleMetadata(sources);
  const photos: LabelledPhoto[] = [];
  for await (const real of readRealImages(sources)) {
    const meta = metadata.get(real.id.replace(/\.[^./]+$/, ''));
    const age = label(meta?.age), gender = label(meta?.gender);
    if (!Number.isFinite(age) || (gender !== 0 && gender !== 1)) continue; // UTKFace codes: 0 male, 1 female
    if (age >= OLD_FROM || (age >= YOUNG_AGES[0] && age <= YOUNG_AGES[1])) photos.push({ bytes: real.bytes, age, female: gender === 1 });
  }
  if (photos.length === 0) throw new Error(`no face of ${sources.join(', ')} has a measured age ≥ ${OLD_FROM} or ${YOUNG_AGES.join('–')} and a gender in its shard metadata: the age cues need UTKFace faces from WebDataset shards`);
  return photos;
}

function group(faces: readonly Scored[]): AgeCueGroup {
  const old = faces.filter((f) => f.age >= OLD_FROM), young = faces.filter((f) => f.age < OLD_FROM);
  const ages = (list: readonly Scored[], which: 'original' | 'reconstruction') => list.map((f) => f[which].age as number);
  return {
    old: old.length,
    young: young.length,
    auc: { originals: auc(ages(old, 'original'), ages(young, 'original')), reconstructions: auc(ages(old, 'reconstruction'), ages(young, 'reconstruction')) },
    medianOldAge: { originals: median(ages(old, 'original')), reconstructions: median(ages(old, 'reconstruction')) },
  };
}

/**
 * Measures the figure at `size` (the analyses through the cache: {@link analysePairs}).
 */
export async function ageCueFigures(autoencoder: Autoencoder, photos: readonly LabelledPhoto[], analyzer: FaceAnalyzer, size: number, cache: AnalysisCache): Promise<AgeCueFigures> {
  const pairs = await analysePairs('age cues', autoencoder, photos.map((p) => p.bytes), analyzer, size, cache);
  const scored: Scored[] = photos.map((p, i) => ({ age: p.age, female: p.female, ...pairs[i] }));
  const kept = scored.filter((f) => f.original.age !== null && f.reconstruction.age !== null);
  return {
    autoencoder: { file: autoencoder.file, sha256: autoencoder.sha256, inputSize: autoencoder.inputSize },
    size,
    faces: scored.length,
    undetected: scored.length - kept.length,
    all: group(kept),
    women: group(kept.filter((f) => f.female)),
  };
}
