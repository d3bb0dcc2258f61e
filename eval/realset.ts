/**
 * Real face images from WebDataset tar shards, folders of images, or single image files, in a fixed order:
 * sources in the order given (folders sorted by name), entries in archive order. Taking the first n therefore
 * always selects the same faces.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readTar } from './tar';

/** One real image, still encoded. */
export interface RealImage {
  /** `<shard file>/<entry>` or the image path: stable, human-readable. */
  id: string;
  bytes: Uint8Array;
}

const IMAGE = /\.(jpe?g|png)$/i;

/**
 * Expands WebDataset-style numeric ranges: `faces128-{000000..000020}.tar` → 21 names, keeping the zero
 * padding. Lets a range be passed where no shell expands braces (npm runs scripts with `sh`).
 */
export function expandRanges(pattern: string): string[] {
  const match = /\{(\d+)\.\.(\d+)\}/.exec(pattern);
  if (!match) return [pattern];
  const [whole, from, to] = match;
  const width = from.length, start = Number(from), end = Number(to);
  const step = start <= end ? 1 : -1;
  const names: string[] = [];
  for (let i = start; step > 0 ? i <= end : i >= end; i += step) {
    const head = pattern.slice(0, match.index) + String(i).padStart(width, '0');
    names.push(...expandRanges(head + pattern.slice(match.index + whole.length)));
  }
  return names;
}

/** Tar shards or image files a source path stands for: a folder means its `.tar` files if any, else its images. */
async function sourceFiles(source: string): Promise<string[]> {
  if (!(await stat(source)).isDirectory()) return [source];
  const names = (await readdir(source)).sort();
  const tars = names.filter((name) => name.endsWith('.tar'));
  return (tars.length > 0 ? tars : names.filter((name) => IMAGE.test(name))).map((name) => path.join(source, name));
}

/** Every image of the sources, in order; shards are streamed, one at a time. */
export async function* readRealImages(sources: readonly string[]): AsyncGenerator<RealImage> {
  for (const source of sources.flatMap(expandRanges)) {
    for (const file of await sourceFiles(source)) {
      if (file.endsWith('.tar')) {
        for await (const entry of readTar(file)) if (IMAGE.test(entry.name)) yield { id: `${path.basename(file)}/${entry.name}`, bytes: entry.data };
      } else if (IMAGE.test(file)) {
        yield { id: file, bytes: new Uint8Array(await readFile(file)) };
      } else {
        throw new Error(`${file}: not a .tar shard or a JPEG/PNG image`);
      }
    }
  }
}

/** The bytes of the first `n` images of a real set, in {@link readRealImages}'s order (fewer if it is smaller). */
export async function firstImages(sources: readonly string[], n: number): Promise<Uint8Array[]> {
  const images: Uint8Array[] = [];
  for await (const real of readRealImages(sources)) {
    if (images.length >= n) break;
    images.push(real.bytes);
  }
  return images;
}

/**
 * The per-sample metadata of WebDataset tar shards (each sample's `<key>.json`), by the id its image has in
 * {@link readRealImages} without the extension (`<shard file>/<key>`). Folders of plain images have none.
 */
export async function readSampleMetadata(sources: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const metadata = new Map<string, Record<string, unknown>>();
  for (const source of sources.flatMap(expandRanges)) {
    for (const file of await sourceFiles(source)) {
      if (!file.endsWith('.tar')) continue;
      for await (const entry of readTar(file)) {
        if (entry.name.endsWith('.json')) metadata.set(`${path.basename(file)}/${entry.name.slice(0, -5)}`, JSON.parse(new TextDecoder().decode(entry.data)));
      }
    }
  }
  return metadata;
}
