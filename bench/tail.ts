/**
 * Where the 16-connection cache-miss tail goes (issue 18, docs/tail-latency-notes.md):
 * `npx tsx bench/tail.ts [requests] [connections] [reps] [client]`. Builds the worker, starts it in workerd, then loads
 * it with distinct seeds as the bench's cache-miss row does, and prints p50/p90/p99 of the client's latency and of each
 * Server-Timing entry, plus `outside` (client latency − the handler's `total`: waiting in workerd before the handler,
 * and the way back), the slowest requests by stage, and the load average. `client` is `autocannon` (the bench's
 * client, keep-alive connections), `keepalive` or `fresh` (node:http, keep-alive or a new connection per request).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';
import { buildWorker } from '../scripts/lib/build-worker';
import { startWorker } from '../scripts/lib/miniflare';
import { summarize } from './stats';

const args = process.argv.slice(2);
const [requests = 800, connections = 16, reps = 2] = args.slice(0, 3).map(Number);
const client = args[3] ?? 'autocannon';
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** One answered request: the client's latency (ms) and the Server-Timing durations. */
interface Row {
  ms: number;
  timing: Record<string, number>;
}

/** Server-Timing `name;dur=x` entries as a map (entries without dur are left out), plus `outside`. */
function row(ms: number, header: string): Row {
  const timing: Record<string, number> = {};
  for (const part of header.split(',')) {
    const m = /^\s*([\w-]+).*?dur=([\d.]+)/.exec(part);
    if (m) timing[m[1]] = Number(m[2]);
  }
  if ('total' in timing) timing.outside = ms - timing.total;
  return { ms, timing };
}

/** `requests` GETs of `path(i)` through autocannon, as bench/http-load.ts drives the bench's rows. */
function viaAutocannon(origin: string, path: (i: number) => string): Promise<Row[]> {
  const rows: Row[] = [];
  let sent = 0;
  let header = '';
  return new Promise((done, fail) => {
    const instance = autocannon(
      {
        url: origin,
        connections,
        amount: requests,
        timeout: 30,
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => ({ ...req, path: path(sent++) }),
            // Called just before the client's 'response' event, which carries the latency.
            onResponse: (_status, _body, _context, headers) => {
              header = String(Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'server-timing')?.[1] ?? '');
            },
          },
        ],
      },
      (error, result) => (error ? fail(error) : result.non2xx + result.errors + result.timeouts > 0 ? fail(new Error('failed requests')) : done(rows)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => rows.push(row(ms, header)));
  });
}

/** The same with node:http from `connections` loops, on keep-alive connections or a new one per request. */
async function viaHttp(url: URL, path: (i: number) => string, keepAlive: boolean): Promise<Row[]> {
  const agent = new http.Agent({ keepAlive, maxSockets: connections });
  const get = (p: string): Promise<Row> =>
    new Promise<Row>((ok, fail) => {
      const t = performance.now();
      const req = http.get({ host: url.hostname, port: url.port, path: p, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? ok(row(performance.now() - t, String(res.headers['server-timing'] ?? ''))) : fail(new Error(`HTTP ${res.statusCode}`))));
      });
      // workerd may close an idle keep-alive connection as the next request goes out on it: Node's advice is to retry.
      req.on('error', (error) => (req.reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? get(p).then(ok, fail) : fail(error)));
    });
  const rows: Row[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: connections }, async () => { while (next < requests) rows.push(await get(path(next++))); }));
  agent.destroy();
  return rows;
}

const dir = buildWorker(`dist/tail-${process.pid}`);
const worker = await startWorker(dir);
try {
  await worker.putModels();
  const run = Date.now().toString(36);
  for (let i = 0; i < 20; i++) await (await fetch(`${worker.url.origin}/face/warm-${run}-${i}?size=128`)).arrayBuffer();
  for (let rep = 0; rep < reps; rep++) {
    const path = (i: number) => `/face/tail-${run}-${rep}-${i}?size=128`;
    const started = performance.now();
    const rows = client === 'autocannon' ? await viaAutocannon(worker.url.origin, path) : await viaHttp(worker.url, path, client === 'keepalive');
    const perSecond = rows.length / ((performance.now() - started) / 1000);
    const fmt = (xs: number[]) => {
      const s = summarize(xs);
      return `p50 ${s.median.toFixed(1)}  p90 ${s.p90.toFixed(1)}  p99 ${s.p99.toFixed(1)}  max ${Math.max(...xs).toFixed(1)}`;
    };
    console.log(`\nrep ${rep + 1}: ${client}, ${rows.length} cache misses, ${connections} connections, ${perSecond.toFixed(0)}/s, load ${loadavg()}`);
    console.log(`  client   ${fmt(rows.map((r) => r.ms))}`);
    const names = [...new Set(rows.flatMap((r) => Object.keys(r.timing)))];
    for (const name of names) console.log(`  ${name.padEnd(8)} ${fmt(rows.map((r) => r.timing[name] ?? 0))}`);
    const slow = rows.slice().sort((a, b) => b.ms - a.ms).slice(0, 5);
    console.log('  slowest: ' + slow.map((r) => `${r.ms.toFixed(0)} [${names.map((n) => `${n} ${(r.timing[n] ?? 0).toFixed(0)}`).join(' ')}]`).join('\n           '));
  }
} finally {
  await worker.dispose();
}
