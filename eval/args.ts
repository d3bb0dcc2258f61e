/**
 * Command-line parsing shared by the evaluation commands, on Node's `util.parseArgs`. One addition: an option declared
 * `multiple` also takes the plain arguments that follow it (`--real a.tar b.tar`, as a shell glob writes them), not
 * only repeated flags. A value that starts with a dash is written `--name=-1`, as parseArgs requires.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** The options of a command: string-valued (`multiple`: a list), or boolean switches. */
export type OptionSpecs = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

/** The parsed values: a string, a list of strings, or a boolean per option, absent when not given. */
export type OptionValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** `argv` parsed against `options`; unknown options and stray arguments throw, with the command's `usage` appended. */
export function parseCommandLine(argv: readonly string[], options: OptionSpecs, usage: string): OptionValues {
  try {
    const { values, tokens } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
    let list: string | undefined;
    for (const token of tokens) {
      if (token.kind === 'option') list = options[token.name].multiple ? token.name : undefined;
      else if (token.kind === 'positional' && list) (values[list] as string[]).push(token.value);
      else if (token.kind === 'positional') throw new Error(`unexpected argument ${token.value}`);
    }
    return values;
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  }
}

/** The value of string option `name`, undefined if absent. */
export function single(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (value !== undefined && typeof value !== 'string') throw new Error(`--${name} takes one value`);
  return value;
}

/** The values of list option `name`, empty if absent. */
export function list(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.map(String) : [];
}

/** The value of `--name` as an integer of at least `min`, undefined if absent. */
export function integer(values: OptionValues, name: string, min = 1): number | undefined {
  const value = single(values, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || Number(value) < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return Number(value);
}

/**
 * Runs `main` on the command line's arguments when the module `url` was started as the script (so tests can import
 * `main` instead); a failure prints its message and exits 1.
 */
export function runIfScript(url: string, main: (argv: readonly string[]) => Promise<unknown>): void {
  if (!process.argv[1] || url !== pathToFileURL(process.argv[1]).href) return;
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
