/**
 * `npm run soak`: load on the cache-miss path. Starts `wrangler dev` on 127.0.0.1 (its own local state folder in
 * memory, the models/ decoders in its R2 bucket, a pre-built bundle and a copy of the static assets, so that edits
 * and builds in the checkout during the run do not reload it), then autocannon sends SOAK_CONNECTIONS (64)
 * connections for SOAK_SECONDS (60 s), at most SOAK_MAX_REQUESTS requests, each for a face with a seed never asked
 * before, taking SOAK_FORMATS' extensions in turn (default `png`; `png,webp,jpg` mixes the formats). The worker has
 * wrangler.toml's rate limit (src/http/rate-limit.ts), and the requests say which client they come from in
 * `CF-Connecting-IP` (which wrangler dev passes on): in the main run one request in HOT_EVERY from one hot address,
 * which goes over the limit, and the rest spread over SOAK_CLIENTS (256) addresses, which stay under it; then
 * SOAK_ONE_CLIENT_SECONDS (15 s) of the same from one address alone. Prints errors, timeouts and non-2xx answers
 * (all must be 0, except the worker's deliberate `503 overloaded` and the hot or single client's `429 rate_limited`,
 * counted apart; a 429 to any other address, or more renders for one client than the limit allows, fails the run),
 * latency percentiles, throughput, the worker isolate's peak memory (JS heap through the inspector, sampled every
 * 0.5 s, plus the wasm memory from /healthz: ORT's, and the image codecs' once started) against Cloudflare's 128 MB
 * per-isolate limit, and workerd's process memory for context (sampled every 100 ms, and the kernel's high-water
 * mark); exits 1 if any request failed. Everything stops by itself: the run is bounded by time
 * and count, and a watchdog ends it (and wrangler's whole process group) if anything hangs.
 */
import autocannon from 'autocannon';
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectorSession, type HeapUsage } from './lib/isolate-memory';
import { workerdMemory as workerdMemoryWhere, type Memory } from './lib/process-memory';
import { buildWorker } from './lib/build-worker';
import { bin, ROOT } from './lib/root';
import { OFFLINE_ENV } from './lib/wrangler';
import { assetsDir } from './lib/wrangler-config';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 64);
const MAX_REQUESTS = Number(process.env.SOAK_MAX_REQUESTS ?? 200_000);
const EXTENSIONS = (process.env.SOAK_FORMATS ?? 'png').split(',');
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 256);
const ONE_CLIENT_SECONDS = Number(process.env.SOAK_ONE_CLIENT_SECONDS ?? 15);
/** In the main run, every HOT_EVERY-th request comes from HOT_CLIENT. */
const HOT_EVERY = 8;
const HOT_CLIENT = '192.0.2.1';
/** Cloudflare's memory limit per isolate (JS heap and wasm memory together). */
const ISOLATE_LIMIT_MB = 128;
const HOST = '127.0.0.1';

/** A port nothing listens on right now, on loopback. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().once('error', fail);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** What one load phase got, besides autocannon's own counts. */
interface PhaseCounts {
  /** `503 overloaded`: the worker's load shedding (src/http/load-shedding.ts), an answer by design. */
  overloaded: number;
  /** `429 rate_limited` to the address that sends more than the limit. */
  limited: number;
  /** 429s to any other address: a failure. */
  limitedOthers: number;
  /** 2xx answers to the hot address. */
  hotRendered: number;
}

/**
 * `seconds` of CONNECTIONS connections, every request a face never asked for, from the address `client(i)` gives
 * the i-th request; `hot` is the address expected to be limited.
 */
async function loadPhase(base: string, seconds: number, label: string, client: (i: number) => string, hot: string) {
  let n = 0;
  const counts: PhaseCounts = { overloaded: 0, limited: 0, limitedOthers: 0, hotRendered: 0 };
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    maxOverallRequests: MAX_REQUESTS,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        // One request at a time per connection, so the context holds the address of the request being answered.
        setupRequest: (req, context: { client?: string }) => {
          const i = n++;
          context.client = client(i);
          return { ...req, path: `/face/soak-${label}-${i}.${EXTENSIONS[i % EXTENSIONS.length]}`, headers: { ...req.headers, 'CF-Connecting-IP': context.client } };
        },
        onResponse: (status, body, context: { client?: string }) => {
          if (status === 503 && body.includes('"error":"overloaded"')) counts.overloaded++;
          else if (status === 429 && body.includes('"error":"rate_limited"')) counts[context.client === hot ? 'limited' : 'limitedOthers']++;
          else if (status < 300 && context.client === hot) counts.hotRendered++;
        },
      },
    ],
  });
  return { result, counts };
}

/** The worker's workerd among wrangler dev's processes (its process group `pgid`). */
const workerdMemory = (pgid: number): Memory => workerdMemoryWhere((p) => p.pgrp === pgid);

const mb = (m: Memory) => `RSS ${m.rssMb.toFixed(1)} (private ${m.anonMb.toFixed(1)})`;
const MB = (bytes: number) => (bytes / 1e6).toFixed(1);
/** What of the isolate the inspector sees, bytes. */
const heapTotal = (h: HeapUsage) => h.used + h.backingStores + h.embedder;

