/**
 * `npm run soak`: load on the cache-miss path. Starts `wrangler dev` on 127.0.0.1 (its own local state folder, the
 * models/ decoders in its R2 bucket, a pre-built bundle so that edits to src/ during the run do not reload it), then
 * autocannon sends SOAK_CONNECTIONS (64) connections for SOAK_SECONDS (60 s), at most SOAK_MAX_REQUESTS requests,
 * each for a face with a seed never asked before. Prints errors, timeouts and non-2xx answers (all must be 0),
 * latency percentiles, throughput and workerd's peak resident memory (target < 128 MB, sampled every 100 ms and
 * the kernel's high-water mark); exits 1 if any request failed. Everything stops by itself: the run is bounded by
 * time and count, and a watchdog ends it (and wrangler's whole process group) if anything hangs.
 */
import autocannon from 'autocannon';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { workerdMemory as workerdMemoryWhere, type Memory } from './lib/process-memory';
import { buildWorker } from './lib/worker';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 64);
const MAX_REQUESTS = Number(process.env.SOAK_MAX_REQUESTS ?? 200_000);
/** Workers' memory limit per isolate; workerd's RSS also holds the runtime itself, so this is a loose bound on it. */
const RSS_TARGET_MB = 128;
const ROOT = resolve(import.meta.dirname, '..');
const HOST = '127.0.0.1';
const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);
const quietEnv = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' };

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

const state = mkdtempSync(join(tmpdir(), 'seedface-soak-'));
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
  execFileSync(bin('tsx'), ['scripts/models.ts', '--local', '--persist-to', state], { cwd: ROOT, env: quietEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(bin('tsx'), ['scripts/build-web.ts'], { cwd: ROOT, env: quietEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  const entry = join(buildWorker(bundle), 'index.js');

  const [port, inspectorPort] = [await freePort(), await freePort()];
  const base = `http://${HOST}:${port}`;
  const dev = spawn(
    bin('wrangler'),
    ['dev', entry, '--no-bundle', '--ip', HOST, '--port', String(port), '--inspector-port', String(inspectorPort), '--persist-to', state, '--show-interactive-dev-session=false', '--log-level', 'warn'],
    { cwd: ROOT, env: quietEnv, detached: true, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  devGroup = dev.pid;
  await waitForHealth(base, Date.now() + 120_000);
  for (let i = 0; i < 20; i++) await (await fetch(`${base}/face/warm-up-${i}.png`)).arrayBuffer();
  const idle = workerdMemory(devGroup!);
  console.log(`soak: wrangler dev at ${base}, worker's workerd ${mb(idle)} MB after warm-up; ${CONNECTIONS} connections for ${SECONDS} s…`);

  // Peak, and RSS every 10 s: a plateau is load, a steady climb would be a leak.
  let peak = idle;
  const started = Date.now(), series: string[] = [];
  const sampler = setInterval(() => {
    const now = workerdMemory(devGroup!);
    if (now.rssMb > peak.rssMb) peak = now;
    if (Date.now() - started >= (series.length + 1) * 10_000) series.push(now.rssMb.toFixed(0));
  }, 100);
  const run = Date.now().toString(36);
  let n = 0;
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    maxOverallRequests: MAX_REQUESTS,
    timeout: 10,
    // A seed no request has used: every one is a cache miss (decode, resize, encode).
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/face/soak-${run}-${n++}.png` }) }],
  });
  clearInterval(sampler);
  const after = workerdMemory(devGroup!);
  if (after.rssMb > peak.rssMb) peak = after;

  const { latency, requests } = result;
  const failed = result.errors + result.timeouts + result.non2xx;
  console.log(`
requests           ${result.requests.total} in ${result.duration.toFixed(1)} s (${requests.average.toFixed(0)} req/s mean), 2xx ${result['2xx']}
errors / timeouts  ${result.errors} / ${result.timeouts}
non-2xx            ${result.non2xx}
latency (ms)       p50 ${latency.p50}  p90 ${latency.p90}  p97.5 ${latency.p97_5}  p99 ${latency.p99}  max ${latency.max}  mean ${latency.average.toFixed(1)}
workerd (MB)       after warm-up ${mb(idle)}, peak sampled ${mb(peak)}, kernel high-water RSS ${after.hwmMb.toFixed(1)}
                   RSS every 10 s: ${series.join(', ')}; after the run ${mb(after)}
                   target < ${RSS_TARGET_MB} MB RSS: ${Math.max(peak.rssMb, after.hwmMb) < RSS_TARGET_MB ? 'met' : 'missed'}
load average       ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (this machine has 2 cores)`);
  process.exitCode = failed === 0 && result.requests.total > 0 ? 0 : 1;
} finally {
  await cleanUp();
}
