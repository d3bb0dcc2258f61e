/** Worker entry: the app (src/app.ts) on one per-isolate model store running onnxruntime-web in workerd. */
import { createApp } from './app';
import { workerdCodecs } from './runtime/codecs-workerd';
import { Encoders } from './runtime/encoders';
import { ModelStore } from './runtime/model-store';
import { ortWasmMemoryBytes, workerdOrt } from './runtime/ort-workerd';

export default createApp(new ModelStore(workerdOrt), ortWasmMemoryBytes, new Encoders(workerdCodecs));
