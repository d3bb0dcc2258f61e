/**
 * Generated faces for seeds "0".."n-1": each seed goes through the service's own seed→latent code, then the
 * decoder (onnxruntime-node, CPU, one thread), then the service's renderer at the model's native size.
 */
import * as ort from 'onnxruntime-node';
import { seedToLatent } from '../src/runtime/latent';
import { planesToImage, type RgbImage } from './image';
import type { DecoderSpec } from './model-spec';

/** Faces per decoder run: large enough to amortise the call, small enough to keep memory flat. */
const BATCH = 16;

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
  const session = await ort.InferenceSession.create(spec.file, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const input = spec.input ?? session.inputNames[0];
  const output = spec.output ?? session.outputNames[0];
  // A graph exported with a fixed batch size of 1 cannot take batches; every other graph gets up to BATCH.
  const inputMeta = session.inputMetadata.find((m) => m.name === input);
  const batchDim = inputMeta && 'shape' in inputMeta ? inputMeta.shape[0] : undefined;
  const batch = typeof batchDim === 'number' ? batchDim : BATCH;

  return async (latents) => {
    const images: RgbImage[] = [];
    for (let start = 0; start < latents.length; start += batch) {
      const chunk = latents.slice(start, start + batch);
      const z = new Float32Array(batch * spec.latentSize); // a fixed-batch graph gets zero rows as padding
      chunk.forEach((latent, i) => z.set(latent, i * spec.latentSize));
      const rows = typeof batchDim === 'number' ? batch : chunk.length;
      const result = await session.run({ [input]: new ort.Tensor('float32', z.subarray(0, rows * spec.latentSize), [rows, spec.latentSize]) });
      const planes = result[output];
      const expected = [rows, 3, spec.imageSize, spec.imageSize];
      if (planes.dims.join() !== expected.join()) throw new Error(`decoder output is [${planes.dims}], expected [${expected}]`);
      const data = planes.data as Float32Array;
      const per = 3 * spec.imageSize * spec.imageSize;
      chunk.forEach((_, i) => images.push(planesToImage(data.subarray(i * per, (i + 1) * per), spec.imageSize, size, spec.valueRange)));
      for (const tensor of Object.values(result)) tensor.dispose();
    }
    return images;
  };
}

/** Opens the decoder and returns a function that renders the faces for a list of seeds. */
export async function openGenerator(spec: DecoderSpec, size = spec.imageSize): Promise<(seeds: readonly string[]) => Promise<GeneratedFace[]>> {
  const decode = await openDecoder(spec, size);
  return async (seeds) => {
    const latents = await Promise.all(seeds.map((seed) => seedToLatent(seed, spec.latentSize)));
    return (await decode(latents)).map((image, i) => ({ seed: seeds[i], image }));
  };
}
