/**
 * Where the 16-connection cache-miss tail goes (issue 18): `npx tsx bench/tail.ts [requests] [connections] [reps]`.
 * Builds the worker, starts it in workerd, then drives it with autocannon as the bench's cache-miss row does (distinct
 * seeds) and reports, for the client's latency and each Server-Timing entry, p50/p90/p99, and the
 * stages of the slowest requests. Prints the load average with every figure.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { buildWorker } from '../scripts/lib/build-worker';
import { startWorker } from '../scripts/lib/miniflare';
import { summarize } from './stats';

const [requests = 800, connections = 16, reps = 2] = process.argv.slice(2).map(Number);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Server-Timing `name;dur=x` entries as a map (entries without dur are left out). */
function serverTiming(header: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of header.split(',')) {
    const m = /^\s*([\w-]+).*?dur=([\d.]+)/.exec(part);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

const dir = buildWorker(`dist/tail-${process.pid}`);
const worker = await startWorker(dir);
try {
  await worker.putModels();
  const base = worker.url.origin;
  const run = Date.now().toString(36);
  for (let i = 0; i < 20; i++) await (await fetch(`${base}/face/warm-${run}-${i}?size=128`)).arrayBuffer();
  for (let rep = 0; rep < reps; rep++) {
    const rows: Array<{ ms: number; timing: Record<string, number>; at: number }> = [];
    let sent = 0;
    let header = '';
    const started = performance.now();
    await new Promise<void>((done, fail) => {
      const instance = autocannon(
        {
          url: base,
          connections,
          amount: requests,
          timeout: 30,
          ...(process.env.RECONNECT && { reconnectRate: Number(process.env.RECONNECT) }),
          requests: [
            {
              method: 'GET',
              setupRequest: (req) => ({ ...req, path: `/face/tail-${run}-${rep}-${sent++}?size=128` }),
              // Called just before the client's 'response' event, which carries the latency.
              onResponse: (_status, _body, _context, headers) => {
                header = String(Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'server-timing')?.[1] ?? '');
              },
            },
          ],
        },
        (error, result) => (error ? fail(error) : result.non2xx + result.errors + result.timeouts > 0 ? fail(new Error('failed requests')) : done()),
      );
      instance.on('response', (_client, _status, _bytes, ms) => {
        const timing = serverTiming(header);
        // What the worker's own handler did not see: waiting in workerd before it, and the response's way back.
        if ('total' in timing) timing.outside = ms - timing.total;
        rows.push({ ms, timing, at: performance.now() });
      });
    });
    const seconds = (performance.now() - started) / 1000;
    const gaps = rows.slice(1).map((r, i) => r.at - rows[i].at).sort((a, b) => b - a).slice(0, 5);
    console.log(`  longest gaps between responses (ms): ${gaps.map((g) => g.toFixed(0)).join(' ')}`);
    const fmt = (xs: number[]) => {
      const s = summarize(xs);
      return `p50 ${s.median.toFixed(1)}  p90 ${s.p90.toFixed(1)}  p99 ${s.p99.toFixed(1)}  max ${Math.max(...xs).toFixed(1)}`;
    };
    console.log(`\nrep ${rep + 1}: ${requests} cache misses, ${connections} connections, ${(requests / seconds).toFixed(0)}/s, load ${loadavg()}`);
    console.log(`  client   ${fmt(rows.map((r) => r.ms))}`);
    const names = [...new Set(rows.flatMap((r) => Object.keys(r.timing)))];
    for (const name of names) console.log(`  ${name.padEnd(8)} ${fmt(rows.map((r) => r.timing[name] ?? 0))}`);
    const slow = rows.slice().sort((a, b) => b.ms - a.ms).slice(0, 8);
    console.log('  slowest: ' + slow.map((r) => `${r.ms.toFixed(0)} [${names.map((n) => `${n} ${(r.timing[n] ?? 0).toFixed(0)}`).join(' ')}]`).join('\n           '));
  }
} finally {
  await worker.dispose();
}
