/** The evaluation's result: its JSON shape and the short Markdown table printed at the end. */
import { AGE_BINS, type AttributeSpread } from './metrics';
import type { DecoderSpec } from './model-spec';

/** Everything one run measured; NaN (written as null in JSON) marks a figure that could not be computed. */
export interface EvalReport {
  model: DecoderSpec;
  settings: {
    n: number;
    real: string[];
    train: string[];
    trainN: number;
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
    memorisation: { generatedMedian: number; realMedian: number; ratio: number };
    attributes: { generated: AttributeSpread; real: AttributeSpread; ageTotalVariation: number };
  };
  files: { json: string; markdown: string; contactSheet: string; histogram: string | null };
  seconds: { total: number; perGeneratedFace: number; real: number; train: number; generated: number; figures: number };
}

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const pct = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : 'n/a');

/** The age bin with most faces, as a label like "20-29". */
function modalAge(spread: AttributeSpread): string {
  if (!spread.count) return 'n/a';
  const bin = spread.ageShares.indexOf(Math.max(...spread.ageShares));
  return bin === AGE_BINS.length - 1 ? `${AGE_BINS[bin]}+` : `${AGE_BINS[bin]}-${AGE_BINS[bin + 1] - 1}`;
}

/** A short Markdown summary: one row per figure, generated next to real where both exist. */
export function markdownReport(report: EvalReport): string {
  const { figures: f, counts: c, model: m, settings: s } = report;
  const g = f.attributes.generated, r = f.attributes.real;
  const rows: [string, string, string, string][] = [
    ['detection rate (exactly one face)', pct(f.detectionRate.generated), pct(f.detectionRate.real), `${c.generatedDetected}/${c.generated} vs ${c.realDetected}/${c.real}`],
    ['FFD vs real (lower is better)', fmt(f.ffd.generatedVsReal), '', `floor (train vs real, n = ${f.ffd.trainVsRealSize}): ${fmt(f.ffd.trainVsReal)}`],
    [`FFD at n = ${f.ffd.halfSize}`, fmt(f.ffd.generatedVsRealHalf), fmt(f.ffd.realHalves), 'real column: real half vs real half (the floor)'],
    ['diversity (mean pairwise distance)', fmt(f.diversity.generated), fmt(f.diversity.real), `ratio ${fmt(f.diversity.ratio)} (1 = as diverse as real)`],
    ['median distance to nearest training face', fmt(f.memorisation.generatedMedian), fmt(f.memorisation.realMedian), `ratio ${fmt(f.memorisation.ratio)} (< 1: closer to training faces than new real faces are)`],
    ['mean predicted age', fmt(g.meanAge, 1), fmt(r.meanAge, 1), `modal bin ${modalAge(g)} vs ${modalAge(r)}; age TV distance ${fmt(f.attributes.ageTotalVariation)}`],
    ['predicted female share', pct(g.femaleShare), pct(r.femaleShare), ''],
  ];
  const lines = [
    `### ${m.name}${m.version ? ` ${m.version}` : ''} (n = ${s.n}, sha256 ${m.sha256.slice(0, 12)})`,
    '',
    '| figure | generated | real | note |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    `Real: ${s.real.join(', ')}; training reference: ${s.train.length ? `${c.train} faces of ${s.train.join(', ')}` : 'none (memorisation not measured)'}. ` +
      `Run time ${fmt(report.seconds.total, 0)} s (${fmt(report.seconds.perGeneratedFace * 1000, 0)} ms per generated face).`,
  ];
  return `${lines.join('\n')}\n`;
}
