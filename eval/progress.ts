/** A progress line on stderr: a redrawn bar on a terminal, a line per 10% elsewhere (CI logs stay short). */

/** Progress of one counted task. */
export interface Progress {
  tick(count?: number): void;
  done(): void;
}

/** Starts reporting progress of `total` steps under `label`. */
export function startProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = performance.now();
  let current = 0;
  let lastDecile = -1;
  const line = () => {
    const seconds = (performance.now() - started) / 1000;
    const rate = current > 0 ? seconds / current : 0;
    const eta = rate * (total - current);
    const width = 24, filled = total > 0 ? Math.round((width * current) / total) : width;
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${current}/${total} ${seconds.toFixed(0)}s` + (current < total && current > 0 ? ` eta ${eta.toFixed(0)}s` : '');
  };
  const draw = () => {
    if (stream.isTTY) {
      stream.write(`\r${line()}\x1b[K`);
      return;
    }
    const decile = total > 0 ? Math.floor((10 * current) / total) : 10;
    if (decile !== lastDecile) {
      lastDecile = decile;
      stream.write(`${line()}\n`);
    }
  };
  draw();
  return {
    tick(count = 1) {
      current = Math.min(total, current + count);
      draw();
    },
    done() {
      current = total;
      draw();
      if (stream.isTTY) stream.write('\n');
    },
  };
}
