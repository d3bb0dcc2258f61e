/**
 * Drawn faces → image file bytes: the one place the formats are described and an encoder is chosen by format. PNG
 * (and APNG) is src/runtime/png.ts, measured faster than every library tried and defining the served bytes; WebP and
 * JPEG are libwebp's and mozjpeg's wasm (./webp, ./jpeg), started on their first use, so an isolate (or page) that
 * only ever makes PNG never instantiates them, and imported lazily, so the browser bundle that shares this table for
 * parameter parsing does not carry their glue.
 */
import { encodeApng, encodePng } from './png';

/** How one still image is coded: `opaque` when every alpha is 255 (PNG then writes RGB); `quality` for lossy formats. */
export interface StillOptions {
  opaque: boolean;
  quality: number;
}

/** What a started format's encoder does: one still image, and for PNG an endless animation of equal-size frames. */
export interface Encoder {
  still(rgba: Uint8Array, width: number, height: number, options: StillOptions): Uint8Array;
  animation?(frames: Uint8Array[], width: number, height: number, delayMs: number, opaque: boolean): Uint8Array;
  /** Its wasm linear memory (~17 MB per lossy codec once started), which counts towards an isolate's memory limit. */
  memoryBytes?(): number;
}

/**
 * The lossy codecs' compiled wasm, per platform: workerd imports it (src/runtime/codecs-workerd.ts), Node and
 * browsers compile the files' bytes. Each is asked for at most once, when its format is first used.
 */
export interface CodecModules {
  webp(): WebAssembly.Module | Promise<WebAssembly.Module>;
  jpeg(): WebAssembly.Module | Promise<WebAssembly.Module>;
}

/** What a response, a file name and the parameter rules need to know about a format, and how to start its encoder. */
interface FormatInfo {
  contentType: string;
  /** File extension, without the dot. */
  extension: string;
  /** Takes `quality`. */
  lossy: boolean;
  /** Can carry transparency (a circle face needs it). */
  alpha: boolean;
  start(codecs: CodecModules): Promise<Encoder>;
}

const PNG: Encoder = { still: (rgba, width, height, { opaque }) => encodePng(rgba, width, height, opaque), animation: encodeApng };

/** The file formats faces are encoded in, in the order the API lists them. */
export const IMAGE_FORMATS = {
  png: { contentType: 'image/png', extension: 'png', lossy: false, alpha: true, start: async () => PNG },
  webp: { contentType: 'image/webp', extension: 'webp', lossy: true, alpha: true, start: async (codecs) => (await import('./webp')).startWebpEncoder(await codecs.webp()) },
  jpeg: { contentType: 'image/jpeg', extension: 'jpg', lossy: true, alpha: false, start: async (codecs) => (await import('./jpeg')).startJpegEncoder(await codecs.jpeg()) },
} as const satisfies Record<string, FormatInfo>;
/** A file format of {@link IMAGE_FORMATS}. */
export type ImageFormat = keyof typeof IMAGE_FORMATS;
/** The formats' names, for a `z.enum` of them. */
export const FORMATS = Object.keys(IMAGE_FORMATS) as [ImageFormat, ...ImageFormat[]];

/** The lossy formats: the ones `quality` applies to. */
export const LOSSY_FORMATS = FORMATS.filter((f) => IMAGE_FORMATS[f].lossy);

/** Quality of the lossy formats when the request names none (why 85: docs/formats-notes.md). */
export const DEFAULT_QUALITY = 85;

/** How an image is encoded: its format and, for a lossy one, the quality. */
export interface Encoding {
  format: ImageFormat;
  /** 1–100 for WebP and JPEG; 0 for PNG, which is lossless. */
  quality: number;
}

/**
 * How the faces become one image: `row` side by side (a single face is just itself), `loop` the frames of an endless
 * animation that plays there and back (0 … n-1, then n-2 … 1; PNG only).
 */
export type Layout = 'row' | 'loop';

/** What image to make of faces drawn as `width` × `height` frames; `opaque` when no pixel needs alpha. */
export interface ImageSpec extends Encoding {
  layout: Layout;
  width: number;
  height: number;
  opaque: boolean;
}

/** Display time of one animation frame. */
export const FRAME_MS = 120;

/** Lays RGBA frames of `width` × `height` side by side. */
function row(faces: Uint8Array[], width: number, height: number): Uint8Array {
  if (faces.length === 1) return faces[0];
  const stride = width * 4, out = new Uint8Array(faces.length * height * stride);
  faces.forEach((f, i) => {
    for (let y = 0; y < height; y++) out.set(f.subarray(y * stride, (y + 1) * stride), (y * faces.length + i) * stride);
  });
  return out;
}

/** The encoders of one isolate (or page): each format's started once, on its first use, from `codecs`. */
export class Encoders {
  private readonly started = new Map<ImageFormat, Promise<Encoder>>();
  private readonly running: Encoder[] = [];

  constructor(private readonly codecs: CodecModules) {}

  /** The encoder of `format`, starting it if this is the first use; a failed start is retried next time. */
  get(format: ImageFormat): Promise<Encoder> {
    let encoder = this.started.get(format);
    if (!encoder) {
      encoder = IMAGE_FORMATS[format].start(this.codecs);
      encoder.then(
        (e) => this.running.push(e),
        () => this.started.delete(format),
      );
      this.started.set(format, encoder);
    }
    return encoder;
  }

  /** Encodes RGBA frames of `spec.width` × `spec.height` as one image file of `spec.format`, laid out as `spec.layout` says. */
  async encodeFaces(faces: Uint8Array[], spec: ImageSpec): Promise<Uint8Array> {
    const { width, height, quality, opaque } = spec, encoder = await this.get(spec.format);
    if (spec.layout === 'row') return encoder.still(row(faces, width, height), width * faces.length, height, { opaque, quality });
    if (!encoder.animation) throw new Error(`${spec.format} has no animation`);
    // The repeated frames are the same arrays, so an encoder can compress each once.
    return encoder.animation([...faces, ...faces.slice(1, -1).reverse()], width, height, FRAME_MS, opaque);
  }

  /** The started encoders' wasm linear memory, outside the JS heap; 0 while only PNG has been asked for. */
  wasmMemoryBytes(): number {
    return this.running.reduce((sum, e) => sum + (e.memoryBytes?.() ?? 0), 0);
  }
}
