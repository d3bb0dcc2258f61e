/** Running wrangler from the scripts: offline, without telemetry. */
import { execFileSync } from 'node:child_process';
import { bin, ROOT } from './root';

/** The environment every wrangler run gets: no network look-ups of Cloudflare's, no metrics. */
export const OFFLINE_ENV = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' };

/** Runs wrangler in the repository root; its output is shown only if it fails. */
export function wrangler(args: string[]): void {
  execFileSync(bin('wrangler'), args, { cwd: ROOT, env: OFFLINE_ENV, stdio: 'pipe' });
}
