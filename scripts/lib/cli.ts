/**
 * @module scripts/lib/cli
 * Command-line flags for the npm scripts: `node:util` `parseArgs` plus the
 * behaviour of Django's management commands. `--help` (`-h`) prints the
 * usage and exits 0; an unknown or malformed flag prints one `Error:` line
 * and the usage, and exits 2 (argparse's status), never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Prints `Error: <message>` and exits 1 (Django's `CommandError`). */
export function fail(message: string): never {
  console.error(`Error: ${message}`);
  process.exit(1);
}

/** The flags' values, typed from `options` as `parseArgs` types them. */
export function parseFlags<const O extends Options>(
  options: O,
  usage: string,
  args = process.argv.slice(2),
): ReturnType<typeof parseArgs<{ options: O; args: string[] }>>['values'] {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      args,
    }).values;
  } catch (err) {
    console.error(`Error: ${(err as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return values as ReturnType<typeof parseArgs<{ options: O; args: string[] }>>['values'];
}
