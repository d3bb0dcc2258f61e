#!/usr/bin/env node
/**
 * Runs an ONNX decoder in onnxruntime (native `node` or `web` = the WASM build the edge uses, 1 thread) on a batch
 * of latents, for the Python pipeline's checks: `train/` has no onnxruntime of its own (Debian ships none), and the
 * runtime we serve with is the one that matters.
 *
 *   node scripts/ort-run.mjs --backend web --model m.onnx --input z.f32 --dim 128 [--out y.f32] [--repeat 20]
 *
 * Prints JSON: output shape, and the median / min milliseconds per run over `--repeat` timed runs (after one warm-up).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'node' },
    model: { type: 'string' },
    input: { type: 'string' },
    dim: { type: 'string' },
    out: { type: 'string' },
    repeat: { type: 'string', default: '1' },
  },
});

const ort = args.backend === 'web' ? await import('onnxruntime-web') : await import('onnxruntime-node');
if (args.backend === 'web') {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
}
const bytes = readFileSync(args.input);
const z = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const dim = Number(args.dim);
const session = await ort.InferenceSession.create(readFileSync(args.model), { executionProviders: [args.backend === 'web' ? 'wasm' : 'cpu'], intraOpNumThreads: 1 });
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', z, [z.length / dim, dim]) };
let result = await session.run(feeds);
const times = [];
for (let i = 0; i < Number(args.repeat); i++) {
  const t0 = performance.now();
  result = await session.run(feeds);
  times.push(performance.now() - t0);
}
const output = result[session.outputNames[0]];
if (args.out) writeFileSync(args.out, Buffer.from(output.data.buffer, output.data.byteOffset, output.data.byteLength));
times.sort((a, b) => a - b);
console.log(JSON.stringify({ shape: output.dims, median_ms: times[times.length >> 1], min_ms: times[0] }));
