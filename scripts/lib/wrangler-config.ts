/** wrangler.toml, read with a TOML parser: the settings the dev harness shares with wrangler, said once there. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { z } from 'zod';
import { ROOT } from './root';

// Only the settings the scripts read; wrangler itself checks the rest.
const configSchema = z.object({
  main: z.string(),
  compatibility_date: z.string(),
  r2_buckets: z.array(z.object({ binding: z.string(), bucket_name: z.string() })),
  assets: z.object({ directory: z.string() }),
});

/** The parsed settings of wrangler.toml that the scripts use. */
export type WranglerConfig = z.infer<typeof configSchema>;

let cached: WranglerConfig | undefined;

/** wrangler.toml's settings (read once per process). */
export function wranglerConfig(): WranglerConfig {
  cached ??= configSchema.parse(parse(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')));
  return cached;
}

/** The R2 bucket bound as `binding` (the worker's model store is `MODELS`). */
export function bucketName(binding = 'MODELS'): string {
  const bucket = wranglerConfig().r2_buckets.find((b) => b.binding === binding);
  if (!bucket) throw new Error(`wrangler.toml binds no R2 bucket as ${binding}`);
  return bucket.bucket_name;
}

/** The static assets folder (`[assets] directory`), absolute. */
export function assetsDir(): string {
  return join(ROOT, wranglerConfig().assets.directory);
}
