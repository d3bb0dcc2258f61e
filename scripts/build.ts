/**
 * `npm run build`: the dry-run deploy. Bundles the worker exactly as `wrangler deploy` would, into dist/worker/ (emptied
 * first, so no module of an earlier build is counted), then the deploy preflight (./lib/preflight.ts): the bundle's
 * raw and gzipped size and the static assets against the Workers plans' limits. Exits 1 above the Paid plan's.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorker } from './lib/build-worker';
import { measure, verdict } from './lib/preflight';
import { ROOT } from './lib/root';
import { assetsDir } from './lib/wrangler-config';

const OUT = 'dist/worker';

rmSync(join(ROOT, OUT), { recursive: true, force: true });
const dir = buildWorker(OUT);
const { lines, ok } = verdict(measure(dir, assetsDir()));
console.log(lines.join('\n'));
if (!ok) process.exitCode = 1;
