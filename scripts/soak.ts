/**
 * `npm run soak`: load on the cache-miss path. Starts `wrangler dev` on 127.0.0.1 (its own local state folder in
 * memory, the models/ decoders in its R2 bucket, a pre-built bundle and a copy of the static assets, so that edits
 * and builds in the checkout during the run do not reload it), then autocannon sends SOAK_CONNECTIONS (64)
 * connections for SOAK_SECONDS (60 s), at most SOAK_MAX_REQUESTS requests, each for a face with a seed never asked
 * before. Prints errors, timeouts and non-2xx answers (all must be 0, except the worker's deliberate
 * `503 overloaded`, counted apart), latency percentiles, throughput, the worker isolate's peak memory (JS heap
 * through the inspector, sampled every 0.5 s, plus ORT's wasm memory from /healthz) against Cloudflare's 128 MB
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
  for (let i = 0; i < 20; i++) await (await fetch(`${base}/face/warm-up-${i}.png`)).arrayBuffer();
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
  let n = 0, overloaded = 0;
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    maxOverallRequests: MAX_REQUESTS,
    timeout: 10,
    // A seed no request has used: every one is a cache miss (decode, resize, encode).
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: `/face/soak-${run}-${n++}.png` }),
        // The worker's load shedding (src/http/load-shedding.ts) is an answer by design, not a failure.
        onResponse: (status, body) => {
          if (status === 503 && body.includes('"error":"overloaded"')) overloaded++;
        },
      },
    ],
  });
  clearInterval(sampler);
  clearInterval(heapSampler);
  const after = workerdMemory(devGroup!);
  if (after.rssMb > peak.rssMb) peak = after;
  // ORT's linear memory only grows, so its size now is its peak.
  const health = (await (await fetch(`${base}/healthz`)).json()) as { model: { name: string; version: string }; memory: { wasmBytes: number } };
  const { memory } = health;
  inspector.close();

  const { latency, requests } = result;
  const otherNon2xx = result.non2xx - overloaded;
  const failed = result.errors + result.timeouts + otherNon2xx;
  const isolatePeak = heapTotal(heapPeak) + memory.wasmBytes;
  console.log(`
requests           ${result.requests.total} in ${result.duration.toFixed(1)} s (${requests.average.toFixed(0)} req/s mean), 2xx ${result['2xx']}
errors / timeouts  ${result.errors} / ${result.timeouts}
503 overloaded     ${overloaded} (deliberate load shedding, not counted as failures)
other non-2xx      ${otherNon2xx}
latency (ms)       p50 ${latency.p50}  p90 ${latency.p90}  p97.5 ${latency.p97_5}  p99 ${latency.p99}  max ${latency.max}  mean ${latency.average.toFixed(1)}
model              ${health.model.name} ${health.model.version}
isolate (MB)       peak ${MB(isolatePeak)} = JS heap used ${MB(heapPeak.used)} (garbage included) + ArrayBuffer backing stores ${MB(heapPeak.backingStores)}
                   + workerd objects ${MB(heapPeak.embedder)} (the largest of ${heapSamples} inspector samples) + ORT wasm memory ${MB(memory.wasmBytes)}
                   Cloudflare's per-isolate limit ${ISOLATE_LIMIT_MB} MB (read as 10^6 bytes, the stricter): ${isolatePeak < ISOLATE_LIMIT_MB * 1e6 ? 'met' : 'missed'}
workerd process    (context: the whole runtime, not what the limit counts) after warm-up ${mb(idle)} MB, peak sampled ${mb(peak)} MB,
                   kernel high-water RSS ${after.hwmMb.toFixed(1)} MB; RSS every 10 s: ${series.join(', ')}; after the run ${mb(after)} MB
load average       ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (this machine has 2 cores)`);
  process.exitCode = failed === 0 && result.requests.total > 0 ? 0 : 1;
} finally {
  await cleanUp();
}
