/** The folder of decoders and their manifest that the tests, scripts and benchmarks use. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findEntry, parseManifest, type Manifest, type ModelEntry } from '../../src/runtime/manifest';
import { ROOT } from './root';

/** `models/`, or the folder SEEDFACE_MODELS_DIR names. */
export const MODELS_DIR = resolve(ROOT, process.env.SEEDFACE_MODELS_DIR ?? 'models');

/** The manifest in {@link MODELS_DIR}, checked against the worker's own schema (src/runtime/manifest.ts). */
export function readManifest(): Manifest {
  const path = join(MODELS_DIR, 'manifest.json');
  if (!existsSync(path)) throw new Error(`${path} is missing: the tests need a decoder and its manifest (see models/README.md)`);
  try {
    return parseManifest(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The current model's entry in {@link MODELS_DIR}'s manifest. */
export function currentEntry(): ModelEntry {
  return findEntry(readManifest())!;
}
