/**
 * Which decoder to evaluate and its graph facts: the manifest entry next to the `.onnx` file (models/README.md),
 * or, for bare models without one (e.g. a baseline under train/runs/), the command-line overrides.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseManifest, type Manifest, type ModelEntry } from '../src/runtime/manifest';

/** What the evaluation needs to know about a decoder. */
export interface DecoderSpec {
  /** Path of the ONNX file. */
  file: string;
  /** Manifest name and version, or the file name for bare models. */
  name: string;
  version: string | null;
  sha256: string;
  latentSize: number;
  imageSize: number;
  /** Graph input/output names; null means the graph's first input/output. */
  input: string | null;
  output: string | null;
  valueRange: [number, number];
  /** Where the facts came from. */
  source: 'manifest' | 'overrides';
}

/** Command-line values that replace or stand in for manifest fields. */
export interface SpecOverrides {
  latentSize?: number;
  imageSize?: number;
  valueRange?: [number, number];
}

/** The manifest entry whose `file` is this model's file name, if a manifest.json sits next to it (checked as the service checks it). */
export async function findManifestEntry(modelFile: string): Promise<ModelEntry | undefined> {
  const manifestFile = path.join(path.dirname(modelFile), 'manifest.json');
  let text: string;
  try {
    text = await readFile(manifestFile, 'utf8');
  } catch {
    return undefined;
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(JSON.parse(text));
  } catch (error) {
    throw new Error(`${manifestFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return manifest.models.find((entry) => entry.file === path.basename(modelFile));
}

/**
 * Resolves the decoder's facts. Manifest fields win unless an override is given; a bare model needs at least
 * `latentSize` and `imageSize` overrides, and its value range defaults to [-1, 1] (a Tanh output).
 */
export async function resolveDecoderSpec(modelFile: string, overrides: SpecOverrides = {}): Promise<DecoderSpec> {
  const bytes = await readFile(modelFile);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const entry = await findManifestEntry(modelFile);
  if (!entry && (overrides.latentSize === undefined || overrides.imageSize === undefined)) {
    throw new Error(`${modelFile}: no manifest.json entry next to it names this file; pass --latent and --size (and --range if not [-1,1])`);
  }
  if (entry && entry.sha256 !== sha256) throw new Error(`${modelFile} does not match the sha256 its manifest entry gives`);
  const valueRange = overrides.valueRange ?? entry?.valueRange ?? [-1, 1];
  if (valueRange.length !== 2 || !(valueRange[1] > valueRange[0])) throw new Error(`valueRange must be [lo, hi] with hi > lo`);
  return {
    file: modelFile,
    name: entry?.name ?? path.basename(modelFile, '.onnx'),
    version: entry?.version ?? null,
    sha256,
    // Defined: without an entry, both overrides are required above.
    latentSize: (overrides.latentSize ?? entry?.latentSize)!,
    imageSize: (overrides.imageSize ?? entry?.imageSize)!,
    input: entry?.input ?? null,
    output: entry?.output ?? null,
    valueRange,
    source: entry ? 'manifest' : 'overrides',
  };
}
