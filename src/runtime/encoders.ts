/**
 * Format → encoder, in one place. PNG is plain TypeScript (./png); the lossy codecs are wasm, started on first use,
 * so an isolate that only ever serves PNG never instantiates them.
 */
import type { ImageFormat } from './formats';
import { startJpegEncoder } from './jpeg';
import { encodePng } from './png';
import { startWebpEncoder, type LossyCodec } from './webp';

/** How one image is coded: `opaque` when every alpha is 255 (PNG then writes RGB); `quality` for lossy formats. */
export interface EncodeOptions {
  opaque: boolean;
  quality: number;
}

/** Encodes `width × height` RGBA pixels. */
export type Encode = (rgba: Uint8Array, width: number, height: number, options: EncodeOptions) => Uint8Array;

/**
 * The lossy codecs' compiled wasm, per platform: workerd imports it (src/runtime/codecs-workerd.ts), Node and
 * browsers compile the files' bytes. Each is asked for at most once, when its format is first used.
 */
export interface CodecModules {
  webp(): WebAssembly.Module | Promise<WebAssembly.Module>;
  jpeg(): WebAssembly.Module | Promise<WebAssembly.Module>;
}

const STARTERS: Record<'webp' | 'jpeg', (module: WebAssembly.Module) => Promise<LossyCodec>> = { webp: startWebpEncoder, jpeg: startJpegEncoder };

/** The encoders of one isolate (or page): PNG at once, each lossy codec started once, on its first use. */
export class Encoders {
  private readonly started = new Map<ImageFormat, Promise<Encode>>();
  private readonly codecs: LossyCodec[] = [];

  constructor(private readonly modules: CodecModules) {}

  /** The encoder of `format`, starting its codec if this is the first use; a failed start is retried next time. */
  get(format: ImageFormat): Promise<Encode> {
    let encode = this.started.get(format);
    if (!encode) {
      encode = format === 'png' ? Promise.resolve(pngEncode) : this.startLossy(format);
      encode.catch(() => this.started.delete(format));
      this.started.set(format, encode);
    }
    return encode;
  }

  /**
   * The started codecs' wasm linear memory, which counts towards an isolate's memory limit outside the JS heap
   * (~17 MB per codec once started); 0 while only PNG has been asked for.
   */
  wasmMemoryBytes(): number {
    return this.codecs.reduce((sum, codec) => sum + codec.memoryBytes(), 0);
  }

  private async startLossy(format: 'webp' | 'jpeg'): Promise<Encode> {
    const codec = await STARTERS[format](await this.modules[format]());
    this.codecs.push(codec);
    return (rgba, width, height, { quality }) => codec.encode(rgba, width, height, quality);
  }
}

const pngEncode: Encode = (rgba, width, height, { opaque }) => encodePng(rgba, width, height, opaque);
