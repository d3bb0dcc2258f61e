/**
 * Test fixtures for the evaluation, made at test time (no face image from the data set is ever committed):
 * a tiny ONNX decoder written with a minimal protobuf encoder, face crops from the NASA astronaut photo
 * that Debian's python3-skimage ships (public domain), and the LFW faces it ships.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeImage } from '../../eval/image-codec';
import { crop, resizeSquare, type RgbImage } from '../../eval/image';

/** The astronaut photo (Eileen Collins, NASA, public domain) from python3-skimage. */
export const ASTRONAUT_PNG = '/usr/lib/python3/dist-packages/skimage/data/astronaut.png';

/** A square crop around the astronaut's face, at `size` pixels; `shift` (-20..20) moves the crop sideways for variety. */
export function astronautFace(size: number, shift = 0): RgbImage {
  const photo = decodeImage(readFileSync(ASTRONAUT_PNG));
  return resizeSquare(crop(photo, 140 + shift, 10, 130, 130), size);
}

/** The 25x25 grey LFW faces (Labeled Faces in the Wild) python3-skimage ships; the first 100 of its 200 are faces. */
export const LFW_SUBSET_NPY = '/usr/lib/python3/dist-packages/skimage/data/lfw_subset.npy';

/**
 * LFW face `index` (0–99) of skimage's subset, as an RGB image of `size` px: unlike crops of one astronaut, these
 * faces get different predicted ages.
 */
export function lfwFace(index: number, size: number): RgbImage {
  const npy = readFileSync(LFW_SUBSET_NPY);
  const headerLength = npy.readUInt16LE(8); // .npy v1: magic, version, header length, then '<f8' (200, 25, 25)
  const offset = 10 + headerLength + index * 625 * 8;
  const image: RgbImage = { width: 25, height: 25, data: new Uint8Array(625 * 3) };
  for (let i = 0; i < 625; i++) image.data.fill(Math.round(255 * npy.readDoubleLE(offset + i * 8)), i * 3, i * 3 + 3);
  return resizeSquare(image, size);
}

// --- protobuf wire format: just what an ONNX ModelProto needs -------------------------------------------

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

type Field = number[];
const int = (field: number, value: number): Field => [...varint(field << 3), ...varint(value)];
const bytes = (field: number, data: ArrayLike<number>): Field => [...varint((field << 3) | 2), ...varint(data.length), ...Array.from(data)];
const str = (field: number, text: string): Field => bytes(field, new TextEncoder().encode(text));
const msg = (field: number, ...parts: Field[]): Field => bytes(field, parts.flat());

const FLOAT = 1, INT64 = 7;

/** A TensorProto initializer (field 5 of GraphProto). */
function initializer(name: string, dims: number[], type: number, data: Uint8Array): Field {
  return msg(5, ...dims.map((d) => int(1, d)), int(2, type), str(8, name), bytes(9, data));
}

/** A ValueInfoProto for a float tensor; string dims are symbolic. */
function valueInfo(field: number, name: string, dims: (number | string)[]): Field {
  const shape = dims.map((d) => msg(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  return msg(field, str(1, name), msg(2, msg(1, int(1, FLOAT), msg(2, ...shape))));
}

function node(op: string, inputs: string[], outputs: string[], ...attributes: Field[]): Field {
  return msg(1, ...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(4, op), ...attributes);
}

/**
 * A decoder `z [N, latent] → Gemm → Reshape [N, 3, size, size] → Tanh` whose bias is `base` (values in [-1, 1]
 * after Tanh) and whose weights add ±`spread` of variation per latent unit, so every seed gives a slightly
 * different version of the base image. `batch` fixes the batch dimension (as some exporters do); by default it is
 * symbolic. Returns the ONNX bytes (opset 13).
 */
export function tinyDecoderOnnx(base: RgbImage, latent: number, spread: number, batch: number | 'N' = 'N'): Uint8Array {
  const size = base.width, count = 3 * size * size;
  const bias = new Float32Array(count);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < size * size; i++) {
      const v = Math.min(0.98, Math.max(-0.98, base.data[i * 3 + c] / 127.5 - 1));
      bias[c * size * size + i] = Math.atanh(v);
    }
  }
  // Deterministic pseudo-random weights (a small LCG); low-frequency per latent unit so faces stay faces.
  const weights = new Float32Array(latent * count);
  let state = 12345;
  for (let k = 0; k < latent; k++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const phase = (state / 2147483648) * 2 * Math.PI;
    for (let j = 0; j < count; j++) weights[k * count + j] = spread * Math.sin(phase + (j % (size * size)) / (size * 3) + k);
  }
  const shape = new BigInt64Array([-1n, 3n, BigInt(size), BigInt(size)]);
  const graph = msg(
    7,
    node('Gemm', ['z', 'w', 'b'], ['flat']),
    node('Reshape', ['flat', 'shape'], ['pre']),
    node('Tanh', ['pre'], ['image']),
    str(2, 'tiny-decoder'),
    initializer('w', [latent, count], FLOAT, new Uint8Array(weights.buffer)),
    initializer('b', [count], FLOAT, new Uint8Array(bias.buffer)),
    initializer('shape', [4], INT64, new Uint8Array(shape.buffer)),
    valueInfo(11, 'z', [batch, latent]),
    valueInfo(12, 'image', [batch, 3, size, size]),
  );
  return Uint8Array.from([...int(1, 8), ...msg(8, str(1, ''), int(2, 13)), ...graph]);
}

/**
 * A manifest.json naming one model, `file` with the ONNX bytes `model` (version t1, [-1, 1], input z, output image), as
 * the service would accept it; `extra` adds fields (the attributes file).
 */
export function manifestFor(file: string, model: Uint8Array, latentSize: number, imageSize: number, extra: Record<string, unknown> = {}): string {
  const entry = {
    name: 'tiny', version: 't1', file, sha256: createHash('sha256').update(model).digest('hex'), bytes: model.length,
    latentSize, imageSize, input: 'z', output: 'image', valueRange: [-1, 1], quantization: 'fp32', ...extra,
  };
  return JSON.stringify({ current: 't1', models: [entry] });
}

/**
 * An "autoencoder" `image [N, 3, size, size] → Mul by `gain` → recon`, with the input and output names of
 * train/src/seedface_train/export.py's autoencoder.onnx: gain 1 reconstructs every face exactly, a smaller gain
 * gives a darker, flatter copy. Returns the ONNX bytes (opset 13).
 */
export function tinyAutoencoderOnnx(size: number, gain: number): Uint8Array {
  const graph = msg(
    7,
    node('Mul', ['image', 'gain'], ['recon']),
    str(2, 'tiny-autoencoder'),
    initializer('gain', [], FLOAT, new Uint8Array(new Float32Array([gain]).buffer)),
    valueInfo(11, 'image', ['N', 3, size, size]),
    valueInfo(12, 'recon', ['N', 3, size, size]),
  );
  return Uint8Array.from([...int(1, 8), ...msg(8, str(1, ''), int(2, 13)), ...graph]);
}
