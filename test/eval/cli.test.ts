import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../eval/cli';
import { decodeImage, encodeRgbPng } from '../../eval/image-codec';
import { astronautFace, manifestFor, tinyDecoderOnnx } from './fixtures';

/**
 * A models/ folder with a tiny 32x32 decoder (variations of the astronaut's face) and its manifest entry, plus
 * "real" and "train" folders of astronaut crops.
 */
function fixture(): { dir: string; model: string; real: string; train: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'eval-cli-'));
  const model = path.join(dir, 'models', 'tiny.onnx');
  mkdirSync(path.dirname(model));
  const onnx = tinyDecoderOnnx(astronautFace(32), 8, 0.3);
  writeFileSync(model, onnx);
  writeFileSync(
    path.join(dir, 'models', 'manifest.json'),
    manifestFor('tiny.onnx', onnx, 8, 32),
  );
  const real = path.join(dir, 'real'), train = path.join(dir, 'train');
  for (const [folder, offset] of [[real, 0], [train, 1]] as const) {
    mkdirSync(folder);
    for (let i = 0; i < 8; i++) writeFileSync(path.join(folder, `${i}.png`), encodeRgbPng(astronautFace(64, i * 4 - 16 + offset * 2)));
  }
  return { dir, model, real, train };
}

describe('npm run eval (end to end, n = 8)', () => {
  it('writes the report, the pictures, and gives the same figures when run again', async () => {
    const { dir, model, real, train } = fixture();
    const args = (out: string) => ['--model', model, '--real', real, '--train', train, '--n', '8', '--out', path.join(dir, out), '--cache', path.join(dir, 'cache')];
    const first = await main(args('first'));

    expect(first.model).toMatchObject({ name: 'tiny', version: 't1', latentSize: 8, imageSize: 32, source: 'manifest' });
    expect(first.counts).toMatchObject({ generated: 8, real: 8, train: 8 });
    const { figures } = first;
    expect(figures.detectionRate.real).toBe(1);
    expect(figures.detectionRate.generated).toBeGreaterThan(0.5);
    expect(figures.ffd.generatedVsReal).toBeGreaterThan(0);
    expect(figures.ffd.halfSize).toBe(4);
    expect(figures.diversity.ratio).toBeGreaterThan(0);
    expect(figures.memorisation.ratio).toBeGreaterThan(0);
    expect(figures.memorisation.generatedP05).toBeGreaterThan(0);
    expect(figures.memorisation.generatedP05).toBeLessThanOrEqual(figures.memorisation.generatedMedian);
    expect(figures.memorisation.realP05).toBeLessThanOrEqual(figures.memorisation.realMedian);
    expect(figures.attributes.generated.ageShares.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);

    const json = JSON.parse(readFileSync(first.files.json, 'utf8'));
    expect(json.figures.ffd.generatedVsReal).toBeCloseTo(figures.ffd.generatedVsReal, 9);
    expect(readFileSync(first.files.markdown, 'utf8')).toContain('| detection rate');
    const sheet = decodeImage(readFileSync(first.files.contactSheet));
    // 8 tiles of 32 px + 2 px frames, 16 px, then 4 rows of zoomed crops (x16: eyes 384 x 128, hair 192 x 128)
    expect([sheet.width, sheet.height]).toEqual([2 * (384 + 4 + 192) + 24, 36 + 16 + 22 + 4 * 128 + 3 * 4]);
    expect(decodeImage(readFileSync(first.files.histogram as string)).width).toBeGreaterThan(100);

    // Second run: real sets come from the cache; every figure must match exactly.
    const second = await main(args('second'));
    expect(second.figures).toEqual(first.figures);
    expect(readFileSync(path.join(dir, 'second', 'contact-sheet.png'))).toEqual(readFileSync(first.files.contactSheet));
  }, 120_000);

  it('evaluates a bare fixed-batch model given --latent and --size, and explains what is missing without them', async () => {
    const { dir, real } = fixture();
    const bare = path.join(dir, 'bare.onnx');
    writeFileSync(bare, tinyDecoderOnnx(astronautFace(32), 8, 0.3, 1));
    await expect(main(['--model', bare, '--real', real])).rejects.toThrow(/--latent and --size/);
    const report = await main(['--model', bare, '--real', real, '--n', '4', '--latent', '8', '--size', '32', '--out', path.join(dir, 'bare-out'), '--cache', path.join(dir, 'cache')]);
    expect(report.model).toMatchObject({ name: 'bare', source: 'overrides', valueRange: [-1, 1] });
    expect(report.files.histogram).toBeNull(); // no --train: no memorisation figure
    expect(report.figures.memorisation.ratio).toBeNaN();
  }, 120_000);
});
