/**
 * Runs an npm script's TypeScript entry as a user does (`tsx scripts/<name>.ts`),
 * through a pipe or inside a pseudo-terminal (util-linux `script`), and
 * answers its prompts as they appear.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const TSX = resolve('node_modules/.bin/tsx');

export interface Run {
  status: number | null;
  output: string;
}

/** Answers: when `prompt` shows up in the output (after the previous one), `reply` is typed. */
export type Script = Array<{ prompt: string; reply: string }>;

export function runScript(
  name: string,
  args: string[],
  options: { tty?: boolean; stdin?: string; answers?: Script; env?: Record<string, string> } = {},
): Promise<Run> {
  const command = [TSX, `scripts/${name}.ts`, ...args];
  const env = { ...process.env, ...options.env };
  const child = options.tty
    ? spawn('script', ['-q', '-e', '-c', command.map(quote).join(' '), '/dev/null'], { env })
    : spawn(command[0]!, command.slice(1), { env });
  let output = '';
  const answers = [...(options.answers ?? [])];
  let seen = 0;
  const onOutput = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    const next = answers[0];
    const at = next ? output.indexOf(next.prompt, seen) : -1;
    if (next && at >= 0) {
      seen = at + next.prompt.length;
      answers.shift();
      child.stdin.write(next.reply);
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  if (options.stdin !== undefined) child.stdin.end(options.stdin);
  return new Promise((done) => child.on('close', (status) => done({ status, output })));
}

function quote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}
