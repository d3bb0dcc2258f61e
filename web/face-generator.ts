/**
 * Faces in the browser, from the same runtime the edge uses (src/runtime/): seed → latent, the ONNX decoder, resizing
 * and the PNG, WebP and JPEG encoders are the worker's own modules; only ORT's build differs (WebGPU first, WASM as
 * fallback).
 *
 * ```js
 * import { createFaceGenerator } from 'https://<worker>/web/face-generator.js';
 * const faces = await createFaceGenerator({ baseUrl: 'https://<worker>' });
 * const { imageData } = await faces.generate('alice', { size: 128 });
 * ```
 *
 * The model comes from the worker's model store (`/models/manifest.json`, `/models/<file>`) and is checked against its
 * manifest sha256 before use, exactly as the worker checks it.
 */
import { resolveFrame, type FrameQuery } from '../src/http/frame-query';
import { MAX_SIDE } from '../src/http/frame-size';
import { encodingOf, faceQuery, issuesDetail } from '../src/http/params';
import { canonicalStrengths } from '../src/runtime/attributes';
import { drawFaces } from '../src/runtime/draw';
import { DEFAULT_QUALITY, IMAGE_FORMATS, type Encoders, type ImageFormat } from '../src/runtime/encode';
import { faceLatent, slerpFrames } from '../src/runtime/face-latent';
import type { Frame } from '../src/runtime/frame';
import { seedDigest } from '../src/runtime/latent';
import type { ModelEntry } from '../src/runtime/manifest';
import { ModelStore, type LoadedModel, type ModelBucket } from '../src/runtime/model-store';
import { browserOrt, type Backend } from '../src/runtime/ort-browser';
import { encodePng } from '../src/runtime/png';
import { slerp } from '../src/runtime/slerp';

/** Options of {@link createFaceGenerator}. */
export interface FaceGeneratorOptions {
  /** Origin (and optional path prefix) of a seedface worker; default: this page's origin. */
  baseUrl?: string;
  /** Model version; default: the manifest's `current`. */
  version?: string;
  /** Execution providers to try, best first; default `['webgpu', 'wasm']`. */
  backends?: Backend[];
}

/**
 * How a face is drawn, as the `/face` query takes it (and refused as it refuses it, with a RangeError naming the
 * option): `size` (a square) or `width` and `height` (16–512 px, times `dpr` 1–3), `fit` (`cover` crops, `contain`
 * pads), `shape` (a circle is transparent outside unless `background` names a colour), `background` (`RRGGBB` or
 * `transparent`), `grayscale`, `blur` (σ in pixels, 1–10), and attribute strengths (−2…2 by name, see
 * {@link FaceGenerator.attributes}).
 */
export interface FaceOptions {
  size?: number;
  width?: number;
  height?: number;
  fit?: 'cover' | 'contain';
  shape?: 'square' | 'circle';
  background?: string;
  dpr?: number;
  grayscale?: boolean;
  blur?: number;
  attributes?: Record<string, number>;
}

/** One rendered face and how long the decoder and resize took, in ms. */
export interface Face {
  imageData: ImageData;
  ms: number;
}

/** A loaded decoder, ready to draw faces. */
export interface FaceGenerator {
  /** The execution provider the decoder runs on. */
  readonly backend: Backend;
  /** The model's manifest entry (version, sizes, licence…). */
  readonly model: ModelEntry;
  /** The attributes faces can be shifted along, and what a positive strength does; empty if the model has none. */
  readonly attributes: ReadonlyArray<{ name: string; positive: string }>;
  /** The face for `seed`: the same pixels as `GET /face/:seed` on the wasm backend. */
  generate(seed: string, options?: FaceOptions): Promise<Face>;
  /** The face at `t` ∈ [0, 1] on the great circle from seed `a` to seed `b` (slerp of their shifted latents). */
  morph(a: string, b: string, t: number, options?: FaceOptions): Promise<Face>;
  /** `steps` ≥ 2 faces from `a` to `b`, decoded in one batch: the frames of `GET /interpolate`. */
  interpolate(a: string, b: string, steps: number, options?: FaceOptions): Promise<ImageData[]>;
  /** A face as PNG, with the worker's encoder (RGB when opaque, as the worker writes square faces). */
  toPng(imageData: ImageData): Blob;
  /**
   * A face as PNG, WebP or JPEG with the worker's encoders and `quality` (lossy formats, 1–100, default 85): on the
   * wasm backend the bytes `GET /face/:seed.<ext>?quality=` sends. The WebP and JPEG codecs load on first use; a
   * transparent (circle) face has no JPEG, as on the server.
   */
  encode(imageData: ImageData, format: ImageFormat, quality?: number): Promise<Blob>;
}

