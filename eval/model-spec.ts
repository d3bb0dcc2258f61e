/**
 * Which decoder to evaluate and its graph facts: the manifest entry next to the `.onnx` file (models/README.md),
 * or, for bare models without one (e.g. a baseline under train/runs/), the command-line overrides.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

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

/** A manifest entry as read from disk, unvalidated. */
export interface ManifestEntry {
  name?: unknown;
  version?: unknown;
  file?: unknown;
  latentSize?: unknown;
  imageSize?: unknown;
  input?: unknown;
  output?: unknown;
  valueRange?: unknown;
  attributesFile?: unknown;
  attributesSha256?: unknown;
  attributes?: unknown;
}

/** The manifest entry whose `file` is this model's file name, if a manifest.json sits next to it. */
export async function findManifestEntry(modelFile: string): Promise<ManifestEntry | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(path.dirname(modelFile), 'manifest.json'), 'utf8');
  } catch {
    return undefined;
  }
  const manifest = JSON.parse(text) as { models?: ManifestEntry[] };
  return manifest.models?.find((entry) => entry.file === path.basename(modelFile));
}

function positiveInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Error(`${what} must be a positive integer, got ${String(value)}`);
  return value;
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
  const valueRange = overrides.valueRange ?? (entry?.valueRange as [number, number] | undefined) ?? [-1, 1];
  if (!Array.isArray(valueRange) || valueRange.length !== 2 || !(valueRange[1] > valueRange[0])) throw new Error(`valueRange must be [lo, hi] with hi > lo`);
  return {
    file: modelFile,
    name: typeof entry?.name === 'string' ? entry.name : path.basename(modelFile, '.onnx'),
    version: typeof entry?.version === 'string' ? entry.version : null,
    sha256,
    latentSize: positiveInt(overrides.latentSize ?? entry?.latentSize, 'latentSize'),
    imageSize: positiveInt(overrides.imageSize ?? entry?.imageSize, 'imageSize'),
    input: typeof entry?.input === 'string' ? entry.input : null,
    output: typeof entry?.output === 'string' ? entry.output : null,
    valueRange,
    source: entry ? 'manifest' : 'overrides',
  };
}