async function waitForHealth(base: string, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.status === 200) return;
      await response.arrayBuffer();
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('wrangler dev did not become healthy in time');
}

// wrangler dev's local Cache API writes every put as a file and a SQLite row under --persist-to. On this machine's
// disk, shared with other work, those writes stalled workerd for seconds at a time and it then dropped connections
// (docs/reliability-notes.md): that measures the local emulation, not the worker, so the state lives in memory.
const state = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'seedface-soak-'));
const bundle = `dist/soak-${process.pid}`;
let devGroup: number | undefined;

/** Signals wrangler dev's whole process group (killing wrangler alone leaves workerd running); false if it is gone. */
function signalDev(signal: NodeJS.Signals | 0): boolean {
  if (devGroup === undefined) return false;
  try {
    process.kill(-devGroup, signal);
    return true;
  } catch {
    return false;
  }
}

/** Stops wrangler dev and workerd, waiting up to 10 s for them to exit, then removes the run's folders. */
async function cleanUp(): Promise<void> {
  signalDev('SIGTERM');
  for (let i = 0; i < 100 && signalDev(0); i++) await new Promise((r) => setTimeout(r, 100));
  signalDev('SIGKILL');
  devGroup = undefined;
  rmSync(state, { recursive: true, force: true });
  rmSync(join(ROOT, bundle), { recursive: true, force: true });
}

/** Last resort (watchdog, Ctrl-C): kill at once. */
function abort(code: number): never {
  signalDev('SIGKILL');
  process.exit(code);
}

const watchdog = setTimeout(() => {
  console.error('soak: watchdog fired, stopping');
  abort(2);
}, (SECONDS + 240) * 1000);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => abort(130));

