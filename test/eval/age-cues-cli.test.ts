import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as ageCuesMain, markdownAgeCues } from '../../eval/age-cues-cli';
import { main } from '../../eval/cli';
import { decodeImage, encodeRgbPng } from '../../eval/image-codec';
import { astronautFace, lfwFace, tinyAutoencoderOnnx, tinyDecoderOnnx } from './fixtures';

/** Measured ages and UTKFace gender codes (1 = female) of the shard's eight faces: 40 and 10 are in neither group. */
const LABELS = [[60, 1], [20, 1], [70, 0], [25, 0], [40, 1], [55, 1], [30, 1], [10, 0]] as const;

/**
 * A 32 px tiny decoder (bare, given --latent/--size), a WebDataset shard of eight LFW faces at 64 px with
 * UTKFace-like metadata, and two autoencoders at 64 px: exact (gain 1) and a darker copy (gain 0.5).
 */
function fixture() {
  const dir = mkdtempSync(path.join(tmpdir(), 'eval-age-cues-'));
  const model = path.join(dir, 'tiny.onnx');
  writeFileSync(model, tinyDecoderOnnx(astronautFace(32), 8, 0.3));
  const samples = path.join(dir, 'samples');
  mkdirSync(samples);
  const names: string[] = [];
  LABELS.forEach(([age, gender], i) => {
    const key = `utk-${String(i).padStart(6, '0')}`;
    writeFileSync(path.join(samples, `${key}.png`), encodeRgbPng(lfwFace(i, 64)));
    // labels as strings, as the shared set writes them
    writeFileSync(path.join(samples, `${key}.json`), JSON.stringify({ key, source: 'utkface', age: String(age), gender: String(gender), race: '0' }));
    names.push(`${key}.png`, `${key}.json`);
  });
  const shard = path.join(dir, 'faces-000000.tar');
  execFileSync('tar', ['-cf', shard, '-C', samples, ...names]);
  // other people's faces, as the training reference of the FFD floor
  const trainDir = path.join(dir, 'train');
  mkdirSync(trainDir);
  const trainNames = [8, 9, 10, 11].map((i) => {
    writeFileSync(path.join(trainDir, `lfw-${i}.png`), encodeRgbPng(lfwFace(i, 64)));
    return `lfw-${i}.png`;
  });
  const trainShard = path.join(dir, 'train-000000.tar');
  execFileSync('tar', ['-cf', trainShard, '-C', trainDir, ...trainNames]);
  const exact = path.join(dir, 'exact.onnx'), darker = path.join(dir, 'darker.onnx');
  writeFileSync(exact, tinyAutoencoderOnnx(64, 1));
  writeFileSync(darker, tinyAutoencoderOnnx(64, 0.5));
  // `real` replaces the shard (a repeated --real adds to the list instead).
  const args = (out: string, extra: string[] = [], real = shard) => [
    '--model', model, '--latent', '8', '--size', '32', '--served-size', '64', '--real', real, '--n', '4',
    '--out', path.join(dir, out), '--cache', path.join(dir, 'cache'), ...extra,
  ];
  return { dir, model, exact, darker, shard, trainShard, args };
}

const cacheLines = (dir: string) => readdirSync(path.join(dir, 'cache')).map((f) => readFileSync(path.join(dir, 'cache', f), 'utf8').split('\n').length).reduce((a, b) => a + b, 0);

