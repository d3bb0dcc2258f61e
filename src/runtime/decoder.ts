/**
 * One ONNX decoder session with a request queue: latents that arrive while the session is busy (or in the same
 * microtask turn) are decoded together in one batched run, and runs never overlap, which onnxruntime-web's
 * single-threaded wasm backend does not support on one session.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';

/** The parts of an onnxruntime build (web, node) this module needs; passed in so the module stays platform-neutral. */
export interface OrtApi {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;
  /** `['wasm']` for onnxruntime-web, `['cpu']` for onnxruntime-node. */
  executionProviders: string[];
}

/** Graph shape facts from the manifest entry. */
export interface DecoderSpec {
  input: string;
  output: string;
  latentSize: number;
  imageSize: number;
}

interface Pending {
  z: Float32Array;
  resolve: (planes: Float32Array) => void;
  reject: (error: unknown) => void;
}

/** Largest batch in one run: bounds wasm memory (≈ 3·H·W·4 bytes of output per face) under bursts. */
export const MAX_BATCH = 16;

/**
 * Session options for every decoder, in the worker, the browser and the benchmarks. `session.disable_quant_qdq` lets
 * constant folding turn int8 weights (DequantizeLinear on an initializer) into float32 once, at load, instead of on
 * every run: measured on model 3 in wasm, 2.57 → 2.25 ms per face, with identical outputs.
 */
export const DECODER_SESSION_OPTIONS: InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  extra: { session: { disable_quant_qdq: '1' } },
};

/** A reusable decoder for one model version. */
export class BatchingDecoder {
  private queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly ort: OrtApi,
    private readonly session: InferenceSession,
    readonly spec: DecoderSpec,
  ) {}

  /**
   * Creates the session from ONNX bytes (full graph optimisation) and decodes one latent, so a model that does not
   * match its manifest entry fails here, once, instead of in every request.
   */
  static async create(ort: OrtApi, model: Uint8Array, spec: DecoderSpec): Promise<BatchingDecoder> {
    const session = await ort.InferenceSession.create(model, { ...DECODER_SESSION_OPTIONS, executionProviders: ort.executionProviders });
    if (!session.inputNames.includes(spec.input) || !session.outputNames.includes(spec.output)) {
      throw new Error(`graph has inputs [${session.inputNames}] and outputs [${session.outputNames}], manifest says ${spec.input} → ${spec.output}`);
    }
    const decoder = new BatchingDecoder(ort, session, spec);
    await decoder.run([new Float32Array(spec.latentSize)]);
    return decoder;
  }

  /**
   * Decodes latents (each `latentSize` floats) into CHW float planes (each `3 * imageSize²` floats).
   * Results are views into the run's output buffer: read them, do not keep them for long.
   */
  decode(latents: Float32Array[]): Promise<Float32Array[]> {
    const bad = latents.find((z) => z.length !== this.spec.latentSize);
    if (bad) return Promise.reject(new RangeError(`latent has ${bad.length} values, model wants ${this.spec.latentSize}`));
    const results = latents.map((z) => new Promise<Float32Array>((resolve, reject) => this.queue.push({ z, resolve, reject })));
    this.schedule();
    return Promise.all(results);
  }

  /** Starts draining unless a drain is going (it will pick up what was just queued). */
  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    // A microtask lets every request of the current turn join the batch.
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const planes = await this.run(batch.map((p) => p.z));
        batch.forEach((p, i) => p.resolve(planes[i]));
      } catch (error) {
        batch.forEach((p) => p.reject(error));
      }
    }
    this.running = false;
  }

  private async run(latents: Float32Array[]): Promise<Float32Array[]> {
    const { latentSize, imageSize, input, output } = this.spec;
    const z = new Float32Array(latents.length * latentSize);
    latents.forEach((l, i) => z.set(l, i * latentSize));
    const feeds = { [input]: new this.ort.Tensor('float32', z, [latents.length, latentSize]) };
    const result = await this.session.run(feeds);
    const data = result[output].data as Float32Array;
    const per = 3 * imageSize * imageSize;
    if (data.length !== per * latents.length) throw new Error(`decoder output has ${data.length} values, expected ${per * latents.length}`);
    return latents.map((_, i) => data.subarray(i * per, (i + 1) * per));
  }
}
