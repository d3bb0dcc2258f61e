/**
 * The benchmark's report: one Markdown table (median, p90, p99, runs, derived figures), the header that says when,
 * on what and with which versions it was measured, and the targets, furthest-missed first.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { Summary } from './stats';

const ROOT = resolve(import.meta.dirname, '..');

/** One table row: a figure with its percentiles (ms) or, for a figure that is not a time, only the derived column. */
export interface Row {
  label: string;
  summary?: Summary;
  derived: string;
}

/** A target from the issue: `factor` is measured ÷ allowed, so above 1 it is missed by that factor. */
export interface Target {
  name: string;
  measured: string;
  target: string;
  factor: number;
}

/** Where bench/results.md's hand-written notes start: a rerun rewrites what is above this line and keeps the rest. */
export const NOTES_MARKER = '<!-- Hand-written notes: `npm run bench` keeps everything from this line on. -->';

/** `report`, followed by `previous`'s notes from {@link NOTES_MARKER} on, so that measurements added by hand survive a rerun. */
export function withKeptNotes(report: string, previous: string | undefined): string {
  const at = previous?.indexOf(NOTES_MARKER) ?? -1;
  return at < 0 ? report : `${report}\n${previous!.slice(at)}`;
}

/** Milliseconds, with 2 decimals below 10 ms. */
export const fmtMs = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

/** A Markdown table of text cells; the columns `right` says yes to (all but the first, by default) align right. */
export function markdownTable(headers: string[], rows: string[][], right = (column: number) => column > 0): string {
  return [headers, headers.map((_, i) => (right(i) ? '---:' : '---')), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** The Markdown table of `rows`. */
export function table(rows: Row[]): string {
  const cells = rows.map(({ label, summary, derived }) => {
    const figures = summary ? [fmtMs(summary.median), fmtMs(summary.p90), fmtMs(summary.p99), String(summary.n)] : ['—', '—', '—', '—'];
    return [label, ...figures, derived];
  });
  return markdownTable(['measurement', 'median (ms)', 'p90 (ms)', 'p99 (ms)', 'runs', 'derived'], cells, (i) => i > 0 && i < 5);
}

/** The targets, worst first, and a closing line naming the one furthest from its bar. */
export function targetsReport(targets: Target[]): string {
  const sorted = targets.slice().sort((a, b) => b.factor - a.factor);
  const lines = sorted.map((t) => `- ${t.name}: ${t.measured} (target ${t.target}) → ${t.factor > 1 ? `missed, ${t.factor.toFixed(2)}× the bar` : `met, ${t.factor.toFixed(2)}× the bar`}`);
  const worst = sorted[0];
  lines.push(
    '',
    worst.factor > 1
      ? `**Furthest from its target: ${worst.name}** — ${worst.measured} against ${worst.target} (${worst.factor.toFixed(2)}× the bar).`
      : `**All targets met; closest to its bar: ${worst.name}** — ${worst.measured} against ${worst.target} (${worst.factor.toFixed(2)}× the bar).`,
  );
  return lines.join('\n');
}

/** Installed version of an npm package, from its package.json. */
export function packageVersion(name: string): string {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** CPU model and logical core count, from /proc/cpuinfo and os.cpus(). */
export function machine(): string {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown CPU';
  return `${model}, ${cpus().length} logical cores`;
}

/** The 1/5/15-minute load averages, as `uptime` prints them. */
export const loadAverage = () => loadavg().map((x) => x.toFixed(2)).join(', ');

/** Versions of the runtime and of everything measured. */
export function versions(): string {
  const names = ['workerd', 'miniflare', 'onnxruntime-web', 'onnxruntime-node', 'autocannon', 'upng-js', 'fast-png', '@jsquash/webp', '@jsquash/jpeg', 'jpeg-js', '@dicebear/core', '@dicebear/converter', '@dicebear/avataaars', '@resvg/resvg-js'];
  return [`node ${process.versions.node}`, ...names.map((n) => `${n} ${packageVersion(n)}`)].join(', ');
}
