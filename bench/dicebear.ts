/**
 * The peer: DiceBear (@dicebear/core with its bundled avataaars style) drawing 128 px PNG avatars in Node through
 * its documented PNG path, @dicebear/converter's `toPng` (SVG rendered by resvg-js, native, with its defaults).
 * Seeds are distinct, so nothing is reused between avatars.
 */
import { createAvatar } from '@dicebear/core';
import * as avataaars from '@dicebear/avataaars';
import { toPng } from '@dicebear/converter';
import { sampleMs, type Runs } from './stats';

/** One DiceBear PNG avatar for `seed`, 128 px; its byte length. */
async function avatarPng(seed: string): Promise<number> {
  const svg = createAvatar(avataaars, { seed, size: 128 }).toString();
  return (await toPng(svg).toArrayBuffer()).byteLength;
}

/** DiceBear at a given number of avatars in flight: ms per avatar (each one's own time) and avatars per second. */
export interface DicebearResult {
  inFlight: number;
  samplesMs: number[];
  perSecond: number;
  bytes: number;
}

/** Avatars one at a time (`runs`), then `concurrentTotal` avatars with `inFlight` at once. */
export async function benchDicebear(runs: Runs, inFlight: number, concurrentTotal: number): Promise<DicebearResult[]> {
  const bytes = await avatarPng('bench-dicebear-size');
  const sequential = await sampleMs(runs, (i) => avatarPng(`bench-dicebear-${i}`));
  // One at a time, throughput is the inverse of the mean time per avatar.
  const sequentialPerSecond = (1000 * sequential.length) / sequential.reduce((a, b) => a + b, 0);
  const samplesMs: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < concurrentTotal) {
        const seed = `bench-dicebear-c-${next++}`;
        const t = performance.now();
        await avatarPng(seed);
        samplesMs.push(performance.now() - t);
      }
    }),
  );
  const concurrentPerSecond = concurrentTotal / ((performance.now() - t0) / 1000);
  return [
    { inFlight: 1, samplesMs: sequential, perSecond: sequentialPerSecond, bytes },
    { inFlight, samplesMs, perSecond: concurrentPerSecond, bytes },
  ];
}
