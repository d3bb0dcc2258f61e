/**
 * `npm run eval -- --model models/<file>.onnx --real <shards|folder> [--train <shards>] [--n 1000]`
 *
 * Scores a decoder's faces for seeds "0".."n-1" against real faces with a face-recognition model and writes
 * `report.json`, `report.md`, `contact-sheet.png` (with zoomed crops of eyes and hair) and `nn-histogram.png` to the
 * output folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { integer, list, parseCommandLine, runIfScript, single } from './args';
import { evaluate } from './evaluate';
import { encodeRgbPng } from './image-codec';
import { resolveDecoderSpec } from './model-spec';
import { markdownReport, type EvalReport } from './report';

const USAGE = `usage: npm run eval -- --model FILE.onnx --real SRC... [options]

  --model FILE     ONNX decoder; its facts come from manifest.json next to it (entry whose "file" matches)
  --real SRC...    held-out real faces: WebDataset .tar shards, folders of images or images;
                   ranges like faces128-{000000..000020}.tar are expanded
  --train SRC...   training faces for the memorisation figure and the same-n FFD floor (optional)
  --n N            generated faces (seeds "0".."N-1") and real faces used (default 1000)
  --train-n N      training faces used (default: N)
  --latent D       latent size, for a model with no manifest entry (overrides the manifest)
  --size S         output size, likewise
  --served-size S  side at which faces are served, analysed and compared, spectrum included
                   (a power of two; default: the model's size)
  --autoencoder F  a training run's autoencoder.onnx: adds the reconstruction FFD (with --train) and the
                   reconstruction age-cue AUC (optional)
  --range=LO,HI    decoder values mapped to 0 and 255, likewise (default for bare models: -1,1)
  --threshold T    detector score for a face to count (default 0.5)
  --out DIR        output folder (default eval-out/<model>-n<N>)
  --cache DIR      cache of real-face analyses (default eval-out/cache)`;

const OPTIONS = {
  model: { type: 'string' },
  real: { type: 'string', multiple: true },
  train: { type: 'string', multiple: true },
  n: { type: 'string' },
  'train-n': { type: 'string' },
  latent: { type: 'string' },
  size: { type: 'string' },
  range: { type: 'string' },
  threshold: { type: 'string' },
  out: { type: 'string' },
  cache: { type: 'string' },
  'served-size': { type: 'string' },
  autoencoder: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** Runs the command with the given arguments (without node and script). */
export async function main(argv: readonly string[]): Promise<EvalReport> {
  const args = parseCommandLine(argv, OPTIONS, USAGE);
  if (args.help || !single(args, 'model') || !list(args, 'real').length) throw new Error(USAGE);
  const range = single(args, 'range')?.split(',').map(Number);
  if (range && (range.length !== 2 || range.some((v) => !Number.isFinite(v)))) throw new Error('--range takes LO,HI');
  const spec = await resolveDecoderSpec(single(args, 'model') as string, {
    latentSize: integer(args, 'latent'),
    imageSize: integer(args, 'size'),
    valueRange: range as [number, number] | undefined,
  });
  const n = integer(args, 'n') ?? 1000;
  const threshold = Number(single(args, 'threshold') ?? 0.5);
  if (!(threshold > 0 && threshold < 1)) throw new Error('--threshold must be between 0 and 1');
  const size = integer(args, 'served-size') ?? spec.imageSize;
  if (size < 8 || (size & (size - 1)) !== 0) throw new Error(`--served-size must be a power of two ≥ 8 (the spectrum's transform), got ${size}`);
  const sizeTag = size === spec.imageSize ? '' : `-at${size}`;
  const out = single(args, 'out') ?? path.join('eval-out', `${spec.name}${spec.version ? `-${spec.version}` : ''}-n${n}${sizeTag}`);

  const { report, sheet, histogram } = await evaluate({
    spec,
    n,
    real: list(args, 'real'),
    train: list(args, 'train'),
    trainN: integer(args, 'train-n') ?? n,
    cacheDir: single(args, 'cache') ?? path.join('eval-out', 'cache'),
    threshold,
    size,
    autoencoder: single(args, 'autoencoder') ?? null,
  });
  const files = {
    json: path.join(out, 'report.json'),
    markdown: path.join(out, 'report.md'),
    contactSheet: path.join(out, 'contact-sheet.png'),
    histogram: histogram ? path.join(out, 'nn-histogram.png') : null,
  };
  const full: EvalReport = { ...report, files };
  const markdown = markdownReport(full);
  await mkdir(out, { recursive: true });
  await writeFile(files.json, `${JSON.stringify(full, null, 2)}\n`);
  await writeFile(files.markdown, markdown);
  await writeFile(files.contactSheet, encodeRgbPng(sheet));
  if (histogram && files.histogram) await writeFile(files.histogram, encodeRgbPng(histogram));
  process.stdout.write(`\n${markdown}\nwrote ${Object.values(files).filter(Boolean).join(', ')}\n`);
  return full;
}

runIfScript(import.meta.url, main);
