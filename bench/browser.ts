/**
 * `npm run bench:browser`: the browser runtime's sizes and speed on this machine, in Debian's chromium against the
 * built worker on a loopback port (scripts/lib/chromium.ts).
 *
 * - sizes, raw and gzipped: the JS files of the bundle (dist/assets/web), the two ORT wasm files (as stored in R2,
 *   gzipped) and the model;
 * - time to the first face after page load on the demo page, per backend, each run in a fresh browser (empty cache):
 *   what the page itself reports (performance.now() at the first drawn face, i.e. ms since navigation start);
 * - ms per face through the client API (web/face-generator.ts `generate`, decode + resize to 128 px), per backend,
 *   over distinct seeds after one warm-up face;
 * - how far each backend's faces are from the server's PNGs (mean and largest absolute difference per channel value).
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWorker } from '../scripts/lib/build-worker';
import { launchChromium, waitForRenders } from '../scripts/lib/chromium';
import { startWorker } from '../scripts/lib/miniflare';
import { currentEntry, MODELS_DIR } from '../scripts/lib/models-dir';
import { decodePng } from '../scripts/lib/png-reader';
import { runtimeObjects } from '../scripts/lib/uploads';
import { webOutDir } from '../scripts/lib/web';
import { quantile } from './stats';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FACES = Number(process.env.BENCH_FACES ?? 20);
const PARITY_SEEDS = ['alice', 'bob', 'émile 😀', 'parity-1', 'parity-2'];

const range = (xs: number[], digits = 0) => `median ${quantile(xs, 0.5).toFixed(digits)}, ${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

const dir = buildWorker(`dist/bench-browser-${process.pid}`);

console.log('bundle (dist/assets/web), raw / gzip -9:');
let rawTotal = 0, gzTotal = 0;
for (const file of readdirSync(webOutDir()).filter((f) => f.endsWith('.js')).sort()) {
  const bytes = readFileSync(join(webOutDir(), file));
  const gz = gzipSync(bytes, { level: 9 }).length;
  rawTotal += bytes.length;
  gzTotal += gz;
  console.log(`  ${file.padEnd(40)} ${kb(bytes.length).padStart(10)} / ${kb(gz).padStart(10)}`);
}
console.log(`  ${'all JS'.padEnd(40)} ${kb(rawTotal).padStart(10)} / ${kb(gzTotal).padStart(10)}`);
for (const { key, path } of runtimeObjects()) {
  const raw = statSync(join('node_modules/onnxruntime-web/dist', key.split('/').pop()!)).size;
  console.log(`  ${key.padEnd(60)} ${mb(raw).padStart(10)} / ${mb(statSync(path).size).padStart(10)} (gzip -6, as stored)`);
}
const model = currentEntry();
const modelBytes = readFileSync(join(MODELS_DIR, model.file));
console.log(`  model ${model.file.padEnd(54)} ${mb(modelBytes.length).padStart(10)} / ${mb(gzipSync(modelBytes).length).padStart(10)} (sent uncompressed)`);

const worker = await startWorker(dir);
try {
  await worker.putModels();
  await worker.putRuntime();
  for (const webgpu of [false, true]) {
    const firsts: number[] = [];
    let backend = '';
    for (let run = 0; run < RUNS; run++) {
      const browser = await launchChromium({ webgpu });
      try {
        const page = await browser.newPage();
        await page.goto(new URL('/?seed=alice', worker.url).href);
        await waitForRenders(page, 1, 120_000);
        backend = (await page.textContent('#backend')) ?? '';
        firsts.push(Number.parseFloat((await page.textContent('#first-face')) ?? ''));
      } finally {
        await browser.close();
      }
    }
    const browser = await launchChromium({ webgpu });
    let perFace: number[], faces: number[][];
    try {
      const page = await browser.newPage();
      await page.goto(new URL('/healthz', worker.url).href);
      ({ perFace, faces } = await page.evaluate(
        async ({ n, seeds }) => {
          const { createFaceGenerator } = await import('/web/face-generator.js' as string);
          const generator = await createFaceGenerator();
          await generator.generate('warm-up');
          const times: number[] = [];
          for (let i = 0; i < n; i++) times.push((await generator.generate(`bench-${i}`, { size: 128 })).ms);
          const faces: number[][] = [];
          for (const seed of seeds) faces.push(Array.from((await generator.generate(seed, { size: 128 })).imageData.data as Uint8ClampedArray));
          return { perFace: times, faces };
        },
        { n: FACES, seeds: PARITY_SEEDS },
      ));
    } finally {
      await browser.close();
    }
    console.log(`${webgpu ? '--enable-unsafe-webgpu' : 'no WebGPU flag'}: backend ${backend}`);
    console.log(`  first face after page load (${RUNS} fresh browsers): ${range(firsts)} ms`);
    console.log(`  per face, 128 px (${FACES} seeds): ${range(perFace, 1)} ms`);
    let sum = 0, count = 0, worst = 0, exact = 0;
    for (const [i, seed] of PARITY_SEEDS.entries()) {
      const server = decodePng(new Uint8Array(await (await worker.fetch(`/face/${encodeURIComponent(seed)}?size=128`)).arrayBuffer())).frames[0];
      let same = true;
      for (let j = 0; j < server.length; j++) {
        if (j % 4 === 3) continue;
        const d = Math.abs(server[j] - faces[i][j]);
        sum += d;
        count++;
        worst = Math.max(worst, d);
        if (d) same = false;
      }
      if (same) exact++;
    }
    console.log(`  vs the server's PNG (${PARITY_SEEDS.length} seeds): ${exact} identical; mean |Δ| ${(sum / count).toFixed(3)}/255, largest ${worst}/255`);
  }
} finally {
  await worker.dispose();
  rmSync(dir, { recursive: true, force: true });
}
