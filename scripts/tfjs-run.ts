/**
 * Runs a TF.js graph model (model.json + its weight files) on a batch of NHWC images, for the Python pipeline's
 * check that its PyTorch port of the model (train/src/seedface_train/perceptual.py) computes the same thing.
 *
 *   node --import tsx scripts/tfjs-run.ts --model m.json --input x.f32 --shape N,H,W,C --out y.f32 [--node NAME]
 *
 * `--node` reads one node's value (a feature map, NHWC) instead of the model's output. Prints JSON: its shape.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' }, input: { type: 'string' }, shape: { type: 'string' }, out: { type: 'string' },
    node: { type: 'string' },
  },
});
if (!args.model || !args.input || !args.shape || !args.out) throw new Error('usage: see the header of scripts/tfjs-run.ts');

await tf.setBackend('cpu');
const json = JSON.parse(readFileSync(args.model, 'utf8'));
const specs = json.weightsManifest.flatMap((group: { weights: tf.io.WeightsManifestEntry[] }) => group.weights);
const files = json.weightsManifest.flatMap((group: { paths: string[] }) => group.paths);
const weights = Buffer.concat(files.map((file: string) => readFileSync(path.join(path.dirname(args.model!), file))));
const model = await tf.loadGraphModel(tf.io.fromMemory({
  modelTopology: json.modelTopology,
  weightSpecs: specs,
  weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
}));
const bytes = readFileSync(args.input);
const x = tf.tensor(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), args.shape.split(',').map(Number));
const y = (args.node ? model.execute(x, args.node) : model.execute(x)) as tf.Tensor;
writeFileSync(args.out, Buffer.from((await y.data() as Float32Array).buffer));
console.log(JSON.stringify({ shape: y.shape }));