describe('npm run eval: sharpness, reconstruction FFD and age cues (n = 4, served at 64 px)', () => {
  it('measures at the served size, reports the reconstruction FFD and age-cue AUC of an autoencoder, and reads them from the cache the second time', async () => {
    const { dir, exact, darker, trainShard, args } = fixture();
    const withTrain = (extra: string[]) => [...extra, '--train', trainShard];
    const report = await main(args('exact', withTrain(['--autoencoder', exact])));

    expect(report.settings).toMatchObject({ size: 64, autoencoder: exact });
    const sharpness = report.figures.sharpness;
    expect(sharpness).toMatchObject({ size: 64, nativeSize: 32, generated: 4, real: 4 });
    expect(sharpness.octaves.map((o) => o.band)).toEqual(['1/32–1/16', '1/16–1/8', '1/8–1/4', '1/4–1/2']);
    for (const octave of sharpness.octaves) expect(octave.throughNativeRatio).toBeGreaterThan(0); // 32 px model served at 64
    expect(sharpness.octaves.at(-1)!.throughNativeRatio).toBeLessThan(1);

    const cues = report.figures.ageCues!;
    expect(cues).toMatchObject({ size: 64, faces: 6, undetected: 0, autoencoder: { file: exact, inputSize: 64 } });
    expect(cues.all).toMatchObject({ old: 3, young: 3 });
    expect(cues.women).toMatchObject({ old: 2, young: 2 });
    // An exact autoencoder gives the photos back, so the reconstructions read exactly like them.
    expect(cues.all.auc.reconstructions).toBe(cues.all.auc.originals);
    expect(cues.women.auc.reconstructions).toBe(cues.women.auc.originals);
    expect(cues.all.medianOldAge.reconstructions).toBe(cues.all.medianOldAge.originals);
    expect(cues.all.auc.originals).toBeGreaterThanOrEqual(0);
    expect(cues.all.auc.originals).toBeLessThanOrEqual(1);

    // An exact autoencoder's reconstructions are the photos: their FFD to the training faces is the floor itself.
    const rec = report.figures.reconstruction!;
    expect(rec).toMatchObject({ faces: 4, detected: 4, size: 4 });
    expect(rec.floor).toBeGreaterThan(0);
    expect(rec.ffdVsTrain).toBe(rec.floor);
    expect(rec.excess).toBe(0);

    const markdown = readFileSync(report.files.markdown, 'utf8');
    expect(markdown).toContain('| FFD of reconstructions of the real set vs training faces |');
    expect(markdown).toContain('| spectrum ratio 1/8–1/4 cycles/px at 64 px |');
    expect(markdown).toContain('| spectrum ratio 1/4–1/2 cycles/px at 64 px |');
    expect(markdown).toContain('| highest spectrum ratio of any octave |');
    expect(markdown).toContain('| reconstruction age AUC (≥ 50 vs 18–35), women |');
    expect(JSON.parse(readFileSync(report.files.json, 'utf8')).figures.sharpness.octaves).toHaveLength(4);
    // Contact sheet of 64 px tiles (4 faces in one row of 68 px cells), then 16 px, then the zoomed crops (x8).
    const sheet = decodeImage(readFileSync(report.files.contactSheet));
    expect(sheet.width).toBeGreaterThan(4 * 68);
    expect(sheet.height).toBeGreaterThan(68 + 16 + 4 * 16 * 8);

    const lines = cacheLines(dir);
    const again = await main(args('again', withTrain(['--autoencoder', exact])));
    expect(again.figures).toEqual(report.figures);
    expect(cacheLines(dir)).toBe(lines); // photos and reconstructions all came from the cache

    const darkFigures = (await main(args('darker', withTrain(['--autoencoder', darker])))).figures;
    expect(darkFigures.reconstruction!.floor).toBe(rec.floor);
    // the darker copies are other faces to the embedding (with 4 faces a side, which way the distance moves is noise)
    expect(darkFigures.reconstruction!.excess).not.toBe(0);
    expect(darkFigures.reconstruction!.ffdVsTrain).toBe(darkFigures.reconstruction!.floor + darkFigures.reconstruction!.excess);
    const dark = darkFigures.ageCues!;
    expect(dark.autoencoder.sha256).not.toBe(cues.autoencoder.sha256);
    expect(dark.all.auc.originals).toBe(cues.all.auc.originals);
    expect(dark.all.auc.reconstructions).not.toBe(dark.all.auc.originals); // the darker copies read differently
  }, 240_000);

  it('reports the age cues as absent without --autoencoder, and refuses a served size the spectrum cannot take or a graph that is no autoencoder', async () => {
    const { dir, model, exact, args } = fixture();
    const report = await main(args('none'));
    expect(report.figures.ageCues).toBeNull();
    expect(report.figures.reconstruction).toBeNull();
    expect(readFileSync(report.files.markdown, 'utf8')).toContain('not measured: no --autoencoder given');
    await expect(main(args('bad', ['--served-size=48']))).rejects.toThrow(/power of two/);
    await expect(main(args('decoder', ['--autoencoder', model]))).rejects.toThrow(/input must be \[N, 3, S, S\]/);
    const plain = path.join(dir, 'plain');
    mkdirSync(plain);
    writeFileSync(path.join(plain, 'a.png'), encodeRgbPng(lfwFace(0, 64)));
    await expect(main(args('plain', ['--autoencoder', exact], plain))).rejects.toThrow(/measured age/);
  }, 120_000);
});

describe('npm run eval:age-cues: the same figure for several autoencoders, without generating faces', () => {
  it('gives each autoencoder, in the order given, the figure the full evaluation gives it, and writes them as JSON', async () => {
    const { dir, exact, darker, shard, args } = fixture();
    const out = path.join(dir, 'cues.json');
    const figures = await ageCuesMain(['--autoencoder', exact, darker, '--real', shard, '--served-size', '64', '--cache', path.join(dir, 'cache'), '--out', out]);
    expect(figures.map((f) => f.autoencoder.file)).toEqual([exact, darker]);
    expect(figures[0].all.auc.reconstructions).toBe(figures[0].all.auc.originals);
    expect(figures[1]).toEqual((await main(args('full', ['--autoencoder', darker]))).figures.ageCues);
    expect(JSON.parse(readFileSync(out, 'utf8')).figures).toEqual(figures);
    expect(markdownAgeCues(figures)).toContain('| exact.onnx | 6 (0) |');
    await expect(ageCuesMain(['--real', shard])).rejects.toThrow(/usage: npm run eval:age-cues/);
  }, 120_000);

  it('prints AUCs to three decimals and median ages to a tenth of a year', () => {
    const group = (median: number) => ({ old: 3, young: 4, auc: { originals: 0.9475, reconstructions: 0.88 }, medianOldAge: { originals: 44.55, reconstructions: median } });
    const figure = { autoencoder: { file: '/x/at32.onnx', sha256: '', inputSize: 128 }, size: 128, faces: 7, undetected: 0, all: group(38.849999999999994), women: group(Number.NaN) };
    expect(markdownAgeCues([figure]).split('\n')[2]).toBe('| at32.onnx | 7 (0) | 0.948 → 0.880 | 0.948 → 0.880 | 44.5 → 38.8 | 44.5 → n/a |');
  });
});
