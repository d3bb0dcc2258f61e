/** Worker entry: the app (src/app.ts) on one per-isolate model store running onnxruntime-web in workerd. */
import { createApp } from './app';
import { workerdCodecs } from './runtime/codecs-workerd';
import { Encoders } from './runtime/encode';
import { ModelStore } from './runtime/model-store';
import { ortWasmMemoryBytes, workerdOrt } from './runtime/ort-workerd';

const encoders = new Encoders(workerdCodecs);

// /healthz reports all wasm memory of the isolate: ORT's and the image codecs' once started.
export default createApp(new ModelStore(workerdOrt), () => ortWasmMemoryBytes() + encoders.wasmMemoryBytes(), encoders);
