/** Hono environment of the worker: its bindings, and what a request's handlers tell its log line. */
import type { ImageOutcome } from './observability';

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
    /** Workers Analytics Engine dataset of the image routes' data points (src/http/metrics.ts); absent means none. */
    METRICS?: AnalyticsEngineDataset;
    /** Secret key of the log line's seed and client hashes (src/http/keyed-hash.ts); absent means one per isolate. */
    LOG_HASH_KEY?: string;
  };
  Variables: {
    /** What an image route did (src/http/image-response.ts sets it), for the request's log line and data point. */
    image?: ImageOutcome;
    /** The `error` code of the JSON error the request was answered with (src/http/errors.ts). */
    errorCode?: string;
    /** The error no handler expected (the 500's cause), whose stack the log line carries. */
    exception?: unknown;
  };
}
