/**
 * Reconstructions through a training run's `autoencoder.onnx` (train/src/seedface_train/export.py: input `image`
 * [N, 3, S, S] in [-1, 1], output `recon` [N, 3, S', S'], the decoder applied to the encoder's mean), for the
 * reconstruction age-cue figure. onnxruntime-node on one CPU thread (the project's one session factory and its
 * native build), so reconstructions are reproducible.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { NODE_ORTS } from '../scripts/lib/node-ort';
import { createDecoderSession } from '../src/runtime/decoder';
import { planesToImage, resizeSquare, type RgbImage } from './image';

/** Faces per run of the graph. */
const BATCH = 16;

/** An opened autoencoder. */
export interface Autoencoder {
  file: string;
  sha256: string;
  /** The side its input must have (fixed by the graph). */
  inputSize: number;
  /**
   * Reconstructions of square faces of any size: each is brought to `inputSize` by the service's resampler, and
   * the output is rendered at `size` by the service's renderer, as a served face would be.
   */
  reconstruct(faces: readonly RgbImage[], size: number): Promise<RgbImage[]>;
}

/** Opens `file`; throws if its input is not [N, 3, S, S] with a fixed S. */
export async function openAutoencoder(file: string): Promise<Autoencoder> {
  const bytes = await readFile(file);
  const ort = NODE_ORTS.native;
  const session = await createDecoderSession(ort, bytes);
  const [input] = session.inputNames, [output] = session.outputNames;
  const meta = session.inputMetadata[0];
  const shape = meta && 'shape' in meta ? meta.shape : [];
  if (shape.length !== 4 || shape[1] !== 3 || typeof shape[2] !== 'number' || shape[3] !== shape[2]) {
    throw new Error(`${file}: the autoencoder's input must be [N, 3, S, S] with a fixed S, got [${shape.join(', ')}]`);
  }
  const inputSize = shape[2];
  const perFace = 3 * inputSize * inputSize;

  async function reconstruct(faces: readonly RgbImage[], size: number): Promise<RgbImage[]> {
    const out: RgbImage[] = [];
    for (let start = 0; start < faces.length; start += BATCH) {
      const chunk = faces.slice(start, start + BATCH);
      const x = new Float32Array(chunk.length * perFace);
      chunk.forEach((face, i) => {
        const { data } = resizeSquare(face, inputSize);
        for (let p = 0; p < inputSize * inputSize; p++) {
          for (let c = 0; c < 3; c++) x[i * perFace + c * inputSize * inputSize + p] = data[p * 3 + c] / 127.5 - 1;
        }
      });
      const result = await session.run({ [input]: new ort.Tensor('float32', x, [chunk.length, 3, inputSize, inputSize]) });
      const recon = result[output];
      const side = recon.dims[2];
      if (recon.dims.length !== 4 || recon.dims[0] !== chunk.length || recon.dims[1] !== 3 || recon.dims[3] !== side) {
        throw new Error(`${file}: the autoencoder's output is [${recon.dims.join(', ')}], expected [${chunk.length}, 3, S, S]`);
      }
      const data = recon.data as Float32Array, per = 3 * side * side;
      chunk.forEach((_, i) => out.push(planesToImage(data.subarray(i * per, (i + 1) * per), side, size, [-1, 1])));
      for (const tensor of Object.values(result)) tensor.dispose();
    }
    return out;
  }

  return { file, sha256: createHash('sha256').update(bytes).digest('hex'), inputSize, reconstruct };
}
