/**
 * Decode speed of the current model in Node: onnxruntime-web's wasm build (the kernels the worker runs) against
 * onnxruntime-node's native CPU kernels, both on one thread, at batches of 1, 2, 4 and 8, straight `session.run`
 * calls (no request queue) on distinct latents; and batch 1 with ORT's default session options instead of
 * DECODER_SESSION_OPTIONS, to show what those buy (docs/wasm-efficiency-notes.md has the options that do not).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_ORTS, type NodeBackend } from '../scripts/lib/node-ort';
import type { InferenceSession } from 'onnxruntime-common';
import { createDecoderSession, type OrtApi } from '../src/runtime/decoder';
import { MODELS_DIR } from '../scripts/lib/models-dir';
import type { ModelEntry } from '../src/runtime/manifest';
import { seedToLatent } from '../src/runtime/latent';
import { sampleMs, type Runs } from './stats';


/** The batch sizes timed with the runtime's options. */
export const DECODE_BATCHES = [1, 2, 4, 8];

/** One backend × batch size × options: ms per `session.run`. */
export interface DecodeResult {
  backend: NodeBackend;
  batch: number;
  /** `runtime`: DECODER_SESSION_OPTIONS (what every decoder uses); `ort-defaults`: none of them. */
  options: 'runtime' | 'ort-defaults';
  samplesMs: number[];
}

/** Distinct latents `bench-decode-0…count-1` of `latentSize` values, packed for batches of `batch`. */
export async function latentBatches(latentSize: number, batch: number, count: number): Promise<Float32Array[]> {
  const latents = await Promise.all(Array.from({ length: count * batch }, (_, i) => seedToLatent(`bench-decode-${i}`, latentSize)));
  return Array.from({ length: count }, (_, b) => {
    const z = new Float32Array(batch * latentSize);
    for (let i = 0; i < batch; i++) z.set(latents[b * batch + i], i * latentSize);
    return z;
  });
}

/**
 * Times both backends at {@link DECODE_BATCHES} on `entry`'s decoder, and at batch 1 with ORT's defaults; also returns
 * one decoded face (CHW float planes, from the native backend) for the PNG section.
 */
export async function benchDecode(entry: ModelEntry, runs: Runs): Promise<{ results: DecodeResult[]; facePlanes: Float32Array }> {
  const model = new Uint8Array(readFileSync(join(MODELS_DIR, entry.file)));
  const results: DecodeResult[] = [];
  let facePlanes: Float32Array | undefined;
  for (const [backend, ort] of Object.entries(NODE_ORTS) as Array<[NodeBackend, OrtApi]>) {
    const tensor = (z: Float32Array, batch: number) => new ort.Tensor('float32', z, [batch, entry.latentSize]);
    const time = async (session: InferenceSession, batch: number, options: DecodeResult['options']) => {
      const inputs = (await latentBatches(entry.latentSize, batch, 16)).map((z) => ({ [entry.input]: tensor(z, batch) }));
      results.push({ backend, batch, options, samplesMs: await sampleMs(runs, (i) => session.run(inputs[i % inputs.length])) });
    };
    const defaults = await createDecoderSession(ort, model, {});
    await time(defaults, 1, 'ort-defaults');
    await defaults.release();
    const session = await createDecoderSession(ort, model);
    for (const batch of DECODE_BATCHES) await time(session, batch, 'runtime');
    if (backend === 'native') {
      const [z] = await latentBatches(entry.latentSize, 1, 1);
      facePlanes = (await session.run({ [entry.input]: tensor(z, 1) }))[entry.output].data as Float32Array;
    }
    await session.release();
  }
  return { results, facePlanes: facePlanes! };
}
