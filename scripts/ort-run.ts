/**
 * Runs an ONNX decoder on a batch of latents for the Python pipeline's checks (train/src/seedface_train/ort.py):
 * `train/` has no onnxruntime of its own (Debian ships none), and the runtime we serve with is the one that matters.
 * Sessions are the service's (src/runtime/decoder.ts) on either Node backend (scripts/lib/node-ort.ts).
 *
 *   node --import tsx scripts/ort-run.ts --backend wasm|native --model m.onnx --input z.f32 --dim 128 [--out y.f32] [--repeat 20]
 *
 * Prints JSON: the output shape, and the median / fastest milliseconds of `--repeat` timed runs (after one warm-up).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { quantile, sampleMs } from '../bench/stats';
import { createDecoderSession } from '../src/runtime/decoder';
import { NODE_ORTS } from './lib/node-ort';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    model: { type: 'string' },
    input: { type: 'string' },
    dim: { type: 'string' },
    out: { type: 'string' },
    repeat: { type: 'string', default: '1' },
  },
});
const ort = NODE_ORTS[args.backend as keyof typeof NODE_ORTS];
if (!ort || !args.model || !args.input || !args.dim) throw new Error('usage: see the header of scripts/ort-run.ts');

const bytes = readFileSync(args.input);
const z = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const dim = Number(args.dim);
const session = await createDecoderSession(ort, new Uint8Array(readFileSync(args.model)));
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', z, [z.length / dim, dim]) };
let output = (await session.run(feeds))[session.outputNames[0]];
const times = await sampleMs({ warmup: 0, runs: Number(args.repeat) }, async () => {
  output = (await session.run(feeds))[session.outputNames[0]];
});
const data = output.data as Float32Array;
if (args.out) writeFileSync(args.out, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
console.log(JSON.stringify({ shape: output.dims, median_ms: quantile(times, 0.5), min_ms: quantile(times, 0) }));
