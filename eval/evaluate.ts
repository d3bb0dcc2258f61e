/** The evaluation pipeline: generate and analyse faces, analyse the real sets, compute every figure. */
import { ageCueFigures, labelledPhotos } from './age-cues';
import { AnalysisCache } from './analysis-cache';
import { analyseGenerated, analyseRealSet } from './analyse';
import { openAutoencoder } from './autoencoder';
import { contactSheet, type SheetTile } from './contact-sheet';
import { zoomedCrops } from './crops';
import { createFaceAnalyzer } from './faces';
import { frechetDistance } from './frechet';
import { openGenerator } from './generate';
import { stackVertically, type RgbImage } from './image';
import {
  attributeSpread,
  detectedEmbeddings,
  detectionRate,
  isDetected,
  meanPairwiseDistance,
  median,
  nearestDistances,
  quantile,
  totalVariation,
} from './metrics';
import type { DecoderSpec } from './model-spec';
import { histogramPlot } from './plot';
import type { EvalReport } from './report';
import { realSpectra, sharpnessFigures } from './sharpness';
import { analysePairs, reconstructionFigures } from './reconstructions';
import { firstImages } from './realset';
import { OctaveSpectrum } from './spectrum';

/** What to evaluate and against what. */
export interface EvalOptions {
  spec: DecoderSpec;
  n: number;
  real: string[];
  train: string[];
  trainN: number;
  cacheDir: string;
  threshold: number;
  /** Side, in pixels, at which faces are served, analysed and compared (a power of two ≥ 8). */
  size: number;
  /** A training run's autoencoder.onnx, for the reconstruction FFD and age-cue figures; null skips them. */
  autoencoder: string | null;
}

/** Faces shown on the contact sheet, and pairs of faces in its zoomed crops. */
const SHEET_FACES = 64;
const CROP_PAIRS = 4;

/** Fréchet distance, or NaN when a set has fewer than two detected faces. */
function ffd(x: Float32Array[], y: Float32Array[]): number {
  return x.length >= 2 && y.length >= 2 ? frechetDistance(x, y) : NaN;
}

/** Runs the whole evaluation; the caller writes the files. */
export async function evaluate(options: EvalOptions): Promise<{ report: Omit<EvalReport, 'files'>; sheet: RgbImage; histogram: RgbImage | null }> {
  const { spec, n, threshold, size } = options;
  const started = performance.now();
  // First, so that a size the spectrum cannot transform, an unreadable autoencoder or a real set without ages fails
  // before minutes of analysis.
  const generatedSpectrum = new OctaveSpectrum(size);
  const autoencoder = options.autoencoder ? await openAutoencoder(options.autoencoder) : null;
  const agePhotos = autoencoder ? await labelledPhotos(options.real) : [];
  const analyzer = await createFaceAnalyzer({ size, threshold });
  const cache = new AnalysisCache(options.cacheDir, analyzer.settingsKey);

  let t = performance.now();
  const real = await analyseRealSet('real', options.real, n, analyzer, size, cache);
  const realSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const train = options.train.length
    ? await analyseRealSet('train', options.train, options.trainN, analyzer, size, cache)
    : { ids: [], analyses: [] };
  const trainSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  const tiles: SheetTile[] = [];
  const generated = await analyseGenerated(n, await openGenerator(spec, size), analyzer, (face, analysis) => {
    generatedSpectrum.add(face.image);
    if (tiles.length < SHEET_FACES) tiles.push({ image: face.image, detected: isDetected(analysis) });
  });
  const generatedSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  const realSpectrum = await realSpectra(options.real, n, size, spec.imageSize, CROP_PAIRS);
  const sharpness = sharpnessFigures(generatedSpectrum, realSpectrum, spec.imageSize);
  const sharpnessSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  const ageCues = autoencoder ? await ageCueFigures(autoencoder, agePhotos, analyzer, size, cache) : null;
  const reconstructionPairs = autoencoder ? await analysePairs('reconstructions', autoencoder, await firstImages(options.real, n), analyzer, size, cache) : null;
  const reconstruction = reconstructionPairs ? reconstructionFigures(reconstructionPairs, train.analyses) : null;
  const autoencoderSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  const genEmb = detectedEmbeddings(generated), realEmb = detectedEmbeddings(real.analyses), trainEmb = detectedEmbeddings(train.analyses);
  const half = Math.floor(realEmb.length / 2);
  // Equal-sized real sets for the full-n floor: a few undetected faces must not make it incomputable.
  const floorSize = Math.min(trainEmb.length, realEmb.length);
  const realA = realEmb.slice(0, half), realB = realEmb.slice(half, 2 * half);
  const diversityGen = meanPairwiseDistance(genEmb), diversityReal = meanPairwiseDistance(realEmb);
  const nnGen = nearestDistances(genEmb, trainEmb), nnReal = nearestDistances(realEmb, trainEmb);
  const nnGenMedian = median(nnGen), nnRealMedian = median(nnReal);
  const attrGen = attributeSpread(generated), attrReal = attributeSpread(real.analyses);
  const report: Omit<EvalReport, 'files'> = {
    model: { ...spec },
    settings: { n, size, real: options.real, train: options.train, trainN: train.analyses.length, autoencoder: options.autoencoder, analyzer: analyzer.settingsKey },
    counts: {
      generated: generated.length,
      generatedDetected: genEmb.length,
      real: real.analyses.length,
      realDetected: realEmb.length,
      train: train.analyses.length,
      trainDetected: trainEmb.length,
    },
    figures: {
      detectionRate: { generated: detectionRate(generated), real: detectionRate(real.analyses) },
      ffd: {
        generatedVsReal: ffd(genEmb, realEmb),
        realHalves: ffd(realA, realB),
        generatedVsRealHalf: ffd(genEmb.slice(0, half), realB),
        trainVsReal: ffd(trainEmb.slice(0, floorSize), realEmb.slice(0, floorSize)),
        trainVsRealSize: floorSize,
        halfSize: half,
      },
      diversity: { generated: diversityGen, real: diversityReal, ratio: diversityGen / diversityReal },
      memorisation: {
        generatedMedian: nnGenMedian, realMedian: nnRealMedian, ratio: nnGenMedian / nnRealMedian,
        // copies would sit in the near tail; a median shift alone cannot tell them from merely typical faces
        generatedP05: quantile(nnGen, 0.05), realP05: quantile(nnReal, 0.05),
      },
      attributes: { generated: attrGen, real: attrReal, ageTotalVariation: totalVariation(attrGen.ageShares, attrReal.ageShares) },
      sharpness,
      ageCues,
      reconstruction,
    },
    seconds: { total: 0, perGeneratedFace: generatedSeconds / Math.max(1, n), real: realSeconds, train: trainSeconds, generated: generatedSeconds, sharpness: sharpnessSeconds, autoencoder: autoencoderSeconds, figures: 0 },
  };
  const histogram = trainEmb.length
    ? histogramPlot('distance to nearest training face', 'faceres embedding distance (euclidean)', [
        { label: 'generated', values: nnGen, colour: [230, 120, 20] },
        { label: 'held-out real', values: nnReal, colour: [40, 100, 220] },
      ])
    : null;
  report.seconds.figures = (performance.now() - t) / 1000;
  report.seconds.total = (performance.now() - started) / 1000;
  const crops = zoomedCrops(tiles.slice(0, CROP_PAIRS).map((tile) => tile.image), realSpectrum.faces);
  return { report, sheet: stackVertically([contactSheet(tiles), crops], 16), histogram };
}
