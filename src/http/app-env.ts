/** Hono environment of the worker: its bindings. */
export interface AppEnv {
  Bindings: {
    /**
     * R2 bucket holding manifest.json and the ONNX decoders (models/README.md), and ORT's browser wasm under
     * `runtime/` (src/routes/ort-wasm.ts). A full R2 binding, not the store's `ModelBucket`: some routes stream.
     */
    MODELS: R2Bucket;
    /** Workers Rate Limiting binding counting renders per client (src/http/rate-limit.ts); absent means unlimited. */
    RATE_LIMITER?: RateLimit;
    /** The limiter's numbers, `{ limit, period }` as in its `simple` (unparsed: src/http/rate-limit.ts checks it). */
    RATE_LIMIT?: unknown;
  };
}
