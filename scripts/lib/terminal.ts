/**
 * @module scripts/lib/terminal
 * Questions on the terminal for the npm scripts, with Python's `getpass` for
 * passwords: on a TTY the password is read in raw mode and nothing is
 * echoed, not even asterisks; when stdin is a pipe or a file, lines are read
 * as they come (one reader for every question, so none is lost) and nothing
 * is echoed either, because no terminal is there to echo it.
 *
 * Raw mode turns off the terminal's own line editing and its Ctrl-C, so the
 * keys are handled here (`applyKey`): Enter ends, Backspace and Ctrl-U edit,
 * Ctrl-C cancels, Ctrl-D on an empty line cancels, other control keys and
 * escape sequences (arrows) are ignored.
 */
import { createInterface, type Interface } from 'node:readline';
import type { ReadStream } from 'node:tty';

/** Ctrl-C, or the input ended: Django prints "Operation cancelled." */
export class Cancelled extends Error {
  constructor() {
    super('Operation cancelled.');
    this.name = 'Cancelled';
  }
}

export interface Terminal {
  ask(question: string): Promise<string>;
  askHidden(question: string): Promise<string>;
  close(): void;
}

// Escape sequences a key sends (arrows, Home, F-keys): CSI, SS3, or ESC + one character.
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|O.|[^[O])?/gs;

/** One key of a hidden answer: the answer so far, or that it is done or cancelled. */
export function applyKey(answer: string, key: string): string | { done: true } | Cancelled {
  if (key === '\r' || key === '\n') return { done: true };
  if (key === '\u0003') return new Cancelled();
  if (key === '\u0004') return answer === '' ? new Cancelled() : answer;
  if (key === '\u007f' || key === '\b') return [...answer].slice(0, -1).join('');
  if (key === '\u0015') return '';
  if (key < ' ') return answer;
  return answer + key;
}

function readHidden(input: ReadStream, output: NodeJS.WritableStream, question: string) {
  // Echo off before the prompt shows, as getpass does: a key typed the moment
  // the prompt appears must already find the terminal silent.
  input.setRawMode(true);
  output.write(question);
  return new Promise<string>((resolve, reject) => {
    let answer = '';
    const finish = (outcome: { done: true } | Cancelled) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (outcome instanceof Cancelled) reject(outcome);
      else resolve(answer);
    };
    const onEnd = () => finish(new Cancelled());
    const onData = (chunk: string) => {
      for (const key of chunk.replace(ESCAPE_SEQUENCE, '')) {
        const next = applyKey(answer, key);
        if (typeof next !== 'string') return finish(next);
        answer = next;
      }
    };
    input.setEncoding('utf8');
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}

/** A TTY: a readline question per visible answer, raw mode for a hidden one. */
function ttyTerminal(input: ReadStream, output: NodeJS.WritableStream): Terminal {
  return {
    async ask(question) {
      const rl = createInterface({ input, output, terminal: true });
      const closed = () => cancel?.(new Cancelled());
      let cancel: ((err: Cancelled) => void) | undefined;
      try {
        return await new Promise<string>((resolve, reject) => {
          cancel = reject;
          rl.once('SIGINT', closed);
          rl.once('close', closed);
          rl.question(question, resolve);
        });
      } finally {
        // Only this listener: readline's own 'close' listener detaches it from the input.
        rl.off('close', closed);
        rl.close();
      }
    },
    askHidden: (question) => readHidden(input, output, question),
    close() {},
  };
}

/** A pipe or a file: one line reader for all questions; no echo of any kind. */
function lineTerminal(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Terminal {
  const rl: Interface = createInterface({ input, terminal: false });
  const lines: string[] = [];
  const waiting: Array<(line: string | null) => void> = [];
  let ended = false;
  rl.on('line', (line) => (waiting.length > 0 ? waiting.shift()!(line) : lines.push(line)));
  rl.on('close', () => {
    ended = true;
    for (const wake of waiting.splice(0)) wake(null);
  });
  const next = async (question: string, newline: boolean) => {
    output.write(question);
    const line =
      lines.length > 0 || ended
        ? (lines.shift() ?? null)
        : await new Promise<string | null>((resolve) => waiting.push(resolve));
    if (newline) output.write('\n');
    if (line === null) throw new Cancelled();
    return line;
  };
  return {
    ask: (question) => next(question, true),
    askHidden: (question) => next(question, true),
    close: () => rl.close(),
  };
}

export function openTerminal(
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Terminal {
  return input.isTTY ? ttyTerminal(input as ReadStream, output) : lineTerminal(input, output);
}
