/**
 * `npm run bench:wasm -- [--model PATH]… [--quick]`: where onnxruntime-web's wasm build spends a decode, against
 * onnxruntime-node's native CPU kernels on the same graph, one thread each (issue 18, docs/wasm-efficiency-notes.md).
 *
 * For each model (default: the manifest's current one) it prints Markdown tables of
 * 1. session options: every variant timed on both backends, interleaved round by round so that load drifts hit all
 *    variants alike, with whether its outputs are bit-identical to {@link DECODER_SESSION_OPTIONS}' on 16 latents;
 * 2. batch sizes 1–16: ms per face;
 * 3. ORT's profiler: time per op type (and the op types the optimised graph runs, fused ones included) per decode,
 *    and per convolution with its GFLOP/s. The wasm build writes its profile to stdout (no file system), so it is
 *    captured from there; native writes a file;
 * 4. with `--ort-web DIR` (an onnxruntime-web package installed elsewhere, e.g. `npm i --prefix scratch/ort
 *    onnxruntime-web@1.31.1` then `--ort-web scratch/ort/node_modules/onnxruntime-web`): that build against the
 *    installed one, interleaved, with whether its outputs are bit-identical.
 */
import fs, { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InferenceSession } from 'onnxruntime-common';
import { NODE_ORTS, type NodeBackend } from '../scripts/lib/node-ort';
import { currentEntry, MODELS_DIR } from '../scripts/lib/models-dir';
import { createDecoderSession, DECODER_SESSION_OPTIONS, type OrtApi } from '../src/runtime/decoder';
import { latentBatches } from './decode';
import { loadAverage, markdownTable, packageVersion } from './report';
import { summarize } from './stats';

const BACKENDS = Object.keys(NODE_ORTS) as NodeBackend[];
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const valuesOf = (flag: string) => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));
const models = valuesOf('--model');
const otherBuilds = valuesOf('--ort-web');
if (models.length === 0) models.push(join(MODELS_DIR, currentEntry().file));
const COUNTS = quick ? { rounds: 3, perRound: 5, batchRuns: 10, profiled: 20 } : { rounds: 12, perRound: 20, batchRuns: 60, profiled: 50 };
const BATCHES = [1, 2, 4, 8, 16];

/** The variants measured: the runtime's options first, then one change each. */
const VARIANTS: Array<[string, InferenceSession.SessionOptions]> = [
  ['runtime (DECODER_SESSION_OPTIONS)', DECODER_SESSION_OPTIONS],
  ['without disable_quant_qdq (int8 dequantised every run)', { graphOptimizationLevel: 'all' }],
  ...(['disabled', 'basic', 'extended'] as const).map((level): [string, InferenceSession.SessionOptions] => [
    `graphOptimizationLevel ${level}`,
    { ...DECODER_SESSION_OPTIONS, graphOptimizationLevel: level },
  ]),
  ['enableCpuMemArena + enableMemPattern', { ...DECODER_SESSION_OPTIONS, enableCpuMemArena: true, enableMemPattern: true }],
  ['executionMode parallel', { ...DECODER_SESSION_OPTIONS, executionMode: 'parallel' }],
  ['session.disable_prepacking', withConfig({ 'session.disable_prepacking': '1' })],
  ['session.set_denormal_as_zero', withConfig({ 'session.set_denormal_as_zero': '1' })],
];

/** {@link DECODER_SESSION_OPTIONS} with more session config entries (`extra` is flattened into them by ORT). */
function withConfig(entries: Record<string, string>): InferenceSession.SessionOptions {
  const config: Record<string, unknown> = { session: { disable_quant_qdq: '1' } };
  for (const [key, value] of Object.entries(entries)) {
    const [group, name] = key.split('.');
    config[group] = { ...(config[group] as object), [name]: value };
  }
  return { ...DECODER_SESSION_OPTIONS, extra: config };
}

