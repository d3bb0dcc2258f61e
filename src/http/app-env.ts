/** Hono environment of the worker: its bindings. */
export interface AppEnv {
  Bindings: {
    /**
     * R2 bucket holding manifest.json and the ONNX decoders (models/README.md), and ORT's browser wasm under
     * `runtime/` (src/routes/ort-wasm.ts). A full R2 binding, not the store's `ModelBucket`: some routes stream.
     */
    MODELS: R2Bucket;
  };
}
