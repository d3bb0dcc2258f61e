/**
 * `npm run bench` in smoke mode (tiny counts): the whole benchmark runs end to end and its report has every figure
 * issue 5 asks for, with numbers in it. No timing is asserted: the numbers of a smoke run mean nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../scripts/lib/models-dir';

const ROOT = resolve(import.meta.dirname, '..');
const NUMBER = String.raw`[0-9]+(?:\.[0-9]+)?`;

/** The rows the issue asks for, spelled as the table must start them; each needs median, p90, p99 and runs. */
const TIMED_ROWS = [
  'decode 1 face: onnxruntime-web wasm, 1 thread',
  'decode 1 face: onnxruntime-node native, 1 thread',
  'decode batch of 8: onnxruntime-web wasm, 1 thread',
  'decode batch of 8: onnxruntime-node native, 1 thread',
  ...[64, 128, 256].flatMap((px) => ['seedface (src/runtime/png.ts)', 'upng-js', 'fast-png'].map((e) => `PNG encode ${px} px: ${e}`)),
  'HTTP cache-miss /face/:seed?size=128, distinct seeds, 1 connection',
  'HTTP cache-miss /face/:seed?size=128, distinct seeds, 16 connections',
  'HTTP cache-miss /face/:seed?size=128, distinct seeds, 16 connections, worker without local cache storage',
  'HTTP cache-hit /face/:seed?size=128, 1 connection',
  'HTTP cache-hit /face/:seed?size=128, 16 connections',
  'HTTP /interpolate steps=8',
  'first request of a fresh isolate',
  'CPU per request: /face/:seed?size=128 (cache hit)',
  ...[16, 64, 128, 256, 512].map((px) => `CPU per request: cache-miss /face/:seed?size=${px}&shape=square`),
  'CPU per request: cache-miss /face/:seed?size=512&shape=circle',
  'CPU per request: cache-miss /interpolate?steps=8&size=128&format=strip',
  'CPU per request: cache-miss /interpolate?steps=16&size=256&format=strip',
  'CPU per request: cache-miss /interpolate?steps=16&size=256&format=apng&shape=square',
  'CPU per request: cache-miss /interpolate?steps=16&size=256&format=apng&shape=circle',
  'DiceBear avataaars PNG 128 px in Node, 1 in flight',
  'DiceBear avataaars PNG 128 px in Node, 16 in flight',
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('npm run bench --smoke', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seedface-bench-smoke-'));
  const out = join(dir, 'results.md');
  let stdout = '';
  let written = '';

  beforeAll(async () => {
    ({ stdout } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['bench/run.ts', '--smoke', `--out=${out}`], {
      cwd: ROOT,
      timeout: 170_000,
      maxBuffer: 10 * 1024 * 1024,
    }));
    written = readFileSync(out, 'utf8');
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the report it writes', () => {
    expect(stdout.trim()).toBe(written.trim());
  });

  it.each(TIMED_ROWS)('has a timed row: %s', (label) => {
    const row = new RegExp(`^\\| ${escape(label)}[^|]* \\| ${NUMBER} \\| ${NUMBER} \\| ${NUMBER} \\| [0-9]+ \\| (.+) \\|$`, 'm').exec(written);
    expect(row, `row "${label}" with median, p90, p99 and runs`).not.toBeNull();
    expect(row![1]).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('has throughput, GFLOP/s, the WASM/native ratio and memory', () => {
    expect(written).toMatch(new RegExp(`cache-miss .*1 connection .*\\| ${NUMBER} faces/s \\|`));
    expect(written).toMatch(new RegExp(`interpolate .*= ${NUMBER} faces/s \\|`));
    expect(written).toMatch(new RegExp(`decode 1 face: onnxruntime-web .*${NUMBER} GFLOP/s; ${NUMBER}× native`));
    expect(written).toMatch(new RegExp(`DiceBear .*1 in flight .*${NUMBER} avatars/s`));
    expect(written).toMatch(new RegExp(`CPU per request: cache-miss .*\\| ${NUMBER} CPU-ms per request in workerd, ≈ -?${NUMBER} more than a hit \\|`));
    expect(written).toMatch(new RegExp(`^\\| workerd peak RSS under the HTTP load above \\|.*peak ${NUMBER} MB`, 'm'));
    expect(written).not.toMatch(/NaN|Infinity/);
  });

  it('states date, machine, versions, the model from the manifest and the run counts', () => {
    const manifest = readManifest();
    const entry = manifest.models.find((m) => m.version === manifest.current)!;
    expect(written).toMatch(/^- date: 20[0-9]{2}-[0-9]{2}-[0-9]{2}T/m);
    expect(written).toMatch(/^- machine: .+, [0-9]+ logical cores; load average/m);
    for (const name of ['node', 'workerd', 'onnxruntime-web', 'onnxruntime-node', '@dicebear/core']) expect(written).toMatch(new RegExp(`versions: .*${escape(name)} [0-9]+\\.`));
    expect(written).toContain(`- model: ${entry.name} ${entry.version} (${entry.file}`);
    expect(written).toMatch(/^- runs: decode 1 warm-up \+ up to 3 measured/m);
  });

  it('names the figure furthest from its target among the four targets', () => {
    for (const target of ['cache-miss /face median', 'WASM decode vs native', 'PNG encode at 128 px', 'vs DiceBear PNG/s']) expect(written).toContain(target);
    expect(written).toMatch(/^\*\*(Furthest from its target|All targets met; closest to its bar): /m);
  });
});