/** The graph's latent size, read from its input's shape. */
function latentSizeOf(session: InferenceSession): number {
  const meta = session.inputMetadata[0];
  const size = meta.isTensor ? meta.shape[1] : undefined;
  if (typeof size !== 'number') throw new Error('the graph input has no fixed latent size');
  return size;
}

const ms = (x: number) => x.toFixed(x < 10 ? 3 : 2);

async function timeRuns(session: InferenceSession, ort: OrtApi, zs: Float32Array[], batch: number, count: number, into: number[]): Promise<void> {
  const size = zs[0].length / batch;
  for (let i = 0; i < count; i++) {
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', zs[i % zs.length], [batch, size]) };
    const t = performance.now();
    await session.run(feeds);
    into.push(performance.now() - t);
  }
}

/** 1. Session options, interleaved; bit-identity against the first variant on each backend. */
async function optionsTable(model: Uint8Array): Promise<string> {
  const rows: Array<Record<NodeBackend, { samples: number[]; identical: boolean }>> = VARIANTS.map(() => ({}) as never);
  for (const backend of BACKENDS) {
    const ort = NODE_ORTS[backend];
    const sessions = await Promise.all(VARIANTS.map(([, options]) => createDecoderSession(ort, model, options)));
    const zs = await latentBatches(latentSizeOf(sessions[0]), 1, 16);
    const outputs = async (s: InferenceSession) => {
      const all: number[] = [];
      for (const z of zs) all.push(...((await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', z, [1, z.length]) }))[s.outputNames[0]].data as Float32Array));
      return new Float32Array(all);
    };
    const reference = new Uint32Array((await outputs(sessions[0])).buffer);
    for (const [v, s] of sessions.entries()) {
      const bits = new Uint32Array((await outputs(s)).buffer);
      rows[v][backend] = { samples: [], identical: bits.every((b, i) => b === reference[i]) };
      await timeRuns(s, ort, zs, 1, COUNTS.perRound, []); // warm-up
    }
    for (let round = 0; round < COUNTS.rounds; round++) {
      for (const [v, s] of sessions.entries()) await timeRuns(s, ort, zs, 1, COUNTS.perRound, rows[v][backend].samples);
    }
    await Promise.all(sessions.map((s) => s.release()));
  }
  const base = summarize(rows[0].wasm.samples).median;
  return markdownTable(
    ['session options', 'wasm median (ms)', 'wasm p90', 'vs runtime', 'native median (ms)', 'wasm / native', 'outputs vs runtime (wasm; native)'],
    VARIANTS.map(([name], v) => {
      const [wasm, native] = [summarize(rows[v].wasm.samples), summarize(rows[v].native.samples)];
      const same = (b: NodeBackend) => (rows[v][b].identical ? 'identical' : 'DIFFERENT');
      return [name, ms(wasm.median), ms(wasm.p90), `${((100 * wasm.median) / base).toFixed(0)} %`, ms(native.median), `${(wasm.median / native.median).toFixed(2)}×`, `${same('wasm')}; ${same('native')}`];
    }),
  );
}

/** 2. Batch sizes, runtime options, ms per face. */
async function batchTable(model: Uint8Array): Promise<string> {
  const perFace: Record<NodeBackend, number[]> = { wasm: [], native: [] };
  for (const backend of BACKENDS) {
    const ort = NODE_ORTS[backend];
    const session = await createDecoderSession(ort, model, DECODER_SESSION_OPTIONS);
    for (const batch of BATCHES) {
      const zs = await latentBatches(latentSizeOf(session), batch, 4);
      await timeRuns(session, ort, zs, batch, 3, []);
      const samples: number[] = [];
      await timeRuns(session, ort, zs, batch, Math.max(5, Math.round(COUNTS.batchRuns / Math.sqrt(batch))), samples);
      perFace[backend].push(summarize(samples).median / batch);
    }
    await session.release();
  }
  return markdownTable(
    ['batch', 'wasm ms/face', 'native ms/face', 'wasm / native'],
    BATCHES.map((b, i) => [String(b), ms(perFace.wasm[i]), ms(perFace.native[i]), `${(perFace.wasm[i] / perFace.native[i]).toFixed(2)}×`]),
  );
}

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; input_type_shape?: Array<Record<string, number[]>>; output_type_shape?: Array<Record<string, number[]>> };
}

async function profile(backend: NodeBackend, model: Uint8Array): Promise<ProfileEvent[]> {
  const ort = NODE_ORTS[backend];
  const prefix = join(tmpdir(), `seedface-profile-${process.pid}-${backend}`);
  const session = await createDecoderSession(ort, model, { ...DECODER_SESSION_OPTIONS, enableProfiling: true, profileFilePrefix: prefix });
  const zs = await latentBatches(latentSizeOf(session), 1, 16);
  await timeRuns(session, ort, zs, 1, COUNTS.profiled, []);
  if (backend === 'native') {
    session.endProfiling(); // writes <prefix>_<date>.json
    const dir = dirname(prefix);
    const file = join(dir, readdirSync(dir).find((f) => f.startsWith(basename(prefix)) && f.endsWith('.json'))!);
    const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
    rmSync(file);
    await session.release();
    return events;
  }
  // Emscripten's Node glue prints with fs.writeSync(1, …): catch those writes for the duration of the call.
  const writeSync = fs.writeSync;
  let text = '';
  fs.writeSync = ((fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd !== 1 || typeof data !== 'string') return (writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    text += data;
    return data.length;
  }) as typeof fs.writeSync;
  try {
    session.endProfiling();
  } finally {
    fs.writeSync = writeSync;
  }
  await session.release();
  return JSON.parse(text.slice(text.indexOf('['))) as ProfileEvent[];
}

/** Multiply-accumulates of a Conv event from its shapes (plain NCHW in wasm; native's blocked ones are not used): output size × Cin/group × kH × kW. */
function convMacs(event: ProfileEvent): number {
  const [, weight] = event.args?.input_type_shape ?? [];
  const [output] = event.args?.output_type_shape ?? [];
  const dims = (shape: Record<string, number[]> | undefined) => (shape ? Object.values(shape)[0] : []);
  const product = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
  return product(dims(output)) * product(dims(weight).slice(1));
}

/** 3. µs per decode by op type and, for the convolutions, per node with its GFLOP/s, both backends. */
async function profileTables(model: Uint8Array): Promise<string> {
  const perOp: Record<string, Record<NodeBackend, number>> = {};
  // Convolutions in execution order: native's layout optimiser renames them (NCHWc nodes after their outputs).
  const convs: Record<NodeBackend, Map<string, { macs: number; us: number }>> = { wasm: new Map(), native: new Map() };
  const totals: Record<NodeBackend, number> = { wasm: 0, native: 0 };
  for (const backend of BACKENDS) {
    for (const event of await profile(backend, model)) {
      if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time')) continue;
      const op = event.args?.op_name ?? '?';
      const us = event.dur / COUNTS.profiled;
      perOp[op] ??= { wasm: 0, native: 0 };
      perOp[op][backend] += us;
      totals[backend] += us;
      if (!op.endsWith('Conv')) continue;
      const name = event.name.replace(/^fused /, '').replace(/_kernel_time$/, '');
      const conv = convs[backend].get(name) ?? { macs: convMacs(event), us: 0 };
      convs[backend].set(name, { ...conv, us: conv.us + us });
    }
  }
  const us = (x: number) => x.toFixed(0);
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');
  const gflops = (macs: number, us: number) => (us > 0 ? ((2 * macs) / (us * 1e3)).toFixed(1) : '—');
  const ranked = Object.entries(perOp).sort((a, b) => b[1].wasm - a[1].wasm);
  const byOp = markdownTable(
    ['op type (as run)', 'wasm µs/decode', 'share of wasm', 'native µs/decode', 'wasm / native'],
    [...ranked, ['all kernels', totals] as const].map(([op, t]) => [op, us(t.wasm), `${((100 * t.wasm) / totals.wasm).toFixed(0)} %`, us(t.native), ratio(t.wasm, t.native)]),
  );
  const byConv = markdownTable(
    ['convolution', 'MACs', 'wasm µs', 'wasm GFLOP/s', 'native µs', 'native GFLOP/s', 'wasm / native'],
    [...convs.wasm].map(([name, w], i) => {
      const native = [...convs.native.values()][i]?.us ?? 0;
      return [name, `${(w.macs / 1e6).toFixed(2)} M`, us(w.us), gflops(w.macs, w.us), us(native), gflops(w.macs, native), ratio(w.us, native)];
    }),
  );
  return `${byOp}\n\n${byConv}`;
}

/** An onnxruntime-web package at `dir`, on one thread like the installed one (scripts/lib/node-ort.ts). */
async function webBuild(dir: string): Promise<{ version: string; ort: OrtApi }> {
  const web = await import(pathToFileURL(join(resolve(dir), 'dist/ort.wasm.bundle.min.mjs')).href);
  web.env.wasm.numThreads = 1;
  web.env.wasm.proxy = false;
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  return { version, ort: { InferenceSession: web.InferenceSession, Tensor: web.Tensor, sessionOptions: NODE_ORTS.wasm.sessionOptions } };
}

/** 4. Other onnxruntime-web builds against the installed one: batch 1, runtime options, interleaved. */
async function buildsTable(model: Uint8Array): Promise<string> {
  const builds = [{ version: `${packageVersion('onnxruntime-web')} (installed)`, ort: NODE_ORTS.wasm }, ...(await Promise.all(otherBuilds.map(webBuild)))];
  const sessions = await Promise.all(builds.map((b) => createDecoderSession(b.ort, model, DECODER_SESSION_OPTIONS)));
  const zs = await latentBatches(latentSizeOf(sessions[0]), 1, 16);
  const bits = async (i: number) => new Uint32Array(((await sessions[i].run({ [sessions[i].inputNames[0]]: new builds[i].ort.Tensor('float32', zs[0], [1, zs[0].length]) }))[sessions[i].outputNames[0]].data as Float32Array).slice().buffer);
  const reference = await bits(0);
  const samples = builds.map((): number[] => []);
  for (const [i, s] of sessions.entries()) await timeRuns(s, builds[i].ort, zs, 1, COUNTS.perRound, []);
  for (let round = 0; round < COUNTS.rounds; round++) for (const [i, s] of sessions.entries()) await timeRuns(s, builds[i].ort, zs, 1, COUNTS.perRound, samples[i]);
  const rows: string[][] = [];
  for (const [i, b] of builds.entries()) {
    const same = (await bits(i)).every((x, j) => x === reference[j]);
    const median = summarize(samples[i]).median;
    rows.push([`onnxruntime-web ${b.version}`, ms(median), `${((100 * median) / summarize(samples[0]).median).toFixed(0)} %`, same ? 'identical' : 'DIFFERENT']);
  }
  await Promise.all(sessions.map((s) => s.release()));
  return markdownTable(['build (wasm, 1 thread)', 'median (ms)', 'vs installed', 'outputs vs installed'], rows);
}

console.log(`# bench:wasm ${new Date().toISOString()}${quick ? ' (quick)' : ''}\n`);
for (const path of models) {
  const model = new Uint8Array(readFileSync(path));
  console.log(`## ${path}\n\nload average ${loadAverage()}\n`);
  console.log(`### Session options (batch 1; ${COUNTS.rounds} interleaved rounds of ${COUNTS.perRound} runs)\n\n${await optionsTable(model)}\n`);
  console.log(`### Batch size (runtime options)\n\n${await batchTable(model)}\n`);
  console.log(`### ORT profiler, batch 1 (${COUNTS.profiled} runs; kernel time only)\n\n${await profileTables(model)}\n`);
  if (otherBuilds.length > 0) console.log(`### onnxruntime-web builds (batch 1)\n\n${await buildsTable(model)}\n`);
  console.log(`load average ${loadAverage()}\n`);
}