try {
  console.log('soak: copying models/ into a fresh local bucket, building the web assets and the worker…');
  execFileSync(bin('tsx'), ['scripts/models.ts', '--local', '--persist-to', state], { cwd: ROOT, env: OFFLINE_ENV, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(bin('tsx'), ['scripts/build-web.ts'], { cwd: ROOT, env: OFFLINE_ENV, stdio: ['ignore', 'ignore', 'inherit'] });
  const entry = join(buildWorker(bundle), 'index.js');
  // wrangler dev restarts the worker, dropping the requests in flight, whenever a file in its assets folder changes,
  // and every test run in this checkout rebuilds dist/assets: it serves a copy.
  const assets = join(state, 'assets');
  cpSync(assetsDir(), assets, { recursive: true });

  const [port, inspectorPort] = [await freePort(), await freePort()];
  const base = `http://${HOST}:${port}`;
  const dev = spawn(
    bin('wrangler'),
    ['dev', entry, '--no-bundle', '--assets', assets, '--ip', HOST, '--port', String(port), '--inspector-port', String(inspectorPort), '--persist-to', state, '--show-interactive-dev-session=false', '--log-level', 'warn'],
    { cwd: ROOT, env: OFFLINE_ENV, detached: true, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  devGroup = dev.pid;
  await waitForHealth(base, Date.now() + 120_000);
  for (let i = 0; i < 20; i++) await (await fetch(`${base}/face/warm-up-${i}.${EXTENSIONS[i % EXTENSIONS.length]}`)).arrayBuffer();
  const idle = workerdMemory(devGroup!);
  const inspector = await InspectorSession.open(inspectorPort);
  let heapPeak = await inspector.heapUsage(), heapSamples = 1, heapPending = false;
  console.log(`soak: wrangler dev at ${base}, worker's workerd ${mb(idle)} MB and its isolate's heap ${MB(heapTotal(heapPeak))} MB after warm-up; ${CONNECTIONS} connections for ${SECONDS} s…`);

  // Peak, and RSS every 10 s: a plateau is load, a steady climb would be a leak.
  let peak = idle;
  const started = Date.now(), series: string[] = [];
  const sampler = setInterval(() => {
    const now = workerdMemory(devGroup!);
    if (now.rssMb > peak.rssMb) peak = now;
    if (Date.now() - started >= (series.length + 1) * 10_000) series.push(now.rssMb.toFixed(0));
  }, 100);
  // The inspector answers on the isolate's thread, between requests: one question at a time, so none pile up.
  const heapSampler = setInterval(() => {
    if (heapPending) return;
    heapPending = true;
    inspector
      .heapUsage()
      .then((h) => {
        heapSamples++;
        if (heapTotal(h) > heapTotal(heapPeak)) heapPeak = h;
      })
      .catch((error: Error) => console.error(`soak: a heap sample failed: ${error.message}`))
      .finally(() => (heapPending = false));
  }, 500);
  const run = Date.now().toString(36);
  const spread = (i: number) => `10.0.${(i % CLIENTS) >>> 8}.${(i % CLIENTS) & 255}`;
  const { result, counts } = await loadPhase(base, SECONDS, `${run}-mix`, (i) => (i % HOT_EVERY === 0 ? HOT_CLIENT : spread(i)), HOT_CLIENT);
  clearInterval(sampler);
  clearInterval(heapSampler);
  const after = workerdMemory(devGroup!);
  if (after.rssMb > peak.rssMb) peak = after;
  // ORT's linear memory only grows, so its size now is its peak.
  const health = (await (await fetch(`${base}/healthz`)).json()) as {
    model: { name: string; version: string };
    memory: { wasmBytes: number };
    rateLimit: 'unlimited' | { limit: number; periodSeconds: number };
  };
  const { memory } = health;
  inspector.close();

  console.log(`soak: ${ONE_CLIENT_SECONDS} s of the same load from ${HOT_CLIENT} alone…`);
  const one = await loadPhase(base, ONE_CLIENT_SECONDS, `${run}-one`, () => HOT_CLIENT, HOT_CLIENT);
  const limit = health.rateLimit;
  // Miniflare counts in windows aligned to the period: a phase of s seconds touches at most ceil(s / period) + 1.
  const windows = (phase: { result: autocannon.Result }) => (limit === 'unlimited' ? Infinity : Math.ceil(phase.result.duration / limit.periodSeconds) + 1);
  const overLimit = (phase: { result: autocannon.Result; counts: PhaseCounts }) => limit !== 'unlimited' && phase.counts.hotRendered > limit.limit * windows(phase);
  const otherNon2xx = (phase: { result: autocannon.Result; counts: PhaseCounts }) =>
    phase.result.non2xx - phase.counts.overloaded - phase.counts.limited - phase.counts.limitedOthers;
  const failures = [result, one.result].reduce((sum, r) => sum + r.errors + r.timeouts, 0) +
    otherNon2xx({ result, counts }) + otherNon2xx(one) + counts.limitedOthers + one.counts.limitedOthers;
  const failed = failures + Number(overLimit({ result, counts })) + Number(overLimit(one));
  const limitText = limit === 'unlimited' ? 'none (no binding: unlimited)' : `${limit.limit} faces per ${limit.periodSeconds} s per client (wrangler.toml)`;
  const phaseLine = (phase: { result: autocannon.Result; counts: PhaseCounts }) =>
    `${phase.counts.limited} to ${HOT_CLIENT}, which got ${phase.counts.hotRendered} faces (at most ${limit === 'unlimited' ? '∞' : limit.limit * windows(phase)} allowed: ${overLimit(phase) ? 'OVER' : 'met'}); ${phase.counts.limitedOthers} to other addresses (must be 0)`;

  const { latency, requests } = result;
  const isolatePeak = heapTotal(heapPeak) + memory.wasmBytes;
  console.log(`
rate limit         ${limitText}
requests           ${result.requests.total} in ${result.duration.toFixed(1)} s (${requests.average.toFixed(0)} req/s mean), 2xx ${result['2xx']};
                   1 in ${HOT_EVERY} from ${HOT_CLIENT}, the rest from ${CLIENTS} addresses (10.0.x.y)
errors / timeouts  ${result.errors} / ${result.timeouts}
503 overloaded     ${counts.overloaded} (deliberate load shedding, not counted as failures)
429 rate_limited   ${phaseLine({ result, counts })}
other non-2xx      ${otherNon2xx({ result, counts })}
one client alone   ${one.result.requests.total} requests in ${one.result.duration.toFixed(1)} s from ${HOT_CLIENT}: 2xx ${one.result['2xx']}, 429 ${phaseLine(one)};
                   errors / timeouts ${one.result.errors} / ${one.result.timeouts}, 503 overloaded ${one.counts.overloaded}, other non-2xx ${otherNon2xx(one)}
latency (ms)       p50 ${latency.p50}  p90 ${latency.p90}  p97.5 ${latency.p97_5}  p99 ${latency.p99}  max ${latency.max}  mean ${latency.average.toFixed(1)}
model              ${health.model.name} ${health.model.version}; formats ${EXTENSIONS.join(', ')}
isolate (MB)       peak ${MB(isolatePeak)} = JS heap used ${MB(heapPeak.used)} (garbage included) + ArrayBuffer backing stores ${MB(heapPeak.backingStores)}
                   + workerd objects ${MB(heapPeak.embedder)} (the largest of ${heapSamples} inspector samples) + wasm memory (ORT, and image codecs if started) ${MB(memory.wasmBytes)}
                   Cloudflare's per-isolate limit ${ISOLATE_LIMIT_MB} MB (read as 10^6 bytes, the stricter): ${isolatePeak < ISOLATE_LIMIT_MB * 1e6 ? 'met' : 'missed'}
workerd process    (context: the whole runtime, not what the limit counts) after warm-up ${mb(idle)} MB, peak sampled ${mb(peak)} MB,
                   kernel high-water RSS ${after.hwmMb.toFixed(1)} MB; RSS every 10 s: ${series.join(', ')}; after the run ${mb(after)} MB
load average       ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (this machine has 2 cores)`);
  process.exitCode = failed === 0 && result['2xx'] > 0 ? 0 : 1;
} finally {
  await cleanUp();
}
