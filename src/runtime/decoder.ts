/**
 * The one way a decoder session is made ({@link createDecoderSession}: the options, on whichever ORT build the
 * platform passes in), and the one way it is run: a request queue, so that latents that arrive while the session is
 * busy (or in the same microtask turn) are decoded together in one batched run, and runs never overlap, which
 * onnxruntime-web's single-threaded wasm backend does not support on one session. The worker, the browser client,
 * the evaluation, the benchmarks and the tests all decode through this module.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';

/** The parts of an onnxruntime build (web, node) this module needs; passed in so the module stays platform-neutral. */
export interface OrtApi {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;
  /**
   * What this build adds to {@link DECODER_SESSION_OPTIONS}: its execution providers (`['wasm']` for onnxruntime-web,
   * `['cpu']` and one thread for onnxruntime-node).
   */
  sessionOptions: InferenceSession.SessionOptions & { executionProviders: readonly string[] };
}

/** The graph facts a decoder needs, from the manifest entry. */
export interface DecoderGraph {
  input: string;
  output: string;
  latentSize: number;
  imageSize: number;
}

interface Pending {
  z: Float32Array;
  /** `started`: when the run that decoded this latent began (performance.now()). */
  resolve: (decoded: { planes: Float32Array; started: number }) => void;
  reject: (error: unknown) => void;
}

/**
 * Pixels one run may decode: 16 faces at 64 px, 4 at 128 px. It bounds wasm memory under bursts (≈ 1 MB of
 * activations and output per 128 px face) and how long one run holds the isolate: batching saves no CPU per face in
 * wasm, and 16 faces at 128 px would be ≈ 50 ms in one turn (bench/results.md).
 */
export const MAX_BATCH_PIXELS = 16 * 64 * 64;

/** The most faces of `imageSize` px that one run decodes (at least one). */
export function maxBatch(imageSize: number): number {
  return Math.max(1, Math.floor(MAX_BATCH_PIXELS / (imageSize * imageSize)));
}

/**
 * Session options for every decoder, whatever the platform. `session.disable_quant_qdq` lets
 * constant folding turn int8 weights (DequantizeLinear on an initializer) into float32 once, at load, instead of on
 * every run: measured on model 3 in wasm, 2.57 → 2.25 ms per face, with identical outputs.
 */
export const DECODER_SESSION_OPTIONS: InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  extra: { session: { disable_quant_qdq: '1' } },
};

/**
 * A decoder session from ONNX bytes on `ort`, with {@link DECODER_SESSION_OPTIONS} (or, for the benchmarks' comparisons,
 * other `options`) and the build's own options.
 */
export function createDecoderSession(ort: OrtApi, model: Uint8Array, options: InferenceSession.SessionOptions = DECODER_SESSION_OPTIONS): Promise<InferenceSession> {
  const { executionProviders, ...own } = ort.sessionOptions;
  return ort.InferenceSession.create(model, { ...options, ...own, executionProviders: [...executionProviders] });
}

/** The batch size a graph's input is fixed to (some exporters fix it), or undefined when it takes any. */
function fixedBatch(session: InferenceSession, input: string): number | undefined {
  const meta = session.inputMetadata.find((m) => m.name === input);
  const first = meta?.isTensor ? meta.shape[0] : undefined;
  return typeof first === 'number' ? first : undefined;
}

/** Decoded planes, and when the first run that decoded them began (performance.now()): the end of their wait in the queue. */
export interface TimedDecode {
  planes: Float32Array[];
  started: number;
}

/** A reusable decoder for one model version. */
export class BatchingDecoder {
  private queue: Pending[] = [];
  private running = false;
  /** A graph with a fixed batch size gets exactly that many rows per run (zero rows as padding); others up to {@link maxBatch}. */
  private readonly fixed: number | undefined;

  constructor(
    private readonly ort: OrtApi,
    private readonly session: InferenceSession,
    readonly graph: DecoderGraph,
  ) {
    this.fixed = fixedBatch(session, graph.input);
  }

  /**
   * Creates the session from ONNX bytes ({@link createDecoderSession}) and {@link BatchingDecoder.open}s it.
   */
  static async create(ort: OrtApi, model: Uint8Array, graph: DecoderGraph): Promise<BatchingDecoder> {
    return BatchingDecoder.open(ort, await createDecoderSession(ort, model), graph);
  }

  /**
   * A decoder on `session`, after checking its names and decoding one latent, so a model that does not match its
   * manifest entry fails here, once, instead of in every request.
   */
  static async open(ort: OrtApi, session: InferenceSession, graph: DecoderGraph): Promise<BatchingDecoder> {
    if (!session.inputNames.includes(graph.input) || !session.outputNames.includes(graph.output)) {
      throw new Error(`graph has inputs [${session.inputNames}] and outputs [${session.outputNames}], manifest says ${graph.input} → ${graph.output}`);
    }
    const decoder = new BatchingDecoder(ort, session, graph);
    await decoder.run([new Float32Array(graph.latentSize)]);
    return decoder;
  }

  /**
   * Decodes latents (each `latentSize` floats) into CHW float planes (each `3 * imageSize²` floats).
   * Results are views into the run's output buffer: read them, do not keep them for long.
   */
  async decode(latents: Float32Array[]): Promise<Float32Array[]> {
    return (await this.decodeTimed(latents)).planes;
  }

  /** {@link BatchingDecoder.decode}, also saying when decoding began, so callers can report time spent queued. */
  async decodeTimed(latents: Float32Array[]): Promise<TimedDecode> {
    const bad = latents.find((z) => z.length !== this.graph.latentSize);
    if (bad) throw new RangeError(`latent has ${bad.length} values, model wants ${this.graph.latentSize}`);
    const results = latents.map((z) => new Promise<{ planes: Float32Array; started: number }>((resolve, reject) => this.queue.push({ z, resolve, reject })));
    this.schedule();
    const decoded = await Promise.all(results);
    return { planes: decoded.map((d) => d.planes), started: Math.min(...decoded.map((d) => d.started)) };
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
      const batch = this.queue.splice(0, this.fixed ?? maxBatch(this.graph.imageSize));
      try {
        const started = performance.now();
        const planes = await this.run(batch.map((p) => p.z));
        batch.forEach((p, i) => p.resolve({ planes: planes[i], started }));
      } catch (error) {
        batch.forEach((p) => p.reject(error));
      }
    }
    this.running = false;
  }

  private async run(latents: Float32Array[]): Promise<Float32Array[]> {
    const { latentSize, imageSize, input, output } = this.graph;
    const rows = this.fixed ?? latents.length;
    const z = new Float32Array(rows * latentSize);
    latents.forEach((l, i) => z.set(l, i * latentSize));
    const feeds = { [input]: new this.ort.Tensor('float32', z, [rows, latentSize]) };
    const result = await this.session.run(feeds);
    const data = result[output].data as Float32Array;
    const per = 3 * imageSize * imageSize;
    if (data.length !== per * rows) throw new Error(`decoder output has ${data.length} values, expected ${per * rows}`);
    return latents.map((_, i) => data.subarray(i * per, (i + 1) * per));
  }
}
