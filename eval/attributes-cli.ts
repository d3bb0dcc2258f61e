/**
 * `npm run eval:attributes -- --grid FILE.png [--model models/<file>.onnx] [--n 200] [--strength 1.5]`
 *
 * Verifies attribute control with human's age and gender predictions (eval/attributes.ts), writes the grid PNG and
 * a JSON report, prints a Markdown table, and exits 1 if a check fails.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { integer, parseCommandLine, single } from './args';
import { evaluateAttributes, markdownAttributeReport, type AttributeReport } from './attributes';
import { encodeRgbPng } from './image-codec';
import { findManifestEntry, resolveDecoderSpec } from './model-spec';
import { currentEntry, MODELS_DIR } from '../scripts/lib/models-dir';
import { parseAttributes } from '../src/runtime/attributes';

const USAGE = `usage: npm run eval:attributes -- --grid FILE.png [options]

  --grid FILE      PNG grid: a row per attribute, columns -2..2 for each grid seed
  --model FILE     ONNX decoder with a manifest.json entry next to it naming its attributes file
                   (default: the current model in $SEEDFACE_MODELS_DIR or models/)
  --n N            seeds to verify (default 200)
  --first K        the first of them, as a number: seeds "K".."K+N-1" (default 0; another range keeps
                   the report's seeds unseen while choosing how directions are fitted)
  --strength S     push age and gender to -S and +S (default 1.5)
  --grid-seeds K   seeds in the grid (default 4)
  --threshold T    detector score for a face to count (default 0.5)
  --out FILE       JSON report (default eval-out/attributes-<version>-n<N>.json)`;

const OPTIONS = {
  ...Object.fromEntries(['grid', 'model', 'n', 'first', 'strength', 'grid-seeds', 'threshold', 'out'].map((name) => [name, { type: 'string' as const }])),
  help: { type: 'boolean' as const },
};

/** Runs the command with the given arguments (without node and script). */
export async function main(argv: readonly string[]): Promise<AttributeReport> {
  const args = parseCommandLine(argv, OPTIONS, USAGE);
  const grid = single(args, 'grid');
  if (args.help || !grid) throw new Error(USAGE);
  const strength = Number(single(args, 'strength') ?? 1.5);
  if (!(strength > 0 && strength <= 2)) throw new Error('--strength must be in (0, 2]');
  const threshold = Number(single(args, 'threshold') ?? 0.5);
  if (!(threshold > 0 && threshold < 1)) throw new Error('--threshold must be between 0 and 1');

  const modelFile = single(args, 'model') ?? path.join(MODELS_DIR, currentEntry().file);
  const spec = await resolveDecoderSpec(modelFile);
  const entry = await findManifestEntry(modelFile);
  const { attributesFile, attributesSha256, attributes: names } = entry ?? {};
  if (!attributesFile || !attributesSha256 || !names) {
    throw new Error(`${modelFile}: its manifest entry names no attributes file`);
  }
  const bytes = await readFile(path.join(path.dirname(modelFile), attributesFile));
  if (createHash('sha256').update(bytes).digest('hex') !== attributesSha256) throw new Error(`${attributesFile} does not match its sha256`);
  const attributes = parseAttributes(JSON.parse(bytes.toString('utf8')), spec.latentSize, names);

  const n = integer(args, 'n') ?? 200;
  const firstSeed = integer(args, 'first', 0) ?? 0;
  const { report, grid: image } = await evaluateAttributes({ spec, attributes, attributesSha256, n, firstSeed, strength, threshold, gridSeeds: integer(args, 'grid-seeds') ?? 4 });
  const out = single(args, 'out') ?? path.join('eval-out', `attributes-${spec.version ?? spec.name}-n${n}${firstSeed ? `-from${firstSeed}` : ''}.json`);
  for (const file of [grid, out]) await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(grid, encodeRgbPng(image));
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${markdownAttributeReport(report)}\nwrote ${grid}, ${out}\n`);
  return report;
}

// Run only when started as a script, so tests can import `main`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (report) => process.exit(report.pass ? 0 : 1),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
