/** The evaluation's result: its JSON shape and the short Markdown table printed at the end. */
import type { AgeCueFigures } from './age-cues';
import type { ReconstructionFigures } from './reconstructions';
import { AGE_BINS, type AttributeSpread } from './metrics';
import type { DecoderSpec } from './model-spec';
import { SHARPNESS_BAR, type SharpnessFigures } from './sharpness';

/** Everything one run measured; NaN (written as null in JSON) marks a figure that could not be computed. */
export interface EvalReport {
  model: DecoderSpec;
  settings: {
    n: number;
    /** Side at which faces were served, analysed and compared. */
    size: number;
    real: string[];
    train: string[];
    trainN: number;
    autoencoder: string | null;
    analyzer: string;
  };
  counts: {
    generated: number;
    generatedDetected: number;
    real: number;
    realDetected: number;
    train: number;
    trainDetected: number;
  };
  figures: {
    detectionRate: { generated: number; real: number };
    ffd: {
      /** Generated vs real, all detected faces. */
      generatedVsReal: number;
      /** Real first half vs real second half: the floor at half the sample size. */
      realHalves: number;
      /** Generated (as many as a real half) vs the real second half: compare with `realHalves`. */
      generatedVsRealHalf: number;
      /** Training faces vs real, `trainVsRealSize` of each: the floor at (nearly) the full sample size. */
      trainVsReal: number;
      trainVsRealSize: number;
      halfSize: number;
    };
    diversity: { generated: number; real: number; ratio: number };
    /** Nearest-training-face distances: medians and their ratio, and the 5th percentiles (the near tail). */
    memorisation: { generatedMedian: number; realMedian: number; ratio: number; generatedP05: number; realP05: number };
    attributes: { generated: AttributeSpread; real: AttributeSpread; ageTotalVariation: number };
    sharpness: SharpnessFigures;
    /** Null when no autoencoder was given. */
    ageCues: AgeCueFigures | null;
    /** Null when no autoencoder was given. */
    reconstruction: ReconstructionFigures | null;
  };
  files: { json: string; markdown: string; contactSheet: string; histogram: string | null };
  seconds: { total: number; perGeneratedFace: number; real: number; train: number; generated: number; sharpness: number; autoencoder: number; figures: number };
}

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const pct = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : 'n/a');

/** The age bin with most faces, as a label like "20-29". */
function modalAge(spread: AttributeSpread): string {
  if (!spread.count) return 'n/a';
  const bin = spread.ageShares.indexOf(Math.max(...spread.ageShares));
  return bin === AGE_BINS.length - 1 ? `${AGE_BINS[bin]}+` : `${AGE_BINS[bin]}-${AGE_BINS[bin + 1] - 1}`;
}

/** Rows for the two highest octaves of the spectrum ratio and for its largest ratio, with issue 17's bar. */
function sharpnessRows(sharpness: SharpnessFigures): [string, string, string, string][] {
  const rows: [string, string, string, string][] = sharpness.octaves.slice(-2).map((octave) => {
    const bar = SHARPNESS_BAR.minRatios[octave.band];
    const reference = octave.throughNativeRatio === null ? '' : `; real through ${sharpness.nativeSize} px: ${fmt(octave.throughNativeRatio)}`;
    return [`spectrum ratio ${octave.band} cycles/px at ${sharpness.size} px`, fmt(octave.ratio), '1', `${bar === undefined ? '' : `bar at 128 px ≥ ${bar}`}${reference}`];
  });
  const highest = sharpness.octaves.find((octave) => octave.ratio === sharpness.maxRatio);
  rows.push(['highest spectrum ratio of any octave', fmt(sharpness.maxRatio), '1', `${highest?.band ?? 'n/a'}; bar ≤ ${SHARPNESS_BAR.maxRatio} (noise is not detail)`]);
  return rows;
}

