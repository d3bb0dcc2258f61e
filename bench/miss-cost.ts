/**
 * What one request costs the worker's process, by route and size: the CPU time workerd spends (user + system, all
 * its threads, from /proc/<pid>/stat) over a run of requests at one connection, divided by the requests. A cache
 * miss is the render an attacker with unique seeds makes the service pay for (docs/abuse.md); a cache hit is the
 * floor every request pays in this setup (HTTP, Miniflare's entry worker, routing, the Cache API lookup), so
 * miss − hit estimates the render itself. CPU time, unlike a round trip, barely grows while other processes wait for
 * the cores, but cache and frequency effects of a busy machine still show in it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { RunningWorker } from '../scripts/lib/miniflare';
import { runLoad, type LoadResult } from './http-load';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (ms) the workerd that is this process's child has used so far. */
function workerdCpuMs(): number {
  for (const pid of readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(workerd)')) continue;
      // Fields after the command name: state(0) ppid(1) … utime(11) stime(12).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue;
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
    } catch {
      // The process ended while being read.
    }
  }
  throw new Error('no workerd child of this process found in /proc');
}

/** One kind of request to cost. */
export interface CostCase {
  label: string;
  /** Path of the `i`-th request (distinct seeds for a miss, the same few for a hit). */
  path: (i: number) => string;
  requests: number;
}

/** A case's round trips and workerd's CPU time per request. */
export interface CostResult {
  label: string;
  load: LoadResult;
  cpuMsPerRequest: number;
}

/** Runs each case at one connection against `worker` and charges workerd's CPU time to it. */
export async function measureCosts(worker: RunningWorker, cases: CostCase[]): Promise<CostResult[]> {
  const results: CostResult[] = [];
  for (const { label, path, requests } of cases) {
    const before = workerdCpuMs();
    const load = await runLoad(worker, { connections: 1, requests, path });
    // The last response's cache.put runs in waitUntil, after it.
    await new Promise((r) => setTimeout(r, 200));
    results.push({ label, load, cpuMsPerRequest: (workerdCpuMs() - before) / load.latenciesMs.length });
  }
  return results;
}
