/**
 * `npm run eval:age-cues -- --autoencoder A.onnx [B.onnx …] --real SRC… [--served-size 128]`
 *
 * The reconstruction age-cue figure of `npm run eval` (eval/age-cues.ts) for several autoencoders at once, without
 * generating faces: a training run's `autoencoder.onnx`, or the reference degradations that `npm run pipeline --
 * degrade` writes (the photo blurred, or at a lower resolution), which say how much of the age cue detail alone
 * carries. Prints a Markdown table and writes the figures as JSON.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ageCueFigures, labelledPhotos, type AgeCueFigures } from './age-cues';
import { AnalysisCache } from './analysis-cache';
import { integer, list, parseCommandLine, runIfScript, single } from './args';
import { openAutoencoder } from './autoencoder';
import { createFaceAnalyzer } from './faces';

const USAGE = `usage: npm run eval:age-cues -- --autoencoder FILE.onnx... --real SRC... [options]

  --autoencoder F...  autoencoders: input image [N, 3, S, S] in [-1, 1], output recon (a run's autoencoder.onnx,
                      or the graphs of \`npm run pipeline -- degrade\`)
  --real SRC...       WebDataset shards whose metadata gives UTKFace ages and genders
  --served-size S     side at which photos and reconstructions are analysed (default 128)
  --threshold T       detector score for a face to count (default 0.5)
  --cache DIR         cache of analyses (default eval-out/cache)
  --out FILE          JSON figures (default eval-out/age-cues.json)`;

const OPTIONS = {
  autoencoder: { type: 'string', multiple: true },
  real: { type: 'string', multiple: true },
  'served-size': { type: 'string' },
  threshold: { type: 'string' },
  cache: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean' },
} as const;

const fixed = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');
/** A median age to a tenth of a year: the mean of two middle predictions is a float with a long tail. */
const years = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');

/** One Markdown row per autoencoder: the AUC and the ≥ 50s' median predicted age, photos → reconstructions. */
export function markdownAgeCues(figures: readonly AgeCueFigures[]): string {
  const head = '| autoencoder | faces (undetected) | AUC all, photos → recon. | AUC women | ≥ 50s\' median age, all | women |\n|---|---|---|---|---|---|\n';
  return head + figures.map((f) => `| ${path.basename(f.autoencoder.file)} | ${f.faces} (${f.undetected}) | ${fixed(f.all.auc.originals)} → ${fixed(f.all.auc.reconstructions)} | ${fixed(f.women.auc.originals)} → ${fixed(f.women.auc.reconstructions)} | ${years(f.all.medianOldAge.originals)} → ${years(f.all.medianOldAge.reconstructions)} | ${years(f.women.medianOldAge.originals)} → ${years(f.women.medianOldAge.reconstructions)} |`).join('\n') + '\n';
}

/** Runs the command with the given arguments (without node and script). */
export async function main(argv: readonly string[]): Promise<AgeCueFigures[]> {
  const args = parseCommandLine(argv, OPTIONS, USAGE);
  const files = list(args, 'autoencoder'), real = list(args, 'real');
  if (args.help || files.length === 0 || real.length === 0) throw new Error(USAGE);
  const size = integer(args, 'served-size', 8) ?? 128;
  const threshold = Number(single(args, 'threshold') ?? 0.5);
  if (!(threshold > 0 && threshold < 1)) throw new Error('--threshold must be between 0 and 1');
  const photos = await labelledPhotos(real);
  const analyzer = await createFaceAnalyzer({ size, threshold });
  const cache = new AnalysisCache(single(args, 'cache') ?? path.join('eval-out', 'cache'), analyzer.settingsKey);
  const figures: AgeCueFigures[] = [];
  for (const file of files) figures.push(await ageCueFigures(await openAutoencoder(file), photos, analyzer, size, cache));
  const out = single(args, 'out') ?? path.join('eval-out', 'age-cues.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ real, size, threshold, figures }, null, 2)}\n`);
  process.stdout.write(`\n${markdownAgeCues(figures)}\nwrote ${out}\n`);
  return figures;
}

runIfScript(import.meta.url, main);
