/** Hono environment of the worker: its bindings. */
import type { ModelBucket } from '../runtime/model-store';

export interface AppEnv {
  Bindings: {
    /** R2 bucket holding manifest.json and the ONNX decoders (models/README.md). */
    MODELS: ModelBucket;
  };
}
