/** Percentiles and a timing loop shared by the benchmarks (bench/edge.ts, bench/run.ts and its sections). */

/** The `q`-quantile (0–1) of `xs`, nearest-rank on the sorted samples. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) throw new Error('no samples');
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** Median, p90 and p99 of a set of samples, and how many there were. */
export interface Summary {
  median: number;
  p90: number;
  p99: number;
  n: number;
}

/** {@link Summary} of `xs`. */
export function summarize(xs: number[]): Summary {
  return { median: quantile(xs, 0.5), p90: quantile(xs, 0.9), p99: quantile(xs, 0.99), n: xs.length };
}

/** How many times to run a measured call: `warmup` unmeasured first, then up to `runs`, stopping early after `budgetMs`. */
export interface Runs {
  warmup: number;
  runs: number;
  /** Time budget of the measured calls; at least 5 are taken whatever it says (slow encoders get fewer runs). */
  budgetMs?: number;
}

/** Times each call of `fn` separately (ms), after the warm-up calls. */
export async function sampleMs(runs: Runs, fn: (i: number) => unknown): Promise<number[]> {
  for (let i = 0; i < runs.warmup; i++) await fn(i);
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < runs.runs; i++) {
    const t = performance.now();
    await fn(runs.warmup + i);
    samples.push(performance.now() - t);
    if (samples.length >= 5 && runs.budgetMs !== undefined && performance.now() - started > runs.budgetMs) break;
  }
  return samples;
}
