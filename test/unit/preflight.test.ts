/**
 * The deploy preflight's verdict (scripts/lib/preflight.ts): under the plans' limits it passes and says so per plan;
 * over the Paid plan's raw limit, or with an asset file over 25 MiB, it fails; and its measure of a bundle folder
 * counts the uploaded modules (.js, .wasm) only, gzipped one by one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ASSET_FILE_BYTES, measure, PLAN_LIMITS, verdict, type Sizes } from '../../scripts/lib/preflight';

const MiB = 1024 * 1024;
const paid = PLAN_LIMITS[PLAN_LIMITS.length - 1];

/** Sizes like this project's bundle: 14.7 MiB raw, 3.8 MiB gzipped, 17 small assets. */
const typical: Sizes = { modules: 4, rawBytes: 14.7 * MiB, gzipBytes: 3.83 * MiB, assetFiles: 17, largestAsset: { path: 'web/docs.js', bytes: 1.5 * MiB } };

describe('verdict', () => {
  it('passes a bundle within the limits, with a line per plan and the gzipped size against the former limits', () => {
    const { lines, ok } = verdict(typical);
    expect(ok).toBe(true);
    expect(lines[0]).toBe('Worker bundle: 4 modules, 14.70 MiB raw, 3.83 MiB (4.02 MB) gzipped');
    expect(lines[1]).toMatch(/^ {2}Workers Free: fits, 23 % of its 64.00 MiB raw limit \(gzipped, over the 3.00 MB it allowed until 4 Sep 2026\)$/);
    expect(lines[2]).toMatch(/^ {2}Workers Paid: fits, .*within the 10.00 MB/);
    expect(lines[3]).toMatch(/^Static assets: 17 files .* web\/docs.js at 1.50 MiB .*: fit$/);
  });

  it('fails a bundle over the Paid plan\'s raw limit, and one with an asset file over 25 MiB', () => {
    const big = verdict({ ...typical, rawBytes: paid.rawBytes + 1 });
    expect(big.ok).toBe(false);
    expect(big.lines.join('\n')).toMatch(/Workers Paid: TOO BIG[\s\S]*Cloudflare would refuse this deploy/);
    expect(verdict({ ...typical, rawBytes: paid.rawBytes }).ok).toBe(true);
    expect(verdict({ ...typical, largestAsset: { path: 'web/x.wasm', bytes: ASSET_FILE_BYTES + 1 } }).ok).toBe(false);
    expect(verdict({ ...typical, assetFiles: paid.assetFiles + 1 }).ok).toBe(false);
  });
});

describe('measure', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts the .js and .wasm modules (not the source map), and the assets but for _headers', () => {
    dir = mkdtempSync(join(tmpdir(), 'preflight-'));
    const bundle = join(dir, 'bundle'), assets = join(dir, 'assets');
    mkdirSync(bundle);
    mkdirSync(join(assets, 'web'), { recursive: true });
    const js = Buffer.from('export default {};\n'.repeat(100)), wasm = Buffer.alloc(5000, 7);
    writeFileSync(join(bundle, 'index.js'), js);
    writeFileSync(join(bundle, 'a-codec.wasm'), wasm);
    writeFileSync(join(bundle, 'index.js.map'), Buffer.alloc(9999));
    writeFileSync(join(assets, '_headers'), '/web/*\n  X-Content-Type-Options: nosniff\n');
    writeFileSync(join(assets, 'web', 'a.js'), Buffer.alloc(10));
    writeFileSync(join(assets, 'web', 'b.css'), Buffer.alloc(30));
    expect(measure(bundle, assets)).toEqual({
      modules: 2,
      rawBytes: js.length + wasm.length,
      gzipBytes: gzipSync(js).length + gzipSync(wasm).length,
      assetFiles: 2,
      largestAsset: { path: join('web', 'b.css'), bytes: 30 },
    });
  });
});
