/** Command-line parsing shared by the evaluation commands: `--flag value…` pairs. */

/** Flags and their values; a flag takes every following argument up to the next flag. */
export function parseArgs(argv: readonly string[]): Map<string, string[]> {
  const args = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      current = [];
      args.set(arg.slice(2), current);
    } else if (current) {
      current.push(arg);
    } else {
      throw new Error(`unexpected argument ${arg}`);
    }
  }
  return args;
}

/** The one value of `--name`, undefined if absent. */
export function single(args: Map<string, string[]>, name: string): string | undefined {
  const values = args.get(name);
  if (values && values.length !== 1) throw new Error(`--${name} takes one value`);
  return values?.[0];
}

/** The value of `--name` as an integer of at least `min`, undefined if absent. */
export function integer(args: Map<string, string[]>, name: string, min = 1): number | undefined {
  const value = single(args, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return Number(value);
}
