/**
 * Generated faces for seeds "0".."n-1", made as the service makes them: the service's seed→latent composition
 * (src/runtime/face-latent.ts), its decoder session (src/runtime/decoder.ts: the same options on the same
 * onnxruntime-web wasm kernels the worker runs) and its renderer, at the model's native size.
 */
import { readFile } from 'node:fs/promises';
import { NODE_ORTS } from '../scripts/lib/node-ort';
import { BatchingDecoder, createDecoderSession } from '../src/runtime/decoder';
import { faceLatent } from '../src/runtime/face-latent';
import { seedDigest } from '../src/runtime/latent';
import { planesToImage, type RgbImage } from './image';
import type { DecoderSpec } from './model-spec';

/** The worker's ORT build, so that the evaluation scores exactly the pixels the service serves. */
const ORT = NODE_ORTS.wasm;

/** One generated face. */
export interface GeneratedFace {
  seed: string;
  image: RgbImage;
}

/**
 * Opens the decoder and returns a function that renders latents (any number, decoded in batches) as images of
 * `size` px, resampled from the decoder's float output as the service renders a `size=` request.
 */
export async function openDecoder(spec: DecoderSpec, size = spec.imageSize): Promise<(latents: readonly Float32Array[]) => Promise<RgbImage[]>> {
  const session = await createDecoderSession(ORT, await readFile(spec.file));
  const decoder = await BatchingDecoder.open(ORT, session, {
    input: spec.input ?? session.inputNames[0],
    output: spec.output ?? session.outputNames[0],
    latentSize: spec.latentSize,
    imageSize: spec.imageSize,
  });
  return async (latents) => {
    const planes = await decoder.decode([...latents]);
    return planes.map((p) => planesToImage(p, spec.imageSize, size, spec.valueRange));
  };
}

/** Opens the decoder and returns a function that renders the (unshifted) faces for a list of seeds at `size` px. */
export async function openGenerator(spec: DecoderSpec, size = spec.imageSize): Promise<(seeds: readonly string[]) => Promise<GeneratedFace[]>> {
  const decode = await openDecoder(spec, size);
  return async (seeds) => {
    const latents = await Promise.all(seeds.map(async (seed) => faceLatent(await seedDigest(seed), spec.latentSize, new Map(), [])));
    return (await decode(latents)).map((image, i) => ({ seed: seeds[i], image }));
  };
}
