/**
 * `npm run bench:edge`: the edge service's speed through workerd on this machine (Miniflare, the built worker).
 *
 * - start-up of a fresh workerd + isolate (ORT's runtime starts there, see src/runtime/ort-workerd.ts), then its first
 *   request: R2 read + sha256 + session + decode + PNG (median of 3 isolates), and those stages one by one;
 * - cache-miss `GET /face/:seed?size=128` over distinct seeds, one at a time: median / p99 of the worker's own
 *   time (Server-Timing `total`, ms-granular in local workerd) and of the client round trip minus the median
 *   round trip of a route that does no work (Miniflare's dispatch costs several ms);
 * - stage timings inside workerd on one real face (bench/edge-worker.ts): decode, resize, PNG encode, and the
 *   alternative encoders on the same pixels.
 */
import { buildWorker } from '../scripts/lib/build-worker';
import { startWorker } from '../scripts/lib/miniflare';
import { readManifest } from '../scripts/lib/models-dir';
import { coldStarts, timed } from './cold-start';
import { quantile } from './stats';

const SEEDS = Number(process.env.BENCH_SEEDS ?? 250);

const ms = (x: number) => `${x.toFixed(2)} ms`;

const manifest = readManifest();
console.log(`model ${manifest.current}; building…`);
const [mainDir, benchDir] = [buildWorker('dist/bench-main'), buildWorker('dist/bench-worker', 'bench/edge-worker.ts')];

const starts = await coldStarts(mainDir, 3);
const firsts = starts.map((s) => s.firstRequestMs), startups = starts.map((s) => s.startupMs);

const worker = await startWorker(mainDir);
await worker.putModels();
await worker.fetch('/healthz').then((r) => r.arrayBuffer());
for (let i = 0; i < 20; i++) await (await worker.fetch(`/face/warm-${i}?size=128`)).arrayBuffer();
const serverTotals: number[] = [], roundTrips: number[] = [], idle: number[] = [];
for (let i = 0; i < SEEDS; i++) {
  const { ms: rtt, response } = await timed(() => worker.fetch(`/face/bench-${i}?size=128`));
  if (response.status !== 200 || response.headers.get('server-timing')?.includes('cache')) throw new Error(`seed ${i}: not a cache miss`);
  roundTrips.push(rtt);
  serverTotals.push(Number(/total;dur=([0-9.]+)/.exec(response.headers.get('server-timing') ?? '')?.[1]));
  idle.push((await timed(() => worker.fetch('/no-such-route'))).ms);
}
await worker.dispose();

const bench = await startWorker(benchDir);
await bench.putModels();
const coldStages = await (await bench.fetch('/cold')).json();
const stages = await (await bench.fetch('/?n=200')).json();
await bench.dispose();

const base = quantile(idle, 0.5);
console.log(`
workerd + isolate start-up (compiles ORT's wasm, starts ORT's runtime): ${startups.map((x) => x.toFixed(0)).join(', ')} ms
first request after it, fresh isolate (median of 3): ${ms(quantile(firsts, 0.5))}   (all: ${firsts.map((x) => x.toFixed(0)).join(', ')} ms)
  its stages in another fresh isolate: ${Object.entries(coldStages as Record<string, number>).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')} (ms)
cache-miss /face/:seed?size=128, ${SEEDS} distinct seeds, sequential:
  worker time (Server-Timing total)  median ${ms(quantile(serverTotals, 0.5))}   p99 ${ms(quantile(serverTotals, 0.99))}
  round trip − idle round trip       median ${ms(quantile(roundTrips, 0.5) - base)}   p99 ${ms(quantile(roundTrips, 0.99) - base)}
  (round trip median ${ms(quantile(roundTrips, 0.5))}, idle route ${ms(base)})
inside workerd, one ${manifest.models.find((m) => m.version === manifest.current)!.imageSize}px face → 128x128 (mean of 200):`);
for (const [k, v] of Object.entries(stages as Record<string, number>)) console.log(`  ${k.padEnd(32)} ${k.endsWith('Bytes') ? `${v} B` : ms(v)}`);