/** The frame `options` describe, checked by the worker's own schema and rules. */
function frameOf(options: FaceOptions = {}): Frame {
  const { size, width, height, fit, shape, background, dpr, grayscale, blur } = options;
  const given = { size, width, height, fit, shape, background, dpr, blur, grayscale: grayscale === undefined ? undefined : grayscale ? '1' : '0' };
  const query = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  const parsed = faceQuery.safeParse(query);
  if (!parsed.success) throw new RangeError(issuesDetail(parsed.error));
  const frame = resolveFrame(parsed.data as FrameQuery, MAX_SIDE.face);
  if ('error' in frame) throw new RangeError(frame.error);
  return frame;
}

/** The worker's model routes as a {@link ModelBucket}, so the browser reuses the worker's verified model loading. */
function httpBucket(base: URL): ModelBucket {
  return {
    async get(key) {
      const response = await fetch(new URL(`models/${encodeURIComponent(key)}`, base));
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`GET models/${key}: HTTP ${response.status}`);
      return response;
    },
  };
}

/** Loads the model and starts ORT; resolves once one test decode has run. */
export async function createFaceGenerator(options: FaceGeneratorOptions = {}): Promise<FaceGenerator> {
  const base = new URL(options.baseUrl ?? location.origin);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const runtime = await browserOrt(base, options.backends);
  const model: LoadedModel = await new ModelStore(runtime.ort).model(httpBucket(base), options.version);
  const digests = new Map<string, Promise<Uint8Array>>();
  // Memoised: the morph slider asks for the same two seeds on every move.
  const digest = (seed: string) => {
    let d = digests.get(seed);
    if (!d) digests.set(seed, (d = seedDigest(seed)));
    return d;
  };
  // Shifted before any interpolation, as the worker's /interpolate does.
  const latent = async (seed: string, options?: FaceOptions) => faceLatent(await digest(seed), model.entry.latentSize, model.attributes, canonicalStrengths(options?.attributes ?? {}));
  const render = async (zs: Float32Array[], options?: FaceOptions) => {
    const frame = frameOf(options), started = performance.now();
    const { rgba } = await drawFaces(model, zs, frame);
    return { images: rgba.map((px) => new ImageData(new Uint8ClampedArray(px.buffer as ArrayBuffer, px.byteOffset, px.length), frame.width, frame.height)), ms: performance.now() - started };
  };
  const one = async (z: Float32Array, options?: FaceOptions): Promise<Face> => {
    const { images, ms } = await render([z], options);
    return { imageData: images[0], ms };
  };
  // Set once the session above exists: `model()` resolved, so one provider started.
  const backend = runtime.backend()!;
  let encoders: Promise<Encoders> | undefined;
  const pixels = ({ data }: ImageData) => new Uint8Array(data.buffer, data.byteOffset, data.length);
  const isOpaque = (px: Uint8Array) => px.every((v, i) => i % 4 !== 3 || v === 255);
  return {
    backend,
    model: model.entry,
    attributes: [...model.attributes].map(([name, { positive }]) => ({ name, positive })),
    generate: async (seed, opts) => one(await latent(seed, opts), opts),
    morph: async (a, b, t, opts) => one(slerp(await latent(a, opts), await latent(b, opts), t), opts),
    async interpolate(a, b, steps, opts) {
      if (!Number.isInteger(steps) || steps < 2) throw new RangeError('steps must be an integer ≥ 2');
      const [za, zb] = await Promise.all([latent(a, opts), latent(b, opts)]);
      return (await render(slerpFrames(za, zb, steps), opts)).images;
    },
    toPng(imageData) {
      const px = pixels(imageData);
      return new Blob([encodePng(px, imageData.width, imageData.height, isOpaque(px)) as Uint8Array<ArrayBuffer>], { type: 'image/png' });
    },
    async encode(imageData, format, quality) {
      const px = pixels(imageData), opaque = isOpaque(px);
      const encoding = encodingOf(format, IMAGE_FORMATS[format].lossy ? (quality ?? DEFAULT_QUALITY) : undefined, opaque ? null : 'shape');
      if ('error' in encoding) throw new RangeError(encoding.error);
      encoders ??= import('../src/runtime/codecs-browser').then(({ browserEncoders }) => browserEncoders(base));
      const bytes = (await (await encoders).get(format)).still(px, imageData.width, imageData.height, { opaque, quality: encoding.quality });
      return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: IMAGE_FORMATS[format].contentType });
    },
  };
}
