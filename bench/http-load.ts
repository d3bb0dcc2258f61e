/**
 * Load through workerd over HTTP: autocannon against a running worker on loopback, a bounded number of requests,
 * each request's latency (ms, float) and the run's throughput; workerd's resident memory is sampled meanwhile.
 */
import autocannon from 'autocannon';
import { workerdMemory } from '../scripts/lib/process-memory';
import type { RunningWorker } from '../scripts/lib/miniflare';

/** One load run. */
export interface LoadSpec {
  connections: number;
  /** Requests in all (autocannon's `amount`). */
  requests: number;
  /** Path of the `i`-th request. */
  path: (i: number) => string;
}

/** What a load run measured. */
export interface LoadResult {
  latenciesMs: number[];
  /** Answered requests per second from the first response to the last (autocannon's own start-up left out). */
  perSecond: number;
  /**
   * Requests sent but never answered: the connection ended first. autocannon then reconnects without counting an
   * error, so these are counted here, from the responses missing at the end.
   */
  unanswered: number;
}

/** Peak memory of the worker's workerd while load ran (MB); see {@link workerdMemory}. */
export interface PeakMemory {
  /** RSS when sampling began (after start-up and warm-up). */
  idleRssMb: number;
  rssMb: number;
  /** Private (anonymous) part of RSS at the peak sample: V8 heaps, wasm memory, the model; no mapped code. */
  anonMb: number;
  /** The kernel's high-water mark at the end: includes start-up (compiling ORT's wasm), not only the load. */
  hwmMb: number;
}

/** The workerd Miniflare started for this process (its direct child). */
const ownWorkerd = () => workerdMemory((p) => p.ppid === process.pid);

/** Samples the worker's workerd RSS every 50 ms until the returned stop is called, which gives the peak. */
export function sampleWorkerdMemory(): () => PeakMemory {
  const idle = ownWorkerd();
  if (idle.rssMb === 0) throw new Error('no workerd child of this process found in /proc');
  let peak = idle;
  const sample = () => {
    const now = ownWorkerd();
    if (now.rssMb > peak.rssMb) peak = now;
    return now;
  };
  const timer = setInterval(sample, 50);
  return () => {
    clearInterval(timer);
    const last = sample();
    return { idleRssMb: idle.rssMb, rssMb: peak.rssMb, anonMb: peak.anonMb, hwmMb: last.hwmMb };
  };
}

/** Runs `spec` against `worker` on its loopback URL; throws if any request errored, timed out or was not a 2xx. */
export async function runLoad(worker: RunningWorker, spec: LoadSpec): Promise<LoadResult> {
  let sent = 0;
  const latenciesMs: number[] = [];
  let first = 0, last = 0;
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      {
        url: worker.url.origin,
        connections: spec.connections,
        amount: spec.requests,
        timeout: 30,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: spec.path(sent++) }) }],
      },
      (error, result) => (error ? fail(error) : done(result)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => {
      last = performance.now();
      if (latenciesMs.push(ms) === 1) first = last;
    });
  });
  const failed = result.errors + result.timeouts + result.non2xx;
  if (failed > 0 || latenciesMs.length === 0) {
    throw new Error(`load run: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx, ${latenciesMs.length}/${spec.requests} answered`);
  }
  // n responses span n − 1 intervals after the first; one response alone counts as its own latency.
  const n = latenciesMs.length;
  const perSecond = n > 1 ? ((n - 1) * 1000) / (last - first) : 1000 / latenciesMs[0];
  return { latenciesMs, perSecond, unanswered: spec.requests - n };
}