/** Rows for the reconstruction age-cue AUC: reconstructions in the generated column, the photos in the real one. */
function ageCueRows(ageCues: AgeCueFigures | null): [string, string, string, string][] {
  if (!ageCues) return [['reconstruction age AUC (≥ 50 vs 18–35)', 'n/a', 'n/a', 'not measured: no --autoencoder given']];
  return (['all', 'women'] as const).map((which) => {
    const g = ageCues[which];
    return [
      `reconstruction age AUC (≥ 50 vs 18–35), ${which === 'all' ? 'all faces' : 'women'}`,
      fmt(g.auc.reconstructions, 3),
      fmt(g.auc.originals, 3),
      `bar ≥ ${which === 'all' ? '0.90' : '0.85'}; ${g.old} / ${g.young} faces; median predicted age of the ≥ 50s ${fmt(g.medianOldAge.originals, 1)} → ${fmt(g.medianOldAge.reconstructions, 1)}`,
    ];
  });
}

/** The reconstruction FFD row: how much of the generated faces' excess FFD the decoder alone accounts for. */
function reconstructionRow(rec: ReconstructionFigures | null, ffd: EvalReport['figures']['ffd']): [string, string, string, string] {
  const label = 'FFD of reconstructions of the real set vs training faces';
  if (!rec) return [label, 'n/a', '', 'not measured: no --autoencoder given'];
  const generatedExcess = ffd.generatedVsReal - ffd.trainVsReal;
  return [label, fmt(rec.ffdVsTrain), fmt(rec.floor), `n = ${rec.size}; excess ${fmt(rec.excess)}: the decoder's part of the generated excess (${fmt(generatedExcess)}), the rest is the prior's`];
}

/** A short Markdown summary: one row per figure, generated next to real where both exist. */
export function markdownReport(report: EvalReport): string {
  const { figures: f, counts: c, model: m, settings: s } = report;
  const g = f.attributes.generated, r = f.attributes.real;
  const rows: [string, string, string, string][] = [
    ['detection rate (exactly one face)', pct(f.detectionRate.generated), pct(f.detectionRate.real), `${c.generatedDetected}/${c.generated} vs ${c.realDetected}/${c.real}`],
    ['FFD vs real (lower is better)', fmt(f.ffd.generatedVsReal), '', `floor (train vs real, n = ${f.ffd.trainVsRealSize}): ${fmt(f.ffd.trainVsReal)}`],
    reconstructionRow(f.reconstruction, f.ffd),
    [`FFD at n = ${f.ffd.halfSize}`, fmt(f.ffd.generatedVsRealHalf), fmt(f.ffd.realHalves), 'real column: real half vs real half (the floor)'],
    ['diversity (mean pairwise distance)', fmt(f.diversity.generated), fmt(f.diversity.real), `ratio ${fmt(f.diversity.ratio)} (1 = as diverse as real)`],
    ['median distance to nearest training face', fmt(f.memorisation.generatedMedian), fmt(f.memorisation.realMedian), `ratio ${fmt(f.memorisation.ratio)} (< 1: closer to training faces than new real faces are)`],
    ['5th percentile of that distance', fmt(f.memorisation.generatedP05), fmt(f.memorisation.realP05), 'copies of training faces would pull the generated one below the real one'],
    ['mean predicted age', fmt(g.meanAge, 1), fmt(r.meanAge, 1), `modal bin ${modalAge(g)} vs ${modalAge(r)}; age TV distance ${fmt(f.attributes.ageTotalVariation)}`],
    ['predicted female share', pct(g.femaleShare), pct(r.femaleShare), ''],
    ...sharpnessRows(f.sharpness),
    ...ageCueRows(f.ageCues),
  ];
  const lines = [
    `### ${m.name}${m.version ? ` ${m.version}` : ''} (n = ${s.n}, at ${s.size} px, sha256 ${m.sha256.slice(0, 12)})`,
    '',
    '| figure | generated | real | note |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    `Real: ${s.real.join(', ')}; training reference: ${s.train.length ? `${c.train} faces of ${s.train.join(', ')}` : 'none (memorisation not measured)'}. ` +
      (f.ageCues ? `Age cues: ${f.ageCues.faces} labelled faces of the real set through ${f.ageCues.autoencoder.file} (${f.ageCues.undetected} without a predicted age left out). ` : '') +
      `Run time ${fmt(report.seconds.total, 0)} s (${fmt(report.seconds.perGeneratedFace * 1000, 0)} ms per generated face).`,
  ];
  return `${lines.join('\n')}\n`;
}
