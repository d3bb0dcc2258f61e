/** Paths in the checkout the dev scripts, benchmarks and tests share. */
import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** An executable installed by npm (`node_modules/.bin/<name>`). */
export function bin(name: string): string {
  return join(ROOT, 'node_modules/.bin', name);
}
