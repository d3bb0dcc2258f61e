import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRgbPng } from '../../eval/image-codec';
import { solidImage } from '../../eval/image';
import { expandRanges, readRealImages } from '../../eval/realset';
import { readTar } from '../../eval/tar';

/** Every item of an async iterable (Node 20 has no Array.fromAsync). */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('readTar', () => {
  it('reads the files of an archive written by GNU tar, long names included, and refuses a truncated one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eval-tar-'));
    const long = `${'x'.repeat(120)}.json`;
    writeFileSync(path.join(dir, 'a.txt'), 'hello');
    writeFileSync(path.join(dir, long), '{}');
    const archive = path.join(dir, 'shard.tar');
    execFileSync('tar', ['-cf', archive, '-C', dir, 'a.txt', long]);
    const entries = await collect(readTar(archive));
    expect(entries.map((e) => e.name)).toEqual(['a.txt', long]);
    expect(new TextDecoder().decode(entries[0].data)).toBe('hello');
    const truncated = path.join(dir, 'truncated.tar');
    writeFileSync(truncated, readFileSync(archive).subarray(0, 700)); // a.txt's header and half its block
    await expect(collect(readTar(truncated))).rejects.toThrow();
  });
});

describe('expandRanges', () => {
  it('expands zero-padded numeric ranges', () => {
    expect(expandRanges('s-{08..10}.tar')).toEqual(['s-08.tar', 's-09.tar', 's-10.tar']);
    expect(expandRanges('plain.tar')).toEqual(['plain.tar']);
  });
});

describe('readRealImages', () => {
  it('yields the images of tar shards and folders in a fixed order', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eval-real-'));
    const png = encodeRgbPng(solidImage(4, 4, [10, 20, 30]));
    for (const name of ['b.png', 'a.png', 'a.json']) writeFileSync(path.join(dir, name), name.endsWith('.png') ? png : '{}');
    execFileSync('tar', ['-cf', path.join(dir, 'shard.tar'), '-C', dir, 'b.png', 'a.json', 'a.png']);
    const fromTar = [];
    for await (const image of readRealImages([dir])) fromTar.push(image.id); // the folder holds a .tar: it wins
    expect(fromTar).toEqual(['shard.tar/b.png', 'shard.tar/a.png']);
    const files = [];
    for await (const image of readRealImages([path.join(dir, 'a.png'), path.join(dir, 'b.png')])) files.push(path.basename(image.id));
    expect(files).toEqual(['a.png', 'b.png']);
  });
});
