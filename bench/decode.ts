/**
 * Decode speed of the current model in Node: onnxruntime-web's wasm build (the kernels the worker runs) against
 * onnxruntime-node's native CPU kernels, both on one thread, batch 1 and batch 8, straight `session.run` calls
 * (no request queue) on distinct latents.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_BACKENDS, type NodeBackend } from '../scripts/lib/node-ort';
import { MODELS_DIR, readManifest } from '../scripts/lib/worker';
import { latentFromDigest, seedDigest } from '../src/runtime/latent';
import { sampleMs, type Runs } from './stats';

/** The current model's manifest entry (models/manifest.json, or SEEDFACE_MODELS_DIR). */
export function currentEntry() {
  const manifest = readManifest();
  const entry = manifest.models.find((m) => m.version === manifest.current);
  if (!entry) throw new Error('models/manifest.json: current names no model');
  return entry;
}
export type BenchEntry = ReturnType<typeof currentEntry>;

/** One backend × batch size: ms per `session.run`. */
export interface DecodeResult {
  backend: NodeBackend['name'];
  batch: number;
  samplesMs: number[];
}

/** Distinct latents `bench-decode-0…count-1` of `latentSize` values, packed for batches of `batch`. */
async function latentBatches(latentSize: number, batch: number, count: number): Promise<Float32Array[]> {
  const latents = await Promise.all(Array.from({ length: count * batch }, async (_, i) => latentFromDigest(await seedDigest(`bench-decode-${i}`), latentSize)));
  return Array.from({ length: count }, (_, b) => {
    const z = new Float32Array(batch * latentSize);
    for (let i = 0; i < batch; i++) z.set(latents[b * batch + i], i * latentSize);
    return z;
  });
}

/**
 * Times both backends at batch 1 and 8 on `entry`'s decoder; also returns one decoded face (CHW float planes, from
 * the native backend) for the PNG section.
 */
export async function benchDecode(entry: BenchEntry, runs: Runs): Promise<{ results: DecodeResult[]; facePlanes: Float32Array }> {
  const model = new Uint8Array(readFileSync(join(MODELS_DIR, entry.file)));
  const results: DecodeResult[] = [];
  let facePlanes: Float32Array | undefined;
  for (const backend of Object.values(NODE_BACKENDS)) {
    const session = await backend.create(model);
    for (const batch of [1, 8]) {
      const inputs = (await latentBatches(entry.latentSize, batch, 16)).map((z) => ({ [entry.input]: backend.tensor(z, [batch, entry.latentSize]) }));
      const samplesMs = await sampleMs(runs, (i) => session.run(inputs[i % inputs.length]));
      results.push({ backend: backend.name, batch, samplesMs });
    }
    if (backend.name === 'native') {
      const [z] = await latentBatches(entry.latentSize, 1, 1);
      facePlanes = (await session.run({ [entry.input]: backend.tensor(z, [1, entry.latentSize]) }))[entry.output].data as Float32Array;
    }
    await session.release();
  }
  return { results, facePlanes: facePlanes! };
}
